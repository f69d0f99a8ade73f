// ApiServer on Boost.Asio. Each connection runs on a strand of its own (reads, writes, the idle timer); the
// protocol's jobs run on the worker pool and come back through Send, which posts to that strand.

#include "net/api_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>

#include "net/session_budget.hpp"
#include "net/tls_context.hpp"

namespace certos::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// A client that does not read its replies is not read from either once this much is queued for it.
constexpr std::size_t kMaxQueuedBytes = 16 * 1024 * 1024;

std::string ClientAddress(const tcp::endpoint& endpoint) {
    asio::ip::address address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
    }
    return address.to_string();
}

class ApiConnection;

struct Core {
    ApiServerOptions options;
    asio::thread_pool* workers = nullptr;
    std::mutex connections_mutex;
    std::map<std::uint64_t, std::weak_ptr<ApiConnection>> connections;
    std::uint64_t next_id = 1;

    void Error(std::string_view message) const {
        if (options.on_error) {
            options.on_error(message);
        }
    }
};

class ApiConnection : public StreamPeer, public std::enable_shared_from_this<ApiConnection> {
public:
    ApiConnection(tcp::socket socket, std::shared_ptr<ssl::context> tls, std::shared_ptr<Core> core,
                  std::string address, std::string service, std::shared_ptr<SessionBudget::Ticket> ticket)
        : strand_(socket.get_executor()),
          timer_(strand_),
          core_(std::move(core)),
          address_(std::move(address)),
          service_(std::move(service)),
          ticket_(std::move(ticket)),
          context_(std::move(tls)) {
        if (context_) {
            tls_ = std::make_unique<ssl::stream<tcp::socket>>(std::move(socket), *context_);
        } else {
            plain_ = std::make_unique<tcp::socket>(std::move(socket));
        }
    }
    void Start() {
        ticket_->Arm([weak = weak_from_this(), strand = strand_] {
            asio::dispatch(strand, [weak] {
                if (auto held = weak.lock()) {
                    held->CloseNow();
                }
            });
        });
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

    void Send(std::string bytes) override {
        asio::dispatch(strand_, [self = shared_from_this(), bytes = std::move(bytes)]() mutable {
            if (self->closed_ || self->closing_) {
                return;
            }
            self->queued_bytes_ += bytes.size();
            self->queue_.push_back(std::move(bytes));
            if (!self->writing_) {
                self->DoWrite();
            }
        });
    }

    void Close() override {
        asio::dispatch(strand_, [self = shared_from_this()] {
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

    void Post(std::function<void()> job) override {
        if (!ticket_->Busy()) {
            return;  // evicted before it logged in: closing
        }
        asio::post(*core_->workers, [ticket = ticket_, job = std::move(job)] {
            struct Done {
                SessionBudget::Ticket& ticket;
                ~Done() { ticket.Idle(); }
            } done{*ticket};
            job();
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

    void Begin() {
        if (closed_) {
            return;
        }
        try {
            protocol_ = core_->options.protocol(shared_from_this());
        } catch (const std::exception& e) {
            core_->Error(std::string("api connection: ") + e.what());
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
        queue_.clear();
        if (protocol_) {
            std::shared_ptr<StreamProtocol> protocol = std::move(protocol_);
            try {
                protocol->OnClosed();
            } catch (const std::exception& e) {
                core_->Error(std::string("api connection: ") + e.what());
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
    std::size_t queued_bytes_ = 0;
    std::uint64_t timer_generation_ = 0;
    std::uint64_t id_ = 0;
    bool reading_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& io, std::shared_ptr<Core> core, const ListenerConfig& config,
             std::shared_ptr<ssl::context> tls)
        : io_(io),
          core_(std::move(core)),
          strand_(asio::make_strand(io)),
          acceptor_(strand_),
          config_(config),
          tls_(std::move(tls)),
          budget_({config.max_sessions, config.max_unauthenticated}) {}

    void Open() {
        asio::ip::address address = asio::ip::make_address(config_.bind_address);
        try {
            OpenAt(tcp::endpoint(address, config_.port));
        } catch (const boost::system::system_error&) {
            if (!(address.is_v6() && address.is_unspecified())) {
                throw;
            }
            acceptor_ = tcp::acceptor(strand_);
            OpenAt(tcp::endpoint(asio::ip::address_v4::any(), config_.port));
        }
        bound_ = acceptor_.local_endpoint();
        asio::dispatch(strand_, [self = shared_from_this()] { self->DoAccept(); });
    }

    void Close() {
        asio::dispatch(strand_, [self = shared_from_this()] {
            error_code ignored;
            self->acceptor_.close(ignored);
        });
    }

    void Update(const ListenerConfig& config, std::shared_ptr<ssl::context> tls) {
        std::lock_guard lock(mutex_);
        config_.allowed_from = config.allowed_from;
        config_.max_sessions = config.max_sessions;
        config_.max_unauthenticated = config.max_unauthenticated;
        budget_.SetLimits({config.max_sessions, config.max_unauthenticated});
        if (tls) {
            tls_ = std::move(tls);
        }
    }

    ListenerStatus Status() const {
        std::lock_guard lock(mutex_);
        return ListenerStatus{config_.name, bound_.address().to_string(), bound_.port(), tls_ != nullptr};
    }

private:
    void OpenAt(const tcp::endpoint& endpoint) {
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(asio::socket_base::reuse_address(true));
        if (endpoint.address().is_v6() && endpoint.address().is_unspecified()) {
            acceptor_.set_option(asio::ip::v6_only(false));
        }
        acceptor_.bind(endpoint);
        acceptor_.listen(asio::socket_base::max_listen_connections);
    }

    void DoAccept() {
        acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](error_code ec, tcp::socket socket) {
            self->OnAccept(ec, std::move(socket));
        });
    }

    void OnAccept(error_code ec, tcp::socket socket) {
        if (!acceptor_.is_open()) {
            return;
        }
        if (ec) {
            core_->Error("accepting on " + config_.name + ": " + ec.message());
            auto timer = std::make_shared<asio::steady_timer>(strand_, std::chrono::milliseconds(100));
            timer->async_wait([self = shared_from_this(), timer](error_code) { self->DoAccept(); });
            return;
        }
        Serve(std::move(socket));
        DoAccept();
    }

    void Serve(tcp::socket socket) {
        error_code ec;
        tcp::endpoint remote = socket.remote_endpoint(ec);
        if (ec) {
            return;
        }
        std::string address = ClientAddress(remote);
        std::string allowed_from;
        std::shared_ptr<ssl::context> tls;
        {
            std::lock_guard lock(mutex_);
            allowed_from = config_.allowed_from;
            tls = tls_;
        }
        if (!allowed_from.empty() && core_->options.address_allowed &&
            !core_->options.address_allowed(allowed_from, address)) {
            return;  // outside `/ip service address`: closed without a word
        }
        std::shared_ptr<SessionBudget::Ticket> ticket = budget_.Admit();
        if (!ticket) {
            return;  // max-sessions reached, or every place before login is being served
        }
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<ApiConnection>(std::move(socket), std::move(tls), core_, std::move(address), config_.name,
                                        std::move(ticket))
            ->Start();
    }

    asio::io_context& io_;
    std::shared_ptr<Core> core_;
    asio::strand<asio::io_context::executor_type> strand_;
    tcp::acceptor acceptor_;
    mutable std::mutex mutex_;
    ListenerConfig config_;
    std::shared_ptr<ssl::context> tls_;
    tcp::endpoint bound_;
    SessionBudget budget_;
};

bool SameBinding(const ListenerConfig& a, const ListenerConfig& b) {
    return a.bind_address == b.bind_address && a.port == b.port && a.tls.has_value() == b.tls.has_value();
}

}  // namespace

struct ApiServer::Impl {
    explicit Impl(ApiServerOptions options)
        : core(std::make_shared<Core>()),
          workers(std::max<std::size_t>(1, options.worker_threads)),
          io(static_cast<int>(std::max<std::size_t>(1, options.io_threads))),
          work(asio::make_work_guard(io)) {
        core->options = std::move(options);
        core->workers = &workers;
        for (std::size_t i = 0; i < std::max<std::size_t>(1, core->options.io_threads); ++i) {
            threads.emplace_back([this] { io.run(); });
        }
    }

    struct Entry {
        ListenerConfig config;
        std::shared_ptr<Listener> listener;
    };

    std::shared_ptr<Core> core;
    asio::thread_pool workers;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    std::vector<std::thread> threads;
    mutable std::mutex listeners_mutex;
    std::map<std::string, Entry> listeners;
    bool stopped = false;
};

ApiServer::ApiServer(ApiServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

ApiServer::~ApiServer() { Stop(); }

std::vector<std::string> ApiServer::Reconfigure(const std::vector<ListenerConfig>& wanted) {
    std::vector<std::string> errors;
    std::lock_guard lock(impl_->listeners_mutex);
    if (impl_->stopped) {
        return errors;
    }
    auto& listeners = impl_->listeners;
    for (auto it = listeners.begin(); it != listeners.end();) {
        bool kept = std::any_of(wanted.begin(), wanted.end(), [&](const auto& c) { return c.name == it->first; });
        if (!kept) {
            it->second.listener->Close();
            it = listeners.erase(it);
        } else {
            ++it;
        }
    }
    for (const ListenerConfig& config : wanted) {
        auto existing = listeners.find(config.name);
        if (existing != listeners.end() && existing->second.config == config) {
            continue;
        }
        std::shared_ptr<ssl::context> tls;
        bool same_binding = existing != listeners.end() && SameBinding(existing->second.config, config);
        if (config.tls && (!same_binding || existing->second.config.tls != config.tls)) {
            try {
                tls = MakeServerContext(*config.tls);
            } catch (const std::exception& e) {
                errors.push_back(config.name + ": " + e.what());
                continue;
            }
        }
        if (same_binding) {
            existing->second.listener->Update(config, tls);
            existing->second.config = config;
            continue;
        }
        if (existing != listeners.end()) {
            existing->second.listener->Close();
            listeners.erase(existing);
        }
        auto listener = std::make_shared<Listener>(impl_->io, impl_->core, config, tls);
        try {
            listener->Open();
        } catch (const std::exception& e) {
            errors.push_back(config.name + ": cannot listen on " + config.bind_address + " port " +
                             std::to_string(config.port) + ": " + e.what());
            continue;
        }
        listeners.emplace(config.name, Impl::Entry{config, std::move(listener)});
    }
    return errors;
}

std::vector<ListenerStatus> ApiServer::Listeners() const {
    std::lock_guard lock(impl_->listeners_mutex);
    std::vector<ListenerStatus> out;
    for (const auto& [name, entry] : impl_->listeners) {
        out.push_back(entry.listener->Status());
    }
    return out;
}

void ApiServer::Stop() {
    {
        std::lock_guard lock(impl_->listeners_mutex);
        if (impl_->stopped) {
            return;
        }
        impl_->stopped = true;
        for (auto& [name, entry] : impl_->listeners) {
            entry.listener->Close();
        }
    }
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
    impl_->workers.join();  // commands in flight finish; their replies go nowhere
    impl_->work.reset();
    impl_->io.stop();
    for (std::thread& thread : impl_->threads) {
        thread.join();
    }
    std::lock_guard lock(impl_->listeners_mutex);
    impl_->listeners.clear();
}

}  // namespace certos::net
