#pragma once
// ApiProtocol: one API connection's protocol (facts §3): decode sentences, log in, run commands on the worker
// pool (several tagged ones at once), answer /cancel and /quit, and close on a framing violation with
// `!fatal`. The transport (net::ApiServer) only moves bytes.

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "api/codec.hpp"
#include "menu/tree.hpp"
#include "net/api_server.hpp"

namespace certos::api {

// ApiProtocolOptions are shared by every connection of a server.
struct ApiProtocolOptions {
    // Authenticate returns the session of a user or throws core::Error (menu::Logins::LogIn with via "api" and
    // the api policy, which logs).
    std::function<menu::Session(std::string_view user, std::string_view password, std::string_view address)>
        authenticate;
    // Refresh brings a session up to date before each command (menu::Logins::Refresh); false ends it: the
    // command is answered with `!fatal` and the connection closed. Unset: sessions never change.
    std::function<bool(menu::Session& session)> refresh;
    // Execute runs one request (menu::Tree::Execute); throws core::Error.
    std::function<menu::Result(const menu::Request&, const menu::Session&)> execute;
    // Slow tells whether a request calls a verb that declares itself slow (menu::Verb::slow: key generation):
    // a command with such a request runs on the pool of slow jobs (net::StreamPeer::PostSlow), so that it
    // never holds up other connections' quick commands. Must be quick; an exception counts as "not slow".
    // Unset: nothing is slow.
    std::function<bool(const menu::Request&)> slow;
    // RefusalDelay is how long the answer to a login refused with kAuthentication from `address` is held back
    // (menu::LoginThrottle::Penalty: zero unless the address is throttled), on a timer that holds no worker
    // (net::StreamPeer::PostAfter), so that a guessing client guesses slowly. Unset: answered at once.
    std::function<std::chrono::milliseconds(std::string_view address)> refusal_delay;
    // EmptyReply says whether `service` ("api", "api-ssl") sends `!empty` for a print without records
    // (`/ip service api-empty-reply`). Unset: never.
    std::function<bool(std::string_view service)> empty_reply;
    // Log writes to /log (topics, message). Never given passwords.
    std::function<void(std::string_view topics, std::string_view message)> log;
    DecodeLimits limits;
    // login_timeout: a connection that has not logged in this long after it opened is closed.
    std::chrono::milliseconds login_timeout{60000};
    // idle_timeout: a logged-in connection without a complete sentence for this long (and no command
    // running) is closed.
    std::chrono::milliseconds idle_timeout{600000};
    std::size_t max_in_flight = 64;  // commands running or queued on one connection
};

// MakeApiProtocol makes the protocol of a new connection; it keeps `options` alive.
std::shared_ptr<net::StreamProtocol> MakeApiProtocol(std::shared_ptr<net::StreamPeer> peer,
                                                     std::shared_ptr<const ApiProtocolOptions> options);

}  // namespace certos::api
