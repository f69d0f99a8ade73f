// HttpServer on Boost.Asio/Beast. Listeners accept on their own strand; each connection runs on a strand of
// its own (reads, writes, timers), and every request is handed to the worker pool so a handler that blocks
// (a key generation, a slow SQLite write) never holds up the io threads or other clients.

#include "net/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "net/session_budget.hpp"
#include "net/tls_context.hpp"

namespace certos::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// How long a connection that is being closed after an error may keep sending (the rest of an oversized
// body) before it is cut: reading it lets the client finish its send and see our response.
constexpr std::chrono::seconds kLingerTime{3};
constexpr std::size_t kLingerBytes = 64 * 1024 * 1024;

std::string ClientAddress(const tcp::endpoint& endpoint) {
    asio::ip::address address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
    }
    return address.to_string();
}

// Core is what every connection needs from the server; connections share it, so it outlives the server
// object's teardown of listeners.
struct RouteEntry {
    HttpHandler handler;
    SlowRequest slow;
};

struct Core {
    ServerOptions options;
    asio::thread_pool* workers = nullptr;
    asio::thread_pool* slow_workers = nullptr;
    mutable std::atomic<std::uint64_t> next_connection_id{1};

    mutable std::shared_mutex routes_mutex;
    // Longest prefix first.
    std::vector<std::pair<std::string, std::shared_ptr<const RouteEntry>>> routes;

    void Error(std::string_view message) const {
        if (options.on_error) {
            options.on_error(message);
        }
    }

    std::shared_ptr<const RouteEntry> Find(const std::string& path) const {
        std::shared_lock lock(routes_mutex);
        for (const auto& [prefix, candidate] : routes) {
            if (path.starts_with(prefix)) {
                return candidate;
            }
        }
        return nullptr;
    }

    // PoolFor is where `request` runs: the pool of slow requests when its route says it may take long.
    asio::thread_pool& PoolFor(const RouteEntry* route, const HttpRequest& request) const {
        if (route == nullptr || !route->slow) {
            return *workers;
        }
        try {
            return route->slow(request) ? *slow_workers : *workers;
        } catch (...) {
            return *workers;  // the handler will say what is wrong with the request
        }
    }

    HttpResponse Serve(const RouteEntry* route, const HttpRequest& request) const {
        if (route == nullptr) {
            return MakeResponse(404, ErrorBody(404));
        }
        try {
            return route->handler(request);
        } catch (const std::exception& e) {
            Error("internal error serving " + request.method + " " + request.path + ": " + e.what());
        } catch (...) {
            Error("internal error serving " + request.method + " " + request.path);
        }
        return MakeResponse(500, ErrorBody(500, "failure: internal error"));
    }
};

// Session is one HTTP connection; Derived provides stream() and the way to close it (plain or TLS), as in
// Beast's own advanced server example.
template <class Derived>
class Session {
public:
    Session(std::shared_ptr<const Core> core, std::shared_ptr<Connection> connection,
            std::shared_ptr<SessionBudget::Ticket> ticket, const asio::any_io_executor& executor)
        : core_(std::move(core)), connection_(std::move(connection)), ticket_(std::move(ticket)), timer_(executor) {}

    // Evict closes an unauthenticated connection whose place a newcomer took (SessionBudget).
    void Evict() {
        evicted_ = true;
        timer_.cancel();
        error_code ignored;
        Tcp().socket().close(ignored);
    }

protected:
    Derived& Self() { return static_cast<Derived&>(*this); }
    beast::tcp_stream& Tcp() { return beast::get_lowest_layer(Self().stream()); }

    // ReadTimeout is how long the next request (or the TLS handshake) may take: shorter before a login.
    std::chrono::milliseconds ReadTimeout() const {
        const ServerOptions& options = core_->options;
        return connection_->authenticated() ? options.read_timeout
                                            : std::min(options.read_timeout, options.login_timeout);
    }

    void DoRead() {
        parser_.emplace();
        parser_->body_limit(core_->options.max_body_bytes);
        parser_->header_limit(static_cast<std::uint32_t>(core_->options.max_header_bytes));
        timed_out_ = false;
        StartTimer(ReadTimeout());
        http::async_read_header(Self().stream(), buffer_, *parser_,
                                beast::bind_front_handler(&Session::OnHeader, Self().shared_from_this()));
    }

    void StartTimer(std::chrono::milliseconds timeout) {
        timer_.expires_after(timeout);
        timer_.async_wait([self = Self().shared_from_this()](error_code ec) {
            if (!ec) {
                self->timed_out_ = true;
                self->Tcp().cancel();
            }
        });
    }

    void OnHeader(error_code ec, std::size_t) {
        if (ec) {
            return OnReadError(ec);
        }
        if (parser_->is_done()) {
            return OnRequest();
        }
        // RFC 9110 §10.1.1: a client that sent "Expect: 100-continue" waits for the interim response.
        auto expect = parser_->get()[http::field::expect];
        if (beast::iequals(expect, "100-continue")) {
            auto interim = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
            http::async_write(Self().stream(), *interim,
                              [self = Self().shared_from_this(), interim](error_code write_ec, std::size_t) {
                                  if (write_ec) {
                                      return self->OnReadError(write_ec);
                                  }
                                  self->ReadBody();
                              });
            return;
        }
        ReadBody();
    }

    void ReadBody() {
        http::async_read(Self().stream(), buffer_, *parser_,
                         beast::bind_front_handler(&Session::OnBody, Self().shared_from_this()));
    }

    void OnBody(error_code ec, std::size_t) {
        if (ec) {
            return OnReadError(ec);
        }
        OnRequest();
    }

    void OnReadError(error_code ec) {
        timer_.cancel();
        if (evicted_) {
            return;  // dropping the session closes what is left
        }
        bool got_some = parser_ && parser_->got_some();
        if (timed_out_) {
            if (got_some) {
                return SendError(408, "request not received in time", false);
            }
            return Self().DoClose();
        }
        if (ec == http::error::body_limit) {
            return SendError(
                413, "request body larger than " + std::to_string(core_->options.max_body_bytes) + " bytes", true);
        }
        if (ec == http::error::header_limit) {
            return SendError(
                431, "request header larger than " + std::to_string(core_->options.max_header_bytes) + " bytes", false);
        }
        if (ec == asio::error::operation_aborted || ec == http::error::end_of_stream || !got_some) {
            return Self().DoClose();
        }
        SendError(400, "malformed HTTP request: " + ec.message(), false);
    }

    void OnRequest() {
        timer_.cancel();
        if (!ticket_->Busy()) {
            return;  // evicted: the socket is closed
        }
        busy_ = true;
        http::request<http::string_body> message = parser_->release();
        HttpRequest request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        std::size_t question = request.target.find('?');
        request.path = request.target.substr(0, question);
        request.query = question == std::string::npos ? std::string() : request.target.substr(question + 1);
        for (const auto& field : message) {
            request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        request.body = std::move(message.body());
        request.connection = connection_;
        bool keep_alive = message.keep_alive();
        bool head = message.method() == http::verb::head;
        unsigned version = message.version();
        std::shared_ptr<const RouteEntry> route = core_->Find(request.path);
        asio::thread_pool& pool = core_->PoolFor(route.get(), request);
        asio::post(pool, [self = Self().shared_from_this(), route = std::move(route), request = std::move(request),
                          keep_alive, head, version]() mutable {
            HttpResponse response = self->core_->Serve(route.get(), request);
            asio::post(self->Tcp().get_executor(),
                       [self, response = std::move(response), keep_alive, head, version]() mutable {
                           if (response.delay > std::chrono::milliseconds::zero()) {
                               return self->WriteLater(std::move(response), keep_alive, head, version);
                           }
                           self->Write(std::move(response), keep_alive, head, version, false);
                       });
        });
    }

    // WriteLater holds a response back for response.delay (a refused login) on the connection's own timer,
    // neither on a worker nor as busy: a newcomer may take the place of a connection whose answer waits.
    void WriteLater(HttpResponse response, bool keep_alive, bool head, unsigned version) {
        std::chrono::milliseconds delay = response.delay;
        response.delay = std::chrono::milliseconds::zero();
        if (busy_) {
            busy_ = false;
            ticket_->Idle();
        }
        timer_.expires_after(delay);
        timer_.async_wait([self = Self().shared_from_this(), response = std::move(response), keep_alive, head,
                           version](error_code ec) mutable {
            if (ec || self->evicted_) {
                return;
            }
            self->Write(std::move(response), keep_alive, head, version, false);
        });
    }

    void SendError(int status, std::string detail, bool linger) {
        HttpResponse response = MakeResponse(status, ErrorBody(status, detail));
        response.close = true;
        Write(std::move(response), false, false, 11, linger);
    }

    void Write(HttpResponse response, bool keep_alive, bool head, unsigned version, bool linger) {
        auto message =
            std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), version);
        if (!response.content_type.empty()) {
            message->set(http::field::content_type, response.content_type);
        }
        for (const auto& [name, value] : response.headers) {
            message->insert(name, value);
        }
        message->body() = std::move(response.body);
        message->keep_alive(keep_alive && !response.close);
        message->prepare_payload();
        if (head) {
            message->body().clear();  // Content-Length still tells the size of what GET would return
        }
        bool close = !message->keep_alive();
        Tcp().expires_after(std::max<std::chrono::milliseconds>(core_->options.read_timeout, std::chrono::seconds(5)));
        http::async_write(Self().stream(), *message,
                          [self = Self().shared_from_this(), message, close, linger](error_code ec, std::size_t) {
                              self->Tcp().expires_never();
                              if (self->busy_) {
                                  self->busy_ = false;
                                  self->ticket_->Idle();
                              }
                              if (ec) {
                                  return;  // the client went away; dropping the session closes the socket
                              }
                              if (linger) {
                                  return self->Linger();
                              }
                              if (close) {
                                  return self->Self().DoClose();
                              }
                              self->DoRead();
                          });
    }

    // Linger reads and discards what the client still sends (the rest of a rejected body) for a short time,
    // so that it can finish sending and read our error instead of getting a connection reset.
    void Linger() {
        Self().ShutdownSend();
        timed_out_ = false;
        StartTimer(std::chrono::duration_cast<std::chrono::milliseconds>(kLingerTime));
        DiscardSome();
    }

    void DiscardSome() {
        discard_.resize(16 * 1024);
        Self().stream().async_read_some(asio::buffer(discard_),
                                        [self = Self().shared_from_this()](error_code ec, std::size_t n) {
                                            self->discarded_ += n;
                                            if (ec || self->timed_out_ || self->discarded_ > kLingerBytes) {
                                                self->timer_.cancel();
                                                return;  // dropping the session closes the socket
                                            }
                                            self->DiscardSome();
                                        });
    }

    std::shared_ptr<const Core> core_;
    std::shared_ptr<Connection> connection_;
    std::shared_ptr<SessionBudget::Ticket> ticket_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    asio::steady_timer timer_;
    bool timed_out_ = false;
    bool busy_ = false;     // a request of it is being served (ticket_ Busy)
    bool evicted_ = false;  // a newcomer took its place before it logged in
    std::vector<char> discard_;
    std::size_t discarded_ = 0;
};

class PlainSession : public Session<PlainSession>, public std::enable_shared_from_this<PlainSession> {
public:
    PlainSession(tcp::socket&& socket, std::shared_ptr<const Core> core, std::shared_ptr<Connection> connection,
                 std::shared_ptr<SessionBudget::Ticket> ticket)
        : Session(std::move(core), std::move(connection), std::move(ticket), socket.get_executor()),
          stream_(std::move(socket)) {}

    void Run() {
        asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&PlainSession::DoRead, shared_from_this()));
    }
    beast::tcp_stream& stream() { return stream_; }
    void ShutdownSend() {
        error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    void DoClose() { ShutdownSend(); }

private:
    friend class Session<PlainSession>;
    beast::tcp_stream stream_;
};

class TlsSession : public Session<TlsSession>, public std::enable_shared_from_this<TlsSession> {
public:
    TlsSession(tcp::socket&& socket, std::shared_ptr<ssl::context> context, std::shared_ptr<const Core> core,
               std::shared_ptr<Connection> connection, std::shared_ptr<SessionBudget::Ticket> ticket)
        : Session(std::move(core), std::move(connection), std::move(ticket), socket.get_executor()),
          context_(std::move(context)),
          stream_(std::move(socket), *context_) {}

    void Run() {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            self->Tcp().expires_after(self->ReadTimeout());
            self->stream_.async_handshake(ssl::stream_base::server, [self](error_code ec) {
                self->Tcp().expires_never();
                if (!ec) {
                    self->DoRead();
                }
            });
        });
    }
    beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }
    void ShutdownSend() {}
    void DoClose() {
        Tcp().expires_after(std::chrono::seconds(2));
        stream_.async_shutdown([self = shared_from_this()](error_code) { self->Tcp().close(); });
    }

private:
    friend class Session<TlsSession>;
    std::shared_ptr<ssl::context> context_;  // before stream_: the stream uses it
    beast::ssl_stream<beast::tcp_stream> stream_;
};

// Listener is one bound acceptor. Its settings that can change without rebinding (TLS context, allowed
// addresses, max-sessions) are read under a mutex when a connection arrives.
class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& io, std::shared_ptr<const Core> core, const ListenerConfig& config,
             std::shared_ptr<ssl::context> tls)
        : io_(io),
          core_(std::move(core)),
          strand_(asio::make_strand(io)),
          acceptor_(strand_),
          config_(config),
          tls_(std::move(tls)),
          budget_({config.max_sessions, config.max_unauthenticated}) {}

    // Open binds and listens; throws boost::system::system_error when it cannot.
    void Open() {
        asio::ip::address address = asio::ip::make_address(config_.bind_address);
        tcp::endpoint endpoint(address, config_.port);
        try {
            OpenAt(endpoint);
        } catch (const boost::system::system_error& e) {
            if (!(address.is_v6() && address.is_unspecified())) {
                throw;
            }
            // No IPv6 on this host: listen on every IPv4 address instead.
            acceptor_ = tcp::acceptor(strand_);
            OpenAt(tcp::endpoint(asio::ip::address_v4::any(), config_.port));
        }
        bound_ = acceptor_.local_endpoint();
        asio::dispatch(strand_, beast::bind_front_handler(&Listener::DoAccept, shared_from_this()));
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
        acceptor_.async_accept(asio::make_strand(io_),
                               beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
    }

    void OnAccept(error_code ec, tcp::socket socket) {
        if (!acceptor_.is_open()) {
            return;
        }
        if (ec) {
            core_->Error("accepting on " + config_.name + ": " + ec.message());
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
        if (!allowed_from.empty() && core_->options.address_allowed &&
            !core_->options.address_allowed(allowed_from, address)) {
            return;  // outside `/ip service address`: closed without a word, as a router does
        }
        std::shared_ptr<SessionBudget::Ticket> ticket = budget_.Admit();
        if (!ticket) {
            return;  // max-sessions reached, or every place before login is being served
        }
        socket.set_option(tcp::no_delay(true), ec);
        auto connection =
            std::make_shared<Connection>(core_->next_connection_id.fetch_add(1), address, config_.name, tls != nullptr);
        connection->SetAuthenticatedHook([weak = std::weak_ptr(ticket)] {
            if (auto held = weak.lock()) {
                held->MarkAuthenticated();
            }
        });
        if (tls) {
            Start(std::make_shared<TlsSession>(std::move(socket), std::move(tls), core_, std::move(connection), ticket),
                  *ticket);
        } else {
            Start(std::make_shared<PlainSession>(std::move(socket), core_, std::move(connection), ticket), *ticket);
        }
    }

    template <class S>
    static void Start(const std::shared_ptr<S>& session, SessionBudget::Ticket& ticket) {
        ticket.Arm([weak = std::weak_ptr(session), executor = session->stream().get_executor()] {
            asio::post(executor, [weak] {
                if (auto held = weak.lock()) {
                    held->Evict();
                }
            });
        });
        session->Run();
    }

    asio::io_context& io_;
    std::shared_ptr<const Core> core_;
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

struct HttpServer::Impl {
    explicit Impl(ServerOptions options)
        : core(std::make_shared<Core>()),
          workers(std::max<std::size_t>(1, options.worker_threads)),
          slow_workers(std::max<std::size_t>(1, options.slow_worker_threads)),
          io(static_cast<int>(std::max<std::size_t>(1, options.io_threads))),
          work(asio::make_work_guard(io)) {
        core->options = std::move(options);
        core->workers = &workers;
        core->slow_workers = &slow_workers;
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
    asio::thread_pool slow_workers;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work;
    std::vector<std::thread> threads;
    mutable std::mutex listeners_mutex;
    std::map<std::string, Entry> listeners;
    bool stopped = false;
};

HttpServer::HttpServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(std::string prefix, HttpHandler handler, SlowRequest slow) {
    std::unique_lock lock(impl_->core->routes_mutex);
    auto& routes = impl_->core->routes;
    std::erase_if(routes, [&](const auto& route) { return route.first == prefix; });
    routes.emplace_back(std::move(prefix),
                        std::make_shared<const RouteEntry>(RouteEntry{std::move(handler), std::move(slow)}));
    std::stable_sort(routes.begin(), routes.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::vector<std::string> HttpServer::Reconfigure(const std::vector<ListenerConfig>& wanted) {
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
        // A TLS listener gets a fresh context whenever its configuration changed: for a new binding, and for
        // the same binding only when the credentials or version changed (then swapped in place below).
        std::shared_ptr<ssl::context> tls;
        bool same_binding = existing != listeners.end() && SameBinding(existing->second.config, config);
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

std::vector<ListenerStatus> HttpServer::Listeners() const {
    std::lock_guard lock(impl_->listeners_mutex);
    std::vector<ListenerStatus> out;
    for (const auto& [name, entry] : impl_->listeners) {
        out.push_back(entry.listener->Status());
    }
    return out;
}

void HttpServer::Stop() {
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
    impl_->work.reset();
    impl_->io.stop();
    for (std::thread& thread : impl_->threads) {
        thread.join();
    }
    impl_->workers.join();  // handlers in flight finish; their replies go nowhere
    impl_->slow_workers.join();
    std::lock_guard lock(impl_->listeners_mutex);
    impl_->listeners.clear();
}

}  // namespace certos::net
