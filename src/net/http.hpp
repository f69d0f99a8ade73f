#pragma once
// The HTTP layer's request and response as modules see them (REST, CRL, SCEP, ACME challenges, metrics, web
// UI). Boost-free: modules include this, never Beast.

#include <any>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certos::net {

// Connection is one client connection (a keep-alive connection carries several requests). The server
// serves its requests one at a time, so modules may keep per-connection state in it (REST keeps the
// session it authenticated) without further locking; `state` is still guarded for safety.
class Connection {
public:
    Connection(std::uint64_t id, std::string remote_address, std::string listener, bool tls)
        : id_(id), remote_address_(std::move(remote_address)), listener_(std::move(listener)), tls_(tls) {}

    std::uint64_t id() const { return id_; }
    // remote_address is the client's IP address as text (IPv4-mapped IPv6 addresses shown as IPv4).
    const std::string& remote_address() const { return remote_address_; }
    // listener is the name of the listener that accepted it ("www", "www-ssl").
    const std::string& listener() const { return listener_; }
    bool tls() const { return tls_; }

    // MarkAuthenticated records that a client logged in on this connection (REST calls it after a successful
    // login): from then on the connection counts against its listener's max-sessions instead of the small
    // budget of connections that have not logged in yet, and gets read_timeout instead of login_timeout.
    // Idempotent; any thread.
    void MarkAuthenticated() {
        if (!authenticated_.exchange(true) && on_authenticated_) {
            on_authenticated_();
        }
    }
    bool authenticated() const { return authenticated_.load(); }
    // SetAuthenticatedHook is for the server: what MarkAuthenticated does, set before the first request.
    void SetAuthenticatedHook(std::function<void()> hook) { on_authenticated_ = std::move(hook); }

    // Get returns the module state stored under `key`, or nullptr when there is none (or of another type).
    template <typename T>
    std::shared_ptr<T> Get(const std::string& key) const {
        std::lock_guard lock(mutex_);
        auto it = state_.find(key);
        if (it == state_.end()) {
            return nullptr;
        }
        auto* value = std::any_cast<std::shared_ptr<T>>(&it->second);
        return value == nullptr ? nullptr : *value;
    }
    template <typename T>
    void Put(const std::string& key, std::shared_ptr<T> value) {
        std::lock_guard lock(mutex_);
        state_[key] = std::move(value);
    }

private:
    std::uint64_t id_;
    std::string remote_address_;
    std::string listener_;
    bool tls_;
    std::atomic<bool> authenticated_{false};
    std::function<void()> on_authenticated_;
    mutable std::mutex mutex_;
    std::map<std::string, std::any> state_;
};

// HttpRequest is one parsed request. `path` and `query` are the raw (still percent-encoded) parts of the
// target, so that a module can tell an encoded `%2F` inside a name from a path separator.
struct HttpRequest {
    std::string method;  // "GET", "PUT", ...
    std::string target;  // "/rest/certificate?name=x"
    std::string path;    // "/rest/certificate"
    std::string query;   // "name=x" (without '?'), empty when absent
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::shared_ptr<Connection> connection;

    // Header returns the first header of that name (case-insensitive), or nullopt.
    std::optional<std::string_view> Header(std::string_view name) const;
};

class BodyWriter;

// HttpResponse is what a handler returns. The server adds Content-Length and keep-alive handling.
struct HttpResponse {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    bool close = false;  // close the connection after this response
    // delay holds the response back this long (a refused login: a guessing client gets its answers slowly,
    // without a worker thread waiting for it).
    std::chrono::milliseconds delay{0};
    // stream, when set, produces the body (instead of `body`): the server calls it on the worker thread once
    // the handler has returned, and sends what it writes with this status and headers. A body that fits in
    // one part goes out as an ordinary response (Content-Length); a longer one as
    // `Transfer-Encoding: chunked`, part by part as it is written, the writer waiting for the client to take
    // each part (memory stays bounded). See BodyWriter for errors.
    std::function<void(BodyWriter& out)> stream;
};

// BodyWriter receives a streamed response's body (HttpResponse::stream).
class BodyWriter {
public:
    virtual ~BodyWriter() = default;
    // Write appends to the body. It may block while the client takes earlier parts; when the client went away
    // it throws std::runtime_error, which ends the producer (the server closes the connection).
    virtual void Write(std::string_view bytes) = 0;
    // Sent tells whether part of the body left already: from then on the status cannot change.
    virtual bool Sent() const = 0;
    // Replace answers `response` instead of what was written, when nothing was Sent (an error found before the
    // first part left). Once something was sent, it cannot: the server then cuts the connection without the
    // chunked body's last chunk, so that the client sees an incomplete response, never a complete-looking one.
    virtual void Replace(HttpResponse response) = 0;
};

// Collected runs a streamed response's producer into its body (what a client would read of it, or the response
// it Replaced itself with); a response without one is returned as it is. For callers in the same process.
HttpResponse Collected(HttpResponse response);

// MakeResponse is a JSON response with the given status and body.
inline HttpResponse MakeResponse(int status, std::string body) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

// ReasonPhrase is the standard reason phrase of an HTTP status ("Bad Request"), "Unknown" for others.
std::string_view ReasonPhrase(int status);

// ErrorBody is the RouterOS-style JSON error body: {"error":<status>,"message":"<reason>"[,"detail":...]}.
std::string ErrorBody(int status, std::string_view detail = {});

// PercentDecode decodes %XX escapes (and, when `plus_is_space`, '+' as a space, for query strings).
// Returns nullopt for a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);

// PercentEncode escapes every byte but RFC 3986's unreserved characters (ALPHA DIGIT - . _ ~) as %XX, for a
// query value (SCEP's GET message, which is base64 with + / =).
std::string PercentEncode(std::string_view text);

// ParseQuery splits "a=1&b=x%20y" into decoded (name, value) pairs in order; a name without '=' gets an
// empty value. Returns nullopt when an escape is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

// BasicCredentials is what an `Authorization: Basic` header carries.
struct BasicCredentials {
    std::string user;
    std::string password;
};

// ParseBasicAuth decodes an Authorization header value ("Basic dXNlcjpwYXNz", RFC 7617); nullopt when it is
// not Basic, not valid base64 or has no ':'.
std::optional<BasicCredentials> ParseBasicAuth(std::string_view header_value);

}  // namespace certos::net
