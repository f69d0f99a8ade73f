#pragma once
// HttpClient: certos's one HTTP(S) client (libcurl) for every outgoing request — CRL downloads now, ACME
// (RFC 8555) and SCEP (RFC 8894) next. Every TLS peer is verified by certos's own verification engine with
// the trust of a named service (`fetch`, `acme`, `scep`), never with the system's CA files. Each request is
// bounded in time, size and redirects. No curl or OpenSSL header here.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/verify.hpp"

namespace certos::net {

// HttpHeaders is an ordered list of header fields. Names compare case-insensitively (RFC 9110 §5.1: "Field
// names are case-insensitive"); a field that appears several times (Link in RFC 8555 §7.1) keeps every
// value, in order.
class HttpHeaders {
public:
    HttpHeaders() = default;
    HttpHeaders(std::initializer_list<std::pair<std::string, std::string>> fields) : fields_(fields) {}

    // Add appends one field (an existing one of the same name stays).
    void Add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
    // Get returns the value of the first field called `name`, or nullopt.
    std::optional<std::string> Get(std::string_view name) const;
    // GetAll returns the values of every field called `name`, in order.
    std::vector<std::string> GetAll(std::string_view name) const;
    bool Has(std::string_view name) const { return Get(name).has_value(); }
    const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

// HttpMethod is what certos sends: GET (CRLs, SCEP GetCACert), HEAD (ACME newNonce), POST (ACME JWS bodies,
// SCEP PKIOperation).
enum class HttpMethod { kGet, kHead, kPost };

// ClientRequest is one request. A POST sends `body` as it is (binary safe) with the Content-Type given in
// `headers` (none when absent). Header names and values must not hold CR or LF.
struct ClientRequest {
    HttpMethod method = HttpMethod::kGet;
    std::string url;  // http:// or https:// only
    HttpHeaders headers;
    std::string body;  // POST only
};

// ClientResponse is the final response, whatever its status (after the redirects followed). `headers` are
// those of that final response.
struct ClientResponse {
    long status = 0;
    HttpHeaders headers;
    std::string body;           // empty for HEAD
    std::string effective_url;  // the URL that answered (after redirects)

    bool ok() const { return status >= 200 && status <= 299; }
};

// ClientLimits bound one request, so that a slow, hanging or huge endpoint costs at most this much.
struct ClientLimits {
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds total_timeout{10000};
    std::size_t max_body_bytes = 10u << 20;  // 10 MiB
    int max_redirects = 3;                   // 0: a redirect is refused (an error), not followed
};

// ConnectTo sends connections for host:port to address:to_port instead (libcurl's CURLOPT_CONNECT_TO), while
// the URL, the Host header, TLS SNI and the certificate name check still use `host`. Tests use it to reach
// https://acme.test/ on a loopback server. An IPv6 address is written in brackets ("[::1]").
struct ConnectTo {
    std::string host;
    std::uint16_t port = 0;
    std::string address;
    std::uint16_t to_port = 0;
};

// ClientOptions are an HttpClient's settings.
struct ClientOptions {
    ClientLimits limits;
    std::vector<ConnectTo> connect_to;
};

// TrustSource gives the TLS trust of a named service. trust::StoreTrust reads it from the store
// (trust::LoadTrust); FixedTrust holds one. Implementations must be safe to call from several threads.
class TrustSource {
public:
    virtual ~TrustSource() = default;
    // TrustFor returns what a TLS server is verified with for `service` ("fetch", "acme", "scep"). May throw
    // core::Error; the request then fails with that reason.
    virtual crypto::TrustSettings TrustFor(std::string_view service) const = 0;
};

// FixedTrust is a TrustSource that answers the same settings for every service.
class FixedTrust final : public TrustSource {
public:
    explicit FixedTrust(crypto::TrustSettings trust) : trust_(std::move(trust)) {}
    crypto::TrustSettings TrustFor(std::string_view) const override { return trust_; }

private:
    crypto::TrustSettings trust_;
};

// HttpClient sends requests for one service. For https (also after a redirect) the server's chain is
// verified with trust.TrustFor(service) — asked for each TLS connection, so trust changed in the store
// applies to the next connection — with purpose tls-server, and its name against the URL's host (or
// address). Proxies from the environment (http_proxy, https_proxy, no_proxy) apply. The TrustSource must
// outlive the client. Send is const and thread-safe: each call uses its own libcurl handle.
class HttpClient {
public:
    HttpClient(std::string service, const TrustSource& trust, ClientOptions options = {});

    // Send performs `request` and returns the final response, whatever its status: a 4xx or 5xx with a
    // problem document (RFC 7807) is returned, not thrown. Throws core::Error (kFailure) "failure: <action>
    // <url>: <reason>" (action "fetching" for GET, "HEAD", "posting to") on a bad URL or header, a DNS,
    // connection or TLS failure (with the verification engine's reason), a timeout, a body over
    // max_body_bytes, a redirect when max_redirects is 0, more than max_redirects redirects, or a redirect
    // to anything but http or https. A POST redirected by 301, 302 or 303 continues as a GET without the
    // body (RFC 9110 §15.4); 307 and 308 send the POST again. The request's header fields go along.
    ClientResponse Send(const ClientRequest& request) const;

    // Get, Head and Post are Send for the usual cases.
    ClientResponse Get(std::string url, HttpHeaders headers = {}) const;
    ClientResponse Head(std::string url, HttpHeaders headers = {}) const;
    ClientResponse Post(std::string url, std::string body, std::string_view content_type,
                        HttpHeaders headers = {}) const;

    const std::string& service() const { return service_; }
    const ClientOptions& options() const { return options_; }

private:
    std::string service_;
    const TrustSource* trust_;
    ClientOptions options_;
};

// RequireSuccess returns `response` when its status is 2xx; otherwise throws core::Error (kFailure)
// "failure: fetching <url>: the server answered HTTP <status>" (for callers such as the CRL download that
// want the body or an error). `url` is the requested URL.
ClientResponse RequireSuccess(ClientResponse response, std::string_view url);

}  // namespace certos::net
