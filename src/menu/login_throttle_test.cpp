#include "menu/login_throttle.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/error.hpp"

namespace certos::menu {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class LoginThrottleTest : public ::testing::Test {
protected:
    LoginThrottleOptions Options() {
        LoginThrottleOptions options;
        options.now = [this] { return now_.load(); };
        options.log = [this](std::string_view, std::string_view message) {
            std::lock_guard lock(mutex_);
            logged_.emplace_back(message);
        };
        return options;
    }

    // Try logs in `user` from `address` with the right or a wrong password. Returns "ok", "wrong" (the check
    // ran and failed) or "refused" (nothing was checked).
    std::string Try(LoginThrottle& throttle, std::string_view user, std::string_view address, bool right) {
        int before = checked_.load();
        try {
            throttle.Login(user, address, [&] {
                ++checked_;
                if (!right) {
                    throw core::Error(core::ErrorCategory::kAuthentication, "invalid user name or password (6)");
                }
                Session session;
                session.user = std::string(user);
                return session;
            });
            return "ok";
        } catch (const core::Error& e) {
            EXPECT_EQ(e.category(), core::ErrorCategory::kAuthentication);
            if (std::string_view(e.what()).starts_with("login refused: ")) {
                EXPECT_EQ(checked_.load(), before);
                return "refused";
            }
            return "wrong";
        }
    }

    void Advance(Clock::duration by) { now_ = now_.load() + by; }

    std::atomic<Clock::time_point> now_{Clock::time_point{} + 1000h};
    std::atomic<int> checked_{0};
    std::mutex mutex_;
    std::vector<std::string> logged_;
};

TEST_F(LoginThrottleTest, AnAddressIsThrottledWithGrowingDelays) {
    LoginThrottle throttle(Options());
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(Try(throttle, "x", "10.0.0.2", false), "wrong");
    }
    EXPECT_EQ(Try(throttle, "x", "10.0.0.2", true), "refused");  // even the right password: nothing is checked
    EXPECT_EQ(throttle.Penalty("10.0.0.2"), 1000ms);
    EXPECT_EQ(throttle.Penalty("10.0.0.3"), 0ms);
    EXPECT_EQ(Try(throttle, "y", "10.0.0.2", true), "refused");  // per address, whatever the user
    Advance(1001ms);
    EXPECT_EQ(throttle.Penalty("10.0.0.2"), 1000ms);            // still throttled: its next check decides
    EXPECT_EQ(Try(throttle, "x", "10.0.0.2", false), "wrong");  // one more try, then twice as long
    EXPECT_EQ(throttle.Penalty("10.0.0.2"), 2000ms);
    Advance(1001ms);
    EXPECT_EQ(Try(throttle, "x", "10.0.0.2", false), "refused");
    Advance(1000ms);
    EXPECT_EQ(Try(throttle, "x", "10.0.0.2", true), "ok");
    EXPECT_EQ(Try(throttle, "x", "10.0.0.2", false), "wrong");  // a success starts the address afresh
    EXPECT_EQ(Try(throttle, "x", "10.0.0.2", false), "wrong");
}

TEST_F(LoginThrottleTest, TheRightPasswordFromAnotherAddressWorksAtOnce) {
    LoginThrottle throttle(Options());
    for (int i = 0; i < 40; ++i) {
        Try(throttle, "admin", "10.0.0." + std::to_string(2 + i % 4), false);  // several guessing addresses
    }
    EXPECT_EQ(Try(throttle, "admin", "10.0.0.2", false), "refused");
    EXPECT_EQ(Try(throttle, "admin", "192.0.2.1", true), "ok");  // no failures of its own
}

TEST_F(LoginThrottleTest, AUserIsThrottledForAddressesThatFailedAndNeverLoggedInAsIt) {
    LoginThrottleOptions options = Options();
    options.address_free_failures = 100;  // only the per-user budget matters here
    LoginThrottle throttle(options);
    EXPECT_EQ(Try(throttle, "admin", "10.0.1.1", true), "ok");  // familiar from now on
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(Try(throttle, "admin", "10.0.0." + std::to_string(i), false), "wrong");
    }
    EXPECT_EQ(Try(throttle, "admin", "10.0.0.3", true), "refused");  // failed before, not familiar
    EXPECT_EQ(Try(throttle, "other", "10.0.0.3", true), "ok");       // other users are not held up
    EXPECT_EQ(Try(throttle, "admin", "10.0.2.1", true), "ok");       // no failures
    EXPECT_EQ(Try(throttle, "admin", "10.0.1.1", true), "ok");       // familiar
}

TEST_F(LoginThrottleTest, EachBurstIsLoggedOnce) {
    LoginThrottle throttle(Options());
    for (int i = 0; i < 1000; ++i) {
        Try(throttle, "x", "10.0.0.2", false);
        Advance(100ms);
    }
    {
        std::lock_guard lock(mutex_);
        // One line for the address, one for the user (whose 10 free failures ran out too).
        EXPECT_EQ(logged_, (std::vector<std::string>{"logins from 10.0.0.2 throttled after 5 failed logins",
                                                     "logins of user x throttled after 10 failed logins"}));
    }
    EXPECT_LT(checked_.load(), 20);  // 5 free, then one per delay (1, 2, 4, ... 60 s) over 100 s
    Advance(10min);                  // quiet: the burst is over
    for (int i = 0; i < 10; ++i) {
        Try(throttle, "x", "10.0.0.2", false);
    }
    std::lock_guard lock(mutex_);
    ASSERT_EQ(logged_.size(), 3u);  // a new burst of the address (the user's 10 free failures are not used up)
    EXPECT_EQ(logged_[2], "logins from 10.0.0.2 throttled after 5 failed logins");
}

TEST_F(LoginThrottleTest, ConcurrentGuessesPastTheFreeFailuresAreCheckedOneAtATime) {
    LoginThrottleOptions options = Options();
    options.kdf_threads = 2;
    options.kdf_queue = 100;
    LoginThrottle throttle(options);
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 20; ++i) {
                try {
                    throttle.Login("x", "10.0.0.2", [&]() -> Session {
                        ++checked_;
                        std::this_thread::sleep_for(2ms);
                        throw core::Error(core::ErrorCategory::kAuthentication, "invalid user name or password (6)");
                    });
                } catch (const core::Error&) {
                }
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(checked_.load(), 5);  // the clock stands still: never unblocked
}

TEST_F(LoginThrottleTest, AFullPoolRefusesAndAddressesWithoutFailuresGoFirst) {
    LoginThrottleOptions options = Options();
    options.kdf_threads = 1;
    options.kdf_queue = 1;
    LoginThrottle throttle(options);
    EXPECT_EQ(Try(throttle, "x", "10.0.0.9", false), "wrong");  // 10.0.0.9 has a failure now
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> started{0};
    auto blocking = [&] {
        ++started;
        released.wait();
        return Session{};
    };
    std::thread running([&] { throttle.Login("a", "10.0.0.1", blocking); });  // takes the one thread
    while (started.load() == 0) {
        std::this_thread::yield();
    }
    auto refused_at_once = [&](std::string_view address) {
        try {
            throttle.Login("x", address, blocking);
        } catch (const core::Error& e) {
            return std::string_view(e.what()) == "login refused: too many logins at once, try again";
        }
        return false;
    };
    std::atomic<bool> suspect_refused{false};
    std::thread suspect([&] { suspect_refused = refused_at_once("10.0.0.9"); });  // waits in the one place
    while (throttle.waiting() == 0) {
        std::this_thread::yield();
    }
    EXPECT_TRUE(refused_at_once("10.0.0.9"));  // no place for a second one
    // A check from an address without failures pushes the suspect one out, and waits in its place.
    std::thread clean([&] { throttle.Login("b", "10.0.0.3", blocking); });
    suspect.join();
    EXPECT_TRUE(suspect_refused);
    EXPECT_EQ(throttle.waiting(), 1u);
    release.set_value();
    clean.join();
    running.join();
    EXPECT_EQ(started.load(), 2);  // the blocked one and the clean one ran
}

TEST_F(LoginThrottleTest, ACleanCheckNeverWaitsForAGuess) {
    LoginThrottleOptions options = Options();
    options.kdf_threads = 2;
    LoginThrottle throttle(options);
    EXPECT_EQ(Try(throttle, "x", "10.0.0.9", false), "wrong");  // 10.0.0.9 has a failure now
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> started{0};
    auto blocking = [&]() -> Session {
        ++started;
        released.wait();
        throw core::Error(core::ErrorCategory::kAuthentication, "invalid user name or password (6)");
    };
    std::thread guess([&] { EXPECT_THROW(throttle.Login("x", "10.0.0.9", blocking), core::Error); });
    while (started.load() == 0) {
        std::this_thread::yield();
    }
    std::thread second([&] { EXPECT_THROW(throttle.Login("x", "10.0.0.9", blocking), core::Error); });
    while (throttle.waiting() == 0) {
        std::this_thread::yield();
    }
    EXPECT_EQ(Try(throttle, "admin", "10.0.0.3", true), "ok");  // on the thread kept for clean checks
    EXPECT_EQ(started.load(), 1);                               // the second guess still waits
    release.set_value();
    guess.join();
    second.join();
}

}  // namespace
}  // namespace certos::menu
