#pragma once
// Client: the ACME resources of RFC 8555 on top of Sender — account (§7.3, with External Account Binding
// §7.3.4), order (§7.4), authorisations and challenges (§7.5, §8), finalize and the certificate download
// (§7.4.2), ACME Renewal Information (RFC 9773) and revocation (§7.6). Nothing about HTTP or the store here:
// challenges are answered through a ChallengeSolver, time passes through Pacing.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "acme/sender.hpp"
#include "crypto/key.hpp"

namespace certos::acme {

// ChallengeSolver answers challenges: Present makes `key_authorization` reachable for `domain` (HTTP-01:
// serve it at /.well-known/acme-challenge/<token>; DNS-01: the TXT record at _acme-challenge.<domain> with
// the base64url SHA-256 of it), CleanUp removes it. Supports says which challenge types it can answer.
class ChallengeSolver {
public:
    virtual ~ChallengeSolver() = default;
    virtual bool Supports(std::string_view type) const = 0;
    virtual void Present(std::string_view type, std::string_view domain, std::string_view token,
                         std::string_view key_authorization) = 0;
    virtual void CleanUp(std::string_view type, std::string_view domain, std::string_view token) = 0;
};

// Pacing is how the client waits for the server: the first poll after `first`, each later one twice as late
// up to `max` (a Retry-After the server sends wins, up to `max_retry_after`), and no more than `timeout`
// for one order. `sleep` waits (tests may count instead).
struct Pacing {
    std::chrono::milliseconds first{10};
    std::chrono::milliseconds max{1000};
    std::chrono::milliseconds max_retry_after{std::chrono::seconds(10)};
    std::chrono::milliseconds timeout{std::chrono::seconds(90)};
    std::function<void(std::chrono::milliseconds)> sleep;
};

// ExternalAccount is an EAB credential: the key identifier and the raw HMAC key.
struct ExternalAccount {
    std::string kid;
    std::string hmac_key;
};

// Issued is what Obtain returns: the chain as the server sent it (PEM, leaf first) and the order's URL.
struct Issued {
    std::string chain_pem;
    std::string order_url;
};

// RenewalWindow is ARI's suggestedWindow (RFC 9773 §4.2).
struct RenewalWindow {
    std::chrono::system_clock::time_point start;
    std::chrono::system_clock::time_point end;
};

// DnsChallengeValue is the TXT record value of DNS-01 (§8.4): base64url(SHA-256(key authorisation)).
std::string DnsChallengeValue(std::string_view key_authorization);

// AriCertId is a certificate's ARI identifier (RFC 9773 §4.1): base64url(AKI keyIdentifier) "."
// base64url(serial DER bytes). `akid_hex` and `serial_hex` as certos stores them.
std::string AriCertId(std::string_view akid_hex, std::string_view serial_hex);

class Client {
public:
    // Client acts for the account of `account_key` through `sender` (which must outlive it).
    Client(Sender& sender, crypto::PrivateKey account_key, Pacing pacing);

    // Register finds or creates the account (newAccount with termsOfServiceAgreed, and `eab` when given) and
    // returns its URL (the kid of later requests). Throws core::Error "the ACME server requires External
    // Account Binding (eab-kid= and eab-hmac-key=)" when the directory says so and `eab` is empty.
    std::string Register(const std::optional<ExternalAccount>& eab);
    // UseAccount sets a known account URL (from the store) instead of Register.
    void UseAccount(std::string url) { kid_ = std::move(url); }

    // Obtain orders a certificate for `domains`, answers one challenge per authorisation with `solver`,
    // finalizes with `csr_der` and downloads the chain. `replaces` is the ARI certificate id of the certificate
    // this one renews (RFC 9773 §5), or empty. Throws AcmeError or core::Error saying what failed.
    Issued Obtain(const std::vector<std::string>& domains, const std::string& csr_der, ChallengeSolver& solver,
                  const std::string& replaces = {});

    // Renewal asks the server's renewalInfo for `cert_id`; nullopt when it offers none or does not answer.
    std::optional<RenewalWindow> Renewal(const std::string& cert_id);

    // Revoke revokes `cert_der` with `reason` (RFC 5280 CRLReason; 4 is superseded).
    void Revoke(const std::string& cert_der, int reason);

private:
    Reply PostAsGet(const std::string& url);
    nlohmann::json Poll(const std::string& url, const std::vector<std::string>& pending,
                        std::chrono::steady_clock::time_point deadline);
    void Authorize(const std::string& url, ChallengeSolver& solver, std::chrono::steady_clock::time_point deadline);
    void Wait(std::chrono::milliseconds& delay, const Reply& reply);

    Sender* sender_;
    crypto::PrivateKey key_;
    Pacing pacing_;
    std::string kid_;
};

}  // namespace certos::acme
