#pragma once
// The REST API front end (facts §2): HTTP requests under /rest become menu::Requests on the one command
// tree; results and errors are rendered as RouterOS renders them. No verb is implemented here.

#include <atomic>
#include <chrono>
#include <functional>
#include <string_view>

#include "menu/login_cache.hpp"
#include "menu/tree.hpp"
#include "net/http.hpp"

namespace certos::rest {

// Authenticator checks a user name and password for a client address and returns the user's session, or
// throws core::Error (kAuthentication). The daemon passes menu::Authenticate with via "rest-api".
using Authenticator =
    std::function<menu::Session(std::string_view user, std::string_view password, std::string_view address)>;

// LogSink writes a /log line (topics, message). Never given secrets.
using LogSink = std::function<void(std::string_view topics, std::string_view message)>;

struct RestOptions {
    Authenticator authenticate;
    LogSink log;
    // A successful login is remembered for this long (or until InvalidateSessions): later requests with the
    // same credentials, from the same address, on the same or a new connection, skip the slow password KDF.
    std::chrono::seconds session_lifetime{600};
};

// RestApi serves /rest. Thread-safe: the server calls Handle from several worker threads.
class RestApi {
public:
    // kPrefix is the path the API is served under.
    static constexpr std::string_view kPrefix = "/rest";

    RestApi(const menu::Tree& tree, RestOptions options);

    // Handle serves one request: Basic authentication on every request (a successful login is remembered,
    // see RestOptions::session_lifetime), the rest-api policy, then the command. Never throws.
    net::HttpResponse Handle(const net::HttpRequest& request) const;

    // Responder answers a request that is not a command (the daemon's /metrics) for an authenticated session.
    using Responder = std::function<net::HttpResponse(const menu::Session& session)>;

    // Authenticated answers `request` with `serve` behind the same authentication, rest-api policy, login
    // memory and error rendering as Handle. Never throws.
    net::HttpResponse Authenticated(const net::HttpRequest& request, const Responder& serve) const;

    // InvalidateSessions makes every connection authenticate again on its next request (users or groups
    // changed).
    void InvalidateSessions() { ++epoch_; }

private:
    menu::Session Login(const net::HttpRequest& request) const;
    net::HttpResponse Serve(const net::HttpRequest& request, const menu::Session& session) const;

    const menu::Tree& tree_;
    RestOptions options_;
    mutable std::atomic<std::uint64_t> epoch_{0};
    mutable menu::LoginCache logins_;
};

}  // namespace certos::rest
