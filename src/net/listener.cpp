// ListenerSet and ListenerCore on Boost.Asio. Each listener accepts on its own strand and gives every accepted
// connection a strand of its own; what the connection speaks is the server's (AcceptHandler).

#include "net/listener.hpp"

#include <algorithm>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "net/listener_core.hpp"
#include "net/tls_context.hpp"

namespace certos::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

std::string ClientAddress(const tcp::endpoint& endpoint) {
    asio::ip::address address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
    }
    return address.to_string();
}

bool SameBinding(const ListenerConfig& a, const ListenerConfig& b) {
    return a.bind_address == b.bind_address && a.port == b.port && a.tls.has_value() == b.tls.has_value();
}

}  // namespace

// Listener is one bound acceptor. Its settings that can change without rebinding (TLS context, allowed
// addresses, max-sessions) are read under a mutex when a connection arrives.
class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(ListenerCore& core, const ListenerConfig& config, std::shared_ptr<ssl::context> tls)
        : core_(core),
          strand_(asio::make_strand(core.io())),
          acceptor_(strand_),
          config_(config),
          tls_(std::move(tls)),
          budget_({config.max_sessions, config.max_unauthenticated}) {}

    // Open binds and listens; throws boost::system::system_error when it cannot.
    void Open() {
        asio::ip::address address = asio::ip::make_address(config_.bind_address);
        try {
            OpenAt(tcp::endpoint(address, config_.port));
        } catch (const boost::system::system_error&) {
            if (!(address.is_v6() && address.is_unspecified())) {
                throw;
            }
            // No IPv6 on this host: listen on every IPv4 address instead.
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
        acceptor_.async_accept(
            asio::make_strand(core_.io()),
            [self = shared_from_this()](error_code ec, tcp::socket socket) { self->OnAccept(ec, std::move(socket)); });
    }

    void OnAccept(error_code ec, tcp::socket socket) {
        if (!acceptor_.is_open()) {
            return;
        }
        if (ec) {
            core_.Error("accepting on " + config_.name + ": " + ec.message());
            // Out of descriptors, for example: try again shortly instead of spinning.
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
        const auto& allowed = core_.options().address_allowed;
        if (!allowed_from.empty() && allowed && !allowed(allowed_from, address)) {
            return;  // outside `/ip service address`: closed without a word, as a router does
        }
        std::shared_ptr<SessionBudget::Ticket> ticket = budget_.Admit();
        if (!ticket) {
            return;  // max-sessions reached, or every place before login is being served
        }
        socket.set_option(tcp::no_delay(true), ec);
        if (core_.accept_handler()) {
            core_.accept_handler()(
                Accepted{std::move(socket), std::move(tls), std::move(address), config_.name, std::move(ticket)});
        }
    }

    ListenerCore& core_;  // outlives its listeners: it joins the io threads before it goes
    asio::strand<asio::io_context::executor_type> strand_;
    tcp::acceptor acceptor_;
    mutable std::mutex mutex_;
    ListenerConfig config_;
    std::shared_ptr<ssl::context> tls_;
    tcp::endpoint bound_;
    SessionBudget budget_;
};

ListenerCore::ListenerCore(ListenerOptions options)
    : options_(std::move(options)),
      io_(static_cast<int>(std::max<std::size_t>(1, options_.io_threads))),
      work_(asio::make_work_guard(io_)) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.io_threads); ++i) {
        threads_.emplace_back([this] { io_.run(); });
    }
}

ListenerCore::~ListenerCore() {
    Close();
    StopIo();
}

void ListenerCore::Error(std::string_view message) const {
    if (options_.on_error) {
        options_.on_error(message);
    }
}

std::vector<std::string> ListenerCore::Reconfigure(const std::vector<ListenerConfig>& wanted) {
    std::vector<std::string> errors;
    std::lock_guard lock(mutex_);
    if (closed_) {
        return errors;
    }
    for (auto it = listeners_.begin(); it != listeners_.end();) {
        bool kept = std::any_of(wanted.begin(), wanted.end(), [&](const auto& c) { return c.name == it->first; });
        if (!kept) {
            it->second.listener->Close();
            it = listeners_.erase(it);
        } else {
            ++it;
        }
    }
    for (const ListenerConfig& config : wanted) {
        auto existing = listeners_.find(config.name);
        if (existing != listeners_.end() && existing->second.config == config) {
            continue;
        }
        // A TLS listener gets a fresh context whenever its configuration changed: for a new binding, and for
        // the same binding only when the credentials or version changed (then swapped in place below).
        std::shared_ptr<ssl::context> tls;
        bool same_binding = existing != listeners_.end() && SameBinding(existing->second.config, config);
        if (config.tls && (!same_binding || existing->second.config.tls != config.tls)) {
            try {
                tls = MakeServerContext(*config.tls);
            } catch (const std::exception& e) {
                errors.push_back(config.name + ": " + e.what());
                continue;  // keep what runs now
            }
        }
        if (same_binding) {
            existing->second.listener->Update(config, tls);
            existing->second.config = config;
            continue;
        }
        if (existing != listeners_.end()) {
            existing->second.listener->Close();
            listeners_.erase(existing);
        }
        auto listener = std::make_shared<Listener>(*this, config, tls);
        try {
            listener->Open();
        } catch (const std::exception& e) {
            errors.push_back(config.name + ": cannot listen on " + config.bind_address + " port " +
                             std::to_string(config.port) + ": " + e.what());
            continue;
        }
        listeners_.emplace(config.name, Entry{config, std::move(listener)});
    }
    return errors;
}

std::vector<ListenerStatus> ListenerCore::Listeners() const {
    std::lock_guard lock(mutex_);
    std::vector<ListenerStatus> out;
    for (const auto& [name, entry] : listeners_) {
        out.push_back(entry.listener->Status());
    }
    return out;
}

bool ListenerCore::Close() {
    std::lock_guard lock(mutex_);
    if (closed_) {
        return false;
    }
    closed_ = true;
    for (auto& [name, entry] : listeners_) {
        entry.listener->Close();
    }
    return true;
}

void ListenerCore::StopIo() {
    work_.reset();
    io_.stop();
    for (std::thread& thread : threads_) {
        if (thread.joinable()) {
            thread.join();
        }
    }
    std::lock_guard lock(mutex_);
    listeners_.clear();
}

WorkerPools::WorkerPools(std::size_t quick_threads, std::size_t slow_threads)
    : quick(std::max<std::size_t>(1, quick_threads)), slow(std::max<std::size_t>(1, slow_threads)) {}

void WorkerPools::Join() {
    quick.join();
    slow.join();
}

ListenerSet::ListenerSet(const ListenerOptions& options) : core_(std::make_unique<ListenerCore>(options)) {}

ListenerSet::~ListenerSet() = default;  // the server called Stop; ~ListenerCore closes what is left

std::vector<std::string> ListenerSet::Reconfigure(const std::vector<ListenerConfig>& listeners) {
    return core_->Reconfigure(listeners);
}

std::vector<ListenerStatus> ListenerSet::Listeners() const { return core_->Listeners(); }

void ListenerSet::Stop() {
    if (!core_->Close()) {
        return;
    }
    OnListenersClosed();
    core_->StopIo();
    OnIoStopped();
}

}  // namespace certos::net
