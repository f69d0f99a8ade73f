#pragma once
// HttpServer: the HTTP/HTTPS listeners of `certos serve` (the www and www-ssl services). Modules register
// path prefixes with handlers; the server knows nothing of what is behind them. Boost stays inside net/:
// this header is Boost-free (pimpl).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.hpp"

namespace certos::net {

// TlsVersion is the `/ip service tls-version` policy. certos never offers anything older than TLS 1.2.
enum class TlsVersion {
    kAny,     // TLS 1.2 and 1.3
    kOnly12,  // TLS 1.2 only
    kOnly13,  // TLS 1.3 only
};

// TlsSettings are what a TLS listener serves: the certificate chain (leaf first) and its key, PEM.
struct TlsSettings {
    std::string certificate_chain_pem;
    std::string private_key_pem;
    TlsVersion version = TlsVersion::kAny;

    friend bool operator==(const TlsSettings&, const TlsSettings&) = default;
};

// ListenerConfig is one listener. Listeners are identified by name: Reconfigure compares old and new
// configurations of the same name.
struct ListenerConfig {
    std::string name;                 // "www", "www-ssl"
    std::string bind_address = "::";  // "::" listens on IPv6 and IPv4 (falls back to 0.0.0.0)
    std::uint16_t port = 0;           // 0 picks a free port (tests); see Listeners()
    std::string allowed_from;         // `/ip service address`: comma list of prefixes, empty allows all
    std::optional<TlsSettings> tls;   // set: HTTPS
    // max_sessions bounds the connections that logged in; more are closed at once. Connections that have
    // not logged in yet have a budget of their own, max_unauthenticated: when it is full, a new connection
    // takes the place of the oldest idle one (nothing of it being served), so that connections that never
    // log in lock nobody out.
    std::size_t max_sessions = 20;
    std::size_t max_unauthenticated = 64;

    friend bool operator==(const ListenerConfig&, const ListenerConfig&) = default;
};

// ListenerStatus is a running listener: its name and the port it is bound to.
struct ListenerStatus {
    std::string name;
    std::string address;
    std::uint16_t port = 0;
    bool tls = false;
};

// ServerOptions are the server-wide limits.
struct ServerOptions {
    std::size_t io_threads = 2;
    std::size_t worker_threads = 8;  // handlers run here: they may block (SQLite)
    // slow_worker_threads serve the requests a route calls slow (key generation: seconds of CPU each), so
    // that however many of those arrive, the other requests still find worker_threads free.
    std::size_t slow_worker_threads = 8;
    std::size_t max_body_bytes = 1024 * 1024;  // larger bodies get 413
    std::size_t max_header_bytes = 16 * 1024;  // larger headers get 431
    // read_timeout bounds the wait for one whole request (header and body), counted from the end of the
    // previous response on a keep-alive connection, and the TLS handshake. A client that sent part of a
    // request by then gets 408 and is disconnected; an idle one is disconnected silently.
    std::chrono::milliseconds read_timeout{10000};
    // login_timeout replaces read_timeout (when shorter) on a connection that has not logged in yet
    // (Connection::MarkAuthenticated): such a connection holds its place only briefly.
    std::chrono::milliseconds login_timeout{5000};
    // AddressAllowed decides whether `address` is inside `allowed_from` (a listener's prefix list). Unset:
    // every client is allowed.
    std::function<bool(std::string_view allowed_from, std::string_view address)> address_allowed;
    // OnError receives internal errors (a handler that threw something unexpected, an accept failure) for
    // the log. Never given request bodies or credentials.
    std::function<void(std::string_view message)> on_error;
};

// HttpHandler serves one request. It runs on a worker thread and may block. Exceptions become a 500.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// SlowRequest tells whether a request may take long (seconds of key generation): such a request is served on
// the pool of slow requests (ServerOptions::slow_worker_threads). It runs on an io thread before the
// handler: it must be quick and must not block. An exception counts as "not slow".
using SlowRequest = std::function<bool(const HttpRequest&)>;

class HttpServer {
public:
    explicit HttpServer(ServerOptions options = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Route registers `handler` for every path that starts with `prefix` ("/rest/"); the longest matching
    // prefix wins. Paths without a route get 404. `slow`, when set, picks the requests served on the pool of
    // slow requests. May be called at any time.
    void Route(std::string prefix, HttpHandler handler, SlowRequest slow = {});

    // Reconfigure makes the running listeners match `listeners`: opens new ones, closes those no longer
    // listed, rebinds those whose address, port or plain/TLS kind changed, and for TLS listeners whose
    // certificate, key or TLS version changed swaps the TLS context, so that new connections get the new
    // certificate while open ones continue. Returns one message per listener that could not be opened or
    // whose TLS settings were rejected (that listener keeps its previous state, or stays closed). Safe to
    // call from any thread; not concurrently with itself.
    std::vector<std::string> Reconfigure(const std::vector<ListenerConfig>& listeners);

    // Listeners returns the open listeners with their bound ports.
    std::vector<ListenerStatus> Listeners() const;

    // Stop closes every listener and connection and joins the threads. Idempotent; the destructor calls it.
    void Stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace certos::net
