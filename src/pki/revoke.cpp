#include "pki/revoke.hpp"

#include <map>

#include "core/error.hpp"
#include "core/time_format.hpp"
#include "crypto/crl.hpp"
#include "pki/crl.hpp"

namespace certos::pki {
namespace {

using store::Prop;

TimePoint NotAfter(const store::CertificateRow& row) {
    std::string text = Prop(row, "not-after");  // seconds since the epoch, stored at signing
    return TimePoint(std::chrono::seconds(text.empty() ? 0 : std::stoll(text)));
}

// kMarkAttempts bounds MarkRevoked's compare-and-set rounds: each lost round means another transaction changed
// the row meanwhile, which a backend with one writer at a time never lets happen.
constexpr int kMarkAttempts = 16;

// MarkRevoked sets `revoked` (and the reason) on certificate `id` if it is not revoked yet, with
// UpdateCertificateIf at the revision it read, so two concurrent revocations of one certificate record it
// once. Returns the row as revoked, or nullopt when it was revoked already. Throws core::NoSuchItem, or
// core::Failure for a certificate no local CA issued.
std::optional<store::CertificateRow> MarkRevoked(store::Transaction& tx, core::ObjectId id, TimePoint now,
                                                 std::string_view reason) {
    for (int attempt = 0; attempt < kMarkAttempts; ++attempt) {
        std::optional<store::CertificateRow> row = tx.GetCertificate(id);
        if (!row) {
            throw core::NoSuchItem();
        }
        if (row->der.empty() || !row->issuer_id) {
            throw core::Failure("certificate " + row->name + " was not issued by a local CA");
        }
        if (!Prop(*row, "revoked").empty()) {
            return std::nullopt;
        }
        row->props["revoked"] = core::FormatDateTime(now);
        if (!reason.empty()) {
            row->props["revocation-reason"] = std::string(reason);
        }
        if (tx.UpdateCertificateIf(*row, row->revision)) {
            return row;
        }
    }
    throw core::Failure("certificate " + id.ToString() + " changed too often while it was revoked; try again");
}

}  // namespace

const std::vector<std::string>& RevocationReasons() { return crypto::RevocationReasonNames(); }

std::vector<std::string> RevokeCertificates(store::Transaction& tx, const std::vector<core::ObjectId>& ids,
                                            std::string_view reason, std::chrono::system_clock::time_point now) {
    std::optional<int> reason_code;
    if (!reason.empty()) {
        auto parsed = crypto::ParseRevocationReason(reason);
        if (!parsed) {
            throw core::ArgumentError("input does not match any value of reason");
        }
        reason_code = static_cast<int>(*parsed);
    }
    now = std::chrono::time_point_cast<std::chrono::seconds>(now);
    std::map<core::ObjectId, std::vector<Revocation>> added;  // by issuing CA
    for (core::ObjectId id : ids) {
        std::optional<store::CertificateRow> row = MarkRevoked(tx, id, now, reason);
        if (row) {
            added[*row->issuer_id].push_back(Revocation{Prop(*row, "serial-number"), now, reason_code, NotAfter(*row)});
        }
    }
    std::vector<std::string> warnings;
    for (auto& [ca_id, entries] : added) {
        AppendRevocations(tx, ca_id, entries);
        std::optional<store::CertificateRow> ca = tx.GetCertificate(ca_id);
        if (!ca) {
            continue;
        }
        try {
            RebuildLocalCrl(tx, *ca, now);
        } catch (const core::Error& e) {
            warnings.push_back("revocation recorded, but the CRL of CA " + ca->name + " was not rebuilt: " + e.what());
        }
    }
    return warnings;
}

}  // namespace certos::pki
