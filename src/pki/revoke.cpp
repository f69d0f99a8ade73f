#include "pki/revoke.hpp"

#include <map>

#include "core/error.hpp"
#include "core/time_format.hpp"
#include "crypto/crl.hpp"
#include "pki/crl.hpp"

namespace certos::pki {
namespace {

std::string Prop(const store::CertificateRow& row, const char* name) {
    auto it = row.props.find(name);
    return it == row.props.end() ? std::string() : it->second;
}

TimePoint NotAfter(const store::CertificateRow& row) {
    std::string text = Prop(row, "not-after");  // seconds since the epoch, stored at signing
    return TimePoint(std::chrono::seconds(text.empty() ? 0 : std::stoll(text)));
}

}  // namespace

const std::vector<std::string>& RevocationReasons() { return crypto::kRevocationReasonNames; }

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
        std::optional<store::CertificateRow> row = tx.GetCertificate(id);
        if (!row) {
            throw core::NoSuchItem();
        }
        if (row->der.empty() || !row->issuer_id) {
            throw core::Failure("certificate " + row->name + " was not issued by a local CA");
        }
        if (!Prop(*row, "revoked").empty()) {
            continue;
        }
        row->props["revoked"] = core::FormatDateTime(now);
        if (!reason.empty()) {
            row->props["revocation-reason"] = std::string(reason);
        }
        tx.UpdateCertificate(*row);
        added[*row->issuer_id].push_back(Revocation{Prop(*row, "serial-number"), now, reason_code, NotAfter(*row)});
    }
    std::vector<std::string> warnings;
    for (auto& [ca_id, entries] : added) {
        std::vector<Revocation> all = LoadRevocations(tx, ca_id);
        all.insert(all.end(), entries.begin(), entries.end());
        StoreRevocations(tx, ca_id, all);
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
