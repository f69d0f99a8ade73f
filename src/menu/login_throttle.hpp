#pragma once
// LoginThrottle guards the password check (REST, the API protocol) against clients that guess: failed logins
// are throttled per source address and per user, with delays that grow with the failures, and the slow KDF
// runs on a small bounded pool of its own, so that a flood of wrong passwords neither burns every core nor
// holds up the request pools of the users who know theirs.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "menu/tree.hpp"

namespace certos::menu {

struct LoginThrottleOptions {
    // A source address may fail this many logins in a row (any users) before it is throttled; then each
    // further failure refuses its logins for first_delay, doubled per failure up to max_delay.
    std::size_t address_free_failures = 5;
    // A user may fail this many logins (from any addresses) before it is throttled; then the same delays
    // apply to that user's logins from addresses that failed a login and never logged in as that user. An
    // address without failures, or one that logged in as that user before, is not held up: a flood of
    // guesses for a user does not lock its owner out.
    std::size_t user_free_failures = 10;
    std::chrono::milliseconds first_delay{1000};
    std::chrono::milliseconds max_delay{60000};
    // A burst ends, and its address or user starts afresh, after this long without a failed or refused login.
    std::chrono::milliseconds quiet_period{300000};
    // The KDF pool: threads, and the checks that may wait for one (more are refused at once). Checks from
    // addresses without failures go first, take the place of a waiting one from an address with failures,
    // and have a thread of their own when there are two or more.
    std::size_t kdf_threads = 2;
    std::size_t kdf_queue = 4;
    std::size_t max_tracked = 10000;  // addresses and users remembered; the quietest are forgotten first
    // Log receives one line when an address or a user starts being throttled (once per burst).
    std::function<void(std::string_view topics, std::string_view message)> log;
    // Now is the clock (steady_clock::now unless set: tests).
    std::function<std::chrono::steady_clock::time_point()> now;
};

class LoginThrottle {
public:
    using Verify = std::function<Session()>;

    explicit LoginThrottle(LoginThrottleOptions options = {});
    ~LoginThrottle();  // refuses the checks still waiting, joins the pool
    LoginThrottle(const LoginThrottle&) = delete;
    LoginThrottle& operator=(const LoginThrottle&) = delete;

    // Login runs `verify` (the password check: menu::Authenticate, which throws core::Error kAuthentication
    // for a bad login) on the KDF pool and waits for it, unless `address` or `user` is throttled or the pool
    // is full: then it throws core::Error(kAuthentication, "login refused: ...") without checking anything.
    // A kAuthentication failure of `verify` counts against the address and the user; a success clears the
    // address and makes it familiar to the user. Other exceptions of `verify` are passed on, not counted.
    Session Login(std::string_view user, std::string_view address, const Verify& verify);

    // Penalty is how long logins from `address` stay refused (first_delay while its one check at a time runs;
    // zero when it is not throttled): a front end may hold its answer to a refused login back that long, so
    // that a guessing client guesses slowly.
    std::chrono::milliseconds Penalty(std::string_view address);

    // Waiting is the number of checks waiting for a KDF thread.
    std::size_t waiting() const;

private:
    struct Record {
        std::size_t failures = 0;  // in a row, verified
        std::size_t in_flight = 0;
        std::chrono::steady_clock::time_point blocked_until{};
        std::chrono::steady_clock::time_point last_seen{};  // last failure or refusal
        bool logged = false;                                // this burst was logged
        std::vector<std::string> familiar;                  // users: addresses that logged in as it
    };
    struct Task {
        const Verify* verify = nullptr;  // the caller's: it waits for `result`
        std::promise<Session> result;
    };

    using Clock = std::chrono::steady_clock;
    Clock::time_point Now() const;
    Record& Find(std::map<std::string, Record, std::less<>>& records, std::string_view key, Clock::time_point now);
    void Prune(std::map<std::string, Record, std::less<>>& records, Clock::time_point now);
    std::chrono::milliseconds Delay(std::size_t failures, std::size_t free) const;
    void Failed(Record& record, std::size_t free, Clock::time_point now, const std::string& what);
    Session RunOnPool(const Verify& verify, bool clean);
    void Work();

    LoginThrottleOptions options_;
    std::mutex mutex_;
    std::map<std::string, Record, std::less<>> addresses_;
    std::map<std::string, Record, std::less<>> users_;

    mutable std::mutex pool_mutex_;
    std::condition_variable pool_ready_;
    std::deque<std::shared_ptr<Task>> clean_;    // from addresses without failures
    std::deque<std::shared_ptr<Task>> suspect_;  // from addresses with failures
    std::size_t running_suspect_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace certos::menu
