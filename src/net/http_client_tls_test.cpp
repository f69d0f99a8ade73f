// HttpClient over https against `openssl s_server -WWW` (another TLS implementation's server) with the
// certificates of tests/data/trust: certos's own trust decides, never the system's CA files.

#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "net/http_client.hpp"

namespace certos::net {
namespace {

std::filesystem::path TrustDir() {
    const char* env = std::getenv("CERTOS_TEST_DATA");
    return std::filesystem::path(env != nullptr ? env : CERTOS_TEST_DATA_DIR) / "trust";
}

std::string Read(const std::string& name) {
    std::ifstream in(TrustDir() / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

crypto::Certificate Cert(const std::string& name) { return crypto::Certificate::FromPem(Read(name + ".crt")); }

crypto::Crl Crl(const std::string& name) { return crypto::Crl::FromPem(Read(name + ".crl.pem")); }

// TlsServer runs `openssl s_server -WWW` on a free loopback port, serving the files of `dir` with certificate
// `cert` (a name in tests/data/trust) and the intermediate CA's certificate as its chain.
class TlsServer {
public:
    explicit TlsServer(const std::string& cert, std::filesystem::path dir = TrustDir()) {
        int probe = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        close(probe);
        std::string accept = "127.0.0.1:" + std::to_string(port_);
        std::string crt = (TrustDir() / (cert + ".crt")).string();
        std::string key = (TrustDir() / (cert + ".key")).string();
        std::string chain = (TrustDir() / "inter.crt").string();
        pid_ = fork();
        if (pid_ == 0) {
            std::filesystem::current_path(dir);
            execlp("openssl", "openssl", "s_server", "-quiet", "-WWW", "-accept", accept.c_str(), "-cert", crt.c_str(),
                   "-key", key.c_str(), "-cert_chain", chain.c_str(), nullptr);
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
    TlsServer(const TlsServer&) = delete;
    TlsServer& operator=(const TlsServer&) = delete;

    std::uint16_t port() const { return port_; }
    std::string Url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(port_) + path; }

private:
    bool Ready() const {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(port_);
        bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        close(fd);
        return ok;
    }
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

// RecordingTrust answers the root CA as anchor and remembers which services asked.
class RecordingTrust final : public TrustSource {
public:
    crypto::TrustSettings TrustFor(std::string_view service) const override {
        std::lock_guard lock(mutex_);
        asked_.emplace_back(service);
        crypto::TrustSettings trust;
        trust.anchors = {Cert("root")};
        return trust;
    }
    std::vector<std::string> asked() const {
        std::lock_guard lock(mutex_);
        return asked_;
    }

private:
    mutable std::mutex mutex_;
    mutable std::vector<std::string> asked_;
};

std::string ErrorOf(const HttpClient& client, const std::string& url) {
    try {
        client.Get(url);
    } catch (const core::Error& e) {
        return e.what();
    }
    return "no error";
}

std::string ErrorOf(const std::string& url, const crypto::TrustSettings& trust) {
    FixedTrust fixed(trust);
    return ErrorOf(HttpClient("fetch", fixed), url);
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class HttpClientTlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(std::system("openssl version >/dev/null 2>&1"), 0)
            << "openssl CLI not installed (scripts/install-deps.sh installs it)";
        trust_.anchors = {Cert("root")};
    }
    crypto::TrustSettings trust_;
};

TEST_F(HttpClientTlsTest, TrustedServerIsAcceptedForTheNamedService) {
    TlsServer server("localhost");
    RecordingTrust trust;
    HttpClient client("acme", trust);
    ClientResponse response = client.Get(server.Url("/inter.crl.pem"));
    EXPECT_EQ(response.status, 200);
    EXPECT_TRUE(Contains(response.body, "-----BEGIN X509 CRL-----"));
    EXPECT_EQ(trust.asked(), std::vector<std::string>{"acme"});  // asked for the client's service, per connection
}

TEST_F(HttpClientTlsTest, UntrustedServerIsRefusedWithTheVerificationReason) {
    TlsServer server("localhost");
    std::string url = server.Url("/inter.crl.pem");
    // No anchors: the system's CA bundle is not consulted.
    EXPECT_EQ(ErrorOf(url, {}), "fetching " + url +
                                    ": TLS certificate of the server not accepted: unable to get local issuer "
                                    "certificate");
    crypto::TrustSettings other;
    other.anchors = {Cert("other_root")};
    EXPECT_TRUE(Contains(ErrorOf(url, other), "TLS certificate of the server not accepted")) << ErrorOf(url, other);

    // crl-use=yes without a CRL for the server's chain fails closed; with the CRLs it passes.
    crypto::TrustSettings strict = trust_;
    strict.crl_policy = crypto::CrlPolicy::kRequireAll;
    EXPECT_TRUE(Contains(ErrorOf(url, strict), "unable to get certificate CRL")) << ErrorOf(url, strict);
    strict.crls = {Crl("inter"), Crl("root")};
    FixedTrust with_crls(strict);
    EXPECT_EQ(HttpClient("fetch", with_crls).Get(url).status, 200);
}

TEST_F(HttpClientTlsTest, TrustThatCannotBeLoadedFailsTheRequest) {
    class Broken final : public TrustSource {
    public:
        crypto::TrustSettings TrustFor(std::string_view) const override { throw core::Failure("store is locked"); }
    };
    TlsServer server("localhost");
    Broken broken;
    EXPECT_TRUE(Contains(ErrorOf(HttpClient("scep", broken), server.Url("/root.crl.pem")),
                         ": setting up TLS: store is locked"));
}

TEST_F(HttpClientTlsTest, ConnectToKeepsSniAndTheNameCheckForTheUrlHost) {
    TlsServer server("leaf");  // a certificate for server.test only
    FixedTrust trust(trust_);
    HttpClient client("acme", trust, {{}, {ConnectTo{"server.test", 443, "127.0.0.1", server.port()}}});
    ClientResponse response = client.Get("https://server.test/inter.crl.pem");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.effective_url, "https://server.test/inter.crl.pem");

    // The same server reached as acme.test, or by its address: the name does not match the certificate.
    HttpClient other("acme", trust, {{}, {ConnectTo{"acme.test", 443, "127.0.0.1", server.port()}}});
    std::string error = ErrorOf(other, "https://acme.test/inter.crl.pem");
    EXPECT_EQ(error,
              "fetching https://acme.test/inter.crl.pem: TLS certificate of the server not accepted: "
              "SSL: no alternative certificate subject name matches target host name 'acme.test'");
    error = ErrorOf(HttpClient("acme", trust), server.Url("/inter.crl.pem"));
    EXPECT_TRUE(Contains(error, "not accepted: SSL: no alternative certificate subject name matches")) << error;
}

TEST_F(HttpClientTlsTest, StreamedBodyWithoutLengthIsCutOffAtTheLimit) {
    // s_server -WWW sends files without Content-Length: the limit is enforced while reading.
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("certos-client-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "big.bin") << std::string(3u << 20, 'z');
    std::ofstream(dir / "small.bin") << "small";
    {
        TlsServer server("localhost", dir);
        ClientOptions options;
        options.limits.max_body_bytes = 1u << 20;
        FixedTrust trust(trust_);
        HttpClient client("fetch", trust, options);
        EXPECT_EQ(ErrorOf(client, server.Url("/big.bin")),
                  "fetching " + server.Url("/big.bin") + ": response body larger than 1048576 bytes");
        EXPECT_EQ(client.Get(server.Url("/small.bin")).body, "small");
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace certos::net
