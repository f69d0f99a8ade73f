// The API protocol on a real net::ApiServer over loopback sockets: how its commands and logins use the server's
// threads (issue 12). Clients from other source addresses are other loopback addresses (all of 127/8 is
// loopback on Linux).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

#include "api/connection.hpp"
#include "core/error.hpp"
#include "menu/login_throttle.hpp"

namespace certos::api {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A generous bound on waits that end in milliseconds when nothing is wrong: a failing test ends instead of
// hanging. No test asserts that something took less than this.
constexpr std::chrono::milliseconds kDeadlock = 30s;

// Client is a blocking API connection to 127.0.0.1 from `source` (a loopback address).
class Client {
public:
    Client(std::uint16_t port, const char* source = "127.0.0.1") {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, source, &local.sin_addr);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local);
        sockaddr_in remote{};
        remote.sin_family = AF_INET;
        remote.sin_port = htons(port);
        remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0;
    }
    ~Client() { ::close(fd_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    bool connected() const { return connected_; }

    void Send(const Sentence& sentence) {
        std::string bytes = EncodeSentence(sentence);
        ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }

    // Next returns the next sentence, or an empty one when none came within kDeadlock or the server closed.
    Sentence Next() {
        auto deadline = Clock::now() + kDeadlock;
        while (true) {
            if (std::optional<Sentence> sentence = decoder_.Next()) {
                return *sentence;
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (left <= 0ms || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return {};
            }
            char buffer[4096];
            ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) {
                return {};
            }
            decoder_.Feed(std::string_view(buffer, static_cast<std::size_t>(n)));
        }
    }

    // Pending tells whether an answer has arrived (or is being read) without waiting for one.
    bool Pending() {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, 0) > 0;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
    SentenceDecoder decoder_;
};

// Gate holds the slow commands until the test opens it, and counts those it holds.
class Gate {
public:
    void Enter() {
        std::unique_lock lock(mutex_);
        ++inside_;
        changed_.notify_all();
        changed_.wait(lock, [this] { return open_; });
    }
    bool WaitInside(int count) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, kDeadlock, [&] { return inside_ >= count; });
    }
    void Open() {
        std::lock_guard lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int inside_ = 0;
    bool open_ = false;
};

class ApiServerTest : public ::testing::Test {
protected:
    void Start(std::shared_ptr<ApiProtocolOptions> protocol) {
        net::ApiServerOptions options;
        options.worker_threads = 2;
        options.slow_worker_threads = 2;
        options.protocol = [protocol](std::shared_ptr<net::StreamPeer> peer) {
            return MakeApiProtocol(std::move(peer), protocol);
        };
        server_ = std::make_unique<net::ApiServer>(std::move(options));
        net::ListenerConfig config;
        config.name = "api";
        config.bind_address = "127.0.0.1";
        ASSERT_TRUE(server_->Reconfigure({config}).empty());
        port_ = server_->Listeners().at(0).port;
    }

    void TearDown() override {
        if (server_) {
            server_->Stop();
        }
    }

    static Sentence Login(const std::string& password) { return {"/login", "=name=admin", "=password=" + password}; }

    std::unique_ptr<net::ApiServer> server_;
    std::uint16_t port_ = 0;
};

// A print on another connection answers while slow signs occupy as many threads as there are workers.
TEST_F(ApiServerTest, QuickCommandsAnswerWhileSlowOnesFillEveryWorker) {
    Gate gate;
    auto protocol = std::make_shared<ApiProtocolOptions>();
    protocol->authenticate = [](std::string_view user, std::string_view, std::string_view) {
        menu::Session session;
        session.user = std::string(user);
        return session;
    };
    protocol->execute = [&gate](const menu::Request& request, const menu::Session&) {
        if (request.verb == "sign") {
            gate.Enter();  // seconds of key generation, here until the test says
        }
        return menu::Result{};
    };
    protocol->slow = [](const menu::Request& request) { return request.verb == "sign"; };
    Start(protocol);

    Client signer(port_);
    ASSERT_TRUE(signer.connected());
    signer.Send(Login("pw"));
    ASSERT_EQ(signer.Next(), Sentence{"!done"});
    for (int i = 0; i < 4; ++i) {  // twice the workers; two more wait for a slow thread
        signer.Send({"/certificate/sign", "=number=big" + std::to_string(i), ".tag=" + std::to_string(i)});
    }
    ASSERT_TRUE(gate.WaitInside(2));

    Client reader(port_);
    reader.Send(Login("pw"));
    EXPECT_EQ(reader.Next(), Sentence{"!done"});
    reader.Send({"/certificate/print"});
    EXPECT_EQ(reader.Next(), Sentence{"!done"});  // the signs are still held at the gate

    gate.Open();
    for (int i = 0; i < 4; ++i) {
        Sentence done = signer.Next();
        ASSERT_EQ(done.size(), 2u);
        EXPECT_EQ(done[0], "!done");
    }
}

// After the free failures, a refused login from that address is answered no sooner than the throttle's
// penalty, while a wrong password from another address is answered at once.
TEST_F(ApiServerTest, ThrottledLoginRefusalsAreAnsweredLate) {
    menu::LoginThrottleOptions throttle_options;
    throttle_options.address_free_failures = 3;
    throttle_options.first_delay = 2000ms;
    menu::LoginThrottle throttle(throttle_options);
    auto protocol = std::make_shared<ApiProtocolOptions>();
    protocol->authenticate = [&throttle](std::string_view user, std::string_view password, std::string_view address) {
        return throttle.Login(user, address, [&] {
            if (password != "pw") {
                throw core::Error(core::ErrorCategory::kAuthentication, "invalid user name or password (6)");
            }
            menu::Session session;
            session.user = std::string(user);
            return session;
        });
    };
    protocol->execute = [](const menu::Request&, const menu::Session&) { return menu::Result{}; };
    protocol->refusal_delay = [&throttle](std::string_view address) { return throttle.Penalty(address); };
    Start(protocol);

    Client guesser(port_, "127.0.0.2");
    ASSERT_TRUE(guesser.connected());
    for (int i = 0; i < 2; ++i) {  // free failures: answered at once
        guesser.Send(Login("wrong"));
        ASSERT_EQ(guesser.Next().at(0), "!trap");
        ASSERT_EQ(guesser.Next(), Sentence{"!done"});
    }
    // The third failure throttles 127.0.0.2 for first_delay from when it was checked, after it was sent.
    Clock::time_point sent = Clock::now();
    guesser.Send(Login("wrong"));

    Client other(port_, "127.0.0.3");
    ASSERT_TRUE(other.connected());
    other.Send(Login("wrong"));
    EXPECT_EQ(other.Next().at(0), "!trap");
    EXPECT_FALSE(guesser.Pending()) << "the throttled refusal came before another address's answer";

    Sentence refusal = guesser.Next();
    Clock::duration waited = Clock::now() - sent;
    ASSERT_FALSE(refusal.empty());
    EXPECT_EQ(refusal.at(0), "!trap");
    EXPECT_GE(waited, throttle_options.first_delay);
    EXPECT_EQ(guesser.Next(), Sentence{"!done"});

    // The address that knows its password still logs in; the guesser's connection stayed usable.
    Client owner(port_, "127.0.0.4");
    owner.Send(Login("pw"));
    EXPECT_EQ(owner.Next(), Sentence{"!done"});
}

}  // namespace
}  // namespace certos::api
