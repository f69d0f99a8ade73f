#pragma once
// LoginCache remembers successful logins (REST, the API protocol) across connections, so that the slow
// password KDF runs once per user, address and credentials instead of once per connection (curl-per-request
// scripts, wrk, a fleet of API clients), and so that a burst of new connections with the same credentials
// verifies them only once (single flight).

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "menu/auth.hpp"
#include "menu/tree.hpp"

namespace certos::menu {

class LoginThrottle;

class LoginCache {
public:
    using Verify = std::function<Session()>;

    // Login returns the session for (user, address, secret): from the cache when an earlier login with
    // exactly these credentials from this address succeeded within `lifetime` and in the same `epoch`;
    // otherwise by calling `verify` (which throws on failure), at most once at a time per credentials:
    // concurrent callers with the same credentials wait for that one result. `cached` tells which.
    // `secret` (REST: the Authorization header; API: the password) is compared in constant time and never
    // used as a map key.
    Session Login(std::string_view user, std::string_view address, std::string_view secret, std::uint64_t epoch,
                  std::chrono::seconds lifetime, const Verify& verify, bool& cached);

private:
    struct Entry {
        std::string secret;
        std::uint64_t epoch = 0;
        std::chrono::steady_clock::time_point at;
        std::shared_future<Session> session;  // ready unless a verification is under way
    };

    static constexpr std::size_t kMaxEntries = 4096;

    std::mutex mutex_;
    // Keyed by user and address (not secrets); a few credentials each.
    std::map<std::string, std::vector<Entry>, std::less<>> entries_;
    std::size_t size_ = 0;
};

// Logins is the one way every front end (REST, the API protocol, the web UI) logs users in and keeps their
// sessions current; the daemon has one. A change to /user or /user/group, by this process or another one on
// the same store, reaches every open session before its next command (Refresh) and every remembered login.
class Logins {
public:
    // `throttle`, when given, runs every password check (throttled per address and user, on its own pool).
    explicit Logins(const Tree& tree, LoginThrottle* throttle = nullptr,
                    std::chrono::seconds lifetime = std::chrono::seconds(600))
        : tree_(tree), throttle_(throttle), lifetime_(lifetime), watch_(tree.store()) {}

    // LogIn returns the session of `user` with `password` from `address` through front end `via` ("api",
    // "rest-api"), whose group must hold `required` (kPolicyApi, kPolicyRestApi). A login remembered from an
    // earlier connection (same front end, user, address and password, no change to users since, within the
    // lifetime) skips the KDF and writes the "logged in" line itself; otherwise Authenticate runs. Throws
    // core::Error(kAuthentication).
    Session LogIn(std::string_view user, std::string_view password, std::string_view address, std::string_view via,
                  PolicySet required);

    // Refresh is RefreshSession with this daemon's UsersWatch: every front end calls it before each command of
    // a logged-in session, and ends the session when it returns false.
    bool Refresh(Session& session, PolicySet required) { return RefreshSession(tree_, watch_, session, required); }

private:
    const Tree& tree_;
    LoginThrottle* throttle_;
    std::chrono::seconds lifetime_;
    UsersWatch watch_;
    LoginCache cache_;
};

// SameSecret compares two strings without an early exit.
bool SameSecret(std::string_view a, std::string_view b);

}  // namespace certos::menu
