#include "net/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>
#include <vector>

namespace certos::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Socket is a blocking TCP client on loopback.
class Socket {
public:
    explicit Socket(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    ~Socket() { ::close(fd_); }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    bool connected() const { return connected_; }
    int fd() const { return fd_; }

    void Send(std::string_view data) {
        while (!data.empty()) {
            ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) {
                return;
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    // ReadResponse reads one response (headers and a Content-Length body); "" when the server closed first.
    std::string ReadResponse(std::chrono::milliseconds timeout = 5000ms) {
        auto deadline = Clock::now() + timeout;
        while (true) {
            std::size_t end = buffer_.find("\r\n\r\n");
            if (end != std::string::npos) {
                std::size_t length = 0;
                std::size_t at = Lower(buffer_.substr(0, end)).find("content-length:");
                if (at != std::string::npos) {
                    length = std::stoul(buffer_.substr(at + 15));
                }
                if (buffer_.size() >= end + 4 + length) {
                    std::string response = buffer_.substr(0, end + 4 + length);
                    buffer_.erase(0, end + 4 + length);
                    return response;
                }
            }
            if (!Fill(deadline)) {
                return "";
            }
        }
    }

    // ClosedWithin is true when the server closes the connection (EOF) within `timeout`, discarding data.
    bool ClosedWithin(std::chrono::milliseconds timeout) {
        auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            int left = static_cast<int>(
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
            if (::poll(&p, 1, std::max(left, 1)) <= 0) {
                continue;
            }
            char chunk[4096];
            ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) {
                return true;
            }
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
        return false;
    }

    const std::string& buffered() const { return buffer_; }

private:
    static std::string Lower(std::string text) {
        for (char& c : text) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return text;
    }

    bool Fill(Clock::time_point deadline) {
        int left =
            static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
        pollfd p{fd_, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, left) <= 0) {
            return false;
        }
        char chunk[65536];
        ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) {
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    bool connected_ = false;
    std::string buffer_;
};

std::string Get(std::string_view path, std::string_view extra = {}) {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

// Field returns the i-th '|'-separated field of an /echo/ response body.
std::string Field(const std::string& body, int i) {
    std::stringstream in(body);
    std::string field;
    for (int k = 0; k <= i; ++k) {
        std::getline(in, field, '|');
    }
    return field;
}

int Status(const std::string& response) { return response.size() > 12 ? std::stoi(response.substr(9, 3)) : 0; }

std::string Body(const std::string& response) {
    std::size_t end = response.find("\r\n\r\n");
    return end == std::string::npos ? "" : response.substr(end + 4);
}

HttpResponse Text(std::string body) {
    HttpResponse response;
    response.body = std::move(body);
    response.content_type = "text/plain";
    return response;
}

ListenerConfig Plain(std::string name = "www") {
    ListenerConfig config;
    config.name = std::move(name);
    config.bind_address = "127.0.0.1";
    return config;
}

class HttpServerTest : public ::testing::Test {
protected:
    void Start(ServerOptions options = {}, ListenerConfig config = Plain()) {
        server_ = std::make_unique<HttpServer>(std::move(options));
        server_->Route("/echo/", [](const HttpRequest& r) {
            return Text(r.method + "|" + r.path + "|" + r.query + "|" + r.body + "|" +
                        std::string(r.Header("x-test").value_or("-")) + "|" + std::to_string(r.connection->id()) + "|" +
                        r.connection->remote_address());
        });
        server_->Route("/echo/deeper/", [](const HttpRequest&) { return Text("deeper"); });
        server_->Route("/slow/", [](const HttpRequest&) {
            std::this_thread::sleep_for(1500ms);
            return Text("slow");
        });
        server_->Route("/throw/", [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
        server_->Route("/later/", [](const HttpRequest&) {
            HttpResponse response = Text("later");
            response.delay = 1500ms;
            return response;
        });
        // /stream/<kind>: a streamed body of 30 parts of 10,000 bytes ("small": one part), "fail" Replaces it
        // after 20 parts (too late: the first parts left), "early" after writing less than one part.
        server_->Route("/stream/", [](const HttpRequest& r) {
            HttpResponse response = Text("");
            response.stream = [kind = r.path.substr(8)](BodyWriter& out) {
                for (int i = 0; i < (kind == "small" ? 1 : 30); ++i) {
                    if ((kind == "fail" && i == 20) || (kind == "early" && i == 1)) {
                        out.Replace(MakeResponse(409, "replaced"));
                        return;
                    }
                    out.Write(std::string(10000, static_cast<char>('a' + i % 26)));
                }
            };
            return response;
        });
        server_->Route("/login/", [](const HttpRequest& r) {
            r.connection->MarkAuthenticated();  // what REST does after a successful login
            return Text("logged in");
        });
        ASSERT_TRUE(server_->Reconfigure({config}).empty());
        port_ = PortOf(config.name);
    }

    std::uint16_t PortOf(const std::string& name) {
        for (const ListenerStatus& status : server_->Listeners()) {
            if (status.name == name) {
                return status.port;
            }
        }
        return 0;
    }

    std::string Exchange(std::string_view request, std::uint16_t port = 0) {
        Socket socket(port == 0 ? port_ : port);
        socket.Send(request);
        return socket.ReadResponse();
    }

    std::unique_ptr<HttpServer> server_;
    std::uint16_t port_ = 0;
};

TEST_F(HttpServerTest, RoutesByLongestPrefix) {
    Start();
    std::string echo = Exchange(Get("/echo/a?x=1", "X-Test: yes\r\n"));
    EXPECT_EQ(Status(echo), 200);
    EXPECT_EQ(Body(echo), "GET|/echo/a|x=1||yes|1|127.0.0.1");
    EXPECT_EQ(Body(Exchange(Get("/echo/deeper/x"))), "deeper");
    std::string missing = Exchange(Get("/nothing"));
    EXPECT_EQ(Status(missing), 404);
    EXPECT_EQ(Body(missing), R"({"error":404,"message":"Not Found"})");
}

TEST_F(HttpServerTest, KeepAliveCarriesSeveralRequestsOnOneConnection) {
    Start();
    Socket socket(port_);
    socket.Send("POST /echo/p HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    std::string first = socket.ReadResponse();
    socket.Send(Get("/echo/q"));
    std::string second = socket.ReadResponse();
    EXPECT_EQ(Field(Body(first), 0) + Field(Body(first), 1) + Field(Body(first), 3), "POST/echo/phello");
    EXPECT_EQ(Field(Body(second), 1), "/echo/q");
    EXPECT_EQ(Field(Body(second), 5), Field(Body(first), 5));  // the same connection
}

// Chunks decodes a chunked body (after the header); `complete` tells whether the last chunk came.
std::string Chunks(const std::string& response, bool& complete) {
    std::size_t at = response.find("\r\n\r\n") + 4;
    std::string body;
    complete = false;
    while (at < response.size()) {
        std::size_t line = response.find("\r\n", at);
        if (line == std::string::npos) {
            break;
        }
        std::size_t size = std::stoul(response.substr(at, line - at), nullptr, 16);
        if (size == 0) {
            complete = true;
            break;
        }
        if (line + 2 + size > response.size()) {
            break;
        }
        body += response.substr(line + 2, size);
        at = line + 2 + size + 2;
    }
    return body;
}

TEST_F(HttpServerTest, StreamedBodiesAreChunkedOnceLongerThanAPart) {
    Start();
    std::string small = Exchange(Get("/stream/small"));
    EXPECT_EQ(Status(small), 200);
    EXPECT_EQ(Body(small), std::string(10000, 'a'));

    Socket socket(port_);
    socket.Send("GET /stream/big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(socket.ClosedWithin(10s));
    const std::string& big = socket.buffered();
    EXPECT_EQ(Status(big), 200);
    EXPECT_NE(big.substr(0, big.find("\r\n\r\n")).find("Transfer-Encoding: chunked"), std::string::npos);
    bool complete = false;
    std::string body = Chunks(big, complete);
    EXPECT_TRUE(complete);
    ASSERT_EQ(body.size(), 300000U);
    EXPECT_EQ(body.substr(290000), std::string(10000, 'd'));  // part 29

    // A keep-alive connection goes on after a chunked body.
    Socket again(port_);
    again.Send(Get("/stream/big"));
    ASSERT_FALSE(again.ClosedWithin(1s));
    again.Send(Get("/echo/after"));
    ASSERT_FALSE(again.ClosedWithin(1s));
    EXPECT_NE(again.buffered().find("0\r\n\r\nHTTP/1.1 200"), std::string::npos);
}

TEST_F(HttpServerTest, AStreamThatFailsAfterItsFirstPartIsCutNotCompleted) {
    Start();
    // Before anything left: the replacement is the answer.
    std::string early = Exchange(Get("/stream/early"));
    EXPECT_EQ(Status(early), 409);
    EXPECT_EQ(Body(early), "replaced");
    // After: the status stays 200, the connection is closed without the last chunk.
    Socket socket(port_);
    socket.Send(Get("/stream/fail"));
    ASSERT_TRUE(socket.ClosedWithin(10s));
    EXPECT_EQ(Status(socket.buffered()), 200);
    bool complete = true;
    std::string body = Chunks(socket.buffered(), complete);
    EXPECT_FALSE(complete);
    EXPECT_LT(body.size(), 300000U);
    EXPECT_EQ(socket.buffered().find("replaced"), std::string::npos);
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
    ServerOptions options;
    options.max_body_bytes = 1024;
    Start(options);
    Socket socket(port_);
    socket.Send("PUT /echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: 200000\r\n\r\n" + std::string(200000, 'x'));
    std::string response = socket.ReadResponse();
    EXPECT_EQ(Status(response), 413);
    EXPECT_NE(Body(response).find(R"("error":413,"message":"Payload Too Large")"), std::string::npos);
    EXPECT_TRUE(socket.ClosedWithin(5000ms));
    EXPECT_EQ(
        Status(Exchange("PUT /echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'x'))),
        200);
}

TEST_F(HttpServerTest, ChunkedOversizedBodyIs413) {
    ServerOptions options;
    options.max_body_bytes = 1024;
    Start(options);
    Socket socket(port_);
    socket.Send("PUT /echo/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                std::string(2048, 'x') + "\r\n0\r\n\r\n");
    EXPECT_EQ(Status(socket.ReadResponse()), 413);
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
    ServerOptions options;
    options.max_header_bytes = 1024;
    Start(options);
    std::string response = Exchange(Get("/echo/x", "X-Big: " + std::string(4096, 'a') + "\r\n"));
    EXPECT_EQ(Status(response), 431);
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
    Start();
    std::string response = Exchange("GET /echo/x HTTP/1.1\r\nHost t\r\n\r\n");
    EXPECT_EQ(Status(response), 400);
    EXPECT_NE(Body(response).find("malformed HTTP request"), std::string::npos);
}

TEST_F(HttpServerTest, ExpectContinueGetsTheInterimResponse) {
    Start();
    Socket socket(port_);
    socket.Send("PUT /echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    std::string interim = socket.ReadResponse();
    EXPECT_EQ(Status(interim), 100);
    socket.Send("abc");
    EXPECT_EQ(Field(Body(socket.ReadResponse()), 3), "abc");
}

TEST_F(HttpServerTest, SlowClientTimesOutWhileOthersAreServed) {
    ServerOptions options;
    options.read_timeout = 800ms;
    Start(options);
    auto started = Clock::now();
    Socket slow(port_);
    slow.Send("GET /echo/slow HTTP/1.1\r\nHost: t\r\nX-Te");  // half a header, then nothing
    std::this_thread::sleep_for(100ms);
    std::string other = Exchange(Get("/echo/other"));
    EXPECT_EQ(Status(other), 200);
    EXPECT_LT(Clock::now() - started, 600ms);
    std::string timed_out = slow.ReadResponse(3000ms);
    EXPECT_EQ(Status(timed_out), 408);
    EXPECT_NE(Body(timed_out).find(R"("error":408)"), std::string::npos);
    EXPECT_GE(Clock::now() - started, 750ms);
    EXPECT_TRUE(slow.ClosedWithin(2000ms));
}

TEST_F(HttpServerTest, IdleConnectionIsClosedSilently) {
    ServerOptions options;
    options.read_timeout = 300ms;
    Start(options);
    Socket idle(port_);
    EXPECT_TRUE(idle.ClosedWithin(2000ms));
    EXPECT_EQ(idle.buffered(), "");
}

TEST_F(HttpServerTest, BlockingHandlerDoesNotStallOtherClients) {
    Start();
    auto slow = std::async(std::launch::async, [this] { return Exchange(Get("/slow/x")); });
    std::this_thread::sleep_for(100ms);
    auto started = Clock::now();
    EXPECT_EQ(Status(Exchange(Get("/echo/fast"))), 200);
    EXPECT_LT(Clock::now() - started, 1000ms);
    EXPECT_EQ(Body(slow.get()), "slow");
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndReported) {
    ServerOptions options;
    auto errors = std::make_shared<std::vector<std::string>>();
    auto mutex = std::make_shared<std::mutex>();
    options.on_error = [errors, mutex](std::string_view message) {
        std::lock_guard lock(*mutex);
        errors->emplace_back(message);
    };
    Start(options);
    std::string response = Exchange(Get("/throw/x"));
    EXPECT_EQ(Status(response), 500);
    EXPECT_EQ(Body(response).find("boom"), std::string::npos);
    std::lock_guard lock(*mutex);
    ASSERT_EQ(errors->size(), 1u);
    EXPECT_NE(errors->front().find("boom"), std::string::npos);
}

TEST_F(HttpServerTest, MaxSessionsClosesExtraConnections) {
    ListenerConfig config = Plain();
    config.max_sessions = 1;
    Start({}, config);
    Socket first(port_);
    first.Send(Get("/login/1"));
    EXPECT_EQ(Status(first.ReadResponse()), 200);  // logged in; keeps its connection open
    Socket second(port_);
    EXPECT_TRUE(second.ClosedWithin(2000ms));
    EXPECT_EQ(second.buffered(), "");
}

TEST_F(HttpServerTest, IdleConnectionsThatNeverLogInLockNobodyOut) {
    ListenerConfig config = Plain();
    config.max_sessions = 2;
    config.max_unauthenticated = 4;
    Start({}, config);
    std::vector<std::unique_ptr<Socket>> idle;
    for (int i = 0; i < 20; ++i) {
        idle.push_back(std::make_unique<Socket>(port_));
    }
    // Each newcomer took the place of the oldest idle one: the first 16 were closed.
    for (int i = 0; i < 16; ++i) {
        EXPECT_TRUE(idle[i]->ClosedWithin(5000ms)) << i;
    }
    Socket client(port_);
    client.Send(Get("/login/x"));
    EXPECT_EQ(Status(client.ReadResponse()), 200);
    client.Send(Get("/echo/again"));
    EXPECT_EQ(Status(client.ReadResponse()), 200);  // logged in: not evicted by later newcomers
    for (int i = 0; i < 8; ++i) {
        idle.push_back(std::make_unique<Socket>(port_));
    }
    client.Send(Get("/echo/still"));
    EXPECT_EQ(Status(client.ReadResponse()), 200);
}

TEST_F(HttpServerTest, SlowRequestsRunOnTheirOwnPool) {
    ServerOptions options;
    options.worker_threads = 1;
    options.slow_worker_threads = 1;
    Start(options);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    server_->Route(
        "/keygen/",
        [released](const HttpRequest&) {
            released.wait();
            return Text("key");
        },
        [](const HttpRequest& r) { return r.method == "POST"; });
    std::vector<std::unique_ptr<Socket>> slow;
    for (int i = 0; i < 3; ++i) {
        slow.push_back(std::make_unique<Socket>(port_));
        slow.back()->Send("POST /keygen/x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    }
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(Status(Exchange(Get("/echo/x"))), 200);  // the one worker is free: the slow ones wait elsewhere
    release.set_value();
    for (auto& socket : slow) {
        EXPECT_EQ(Body(socket->ReadResponse(10000ms)), "key");
    }
}

TEST_F(HttpServerTest, DelayedResponseHoldsNoWorker) {
    ServerOptions options;
    options.worker_threads = 1;
    Start(options);
    Socket waiting(port_);
    waiting.Send(Get("/later/x"));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(Status(Exchange(Get("/echo/now"))), 200);  // served by the one worker meanwhile
    EXPECT_EQ(waiting.buffered(), "");
    std::string later = waiting.ReadResponse(10000ms);
    EXPECT_EQ(Status(later), 200);
    EXPECT_EQ(Body(later), "later");
}

TEST_F(HttpServerTest, ConnectionBeforeLoginGetsTheShortTimeout) {
    ServerOptions options;
    options.read_timeout = 60s;
    options.login_timeout = 300ms;
    Start(options);
    Socket idle(port_);
    EXPECT_TRUE(idle.ClosedWithin(5000ms));
    Socket logged_in(port_);
    logged_in.Send(Get("/login/x"));
    EXPECT_EQ(Status(logged_in.ReadResponse()), 200);
    EXPECT_FALSE(logged_in.ClosedWithin(1000ms));  // read_timeout now
}

TEST_F(HttpServerTest, AllowedAddressesAreEnforced) {
    ServerOptions options;
    options.address_allowed = [](std::string_view allowed, std::string_view address) {
        return allowed == "127.0.0.0/8" && address == "127.0.0.1";
    };
    ListenerConfig config = Plain();
    config.allowed_from = "10.0.0.0/8";
    Start(options, config);
    Socket refused(port_);
    EXPECT_TRUE(refused.ClosedWithin(2000ms));
    config.allowed_from = "127.0.0.0/8";
    ASSERT_TRUE(server_->Reconfigure({config}).empty());
    EXPECT_EQ(PortOf("www"), port_);  // same binding: not rebound
    EXPECT_EQ(Status(Exchange(Get("/echo/x"))), 200);
}

TEST_F(HttpServerTest, ReconfigureRebindsAndCloses) {
    Start();
    std::uint16_t old_port = port_;
    // Take a free port, release it, and move the listener there.
    std::uint16_t wanted = 0;
    {
        HttpServer probe;
        ListenerConfig config = Plain("probe");
        ASSERT_TRUE(probe.Reconfigure({config}).empty());
        wanted = probe.Listeners().front().port;
    }
    ListenerConfig moved = Plain();
    moved.port = wanted;
    ASSERT_TRUE(server_->Reconfigure({moved}).empty());
    EXPECT_EQ(PortOf("www"), wanted);
    EXPECT_EQ(Status(Exchange(Get("/echo/x"), wanted)), 200);
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(Socket(old_port).connected());

    // A port someone else holds: the error is reported and the listener stays closed until a retry works.
    ListenerConfig taken = Plain("other");
    taken.port = wanted;
    std::vector<std::string> errors = server_->Reconfigure({moved, taken});
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors.front().find("other: cannot listen"), std::string::npos);
    EXPECT_EQ(PortOf("other"), 0);

    ASSERT_TRUE(server_->Reconfigure({}).empty());
    EXPECT_TRUE(server_->Listeners().empty());
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(Socket(wanted).connected());
}

// --- TLS ---------------------------------------------------------------------------------------------------

// Credentials made by the openssl CLI (another implementation), once per test run.
struct TlsFiles {
    std::string cert_one, key_one, cert_two, key_two;
};

std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

const TlsFiles& Credentials() {
    static const TlsFiles files = [] {
        auto dir = std::filesystem::temp_directory_path() / ("certos-net-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        for (const char* name : {"one", "two"}) {
            std::string command =
                "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
                "-subj /CN=" +
                std::string(name) + " -keyout " + (dir / name).string() + ".key -out " + (dir / name).string() +
                ".crt 2>/dev/null";
            EXPECT_EQ(std::system(command.c_str()), 0);
        }
        TlsFiles out{ReadFile(dir / "one.crt"), ReadFile(dir / "one.key"), ReadFile(dir / "two.crt"),
                     ReadFile(dir / "two.key")};
        std::filesystem::remove_all(dir);
        return out;
    }();
    return files;
}

// TlsClient connects with OpenSSL and returns the server certificate's common name ("" on failure).
class TlsClient {
public:
    TlsClient(std::uint16_t port, int max_version = TLS1_3_VERSION) : socket_(port) {
        context_ = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_min_proto_version(context_, TLS1_VERSION);
        SSL_CTX_set_max_proto_version(context_, max_version);
        SSL_CTX_set_security_level(context_, 0);
        ssl_ = SSL_new(context_);
        SSL_set_fd(ssl_, socket_.fd());
        if (SSL_connect(ssl_) == 1) {
            X509* peer = SSL_get1_peer_certificate(ssl_);
            char name[256] = {};
            X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name, sizeof name);
            common_name_ = name;
            X509_free(peer);
            version_ = SSL_get_version(ssl_);
        }
    }
    ~TlsClient() {
        SSL_free(ssl_);
        SSL_CTX_free(context_);
    }

    const std::string& common_name() const { return common_name_; }
    const std::string& version() const { return version_; }

    std::string Request(std::string_view request) {
        SSL_write(ssl_, request.data(), static_cast<int>(request.size()));
        std::string response;
        char chunk[4096];
        while (response.find("\r\n\r\n") == std::string::npos || Body(response).size() < ContentLength(response)) {
            int n = SSL_read(ssl_, chunk, sizeof chunk);
            if (n <= 0) {
                break;
            }
            response.append(chunk, static_cast<std::size_t>(n));
        }
        return response;
    }

private:
    static std::size_t ContentLength(const std::string& response) {
        std::size_t at = response.find("Content-Length: ");
        return at == std::string::npos ? 0 : std::stoul(response.substr(at + 16));
    }

    Socket socket_;
    SSL_CTX* context_ = nullptr;
    SSL* ssl_ = nullptr;
    std::string common_name_;
    std::string version_;
};

ListenerConfig Tls(const std::string& cert, const std::string& key, TlsVersion version = TlsVersion::kAny) {
    ListenerConfig config = Plain("www-ssl");
    config.tls = TlsSettings{cert, key, version};
    return config;
}

TEST_F(HttpServerTest, TlsServesTheCertificateAndSwapsItForNewConnections) {
    const TlsFiles& files = Credentials();
    Start({}, Tls(files.cert_one, files.key_one));
    TlsClient before(port_);
    EXPECT_EQ(before.common_name(), "one");
    EXPECT_EQ(Status(before.Request(Get("/echo/x"))), 200);

    ASSERT_TRUE(server_->Reconfigure({Tls(files.cert_two, files.key_two)}).empty());
    EXPECT_EQ(PortOf("www-ssl"), port_);  // swapped in place, not rebound
    TlsClient after(port_);
    EXPECT_EQ(after.common_name(), "two");
    EXPECT_EQ(Status(after.Request(Get("/echo/y"))), 200);
    EXPECT_EQ(Status(before.Request(Get("/echo/z"))), 200);  // the open connection carries on
}

TEST_F(HttpServerTest, TlsRejectsOldVersionsAndHonoursOnly13) {
    const TlsFiles& files = Credentials();
    Start({}, Tls(files.cert_one, files.key_one));
    EXPECT_EQ(TlsClient(port_, TLS1_1_VERSION).common_name(), "");
    EXPECT_EQ(TlsClient(port_, TLS1_2_VERSION).version(), "TLSv1.2");
    EXPECT_EQ(TlsClient(port_).version(), "TLSv1.3");
    ASSERT_TRUE(server_->Reconfigure({Tls(files.cert_one, files.key_one, TlsVersion::kOnly13)}).empty());
    EXPECT_EQ(TlsClient(port_, TLS1_2_VERSION).common_name(), "");
    EXPECT_EQ(TlsClient(port_).version(), "TLSv1.3");
    ASSERT_TRUE(server_->Reconfigure({Tls(files.cert_one, files.key_one, TlsVersion::kOnly12)}).empty());
    EXPECT_EQ(TlsClient(port_).version(), "TLSv1.2");
}

TEST_F(HttpServerTest, MismatchedKeyIsReportedAndTheOldCertificateStays) {
    const TlsFiles& files = Credentials();
    Start({}, Tls(files.cert_one, files.key_one));
    std::vector<std::string> errors = server_->Reconfigure({Tls(files.cert_two, files.key_one)});
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors.front().find("www-ssl"), std::string::npos);
    EXPECT_EQ(TlsClient(port_).common_name(), "one");
    EXPECT_EQ(server_->Reconfigure({Tls("not pem", files.key_one)}).size(), 1u);
}

}  // namespace
}  // namespace certos::net
