#include "api/connection.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "core/error.hpp"
#include "menu/schema.hpp"

namespace certos::api {
namespace {

// FakePeer records what the protocol sends and queues its jobs until the test runs them.
class FakePeer : public net::StreamPeer {
public:
    void Send(std::string bytes) override { decoder.Feed(bytes); }
    void Close() override { closed = true; }
    void SetIdleTimeout(std::chrono::milliseconds timeout) override { last_timeout = timeout; }
    void Post(std::function<void()> job) override { jobs.push_back(std::move(job)); }
    void PostSlow(std::function<void()> job) override {
        ++slow_jobs;
        jobs.push_back(std::move(job));
    }
    void PostAfter(std::chrono::milliseconds delay, std::function<void()> job) override {
        delays.push_back(delay);
        jobs.push_back(std::move(job));
    }
    const std::string& Address() const override { return address; }
    const std::string& Service() const override { return service; }

    void RunJobs() {
        while (!jobs.empty()) {
            auto job = std::move(jobs.front());
            jobs.pop_front();
            job();
        }
    }
    std::vector<Sentence> Replies() {
        std::vector<Sentence> out;
        while (auto sentence = decoder.Next()) {
            out.push_back(std::move(*sentence));
        }
        return out;
    }

    SentenceDecoder decoder;
    bool closed = false;
    std::chrono::milliseconds last_timeout{0};
    std::deque<std::function<void()>> jobs;
    std::size_t slow_jobs = 0;                      // of jobs, those posted with PostSlow
    std::vector<std::chrono::milliseconds> delays;  // PostAfter's
    std::string address = "192.0.2.1";
    std::string service = "api";
};

class ConnectionTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto options = std::make_shared<ApiProtocolOptions>();
        options->authenticate = [](std::string_view user, std::string_view password, std::string_view) {
            if (user != "admin" || password != "pw") {
                throw core::Error(core::ErrorCategory::kAuthentication, "invalid user name or password (6)");
            }
            menu::Session session;
            session.user = std::string(user);
            return session;
        };
        options->execute = [this](const menu::Request& request, const menu::Session& session) {
            if ((session.policies & menu::kPolicyWrite) == 0) {
                throw core::Error(core::ErrorCategory::kPermission, "not enough permissions (9)");
            }
            executed.push_back(request.path + " " + request.verb);
            if (request.verb == "add") {
                return menu::Result{{}, "*1"};
            }
            if (request.verb == "print" && request.filter) {
                return menu::Result{};
            }
            if (request.verb == "print") {
                menu::Record record;
                record.Set("name", "a");
                return menu::Result{{record}, std::nullopt};
            }
            throw core::NoSuchItem();
        };
        options->refresh = [this](menu::Session& session) {
            ++refreshes;
            if (refreshed_policies) {
                session.policies = *refreshed_policies;
            }
            return refresh_valid;
        };
        options->empty_reply = [this](std::string_view) { return empty_reply; };
        options->slow = [](const menu::Request& request) { return request.verb == "sign"; };
        options->refusal_delay = [this](std::string_view address) {
            delayed_for.emplace_back(address);
            return refusal_delay;
        };
        options->login_timeout = std::chrono::seconds(5);
        options->idle_timeout = std::chrono::seconds(50);
        protocol = MakeApiProtocol(peer, options);
    }

    void Send(const Sentence& sentence) { protocol->OnData(EncodeSentence(sentence)); }
    void Login() {
        Send({"/login", "=name=admin", "=password=pw"});
        peer->RunJobs();
        ASSERT_EQ(peer->Replies(), (std::vector<Sentence>{{"!done"}}));
    }

    std::shared_ptr<FakePeer> peer = std::make_shared<FakePeer>();
    std::shared_ptr<net::StreamProtocol> protocol;
    std::vector<std::string> executed;
    bool empty_reply = false;
    std::chrono::milliseconds refusal_delay{0};
    std::vector<std::string> delayed_for;  // the addresses refusal_delay was asked about
    int refreshes = 0;
    bool refresh_valid = true;
    std::optional<menu::PolicySet> refreshed_policies;
};

TEST_F(ConnectionTest, LoginThenCommands) {
    EXPECT_EQ(peer->last_timeout, std::chrono::seconds(5));
    Login();
    EXPECT_EQ(peer->last_timeout, std::chrono::seconds(50));
    Send({"/certificate/add", "=name=a"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!done", "=ret=*1"}}));
    Send({"/certificate/print"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!re", "=name=a"}, {"!done"}}));
}

TEST_F(ConnectionTest, WrongPasswordIsATrapThenDone) {
    Send({"/login", "=name=admin", "=password=bad", ".tag=1"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!trap", "=message=invalid user name or password (6)", ".tag=1"},
                                                      {"!done", ".tag=1"}}));
    Send({"/certificate/print"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies()[0][0], "!trap");
    EXPECT_TRUE(executed.empty());
    EXPECT_EQ(delayed_for, std::vector<std::string>{"192.0.2.1"});
    EXPECT_TRUE(peer->delays.empty());  // not throttled: answered at once
}

TEST_F(ConnectionTest, ThrottledRefusalIsSentAfterTheDelayAndLaterSentencesWaitForIt) {
    refusal_delay = std::chrono::milliseconds(1500);
    Send({"/login", "=name=admin", "=password=bad"});
    Send({"/certificate/print"});
    peer->RunJobs();
    EXPECT_EQ(peer->delays, std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1500)});
    auto replies = peer->Replies();
    ASSERT_EQ(replies.size(), 4u);
    EXPECT_EQ(replies[0][0], "!trap");
    EXPECT_EQ(replies[1], Sentence{"!done"});
    EXPECT_EQ(replies[2], (Sentence{"!trap", "=category=5", "=message=not logged in"}));
    Login();  // the right password: no delay
    EXPECT_EQ(peer->delays.size(), 1u);
}

TEST_F(ConnectionTest, SlowVerbsRunOnTheSlowPool) {
    Login();
    Send({"/certificate/sign", "=number=a", ".tag=1"});
    Send({"/certificate/print", ".tag=2"});
    Send({"/certificate/sign", "=number=b"});
    EXPECT_EQ(peer->slow_jobs, 2u);
    EXPECT_EQ(peer->jobs.size(), 3u);
    peer->RunJobs();
    EXPECT_EQ(executed, (std::vector<std::string>{"/certificate sign", "/certificate print", "/certificate sign"}));
}

TEST_F(ConnectionTest, ChallengeLoginIsRefusedClearly) {
    Send({"/login"});
    auto replies = peer->Replies();
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(replies[0][0], "!trap");
    EXPECT_NE(replies[0].back().find("challenge-response login is not supported"), std::string::npos);
}

TEST_F(ConnectionTest, SentencesDuringLoginWaitForIt) {
    Send({"/login", "=name=admin", "=password=pw"});
    Send({"/certificate/print"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!done"}, {"!re", "=name=a"}, {"!done"}}));
}

TEST_F(ConnectionTest, TaggedCommandsRunTogetherAndCarryTheirTags) {
    Login();
    Send({"/certificate/print", ".tag=a"});
    Send({"/certificate/add", "=name=x", ".tag=b"});
    EXPECT_EQ(peer->jobs.size(), 2u);  // both in flight at once
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{
                                   {"!re", "=name=a", ".tag=a"}, {"!done", ".tag=a"}, {"!done", "=ret=*1", ".tag=b"}}));
}

TEST_F(ConnectionTest, UntaggedCommandsAreAnsweredInOrder) {
    Login();
    Send({"/certificate/print"});
    Send({"/certificate/add", "=name=x"});
    EXPECT_EQ(peer->jobs.size(), 1u);
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!re", "=name=a"}, {"!done"}, {"!done", "=ret=*1"}}));
}

TEST_F(ConnectionTest, CancelInterruptsATaggedCommand) {
    Login();
    Send({"/certificate/print", ".tag=a"});
    Send({"/cancel", "=tag=a", ".tag=c"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!trap", "=category=2", "=message=interrupted", ".tag=a"},
                                                      {"!done", ".tag=a"},
                                                      {"!done", ".tag=c"}}));
    EXPECT_TRUE(executed.empty());
}

TEST_F(ConnectionTest, TrapsAndEmpty) {
    Login();
    Send({"/certificate/remove", "=.id=*9"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!trap", "=category=0", "=message=no such item"}, {"!done"}}));
    Send({"/certificate/print", "?name=none"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!done"}}));
    empty_reply = true;
    Send({"/certificate/print", "?name=none"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!empty"}, {"!done"}}));
}

// Issue 12: every command first refreshes the session: new rights apply, a login no longer valid ends it.
TEST_F(ConnectionTest, EveryCommandRefreshesTheSession) {
    Login();
    Send({"/certificate/print"});
    peer->RunJobs();
    EXPECT_EQ(refreshes, 1);
    peer->Replies();
    refreshed_policies = menu::kPolicyRead | menu::kPolicyApi;  // the group lost `write`
    Send({"/certificate/add", "=name=a"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(),
              (std::vector<Sentence>{{"!trap", "=category=4", "=message=not enough permissions (9)"}, {"!done"}}));
    refresh_valid = false;  // the user was removed
    Send({"/certificate/print"});
    peer->RunJobs();
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!fatal", "session terminated: the user was changed"}}));
    EXPECT_TRUE(peer->closed);
    EXPECT_EQ(executed, std::vector<std::string>{"/certificate print"});
}

TEST_F(ConnectionTest, QuitAndBrokenFramingAreFatal) {
    Send({"/quit"});
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!fatal", "session terminated on request"}}));
    EXPECT_TRUE(peer->closed);
}

TEST_F(ConnectionTest, ControlByteIsFatal) {
    protocol->OnData("\xF8");
    EXPECT_EQ(peer->Replies(), (std::vector<Sentence>{{"!fatal", "invalid word length byte"}}));
    EXPECT_TRUE(peer->closed);
}

}  // namespace
}  // namespace certos::api
