// HttpGet against real servers on loopback: a tiny HTTP server that misbehaves on purpose, and `openssl
// s_server` for https with certos's own trust.

#include "trust/http_fetch.hpp"

#include <arpa/inet.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "trust/test_http_server.hpp"

namespace certos::trust {
namespace {

using testing::Hanging;
using testing::Redirect;
using testing::Reply;
using testing::Streamed;
using testing::TestHttpServer;

std::filesystem::path TrustDir() {
    const char* env = std::getenv("CERTOS_TEST_DATA");
    return std::filesystem::path(env != nullptr ? env : CERTOS_TEST_DATA_DIR) / "trust";
}

crypto::Certificate Cert(const std::string& name) {
    std::ifstream in(TrustDir() / (name + ".crt"));
    std::stringstream text;
    text << in.rdbuf();
    return crypto::Certificate::FromPem(text.str());
}

std::string ErrorOf(const std::string& url, const FetchLimits& limits = {}, const crypto::TrustSettings& trust = {}) {
    try {
        HttpGet(url, trust, limits);
    } catch (const core::Error& e) {
        return e.what();
    }
    return "no error";
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(HttpFetchTest, FetchesBodyAndFollowsRedirects) {
    TestHttpServer server({{"/a.crl", Reply(200, "crl bytes")}, {"/moved", Redirect("/a.crl")}});
    FetchResult result = HttpGet(server.Url("/a.crl"), {});
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(result.body, "crl bytes");
    EXPECT_EQ(HttpGet(server.Url("/moved"), {}).body, "crl bytes");
}

TEST(HttpFetchTest, ErrorStatusIsAnError) {
    TestHttpServer server({});
    std::string url = server.Url("/missing.crl");
    EXPECT_EQ(ErrorOf(url), "fetching " + url + ": the server answered HTTP 404");
}

TEST(HttpFetchTest, HugeBodyIsCutOffAtTheLimit) {
    FetchLimits limits;
    limits.max_body_bytes = 1 << 20;
    TestHttpServer server({{"/streamed", Streamed(4u << 20)}, {"/declared", Reply(200, std::string(2u << 20, 'y'))}});
    EXPECT_TRUE(Contains(ErrorOf(server.Url("/streamed"), limits), "response body larger than 1048576 bytes"));
    EXPECT_TRUE(Contains(ErrorOf(server.Url("/declared"), limits), "response body larger than 1048576 bytes"));
}

TEST(HttpFetchTest, HangingServerTimesOut) {
    FetchLimits limits;
    limits.total_timeout = std::chrono::milliseconds(700);
    TestHttpServer server({{"/hang", Hanging()}});
    auto start = std::chrono::steady_clock::now();
    std::string error = ErrorOf(server.Url("/hang"), limits);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(Contains(error, "no complete response within 0.7 s (timed out)")) << error;
    EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(HttpFetchTest, OnlyHttpAndBoundedRedirects) {
    TestHttpServer server({{"/loop", Redirect("/loop")},
                           {"/ftp", Redirect("ftp://127.0.0.1/x")},
                           {"/file", Redirect("file:///etc/passwd")}});
    EXPECT_TRUE(Contains(ErrorOf(server.Url("/loop")), "more than 3 redirects"));
    EXPECT_TRUE(Contains(ErrorOf(server.Url("/ftp")), "only http:// and https:// URLs are supported"));
    EXPECT_TRUE(Contains(ErrorOf(server.Url("/file")), "only http:// and https:// URLs are supported"));
    EXPECT_TRUE(Contains(ErrorOf("ldap://127.0.0.1/x"), "only http:// and https:// URLs are supported"));
    EXPECT_TRUE(Contains(ErrorOf("file:///etc/passwd"), "only http:// and https:// URLs are supported"));
}

TEST(HttpFetchTest, RefusedConnectionIsAnError) {
    int port = 0;
    {
        TestHttpServer server({});
        port = std::stoi(server.Url("").substr(std::string("http://127.0.0.1:").size()));
    }
    std::string error = ErrorOf("http://127.0.0.1:" + std::to_string(port) + "/x.crl");
    EXPECT_TRUE(Contains(error, "fetching http://127.0.0.1:")) << error;
    EXPECT_TRUE(Contains(error, "onnect")) << error;  // curl: "Failed to connect to ... Connection refused"
}

// TlsServer runs `openssl s_server -WWW` over tests/data/trust with the `localhost` certificate and its
// intermediate, on a free loopback port.
class TlsServer {
public:
    TlsServer() {
        int probe = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        close(probe);
        pid_ = fork();
        if (pid_ == 0) {
            std::filesystem::current_path(TrustDir());
            std::string accept = "127.0.0.1:" + std::to_string(port_);
            execlp("openssl", "openssl", "s_server", "-quiet", "-WWW", "-accept", accept.c_str(), "-cert",
                   "localhost.crt", "-key", "localhost.key", "-cert_chain", "inter.crt", nullptr);
            _exit(127);
        }
        for (int i = 0; i < 100 && !Ready(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~TlsServer() {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
    std::string Url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(port_) + path; }

private:
    bool Ready() const {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<std::uint16_t>(port_));
        bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        close(fd);
        return ok;
    }
    int port_ = 0;
    pid_t pid_ = -1;
};

TEST(HttpFetchTest, HttpsIsVerifiedWithCertosTrustOnly) {
    if (std::system("openssl version >/dev/null 2>&1") != 0) {
        GTEST_FAIL() << "openssl CLI not installed (scripts/install-deps.sh installs it)";
    }
    TlsServer server;
    crypto::TrustSettings trust;
    trust.anchors = {Cert("root")};
    FetchResult result = HttpGet(server.Url("/inter.crl.pem"), trust);
    EXPECT_TRUE(Contains(result.body, "-----BEGIN X509 CRL-----"));

    // The system's CA bundle is not consulted: with no anchors, or another CA, the server is refused.
    EXPECT_TRUE(Contains(ErrorOf(server.Url("/inter.crl.pem")),
                         "TLS certificate of the server not accepted: unable to get local issuer certificate"));
    crypto::TrustSettings other;
    other.anchors = {Cert("other_root")};
    EXPECT_TRUE(Contains(ErrorOf(server.Url("/inter.crl.pem"), {}, other), "not accepted"));

    // crl-use=yes without a CRL for the server's chain fails closed; with the CRLs it passes.
    crypto::TrustSettings strict = trust;
    strict.crl_policy = crypto::CrlPolicy::kRequireAll;
    EXPECT_TRUE(Contains(ErrorOf(server.Url("/inter.crl.pem"), {}, strict), "unable to get certificate CRL"));
    std::ifstream inter(TrustDir() / "inter.crl.pem");
    std::ifstream root(TrustDir() / "root.crl.pem");
    std::stringstream inter_text, root_text;
    inter_text << inter.rdbuf();
    root_text << root.rdbuf();
    strict.crls = {crypto::Crl::FromPem(inter_text.str()), crypto::Crl::FromPem(root_text.str())};
    EXPECT_EQ(HttpGet(server.Url("/root.crl.pem"), strict).status, 200);
}

}  // namespace
}  // namespace certos::trust
