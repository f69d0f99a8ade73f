#pragma once
// Downloaded CRLs (`/certificate crl`): entries added by hand (`add url=`) or dynamically from the CRL
// distribution points of trusted certificates when `/certificate settings crl-download=yes`, fetched over
// HTTP(S) with net::HttpClient (service `fetch`) and refreshed hourly by the daemon's scheduler.
//
// Storage: items of kind "certificate-crl" (name = url; props below), and the CRL body (DER) as a blob of
// kind "crl-download" whose owner is DownloadedCrlOwner(item id) — a separate id range, so that
// DeleteBlobs(CA id) of a removed certificate never touches them. crl-store=ram|system is accepted for
// RouterOS compatibility; certos keeps downloaded CRLs in the store either way, because the console and
// the daemon are separate processes that both verify.
//
// Item props: url, dynamic, last-update / next-update / this-update (seconds since the epoch), fingerprint,
// akid, issuer, num, signature, revoked (entry count), cert (name of the issuing CA in the store),
// invalid, last-error, and internal ones: cert-id, for-ids (trusted certificates whose CDP names the url),
// last-attempt.

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/id.hpp"
#include "net/http_client.hpp"
#include "store/store.hpp"

namespace certos::trust {

inline constexpr std::string_view kCrlItemKind = "certificate-crl";
inline constexpr std::string_view kDownloadedCrlKind = "crl-download";
// kDownloadInterval: "CRL will be automatically renewed every hour" (MT-CERT, settings).
inline constexpr std::chrono::hours kDownloadInterval{1};

// DownloadedCrlOwner is the blob owner of item `item`'s body: its id with bit 62 set.
core::ObjectId DownloadedCrlOwner(core::ObjectId item);

// DownloadOptions choose what DownloadCrls does.
struct DownloadOptions {
    bool force = false;                // fetch now, whatever crl-download says and however recent
    std::vector<core::ObjectId> only;  // just these entries (empty: every entry)
    net::ClientLimits limits;
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// DownloadCrls is the scheduler's hourly job and the `download` verb. Unless `force`, it does nothing
// when crl-download=no. With crl-download=yes it first makes the dynamic entries match the http(s) CDP
// URLs of the trusted certificates (adding and removing dynamic entries). Then it fetches each entry that
// is due (never tried, or last tried kDownloadInterval ago, or `force`) outside any transaction, over
// https with StoreTrust's trust for the service "fetch", and keeps the result only if it is a CRL (DER or PEM), its
// signature verifies when its issuer is in the store, and its number is not lower than the stored one's.
// A failure keeps the old CRL and records last-error. Never throws for a bad endpoint; returns one log
// line per entry fetched ("CRL download from URL failed: REASON; keeping the CRL of DATE").
std::vector<std::string> DownloadCrls(store::Store& store, const DownloadOptions& options = {});

// SyncDynamicCrls makes the dynamic entries match the trusted certificates' CDP URLs, in `tx`; returns
// how many entries it added or removed.
int SyncDynamicCrls(store::Transaction& tx);

// DownloadedCrlDers returns the bodies of every downloaded CRL (DER).
std::vector<std::string> DownloadedCrlDers(store::Transaction& tx);

// CertificatesWithDownloadedCrl returns the certificates the L flag shows for downloaded CRLs: the CA that
// issued a valid downloaded CRL, and the trusted certificates whose CDP names a downloaded one.
std::set<core::ObjectId> CertificatesWithDownloadedCrl(store::Transaction& tx);

// RemoveDownloadedCrl deletes entry `item` and its body, in `tx`.
void RemoveDownloadedCrl(store::Transaction& tx, core::ObjectId item);

// CheckCrlUrl validates a `url` for `/certificate crl add`: http:// or https:// and a host; returns it.
std::string CheckCrlUrl(std::string_view url);

}  // namespace certos::trust
