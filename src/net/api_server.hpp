#pragma once
// ApiServer: the listeners of the api and api-ssl services (TCP, optionally TLS) as a byte-stream transport.
// The protocol itself (framing, login, commands) lives in src/api and plugs in through StreamProtocol, so
// net/ knows nothing of menus. Boost stays inside net/: this header is Boost-free (pimpl).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/listener.hpp"

namespace certos::net {

// StreamPeer is one accepted connection as the protocol sees it. Every method may be called from any thread,
// also after the connection closed (then it does nothing).
class StreamPeer {
public:
    virtual ~StreamPeer() = default;
    // Send queues bytes for the client; bytes of one call are never interleaved with those of another.
    virtual void Send(std::string bytes) = 0;
    // QueuedBytes is how much Send queued that the client has not taken yet (from any thread): a reply
    // written part by part waits while it is large, so that a slow reader bounds its memory.
    virtual std::size_t QueuedBytes() const { return 0; }
    // Close sends what is queued, then closes the connection.
    virtual void Close() = 0;
    // SetIdleTimeout (re)starts the idle timer: when it expires before the next call, the connection is
    // closed at once.
    virtual void SetIdleTimeout(std::chrono::milliseconds timeout) = 0;
    // Post runs `job` on the server's worker pool (jobs may block: SQLite). While a job runs (or waits for a
    // worker) the connection is never evicted (see MarkAuthenticated); once it was, Post does nothing.
    virtual void Post(std::function<void()> job) = 0;
    // PostSlow is Post on the pool of slow jobs (ApiServerOptions::slow_worker_threads): for what takes
    // seconds of CPU (key generation), so that it never holds up the workers of other connections' quick
    // commands.
    virtual void PostSlow(std::function<void()> job) = 0;
    // PostAfter is Post after `delay` (a refused login's answer, held back): the connection's own timer waits,
    // neither a worker nor a place in the budget, so a newcomer may evict the connection meanwhile; then the
    // job is dropped.
    virtual void PostAfter(std::chrono::milliseconds delay, std::function<void()> job) = 0;
    // MarkAuthenticated records that the client logged in: from then on the connection counts against the
    // listener's max-sessions instead of the small budget of connections that have not logged in yet, where
    // a newcomer takes the place of the oldest idle one (ListenerConfig::max_unauthenticated).
    virtual void MarkAuthenticated() {}
    // Address is the client's IP address ("192.0.2.1", "::1"); Service the listener's name ("api-ssl").
    virtual const std::string& Address() const = 0;
    virtual const std::string& Service() const = 0;
};

// StreamProtocol receives a connection's bytes. OnData calls are serial (never two at once) and in order;
// OnClosed comes once, last.
class StreamProtocol {
public:
    virtual ~StreamProtocol() = default;
    virtual void OnData(std::string_view bytes) = 0;
    virtual void OnClosed() = 0;
};

// ProtocolFactory makes the protocol of a new connection.
using ProtocolFactory = std::function<std::shared_ptr<StreamProtocol>(std::shared_ptr<StreamPeer> peer)>;

// ApiServerOptions are the server-wide settings (ListenerOptions: io threads, `/ip service address`, the log).
struct ApiServerOptions : ListenerOptions {
    std::size_t worker_threads = 8;       // StreamPeer::Post
    std::size_t slow_worker_threads = 8;  // StreamPeer::PostSlow
    // handshake_timeout bounds the TLS handshake; the protocol sets its own idle timeouts after that (until
    // it does, this one applies).
    std::chrono::milliseconds handshake_timeout{10000};
    ProtocolFactory protocol;
};

// ApiServer moves the bytes of the API protocol over the listeners of ListenerSet (Reconfigure, Listeners,
// Stop: a changed TLS certificate is swapped in for new connections, open ones continue).
class ApiServer final : public ListenerSet {
public:
    explicit ApiServer(ApiServerOptions options);
    ~ApiServer();

private:
    void OnListenersClosed() override;

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace certos::net
