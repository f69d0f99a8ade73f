#pragma once
// Sender: the one place where ACME requests go out (lego's internal/sender and nonce manager): the
// directory, a pool of nonces refilled from every response's Replay-Nonce, JWS-signed POSTs, and the retry of
// a badNonce with the fresh nonce the refusal carries (RFC 8555 §6.5: "the client ... SHOULD retry the
// request using the new nonce"), so that a badNonce is never surfaced. Problem documents become AcmeError.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acme/problem.hpp"
#include "crypto/key.hpp"
#include "net/http_client.hpp"

namespace certos::acme {

// Directory is the server's directory object (§7.1.1).
struct Directory {
    std::string new_nonce;
    std::string new_account;
    std::string new_order;
    std::string revoke_cert;
    std::string renewal_info;  // RFC 9773; empty when the server offers no ARI
    bool external_account_required = false;
};

// Reply is a successful (2xx) answer: status, headers, body and the body as JSON (null when not JSON).
struct Reply {
    long status = 0;
    net::HttpHeaders headers;
    std::string body;
    nlohmann::json json;

    std::string Location() const { return headers.Get("Location").value_or(""); }
};

// kMaxBadNonceRetries is how often one request is sent again after badNonce before the error is given up:
// with half of all nonces rejected (pebble's PEBBLE_WFE_NONCEREJECT=50) ten retries fail once in 2000.
inline constexpr int kMaxBadNonceRetries = 10;

class Sender {
public:
    // Sender talks to the server whose directory is at `directory_url` through `http` (which must outlive it).
    Sender(const net::HttpClient& http, std::string directory_url);

    // GetDirectory fetches the directory once. Throws core::Error (kFailure) "ACME directory URL: ..." when
    // the URL does not answer or does not hold a directory.
    const Directory& GetDirectory();

    // Post sends `payload` (empty: POST-as-GET) to `url` signed with `key`, with `kid` (empty: the key's JWK).
    // Returns a 2xx reply; throws AcmeError for a problem document (badNonce after kMaxBadNonceRetries), and
    // core::Error for a transport failure.
    Reply Post(const std::string& url, const std::string& payload, const crypto::PrivateKey& key,
               const std::string& kid);

    // Get is a plain GET (the directory; ARI's renewalInfo, §4.1 of RFC 9773, is fetched without JWS).
    net::ClientResponse Get(const std::string& url);

    // requests counts the HTTP requests sent (for tests and the benchmark); bad_nonces the refusals retried.
    int requests() const { return requests_; }
    int bad_nonces() const { return bad_nonces_; }

private:
    std::string TakeNonce();
    void KeepNonce(const net::HttpHeaders& headers);

    const net::HttpClient* http_;
    std::string directory_url_;
    std::optional<Directory> directory_;
    std::mutex mutex_;
    std::vector<std::string> nonces_;
    int requests_ = 0;
    int bad_nonces_ = 0;
};

// ProblemOf reads the problem document of a non-2xx response (a body that is not one still gives a problem
// with the HTTP status).
Problem ProblemOf(const net::ClientResponse& response);
// ProblemFromJson reads a problem document that came inside another object (a challenge's "error").
Problem ProblemFromJson(const nlohmann::json& json, long status);

}  // namespace certos::acme
