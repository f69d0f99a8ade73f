#pragma once
// The REST API front end (facts §2): HTTP requests under /rest become menu::Requests on the one command
// tree; results and errors are rendered as RouterOS renders them. No verb is implemented here.

#include <chrono>
#include <functional>
#include <string_view>

#include "menu/tree.hpp"
#include "net/http.hpp"

namespace certos::rest {

// Authenticator checks a user name and password for a client address and returns the user's session, or
// throws core::Error (kAuthentication). The daemon passes menu::Logins::LogIn with via "rest-api" and the
// rest-api policy (logins remembered across connections live there).
using Authenticator =
    std::function<menu::Session(std::string_view user, std::string_view password, std::string_view address)>;

// Refresher brings a session up to date before a request (menu::Logins::Refresh); false ends it.
using Refresher = std::function<bool(menu::Session& session)>;

// LogSink writes a /log line (topics, message). Never given secrets.
using LogSink = std::function<void(std::string_view topics, std::string_view message)>;

struct RestOptions {
    Authenticator authenticate;
    Refresher refresh;  // unset: sessions never change
    LogSink log;
    // A connection's successful login is remembered for this long: later requests on it with the same
    // Authorization header skip authentication (but not `refresh`).
    std::chrono::seconds session_lifetime{600};
};

// RestApi serves /rest. Thread-safe: the server calls Handle from several worker threads.
class RestApi {
public:
    // kPrefix is the path the API is served under.
    static constexpr std::string_view kPrefix = "/rest";

    RestApi(const menu::Tree& tree, RestOptions options);

    // Handle serves one request: Basic authentication on every request (a connection's login is remembered,
    // see RestOptions::session_lifetime, and refreshed before each request), then the command. Never throws.
    net::HttpResponse Handle(const net::HttpRequest& request) const;

    // Responder answers a request that is not a command (the daemon's /metrics) for an authenticated session.
    using Responder = std::function<net::HttpResponse(const menu::Session& session)>;

    // Authenticated answers `request` with `serve` behind the same authentication, rest-api policy, login
    // memory and error rendering as Handle. Never throws.
    net::HttpResponse Authenticated(const net::HttpRequest& request, const Responder& serve) const;

private:
    menu::Session Login(const net::HttpRequest& request) const;
    net::HttpResponse Serve(const net::HttpRequest& request, const menu::Session& session) const;

    const menu::Tree& tree_;
    RestOptions options_;
};

}  // namespace certos::rest
