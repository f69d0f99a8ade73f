// ApiServer on Boost.Asio. Each connection runs on a strand of its own (reads, writes, the idle timer); the
// protocol's jobs run on the worker pool and come back through Send, which posts to that strand.

#include "net/api_server.hpp"

#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>

#include "net/listener_core.hpp"
#include "net/session_budget.hpp"

namespace certos::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// A client that does not read its replies is not read from either once this much is queued for it.
constexpr std::size_t kMaxQueuedBytes = 16 * 1024 * 1024;

class ApiConnection;

// Core is what every connection needs from the server; connections share it.
struct Core {
    ApiServerOptions options;
    WorkerPools* pools = nullptr;
    ListenerCore* listeners = nullptr;  // its Error
    std::mutex connections_mutex;
    std::map<std::uint64_t, std::weak_ptr<ApiConnection>> connections;
    std::uint64_t next_id = 1;
};

class ApiConnection : public StreamPeer, public std::enable_shared_from_this<ApiConnection> {
public:
    ApiConnection(Accepted accepted, std::shared_ptr<Core> core)
        : strand_(accepted.socket.get_executor()),
          timer_(strand_),
          core_(std::move(core)),
          address_(std::move(accepted.address)),
          service_(std::move(accepted.service)),
          ticket_(std::move(accepted.ticket)),
          context_(std::move(accepted.tls)) {
        if (context_) {
            tls_ = std::make_unique<ssl::stream<tcp::socket>>(std::move(accepted.socket), *context_);
        } else {
            plain_ = std::make_unique<tcp::socket>(std::move(accepted.socket));
        }
    }
    void Start() {
        ArmEviction(*ticket_, shared_from_this(), strand_, &ApiConnection::CloseNow);
        {
            std::lock_guard lock(core_->connections_mutex);
            id_ = core_->next_id++;
            core_->connections[id_] = weak_from_this();
        }
        asio::dispatch(strand_, [self = shared_from_this()] {
            self->ArmTimer(self->core_->options.handshake_timeout);
            if (!self->tls_) {
                self->Begin();
                return;
            }
            self->tls_->async_handshake(ssl::stream_base::server, [self](error_code ec) {
                if (ec) {
                    self->CloseNow();
                    return;
                }
                self->Begin();
            });
        });
    }

    // Send queues bytes in the order of the calls, from any thread: always post, never dispatch. A dispatch from
    // the strand (an API reply written while reading, e.g. /cancel's trap) would run at once, ahead of what
    // other threads posted before it (the rows of the listing it cancels). The bytes count as queued from the
    // call on, so QueuedBytes holds back a writer before the strand gets to them.
    void Send(std::string bytes) override {
        queued_bytes_ += bytes.size();
        asio::post(strand_, [self = shared_from_this(), bytes = std::move(bytes)]() mutable {
            if (self->closed_ || self->closing_) {
                self->queued_bytes_ -= bytes.size();
                return;
            }
            self->queue_.push_back(std::move(bytes));
            if (!self->writing_) {
                self->DoWrite();
            }
        });
    }

    std::size_t QueuedBytes() const override { return queued_bytes_.load(); }

    // Close is posted like Send, so that it comes after every Send called before it (a !fatal, then the close).
    void Close() override {
        asio::post(strand_, [self = shared_from_this()] {
            if (self->closed_ || self->closing_) {
                return;
            }
            self->closing_ = true;
            if (!self->writing_) {
                self->Shutdown();
            }
        });
    }

    void SetIdleTimeout(std::chrono::milliseconds timeout) override {
        asio::dispatch(strand_, [self = shared_from_this(), timeout] {
            if (!self->closed_) {
                self->ArmTimer(timeout);
            }
        });
    }

    void Post(std::function<void()> job) override { PostOn(core_->pools->quick, std::move(job)); }
    void PostSlow(std::function<void()> job) override { PostOn(core_->pools->slow, std::move(job)); }

    void PostAfter(std::chrono::milliseconds delay, std::function<void()> job) override {
        asio::dispatch(strand_, [weak = weak_from_this(), strand = strand_, delay, job = std::move(job)]() mutable {
            auto timer = std::make_shared<asio::steady_timer>(strand, delay);
            timer->async_wait([weak, timer, job = std::move(job)](error_code ec) mutable {
                auto self = weak.lock();
                if (!ec && self && !self->closed_) {
                    self->Post(std::move(job));
                }
            });
        });
    }
    void MarkAuthenticated() override { ticket_->MarkAuthenticated(); }
    const std::string& Address() const override { return address_; }
    const std::string& Service() const override { return service_; }

    // ForceClose closes at once (server stop).
    void ForceClose() {
        asio::dispatch(strand_, [self = shared_from_this()] { self->CloseNow(); });
    }

private:
    template <class F>
    void WithStream(F f) {
        if (tls_) {
            f(*tls_);
        } else {
            f(*plain_);
        }
    }
    tcp::socket& Socket() { return tls_ ? tls_->next_layer() : *plain_; }

    void PostOn(asio::thread_pool& pool, std::function<void()> job) {
        if (!ticket_->Busy()) {
            return;  // evicted before it logged in: closing
        }
        asio::post(pool, [ticket = ticket_, job = std::move(job)] {
            struct Done {
                SessionBudget::Ticket& ticket;
                ~Done() { ticket.Idle(); }
            } done{*ticket};
            job();
        });
    }

    void Begin() {
        if (closed_) {
            return;
        }
        try {
            protocol_ = core_->options.protocol(shared_from_this());
        } catch (const std::exception& e) {
            core_->listeners->Error(std::string("api connection: ") + e.what());
        }
        if (!protocol_) {
            CloseNow();
            return;
        }
        DoRead();
    }

    void ArmTimer(std::chrono::milliseconds timeout) {
        std::uint64_t generation = ++timer_generation_;
        timer_.expires_after(timeout);
        timer_.async_wait([self = shared_from_this(), generation](error_code ec) {
            if (!ec && generation == self->timer_generation_) {
                self->CloseNow();
            }
        });
    }

    void DoRead() {
        if (closed_ || closing_ || reading_) {
            return;
        }
        if (queued_bytes_ > kMaxQueuedBytes) {
            return;  // resumed by OnWrite
        }
        reading_ = true;
        WithStream([this](auto& stream) {
            stream.async_read_some(
                asio::buffer(buffer_),
                asio::bind_executor(
                    strand_, [self = shared_from_this()](error_code ec, std::size_t n) { self->OnRead(ec, n); }));
        });
    }

    void OnRead(error_code ec, std::size_t n) {
        reading_ = false;
        if (closed_) {
            return;
        }
        if (ec) {
            CloseNow();
            return;
        }
        if (protocol_ && !closing_) {
            protocol_->OnData(std::string_view(buffer_.data(), n));
        }
        DoRead();
    }

    void DoWrite() {
        writing_ = true;
        WithStream([this](auto& stream) {
            asio::async_write(stream, asio::buffer(queue_.front()),
                              asio::bind_executor(strand_, [self = shared_from_this()](error_code ec, std::size_t) {
                                  self->OnWrite(ec);
                              }));
        });
    }

    void OnWrite(error_code ec) {
        writing_ = false;
        if (closed_) {
            return;
        }
        if (ec) {
            CloseNow();
            return;
        }
        queued_bytes_ -= queue_.front().size();
        queue_.pop_front();
        if (!queue_.empty()) {
            DoWrite();
        } else if (closing_) {
            Shutdown();
        } else {
            DoRead();
        }
    }

    void Shutdown() {
        if (!tls_) {
            error_code ignored;
            plain_->shutdown(tcp::socket::shutdown_both, ignored);
            CloseNow();
            return;
        }
        ArmTimer(std::chrono::seconds(2));
        tls_->async_shutdown(
            asio::bind_executor(strand_, [self = shared_from_this()](error_code) { self->CloseNow(); }));
    }

    void CloseNow() {
        if (closed_) {
            return;
        }
        closed_ = true;
        error_code ignored;
        Socket().close(ignored);
        ++timer_generation_;
        timer_.cancel();
        for (const std::string& bytes : queue_) {
            queued_bytes_ -= bytes.size();
        }
        queue_.clear();
        if (protocol_) {
            std::shared_ptr<StreamProtocol> protocol = std::move(protocol_);
            try {
                protocol->OnClosed();
            } catch (const std::exception& e) {
                core_->listeners->Error(std::string("api connection: ") + e.what());
            }
        }
        std::lock_guard lock(core_->connections_mutex);
        core_->connections.erase(id_);
    }

    asio::strand<asio::any_io_executor> strand_;
    asio::steady_timer timer_;
    std::shared_ptr<Core> core_;
    std::string address_;
    std::string service_;
    std::shared_ptr<SessionBudget::Ticket> ticket_;
    std::shared_ptr<ssl::context> context_;  // before tls_: the stream uses it
    std::unique_ptr<ssl::stream<tcp::socket>> tls_;
    std::unique_ptr<tcp::socket> plain_;
    std::shared_ptr<StreamProtocol> protocol_;
    std::array<char, 64 * 1024> buffer_{};
    std::deque<std::string> queue_;
    std::atomic<std::size_t> queued_bytes_ = 0;  // what Send was given and the client has not taken yet
    std::uint64_t timer_generation_ = 0;
    std::uint64_t id_ = 0;
    bool reading_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
};

}  // namespace

struct ApiServer::Impl {
    Impl(ApiServerOptions options, ListenerCore& listeners)
        : core(std::make_shared<Core>()), pools(options.worker_threads, options.slow_worker_threads) {
        core->options = std::move(options);
        core->pools = &pools;
        core->listeners = &listeners;
    }

    std::shared_ptr<Core> core;
    WorkerPools pools;
};

ApiServer::ApiServer(ApiServerOptions options)
    : ListenerSet(options), impl_(std::make_unique<Impl>(std::move(options), core())) {
    core().SetAcceptHandler([core = impl_->core](Accepted accepted) {
        std::make_shared<ApiConnection>(std::move(accepted), core)->Start();
    });
}

ApiServer::~ApiServer() { Stop(); }

// OnListenersClosed closes the open connections and lets the commands in flight finish (their replies go
// nowhere), while the io threads still run the connections' closing.
void ApiServer::OnListenersClosed() {
    std::vector<std::shared_ptr<ApiConnection>> open;
    {
        std::lock_guard lock(impl_->core->connections_mutex);
        for (auto& [id, weak] : impl_->core->connections) {
            if (auto connection = weak.lock()) {
                open.push_back(std::move(connection));
            }
        }
    }
    for (const auto& connection : open) {
        connection->ForceClose();
    }
    open.clear();
    impl_->pools.Join();
}

}  // namespace certos::net
