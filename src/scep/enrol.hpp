#pragma once
// certos's SCEP client over the store (RFC 8894 §3.3): what `/certificate add-scep`, `scep-renew` and the SCEP
// module's job call. A SCEP-managed certificate is an ordinary /certificate row (the template it was made
// from keeps its .id) with the properties scep-url, ca-identity, challenge-password (sensitive), refresh,
// ca-fingerprint and status; the protocol state of each entry lives in an item of kind "scep-client" (name:
// the certificate's .id): the transaction waiting for the CA (its key sealed under the store's master key,
// the temporary self-signed certificate, the CA it was sent to), the backoff after failures. Issuing writes
// the certificate, its key and the CA in one transaction; every other step changes only the status and the
// item, so nothing is ever half-stored.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.hpp"
#include "store/store.hpp"

namespace certos::scep {

inline constexpr std::string_view kClientKind = "scep-client";
// kRenewAt is RouterOS's rule: "SCEP certificates are renewed when 3/4 of their validity time has passed".
inline constexpr double kRenewAt = 0.75;

// ClientEnvironment is what the client needs besides the store: trust for the "scep" HTTP client, its
// options, /log, and the clock (empty: the system clock; the scheduler's job passes its own).
struct ClientEnvironment {
    store::Store& store;
    const net::TrustSource& trust;
    net::ClientOptions http = {};
    std::function<void(std::string_view topics, std::string_view message)> log = {};
    std::function<std::chrono::system_clock::time_point()> now = {};
};

// EnrolRequest is what add-scep asks for.
struct EnrolRequest {
    std::string template_item;  // name or *ID of a template (RSA key-size: SCEP's envelopes need RSA)
    std::string scep_url;
    std::string ca_identity;
    std::string challenge_password;
    std::string name;  // empty: the template's name
    bool refresh = true;
};

// AddScep turns the template into a SCEP-managed entry (one transaction), then enrols: GetCACaps, GetCACert,
// PKCSReq with a temporary self-signed certificate. Returns the entry's status: "valid" when issued,
// "pending" when the CA holds the request (the SCEP job polls it). Throws core::Error, changing nothing, for
// a bad template; for a failed exchange the entry stays, with status "failed: ..." (retried with backoff).
std::string AddScep(ClientEnvironment& env, const EnrolRequest& request);

// Renew sends a RenewalReq (PKCSReq when the CA lacks "Renewal") for entry `item` (name or *ID) signed with its
// current certificate and key; the new certificate replaces the old one in place (same row and name) once
// issued. Returns the status like AddScep. Throws core::Error for an item that is not SCEP-managed or a
// failed exchange (also in status and /log).
std::string Renew(ClientEnvironment& env, std::string_view item);

// RenewalTime is when a certificate valid from `not_before` to `not_after` is due: at kRenewAt of its validity.
std::chrono::system_clock::time_point RenewalTime(std::chrono::system_clock::time_point not_before,
                                                  std::chrono::system_clock::time_point not_after);

// ClientDue does what is due at `now` for every entry: polls a pending request (CertPoll), enrols again an
// entry whose enrolment failed, renews one past RenewalTime (refresh=yes), fetches the next CA when the server
// advertises GetNextCACert and the current CA has less than a quarter of its life left, and switches to it
// once the current one has expired. A failure backs off (1 min, doubling, at most a day). Returns the lines
// for /log of what succeeded (failures are logged as they happen).
std::vector<std::string> ClientDue(ClientEnvironment& env, std::chrono::system_clock::time_point now);

}  // namespace certos::scep
