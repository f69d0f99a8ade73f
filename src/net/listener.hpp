#pragma once
// The listeners of `/ip service` as both servers of net/ see them: HttpServer (www, www-ssl) and ApiServer (api,
// api-ssl) bind, rebind, check addresses, count sessions and stop through one ListenerSet. Boost-free: the Asio
// side is net/listener_core.hpp, internal to net/.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// ListenerOptions are the settings both servers' listeners share.
struct ListenerOptions {
    std::size_t io_threads = 2;
    // AddressAllowed decides whether `address` is inside `allowed_from` (a listener's prefix list). Unset:
    // every client is allowed.
    std::function<bool(std::string_view allowed_from, std::string_view address)> address_allowed;
    // OnError receives internal errors (a handler that threw something unexpected, an accept failure) for
    // the log. Never given request bodies or credentials.
    std::function<void(std::string_view message)> on_error;
};

class ListenerCore;  // net/listener_core.hpp

// ListenerSet is the base of HttpServer and ApiServer: their named listeners and the io threads that serve
// them. A connection that arrives is checked against the listener's `/ip service address` and its session
// budget, then handed to the server (ListenerCore::SetAcceptHandler). Not copyable.
class ListenerSet {
public:
    ListenerSet(const ListenerSet&) = delete;
    ListenerSet& operator=(const ListenerSet&) = delete;

    // Reconfigure makes the running listeners match `listeners`: opens new ones, closes those no longer
    // listed, rebinds those whose address, port or plain/TLS kind changed, and for TLS listeners whose
    // certificate, key or TLS version changed swaps the TLS context, so that new connections get the new
    // certificate while open ones continue. Returns one message per listener that could not be opened or
    // whose TLS settings were rejected (that listener keeps its previous state, or stays closed). Safe to
    // call from any thread; not concurrently with itself. After Stop it does nothing.
    std::vector<std::string> Reconfigure(const std::vector<ListenerConfig>& listeners);

    // Listeners returns the open listeners with their bound ports.
    std::vector<ListenerStatus> Listeners() const;

    // Stop closes every listener and connection and joins the threads. Idempotent; the destructors of the
    // servers call it.
    void Stop();

protected:
    explicit ListenerSet(const ListenerOptions& options);
    ~ListenerSet();  // not virtual: the servers are final, never deleted through their ListenerSet

    ListenerCore& core() const { return *core_; }

    // OnListenersClosed runs in Stop once no listener accepts any more, while the io threads still run.
    virtual void OnListenersClosed() {}
    // OnIoStopped runs in Stop after the io threads ended.
    virtual void OnIoStopped() {}

private:
    std::unique_ptr<ListenerCore> core_;
};

}  // namespace certos::net
