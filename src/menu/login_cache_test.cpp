#include "menu/login_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.hpp"

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

TEST(SameSecretTest, ComparesWholeStrings) {
    EXPECT_TRUE(SameSecret("abc", "abc"));
    EXPECT_FALSE(SameSecret("abc", "abd"));
    EXPECT_FALSE(SameSecret("abc", "ab"));
    EXPECT_TRUE(SameSecret("", ""));
}

}  // namespace
}  // namespace certos::menu
