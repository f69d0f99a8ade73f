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
#include "net/listener.hpp"

namespace certos::net {

// ServerOptions are the server-wide limits (ListenerOptions: io threads, `/ip service address`, the error log).
struct ServerOptions : ListenerOptions {
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
};

// HttpHandler serves one request. It runs on a worker thread and may block. Exceptions become a 500.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// SlowRequest tells whether a request may take long (seconds of key generation): such a request is served on
// the pool of slow requests (ServerOptions::slow_worker_threads). It runs on an io thread before the
// handler: it must be quick and must not block. An exception counts as "not slow".
using SlowRequest = std::function<bool(const HttpRequest&)>;

// HttpServer serves HTTP on the listeners of ListenerSet (Reconfigure, Listeners, Stop).
class HttpServer final : public ListenerSet {
public:
    explicit HttpServer(ServerOptions options = {});
    ~HttpServer();

    // Route registers `handler` for every path that starts with `prefix` ("/rest/"); the longest matching
    // prefix wins. Paths without a route get 404. `slow`, when set, picks the requests served on the pool of
    // slow requests. May be called at any time.
    void Route(std::string prefix, HttpHandler handler, SlowRequest slow = {});

private:
    void OnIoStopped() override;

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace certos::net
