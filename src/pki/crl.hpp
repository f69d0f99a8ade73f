#pragma once
// The CRLs of local CAs: what a CA has revoked, the signed CRL built from it, and its lookup by the CA's
// subject key id for the `/crl/<skid>.crl` HTTP route.
//
// Storage (all inside the store's transactions, with the store's one-step operations, so two nodes on one
// database never collide):
//  - blob kind "revocations", owner = CA id: the CA's revocation register, one line per revoked
//    certificate ("SERIAL REVOKED-EPOCH REASON-CODE|- NOT-AFTER-EPOCH"). It outlives the revoked
//    certificate's row, so removing a revoked certificate does not take it off the CRL. Revocations are
//    appended (AppendToBlob), expired entries pruned by compare-and-replace (ReplaceBlobIf);
//  - blob kind "crl", owner = CA id, number = CRL number: the current CRL, DER;
//  - counter "crl-number:<CA id>": the CRL numbers, increasing (RFC 5280 §5.2.3);
//  - setting section "crl-skid", key = CA skid (lowercase hex): the CA id, for LocalCrlBySkid.
// Removing a CA deletes its blobs (store::Transaction::DeleteBlobs).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace certos::pki {

using TimePoint = std::chrono::system_clock::time_point;

inline constexpr std::string_view kLocalCrlKind = "crl";
inline constexpr std::string_view kRevocationsKind = "revocations";
// A local CRL's nextUpdate is thisUpdate + kCrlValidity; RefreshLocalCrls rebuilds it once it is older than
// kCrlRefreshAge ("the CA's CRL is regenerated on each revocation and every 24 h", facts §1.5).
inline constexpr std::chrono::hours kCrlValidity{24 * 7};
inline constexpr std::chrono::hours kCrlRefreshAge{24};

// IssuesCrls tells whether a certificate row is a local CA that can sign CRLs: signed, authority, and
// crl-sign in its key usage (RFC 5280 §4.2.1.3: cRLSign). Whether its private key is stored is not checked.
bool IssuesCrls(const store::CertificateRow& row);

// RebuildLocalCrl signs a new CRL for local CA `ca` (its private key is read from the store, in `tx`) from
// its revocation register: thisUpdate = `now`, nextUpdate = now + kCrlValidity, the next CRL number, the
// CA's digest-algorithm. Entries of certificates that expired more than kCrlValidity ago are dropped from
// the register (RFC 5280 §3.3: an entry stays until it appeared on one regularly scheduled CRL issued
// after the certificate's validity period). Stores the CRL blob and the skid index. Returns the CRL number.
// Throws core::Error when `ca` cannot sign CRLs or has no private key.
std::uint64_t RebuildLocalCrl(store::Transaction& tx, const store::CertificateRow& ca, TimePoint now);

// LocalCrlBySkid returns the current DER CRL of the local CA whose subject key id is `skid_hex` (any case),
// or nullopt when there is none (unknown skid, a removed CA, not hex). One read transaction.
std::optional<std::string> LocalCrlBySkid(store::Store& store, std::string_view skid_hex);

// LocalCrlDers returns the DER CRLs of every local CA that has one (for verification).
std::vector<std::string> LocalCrlDers(store::Transaction& tx);

// RefreshLocalCrls is the scheduler's job: it (re)builds the CRL of every local CA that can sign CRLs and
// either was signed with ca-crl-host (the `crl` property) or has a CRL already, when there is none yet or
// it is older than kCrlRefreshAge. One write transaction per CA; a CA that fails does not stop the others.
// Returns one line per CA it rebuilt or could not rebuild, for the log.
std::vector<std::string> RefreshLocalCrls(store::Store& store, TimePoint now = std::chrono::system_clock::now());

// Revocation is one entry of a CA's revocation register.
struct Revocation {
    std::string serial_hex;  // upper-case, as the `serial-number` property
    TimePoint revoked_at;
    std::optional<int> reason_code;  // RFC 5280 §5.3.1 CRLReason
    TimePoint not_after;             // of the revoked certificate
};

// LoadRevocations reads the register of CA `ca_id`.
std::vector<Revocation> LoadRevocations(store::Transaction& tx, core::ObjectId ca_id);
// AppendRevocations adds `revocations` to the register of CA `ca_id` in one step (store::AppendToBlob), so
// revocations of one CA by concurrent transactions all land.
void AppendRevocations(store::Transaction& tx, core::ObjectId ca_id, const std::vector<Revocation>& revocations);

}  // namespace certos::pki
