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

#include "menu/tree.hpp"

namespace certos::menu {

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

// SameSecret compares two strings without an early exit.
bool SameSecret(std::string_view a, std::string_view b);

}  // namespace certos::menu
