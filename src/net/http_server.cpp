// HttpServer on Boost.Asio/Beast. Listeners accept on their own strand; each connection runs on a strand of
// its own (reads, writes, timers), and every request is handed to the worker pool so a handler that blocks
// (a key generation, a slow SQLite write) never holds up the io threads or other clients.

#include "net/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "net/http_server_parse.hpp"
#include "net/listener_core.hpp"
#include "net/session_budget.hpp"

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

// Core is what every connection needs from the server; connections share it, so it outlives the server
// object's teardown of listeners.
struct RouteEntry {
    HttpHandler handler;
    SlowRequest slow;
};

struct Core {
    ServerOptions options;
    WorkerPools* pools = nullptr;
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
            return pools->quick;
        }
        try {
            return route->slow(request) ? pools->slow : pools->quick;
        } catch (...) {
            return pools->quick;  // the handler will say what is wrong with the request
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
        ConfigureParser(*parser_, core_->options);
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
        bool keep_alive = message.keep_alive();
        bool head = message.method() == http::verb::head;
        unsigned version = message.version();
        HttpRequest request = ToHttpRequest(std::move(message));
        request.connection = connection_;
        std::shared_ptr<const RouteEntry> route = core_->Find(request.path);
        asio::thread_pool& pool = core_->PoolFor(route.get(), request);
        asio::post(pool, [self = Self().shared_from_this(), route = std::move(route), request = std::move(request),
                          keep_alive, head, version]() mutable {
            HttpResponse response = self->core_->Serve(route.get(), request);
            if (response.stream) {
                return self->Stream(std::move(response), keep_alive, head, version);  // here, on the worker
            }
            asio::post(self->Tcp().get_executor(),
                       [self, response = std::move(response), keep_alive, head, version]() mutable {
                           if (response.delay > std::chrono::milliseconds::zero()) {
                               return self->WriteLater(std::move(response), keep_alive, head, version);
                           }
                           self->Write(std::move(response), keep_alive, head, version, false);
                       });
        });
    }

    // Chunked is the writer of a streamed response (HttpResponse::stream), used on the worker thread: it gathers
    // what the producer writes into parts of kPartBytes and writes each, once the header went out, as one chunk
    // on the connection's strand, waiting for that write to finish (the client's pace bounds the memory).
    class Chunked final : public BodyWriter {
    public:
        static constexpr std::size_t kPartBytes = 64 * 1024;

        Chunked(std::shared_ptr<Derived> self, HttpResponse response, bool keep_alive, bool head, unsigned version)
            : self_(std::move(self)),
              response_(std::move(response)),
              keep_alive_(keep_alive && !response_.close),
              head_(head),
              version_(version) {}

        void Write(std::string_view bytes) override {
            if (cut_) {
                throw std::runtime_error("the client went away");
            }
            if (replacement_) {
                return;
            }
            buffer_.append(bytes);
            if (buffer_.size() >= kPartBytes && !head_) {
                Flush();
            }
        }
        bool Sent() const override { return sent_; }
        bool Cut() const { return cut_; }
        void Replace(HttpResponse response) override {
            if (sent_) {
                cut_ = true;
                return;
            }
            replacement_ = std::move(response);
            buffer_.clear();
        }
        // Fail is an exception of the producer: a 500 while nothing was sent, else the cut connection.
        void Fail() { Replace(MakeResponse(500, ErrorBody(500, "failure: internal error"))); }

        // Finish sends what is left: the whole response when nothing was sent yet, else the last part and the
        // last chunk (or nothing more, when the response is cut), and lets the connection go on or close.
        void Finish() {
            if (!sent_) {
                HttpResponse out = replacement_ ? std::move(*replacement_) : std::move(response_);
                if (!replacement_) {
                    out.body = std::move(buffer_);
                }
                asio::post(self_->Tcp().get_executor(), [self = self_, out = std::move(out), keep_alive = keep_alive_,
                                                         head = head_, version = version_]() mutable {
                    self->Write(std::move(out), keep_alive, head, version, false);
                });
                return;
            }
            if (!cut_) {
                try {
                    Flush();
                    Send([](auto& stream, auto done) { asio::async_write(stream, http::make_chunk_last(), done); });
                } catch (const std::runtime_error&) {
                    cut_ = true;
                }
            }
            asio::post(self_->Tcp().get_executor(),
                       [self = self_, cut = cut_, close = !keep_alive_] { self->EndStream(cut, close); });
        }

    private:
        void Flush() {
            if (!sent_) {
                auto header = std::make_shared<http::response<http::empty_body>>(
                    static_cast<http::status>(response_.status), version_);
                if (!response_.content_type.empty()) {
                    header->set(http::field::content_type, response_.content_type);
                }
                for (const auto& [name, value] : response_.headers) {
                    header->insert(name, value);
                }
                header->keep_alive(keep_alive_);
                header->chunked(true);
                auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*header);
                sent_ = true;
                Send([header, serializer](auto& stream, auto done) {
                    http::async_write_header(stream, *serializer,
                                             [header, serializer, done](error_code ec, std::size_t n) { done(ec, n); });
                });
            }
            if (buffer_.empty()) {
                return;
            }
            auto part = std::make_shared<std::string>(std::move(buffer_));
            buffer_.clear();
            Send([part](auto& stream, auto done) {
                asio::async_write(stream, http::make_chunk(asio::buffer(*part)),
                                  [part, done](error_code ec, std::size_t n) { done(ec, n); });
            });
        }

        // Send runs `write` (an asynchronous write given the stream and its completion) on the connection's
        // strand and waits for it; a failed write (the client went away, the write timed out) cuts the response.
        template <class WriteOp>
        void Send(WriteOp write) {
            auto done = std::make_shared<std::promise<error_code>>();
            std::future<error_code> result = done->get_future();
            asio::post(self_->Tcp().get_executor(), [self = self_, write, done]() mutable {
                self->Tcp().expires_after(
                    std::max<std::chrono::milliseconds>(self->core_->options.read_timeout, std::chrono::seconds(5)));
                write(self->Self().stream(), [self, done](error_code ec, std::size_t) {
                    self->Tcp().expires_never();
                    done->set_value(ec);
                });
            });
            if (result.get()) {
                cut_ = true;
                throw std::runtime_error("the client went away");
            }
        }

        std::shared_ptr<Derived> self_;
        HttpResponse response_;
        bool keep_alive_;
        bool head_;
        unsigned version_;
        std::string buffer_;
        bool sent_ = false;
        bool cut_ = false;
        std::optional<HttpResponse> replacement_;
    };

    // Stream produces a streamed response on this worker thread (HttpResponse::stream).
    void Stream(HttpResponse response, bool keep_alive, bool head, unsigned version) {
        std::function<void(BodyWriter&)> produce = std::move(response.stream);
        response.stream = nullptr;
        Chunked writer(Self().shared_from_this(), std::move(response), keep_alive, head, version);
        try {
            produce(writer);
        } catch (const std::exception& e) {
            if (!writer.Cut()) {  // else the client went away: nothing to report
                core_->Error(std::string("internal error streaming a response: ") + e.what());
            }
            writer.Fail();
        } catch (...) {
            core_->Error("internal error streaming a response");
            writer.Fail();
        }
        writer.Finish();
    }

    // EndStream follows the last chunk of a streamed response (on the strand): the connection reads the next
    // request, closes, or is cut when the response could not be completed.
    void EndStream(bool cut, bool close) {
        if (busy_) {
            busy_ = false;
            ticket_->Idle();
        }
        if (cut) {
            error_code ignored;
            Tcp().socket().close(ignored);
            return;
        }
        if (close) {
            return Self().DoClose();
        }
        DoRead();
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

    void SendError(int status, const std::string& detail, bool linger) {
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
    std::optional<RequestParser> parser_;
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

}  // namespace

struct HttpServer::Impl {
    explicit Impl(ServerOptions options)
        : core(std::make_shared<Core>()), pools(options.worker_threads, options.slow_worker_threads) {
        core->options = std::move(options);
        core->pools = &pools;
    }

    // Accept starts serving a connection that a listener admitted.
    void Accept(Accepted accepted) const {
        auto connection = std::make_shared<Connection>(core->next_connection_id.fetch_add(1), accepted.address,
                                                       accepted.service, accepted.tls != nullptr);
        connection->SetAuthenticatedHook([weak = std::weak_ptr(accepted.ticket)] {
            if (auto held = weak.lock()) {
                held->MarkAuthenticated();
            }
        });
        if (accepted.tls) {
            Start(std::make_shared<TlsSession>(std::move(accepted.socket), std::move(accepted.tls), core,
                                               std::move(connection), accepted.ticket),
                  *accepted.ticket);
        } else {
            Start(std::make_shared<PlainSession>(std::move(accepted.socket), core, std::move(connection),
                                                 accepted.ticket),
                  *accepted.ticket);
        }
    }

    template <class S>
    static void Start(const std::shared_ptr<S>& session, SessionBudget::Ticket& ticket) {
        ArmEviction(ticket, session, session->stream().get_executor(), &S::Evict);
        session->Run();
    }

    std::shared_ptr<Core> core;
    WorkerPools pools;
};

HttpServer::HttpServer(ServerOptions options)
    : ListenerSet(options), impl_(std::make_unique<Impl>(std::move(options))) {
    core().SetAcceptHandler([impl = impl_.get()](Accepted accepted) { impl->Accept(std::move(accepted)); });
}

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

// OnIoStopped lets the handlers in flight finish; their replies go nowhere.
void HttpServer::OnIoStopped() { impl_->pools.Join(); }

}  // namespace certos::net
