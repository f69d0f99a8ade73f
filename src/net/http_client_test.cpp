// HttpClient over plain http against real loopback servers: certos's own HttpServer for what a well-behaved
// server does (echo, repeated headers, statuses, redirects, large bodies), and a socket that never answers.

#include "net/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "net/http_server.hpp"

namespace certos::net {
namespace {

const FixedTrust kNoTrust{crypto::TrustSettings{}};

HttpResponse Text(int status, std::string body) {
    HttpResponse response = MakeResponse(status, std::move(body));
    response.content_type = "text/plain";
    return response;
}

// Echo answers "METHOD|body|X-Test|Content-Type|Host" with the response headers an ACME server sends,
// Link twice (RFC 8555 §7.1: several Link fields).
HttpResponse Echo(const HttpRequest& r) {
    auto header = [&r](std::string_view name) { return std::string(r.Header(name).value_or("-")); };
    HttpResponse response = Text(
        200, r.method + "|" + r.body + "|" + header("x-test") + "|" + header("content-type") + "|" + header("host"));
    response.headers = {{"Replay-Nonce", "nonce-1"},
                        {"Link", "<https://acme.test/dir>;rel=\"index\""},
                        {"Link", "<https://acme.test/alt>;rel=\"alternate\""}};
    return response;
}

// Hop answers /hop/N with a redirect to /hop/N-1, and /hop/0 with "arrived".
HttpResponse Hop(const HttpRequest& r) {
    int left = std::stoi(r.path.substr(std::string_view("/hop/").size()));
    if (left == 0) {
        return Text(200, "arrived");
    }
    HttpResponse response = Text(302, "");
    response.headers = {{"Location", "/hop/" + std::to_string(left - 1)}};
    return response;
}

class HttpClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        server_.Route("/echo", Echo);
        server_.Route("/hop/", Hop);
        server_.Route("/problem", [](const HttpRequest&) {
            HttpResponse response = MakeResponse(400, R"({"type":"urn:ietf:params:acme:error:badNonce"})");
            response.content_type = "application/problem+json";
            return response;
        });
        server_.Route("/ftp", [](const HttpRequest&) {
            HttpResponse response = Text(302, "");
            response.headers = {{"Location", "ftp://127.0.0.1/x"}};
            return response;
        });
        for (int status : {303, 307}) {
            server_.Route("/moved-" + std::to_string(status), [status](const HttpRequest&) {
                HttpResponse response = Text(status, "");
                response.headers = {{"Location", "/echo"}};
                return response;
            });
        }
        server_.Route("/big", [](const HttpRequest&) { return Text(200, std::string(2u << 20, 'y')); });
        ListenerConfig config;
        config.name = "www";
        config.bind_address = "127.0.0.1";
        ASSERT_TRUE(server_.Reconfigure({config}).empty());
        port_ = server_.Listeners().at(0).port;
    }

    std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

    static std::string ErrorOf(const HttpClient& client, const ClientRequest& request) {
        try {
            client.Send(request);
        } catch (const core::Error& e) {
            EXPECT_EQ(e.category(), core::ErrorCategory::kFailure);
            return e.what();
        }
        return "no error";
    }
    std::string ErrorOf(const std::string& path, ClientLimits limits = {}) const {
        return ErrorOf(HttpClient("fetch", kNoTrust, {limits, {}}), ClientRequest{HttpMethod::kGet, Url(path), {}, {}});
    }

    HttpServer server_;
    std::uint16_t port_ = 0;
    HttpClient client_{"fetch", kNoTrust};
};

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_F(HttpClientTest, GetSendsHeadersAndReadsRepeatedResponseHeaders) {
    ClientResponse response = client_.Get(Url("/echo"), {{"X-Test", "one"}});
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "GET||one|-|127.0.0.1:" + std::to_string(port_));
    EXPECT_EQ(response.effective_url, Url("/echo"));
    EXPECT_EQ(response.headers.Get("replay-nonce"), "nonce-1");  // names are case-insensitive
    EXPECT_EQ(response.headers.Get("REPLAY-NONCE"), "nonce-1");
    EXPECT_EQ(response.headers.Get("Content-Type"), "text/plain");
    EXPECT_EQ(response.headers.GetAll("link"), (std::vector<std::string>{"<https://acme.test/dir>;rel=\"index\"",
                                                                         "<https://acme.test/alt>;rel=\"alternate\""}));
    EXPECT_FALSE(response.headers.Has("Location"));
}

TEST_F(HttpClientTest, HeadReadsHeadersWithoutBody) {
    ClientResponse response = client_.Head(Url("/echo"));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "");
    EXPECT_EQ(response.headers.Get("Replay-Nonce"), "nonce-1");
    EXPECT_EQ(response.headers.GetAll("Link").size(), 2u);
    // A HEAD's Content-Length is no body: the body limit does not refuse it.
    ClientLimits limits;
    limits.max_body_bytes = 1u << 20;
    ClientResponse big = HttpClient("acme", kNoTrust, {limits, {}}).Head(Url("/big"));
    EXPECT_EQ(big.status, 200);
    EXPECT_EQ(big.headers.Get("content-length"), std::to_string(2u << 20));
}

TEST_F(HttpClientTest, PostSendsBinaryBodyWithContentType) {
    std::string body("{\"protected\":\"x\"}\0\x01\xff", 20);
    ClientResponse response = client_.Post(Url("/echo"), body, "application/jose+json", {{"X-Test", "two"}});
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "POST|" + body + "|two|application/jose+json|127.0.0.1:" + std::to_string(port_));
    // Without a content type none is sent (not curl's application/x-www-form-urlencoded).
    EXPECT_EQ(client_.Post(Url("/echo"), "raw", "").body, "POST|raw|-|-|127.0.0.1:" + std::to_string(port_));
}

TEST_F(HttpClientTest, ErrorStatusesAreReturnedNotThrown) {
    ClientResponse problem = client_.Post(Url("/problem"), "{}", "application/jose+json");
    EXPECT_EQ(problem.status, 400);
    EXPECT_FALSE(problem.ok());
    EXPECT_EQ(problem.headers.Get("content-type"), "application/problem+json");
    EXPECT_EQ(problem.body, R"({"type":"urn:ietf:params:acme:error:badNonce"})");
    EXPECT_EQ(client_.Get(Url("/missing")).status, 404);

    // RequireSuccess is for callers that want a 2xx body or an error.
    std::string url = Url("/missing");
    try {
        RequireSuccess(client_.Get(url), url);
        ADD_FAILURE() << "no error";
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()), "fetching " + url + ": the server answered HTTP 404");
    }
    EXPECT_EQ(RequireSuccess(client_.Get(Url("/echo")), Url("/echo")).status, 200);
}

TEST_F(HttpClientTest, RedirectsAreFollowedUpToTheLimit) {
    ClientResponse response = client_.Get(Url("/hop/3"));
    EXPECT_EQ(response.body, "arrived");
    EXPECT_EQ(response.effective_url, Url("/hop/0"));
    EXPECT_TRUE(Contains(ErrorOf("/hop/4"), "more than 3 redirects")) << ErrorOf("/hop/4");
    ClientLimits one;
    one.max_redirects = 1;
    EXPECT_EQ(HttpClient("fetch", kNoTrust, {one, {}}).Get(Url("/hop/1")).body, "arrived");
    EXPECT_TRUE(Contains(ErrorOf("/hop/2", one), "more than 1 redirects"));
    EXPECT_TRUE(Contains(ErrorOf("/ftp"), "only http:// and https:// URLs are supported"));
}

TEST_F(HttpClientTest, RedirectedPostContinuesAsGetAfter303AndAsPostAfter307) {
    std::string host = "|127.0.0.1:" + std::to_string(port_);
    // The body is dropped; the request's own header fields go along.
    EXPECT_EQ(client_.Post(Url("/moved-303"), "jws", "application/jose+json").body,
              "GET||-|application/jose+json" + host);
    EXPECT_EQ(client_.Post(Url("/moved-307"), "jws", "application/jose+json").body,
              "POST|jws|-|application/jose+json" + host);
}

TEST_F(HttpClientTest, RedirectsAreRefusedWhenTheLimitIsZero) {
    ClientLimits none;
    none.max_redirects = 0;
    EXPECT_EQ(ErrorOf("/hop/1", none), "fetching " + Url("/hop/1") + ": the server redirects to " + Url("/hop/0") +
                                           " (HTTP 302), and redirects are refused");
    EXPECT_EQ(HttpClient("acme", kNoTrust, {none, {}}).Get(Url("/hop/0")).body, "arrived");
}

TEST_F(HttpClientTest, BodyOverTheLimitIsAborted) {
    ClientLimits limits;
    limits.max_body_bytes = 1u << 20;
    EXPECT_EQ(ErrorOf("/big", limits), "fetching " + Url("/big") + ": response body larger than 1048576 bytes");
    limits.max_body_bytes = 2u << 20;  // exactly the body's size
    EXPECT_EQ(HttpClient("fetch", kNoTrust, {limits, {}}).Get(Url("/big")).body.size(), 2u << 20);
}

TEST_F(HttpClientTest, ServerThatNeverAnswersTimesOut) {
    // A listening socket that is never accepted: the TCP handshake completes, no byte ever comes back.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
    ASSERT_EQ(listen(fd, 4), 0);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x";
    ClientLimits limits;
    limits.total_timeout = std::chrono::milliseconds(700);
    HttpClient client("scep", kNoTrust, {limits, {}});
    EXPECT_EQ(ErrorOf(client, ClientRequest{HttpMethod::kPost, url, {}, "body"}),
              "posting to " + url + ": no complete response within 0.7 s (timed out)");
    close(fd);
}

TEST_F(HttpClientTest, TransportFailuresAreErrors) {
    std::string refused = "http://127.0.0.1:1/x.crl";  // port 1: nothing listens there
    std::string error = ErrorOf(client_, ClientRequest{HttpMethod::kHead, refused, {}, {}});
    EXPECT_TRUE(Contains(error, "HEAD " + refused + ": ")) << error;
    EXPECT_TRUE(Contains(error, "onnect")) << error;  // curl: "Failed to connect to ... Connection refused"
    for (const char* url : {"ldap://127.0.0.1/x", "file:///etc/passwd", "127.0.0.1/x"}) {
        EXPECT_EQ(ErrorOf(client_, ClientRequest{HttpMethod::kGet, url, {}, {}}),
                  std::string("fetching ") + url + ": only http:// and https:// URLs are supported");
    }
    ClientRequest injected{HttpMethod::kGet, Url("/echo"), {{"X-Test", "a\r\nX-Evil: 1"}}, {}};
    EXPECT_EQ(ErrorOf(client_, injected), "fetching " + Url("/echo") + ": invalid request header \"X-Test\"");
}

TEST_F(HttpClientTest, ConnectToSendsAnotherHostToTheLoopbackServer) {
    HttpClient client("acme", kNoTrust, {{}, {ConnectTo{"acme.test", 80, "127.0.0.1", port_}}});
    ClientResponse response = client.Get("http://acme.test/echo");
    EXPECT_EQ(response.body, "GET||-|-|acme.test");  // the Host header names acme.test
    EXPECT_EQ(response.effective_url, "http://acme.test/echo");
}

}  // namespace
}  // namespace certos::net
