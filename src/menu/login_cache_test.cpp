#include "menu/login_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.hpp"
#include "menu/item_menu.hpp"
#include "menu/policy.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

using namespace std::chrono_literals;

class LoginCacheTest : public ::testing::Test {
protected:
    Session Login(std::string_view authorization, std::uint64_t epoch = 0, std::string_view address = "10.0.0.1",
                  std::chrono::seconds lifetime = 600s) {
        bool cached = false;
        Session session = cache_.Login("admin", address, authorization, epoch, lifetime, verify_, cached);
        cached_ = cached;
        return session;
    }

    std::atomic<int> verified_{0};
    bool cached_ = false;
    LoginCache::Verify verify_ = [this] {
        ++verified_;
        Session session;
        session.user = "admin";
        return session;
    };
    LoginCache cache_;
};

TEST_F(LoginCacheTest, RemembersASuccessfulLogin) {
    EXPECT_EQ(Login("Basic a").user, "admin");
    EXPECT_FALSE(cached_);
    EXPECT_EQ(Login("Basic a").user, "admin");
    EXPECT_TRUE(cached_);
    EXPECT_EQ(verified_, 1);
}

TEST_F(LoginCacheTest, OtherCredentialsAddressesEpochsAndAgeVerifyAgain) {
    Login("Basic a");
    Login("Basic b");
    EXPECT_EQ(verified_, 2);
    Login("Basic a", 0, "10.0.0.2");
    EXPECT_EQ(verified_, 3);
    Login("Basic a", 1);
    EXPECT_EQ(verified_, 4);
    Login("Basic a", 1, "10.0.0.1", 0s);
    EXPECT_EQ(verified_, 5);
    Login("Basic a", 1);
    EXPECT_EQ(verified_, 5);
}

TEST_F(LoginCacheTest, FailuresAreNotRemembered) {
    verify_ = [this]() -> Session {
        ++verified_;
        throw core::Error(core::ErrorCategory::kAuthentication, "invalid user name or password (6)");
    };
    EXPECT_THROW(Login("Basic x"), core::Error);
    EXPECT_THROW(Login("Basic x"), core::Error);
    EXPECT_EQ(verified_, 2);
}

TEST_F(LoginCacheTest, ConcurrentLoginsVerifyOnce) {
    verify_ = [this] {
        ++verified_;
        std::this_thread::sleep_for(200ms);
        return Session{};
    };
    std::vector<std::thread> threads;
    std::atomic<int> done{0};
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            bool cached = false;
            cache_.Login("admin", "10.0.0.1", "Basic a", 0, 600s, verify_, cached);
            ++done;
        });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    EXPECT_EQ(done, 8);
    EXPECT_EQ(verified_, 1);
}

// Logins: the one login path of every front end, on a real store and tree.
class LoginsTest : public ::testing::Test {
protected:
    LoginsTest() {
        Bootstrap(f_.tree());
        f_.Run("/user/group", "add", {{"name", "noapi"}, {"policy", "read,write,rest-api"}});
        f_.Run("/user", "add", {{"name", "admin"}, {"group", "full"}, {"password", "root"}});
        f_.Run("/user", "add", {{"name", "u"}, {"group", "write"}, {"password", "pw"}});
    }

    Session LogIn(std::string_view password = "pw") {
        return logins_.LogIn("u", password, "127.0.0.1", "api", kPolicyApi);
    }
    void SetUser(std::string property, std::string value) {
        f_.Run("/user", "set", {{"numbers", "u"}, {std::move(property), std::move(value)}});
    }
    std::string Log() {
        std::string all;
        for (const Record& r : f_.Run("/log", "print").records) {
            all += r.GetOr("message") + "\n";
        }
        return all;
    }

    testing::TreeFixture f_;
    Logins logins_{f_.tree()};
};

// Issue 12: a logged-in session sees a change to its user or group before its next command.
TEST_F(LoginsTest, ChangesToTheUserReachAnOpenSession) {
    Session session = LogIn();
    EXPECT_EQ(session.via, "api");
    EXPECT_EQ(session.address, "127.0.0.1");
    EXPECT_NE(session.policies & kPolicyWrite, 0u);
    EXPECT_TRUE(logins_.Refresh(session, kPolicyApi));
    SetUser("comment", "still the same login");
    EXPECT_TRUE(logins_.Refresh(session, kPolicyApi));
    SetUser("group", "read");  // the new group's rights apply at once
    EXPECT_TRUE(logins_.Refresh(session, kPolicyApi));
    EXPECT_EQ(session.policies & kPolicyWrite, 0u);
    f_.Run("/user/group", "set", {{"numbers", "read"}, {"policy", "read,write,api"}});  // the group changes
    EXPECT_TRUE(logins_.Refresh(session, kPolicyApi));
    EXPECT_NE(session.policies & kPolicyWrite, 0u);
    SetUser("group", "noapi");
    EXPECT_FALSE(logins_.Refresh(session, kPolicyApi));

    SetUser("group", "write");
    session = LogIn();
    SetUser("password", "new");
    EXPECT_FALSE(logins_.Refresh(session, kPolicyApi));
    session = LogIn("new");
    SetUser("disabled", "yes");
    EXPECT_FALSE(logins_.Refresh(session, kPolicyApi));
    SetUser("disabled", "no");
    session = LogIn("new");
    SetUser("address", "10.0.0.0/8");
    EXPECT_FALSE(logins_.Refresh(session, kPolicyApi));
    SetUser("address", "");
    session = LogIn("new");
    f_.Run("/user", "remove", {{"numbers", "u"}});
    EXPECT_FALSE(logins_.Refresh(session, kPolicyApi));
}

// Another process on the same data directory (`certos -c`) changes the user: the session and the remembered
// login both notice.
TEST_F(LoginsTest, ChangesByAnotherProcessReachSessionsAndRememberedLogins) {
    Session session = LogIn();
    LogIn();  // remembered
    std::unique_ptr<store::Store> other_store = store::OpenSqliteStore(f_.dir());
    Tree other(*other_store);
    InstallMenus(other);
    Request request;
    request.path = "/user";
    request.verb = "set";
    request.args = {{"numbers", "u"}, {"password", "other"}};
    other.Execute(request, Session{});
    EXPECT_FALSE(logins_.Refresh(session, kPolicyApi));
    EXPECT_THROW(LogIn("pw"), core::Error) << "a remembered login with the old password";
    EXPECT_NO_THROW(LogIn("other"));
}

TEST_F(LoginsTest, EachFrontEndNeedsItsPolicy) {
    SetUser("group", "noapi");
    EXPECT_THROW(LogIn(), core::Error);
    EXPECT_NE(Log().find("login failure for user u from 127.0.0.1 via api (group has no api policy)"),
              std::string::npos)
        << Log();
    // A login remembered for rest-api is no login for api.
    EXPECT_NO_THROW(logins_.LogIn("u", "pw", "127.0.0.1", "rest-api", kPolicyRestApi));
    EXPECT_THROW(LogIn(), core::Error);
}

TEST(SameSecretTest, ComparesWholeStrings) {
    EXPECT_TRUE(SameSecret("abc", "abc"));
    EXPECT_FALSE(SameSecret("abc", "abd"));
    EXPECT_FALSE(SameSecret("abc", "ab"));
    EXPECT_TRUE(SameSecret("", ""));
}

}  // namespace
}  // namespace certos::menu
