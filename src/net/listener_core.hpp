#pragma once
// Internal to net/: the Asio side of ListenerSet (net/listener.hpp), shared by http_server.cpp and
// api_server.cpp. Includes Boost.Asio.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "net/listener.hpp"
#include "net/session_budget.hpp"

namespace certos::net {

// Accepted is a connection that a listener admitted: inside `/ip service address`, with a place in the
// listener's session budget (its ticket, which the connection holds until it closes).
struct Accepted {
    boost::asio::ip::tcp::socket socket;             // on a strand of its own
    std::shared_ptr<boost::asio::ssl::context> tls;  // the listener's TLS context; null for plain TCP
    std::string address;                             // the client's IP address, IPv4-mapped ones as IPv4
    std::string service;                             // the listener's name ("www-ssl")
    std::shared_ptr<SessionBudget::Ticket> ticket;
};

// AcceptHandler starts serving an accepted connection. It runs on the listener's strand and must not block.
using AcceptHandler = std::function<void(Accepted accepted)>;

class Listener;  // one bound acceptor (listener.cpp)

// ListenerCore is one server's io threads and named listeners.
class ListenerCore {
public:
    explicit ListenerCore(ListenerOptions options);
    ~ListenerCore();  // Close, then StopIo
    ListenerCore(const ListenerCore&) = delete;
    ListenerCore& operator=(const ListenerCore&) = delete;

    boost::asio::io_context& io() { return io_; }

    // SetAcceptHandler sets what serves the accepted connections; the server calls it once, before the first
    // Reconfigure.
    void SetAcceptHandler(AcceptHandler handler) { accept_ = std::move(handler); }

    // Reconfigure, Listeners: ListenerSet's.
    std::vector<std::string> Reconfigure(const std::vector<ListenerConfig>& wanted);
    std::vector<ListenerStatus> Listeners() const;

    // Close stops every listener from accepting; from then on Reconfigure does nothing. Returns false when it
    // was closed already.
    bool Close();

    // StopIo ends the io threads (handlers still queued are dropped with what they hold) and forgets the
    // listeners. Idempotent.
    void StopIo();

    // Error passes `message` to ListenerOptions::on_error, when set.
    void Error(std::string_view message) const;

    const ListenerOptions& options() const { return options_; }
    const AcceptHandler& accept_handler() const { return accept_; }

private:
    struct Entry {
        ListenerConfig config;
        std::shared_ptr<Listener> listener;
    };

    ListenerOptions options_;
    AcceptHandler accept_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::vector<std::thread> threads_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> listeners_;
    bool closed_ = false;
};

// WorkerPools are a server's threads for what may block: `quick` for most work (SQLite), `slow` for what
// declares itself slow (key generation: seconds of CPU each), so that however much of that arrives, the rest
// still finds quick workers free. Each pool has at least one thread.
struct WorkerPools {
    WorkerPools(std::size_t quick_threads, std::size_t slow_threads);

    // Join waits for the jobs in flight and queued; their results go nowhere once the io threads stopped.
    void Join();

    boost::asio::thread_pool quick;
    boost::asio::thread_pool slow;
};

// ArmEviction sets what the session budget calls when `connection` loses its place to a newcomer: `evict` (a
// member function of it), posted to the connection's `executor`, when the connection still exists by then.
template <class Connection, class Executor, class Evict>
void ArmEviction(SessionBudget::Ticket& ticket, const std::shared_ptr<Connection>& connection, Executor executor,
                 Evict evict) {
    ticket.Arm([weak = std::weak_ptr<Connection>(connection), executor = std::move(executor), evict] {
        boost::asio::post(executor, [weak, evict] {
            if (auto held = weak.lock()) {
                std::invoke(evict, *held);
            }
        });
    });
}

}  // namespace certos::net
