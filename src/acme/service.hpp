#pragma once
// The ACME service over certos's store: what `/certificate add-acme`, `acme-renew`, `enable-ssl-certificate`,
// the ACME module's challenge route and its renewal job call. It keeps
//  - accounts as items of kind "acme-account" (name: the directory URL; the ES256 key sealed under the
//    store's master key, bound to the item, and the account URL), reused by every order to that directory;
//  - HTTP-01 tokens as items of kind "acme-challenge" (name: the token), so that an order started by a
//    console is answered by the daemon's www listener;
//  - each ACME-managed certificate as a /certificate row with acme-managed=true and the properties
//    acme-status, directory-url, domain-names. Its certificate, key and intermediates are written in one
//    transaction once the server issued them; a failure only changes acme-status (and /log).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acme/client.hpp"
#include "net/http_client.hpp"
#include "store/store.hpp"

namespace certos::acme {

// kLetsEncrypt is the directory used when none is given (RouterOS and certbot do the same).
inline constexpr std::string_view kLetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";
inline constexpr std::string_view kAccountKind = "acme-account";
inline constexpr std::string_view kChallengeKind = "acme-challenge";
// kRenewAt is RouterOS's rule: renew once 80 % of the validity has passed.
inline constexpr double kRenewAt = 0.8;

// Environment is what the service needs besides the store: trust for the "acme" HTTP client, its options
// (ConnectTo for tests), the pacing of polls, /log, and the clock of acme-retry-at (empty: the system clock;
// the scheduler's renewal job passes its own, which tests inject).
struct Environment {
    store::Store& store;
    const net::TrustSource& trust;
    net::ClientOptions http = {};
    Pacing pacing = {};
    std::function<void(std::string_view topics, std::string_view message)> log = {};
    std::function<std::chrono::system_clock::time_point()> now = {};
};

// AcmeRequest is what add-acme and enable-ssl-certificate ask for.
struct AcmeRequest {
    std::string name;  // empty: the first domain name
    std::string directory_url;
    std::vector<std::string> domains;
    std::string eab_kid;
    std::string eab_hmac_key;  // base64url, as CAs hand it out
    std::string key_size = "prime256v1";
    std::string dns_hook;      // program called "present|cleanup FQDN VALUE" for DNS-01
    std::string dns_server;    // the one server (IPv4[:port]) where the TXT record is checked; "none": no check
    std::string dns_resolver;  // resolver (IPv4[:port]) that finds the zone's authoritative servers otherwise
    bool reset_private_key = true;
};

// Obtain creates (or, for an existing ACME entry of that name, reuses) the entry and obtains its
// certificate; returns the certificate's name. Throws core::Error with the reason, which is also in the
// entry's acme-status and in /log.
std::string Obtain(Environment& env, AcmeRequest request);

// Renew obtains a new certificate for the ACME entry `item` (name or *ID) with its stored settings and
// replaces the old one in place once the new one is ready (same row and name: services bound to it switch).
// `retire` revokes the superseded certificate (reason superseded). Throws like Obtain.
void Renew(Environment& env, std::string_view item, bool retire = false);

// ChallengeAnswer is the key authorisation stored for an HTTP-01 token, or nullopt.
std::optional<std::string> ChallengeAnswer(store::Store& store, std::string_view token);

// RenewalTime is when a certificate valid from `not_before` to `not_after` is due: at kRenewAt of its
// validity, or at the start of ARI's suggested window when that is earlier.
std::chrono::system_clock::time_point RenewalTime(std::chrono::system_clock::time_point not_before,
                                                  std::chrono::system_clock::time_point not_after,
                                                  const std::optional<RenewalWindow>& ari);

// AriPort asks a directory's renewalInfo for one certificate (nullopt: no advice).
using AriPort = std::function<std::optional<RenewalWindow>(const store::CertificateRow& row)>;

// RenewalsDue returns the names of the ACME entries due at `now` (RenewalTime, or an entry without a
// certificate whose retry time acme-retry-at has come).
std::vector<std::string> RenewalsDue(store::Store& store, std::chrono::system_clock::time_point now,
                                     const AriPort& ari);

// RenewDue renews what RenewalsDue names (a failure sets acme-retry-at with backoff: 5 min, doubling, at most
// a day, or the server's Retry-After) and returns the lines for /log.
std::vector<std::string> RenewDue(Environment& env, std::chrono::system_clock::time_point now);

// StoreAri is the AriPort that asks each entry's directory (through `env`'s HTTP client).
AriPort StoreAri(Environment& env);

}  // namespace certos::acme
