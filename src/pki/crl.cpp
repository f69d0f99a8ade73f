#include "pki/crl.hpp"

#include <algorithm>
#include <charconv>

#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/certificate.hpp"
#include "crypto/crl.hpp"
#include "crypto/key.hpp"

namespace certos::pki {
namespace {

constexpr std::string_view kSkidSection = "crl-skid";

using store::Prop;

long long Epoch(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

TimePoint FromEpoch(long long seconds) { return TimePoint(std::chrono::seconds(seconds)); }

std::optional<long long> ParseInteger(std::string_view text) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// ParseLine reads one register line; nullopt for a damaged one (skipped rather than failing every
// later CRL: the register is written only by StoreRevocations).
std::optional<Revocation> ParseLine(std::string_view line) {
    std::string_view fields[4];
    for (std::string_view& field : fields) {
        std::size_t space = line.find(' ');
        field = line.substr(0, space);
        line = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    }
    auto revoked = ParseInteger(fields[1]);
    auto not_after = ParseInteger(fields[3]);
    if (fields[0].empty() || !revoked || !not_after) {
        return std::nullopt;
    }
    Revocation entry{std::string(fields[0]), FromEpoch(*revoked), std::nullopt, FromEpoch(*not_after)};
    if (fields[2] != "-") {
        auto code = ParseInteger(fields[2]);
        if (!code) {
            return std::nullopt;
        }
        entry.reason_code = static_cast<int>(*code);
    }
    return entry;
}

crypto::DigestAlgorithm CrlDigest(const store::CertificateRow& ca) {
    // A CRL is only as strong as its signature: CAs made with md5 or sha1 still sign CRLs with sha256.
    auto digest = crypto::ParseDigestAlgorithm(Prop(ca, "digest-algorithm"));
    if (!digest || *digest == crypto::DigestAlgorithm::kMd5 || *digest == crypto::DigestAlgorithm::kSha1) {
        return crypto::DigestAlgorithm::kSha256;
    }
    return *digest;
}

// ParseRegister reads the lines of a register blob.
std::vector<Revocation> ParseRegister(std::string_view text, std::size_t expected) {
    std::vector<Revocation> out;
    out.reserve(expected);
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        if (auto entry = ParseLine(text.substr(0, end))) {
            out.push_back(std::move(*entry));
        }
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    return out;
}

// FormatRegister writes register lines, the inverse of ParseRegister.
std::string FormatRegister(const std::vector<Revocation>& revocations) {
    std::string text;
    text.reserve(revocations.size() * 64);
    for (const Revocation& entry : revocations) {
        text += entry.serial_hex;
        text += ' ';
        text += std::to_string(Epoch(entry.revoked_at));
        text += ' ';
        text += entry.reason_code ? std::to_string(*entry.reason_code) : std::string("-");
        text += ' ';
        text += std::to_string(Epoch(entry.not_after));
        text += '\n';
    }
    return text;
}

// kRegisterAttempts bounds PruneRevocations' compare-and-replace rounds: each lost round means another
// transaction appended meanwhile, which a backend with one writer at a time never lets happen.
constexpr int kRegisterAttempts = 16;

// PruneRevocations drops the entries of certificates that expired more than kCrlValidity before `now` from
// the register of CA `ca_id` and returns what is left. The register is replaced only while it holds what was
// read (ReplaceBlobIf), so a revocation appended meanwhile by another transaction is never lost.
std::vector<Revocation> PruneRevocations(store::Transaction& tx, core::ObjectId ca_id, TimePoint now) {
    for (int attempt = 0; attempt < kRegisterAttempts; ++attempt) {
        std::optional<store::BlobRow> blob = tx.GetBlob(kRevocationsKind, ca_id);
        if (!blob) {
            return {};
        }
        std::vector<Revocation> entries = ParseRegister(blob->data, blob->number);
        std::size_t kept = entries.size();
        std::erase_if(entries, [&](const Revocation& r) { return r.not_after + kCrlValidity < now; });
        if (entries.size() == kept) {
            return entries;
        }
        store::BlobRow pruned{std::string(kRevocationsKind), ca_id, entries.size(), FormatRegister(entries),
                              std::chrono::system_clock::now()};
        if (tx.ReplaceBlobIf(pruned, blob->data)) {
            return entries;
        }
    }
    throw core::Failure("the revocation register changed too often while it was pruned; try again");
}

}  // namespace

bool IssuesCrls(const store::CertificateRow& row) {
    if (row.der.empty() || Prop(row, "authority") != "true") {
        return false;
    }
    std::vector<std::string> usage = core::SplitList(Prop(row, "key-usage"));
    return std::find(usage.begin(), usage.end(), "crl-sign") != usage.end();
}

std::vector<Revocation> LoadRevocations(store::Transaction& tx, core::ObjectId ca_id) {
    std::optional<store::BlobRow> blob = tx.GetBlob(kRevocationsKind, ca_id);
    return blob ? ParseRegister(blob->data, blob->number) : std::vector<Revocation>();
}

void AppendRevocations(store::Transaction& tx, core::ObjectId ca_id, const std::vector<Revocation>& revocations) {
    tx.AppendToBlob(store::BlobRow{std::string(kRevocationsKind), ca_id, revocations.size(),
                                   FormatRegister(revocations), std::chrono::system_clock::now()});
}

std::uint64_t RebuildLocalCrl(store::Transaction& tx, const store::CertificateRow& ca, TimePoint now) {
    if (!IssuesCrls(ca)) {
        throw core::Failure("certificate " + ca.name + " can not sign CRLs: it is not a CA with crl-sign key usage");
    }
    std::optional<std::string> key_der = tx.LoadPrivateKey(ca.id);
    if (!key_der) {
        throw core::Failure("CA certificate " + ca.name + " has no private key to sign its CRL");
    }
    now = std::chrono::time_point_cast<std::chrono::seconds>(now);
    crypto::CrlRequest request;
    // The number is drawn before the register is read: NextCounter holds the CA's counter until this
    // transaction ends, so rebuilds of one CA are ordered, and a higher number never lists less than a lower.
    request.number = tx.NextCounter("crl-number:" + ca.id.ToString());
    std::vector<Revocation> register_entries = PruneRevocations(tx, ca.id, now);
    request.this_update = now;
    request.next_update = now + kCrlValidity;
    request.digest = CrlDigest(ca);
    request.revoked.reserve(register_entries.size());
    for (Revocation& entry : register_entries) {
        crypto::RevokedEntry revoked{std::move(entry.serial_hex), entry.revoked_at, std::nullopt};
        if (entry.reason_code) {
            revoked.reason = static_cast<crypto::RevocationReason>(*entry.reason_code);
        }
        request.revoked.push_back(std::move(revoked));
    }
    crypto::Certificate cert = crypto::Certificate::FromDer(ca.der);
    std::string der = crypto::IssueCrlDer(request, cert, crypto::PrivateKey::FromPkcs8Der(*key_der));
    tx.PutBlob(store::BlobRow{std::string(kLocalCrlKind), ca.id, request.number, std::move(der), now});
    tx.SetSetting(kSkidSection, cert.SkidHex(), ca.id.ToString());
    return request.number;
}

std::optional<std::string> LocalCrlBySkid(store::Store& store, std::string_view skid_hex) {
    if (skid_hex.empty() || skid_hex.size() > 128 ||
        skid_hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
        return std::nullopt;
    }
    std::string skid = core::ToLowerAscii(skid_hex);
    std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
    std::optional<std::string> id_text = tx->GetSetting(kSkidSection, skid);
    std::optional<core::ObjectId> id = id_text ? core::ObjectId::Parse(*id_text) : std::nullopt;
    if (!id) {
        return std::nullopt;
    }
    std::optional<store::BlobRow> blob = tx->GetBlob(kLocalCrlKind, *id);
    if (!blob) {
        return std::nullopt;
    }
    return std::move(blob->data);
}

// Authorities are the rows marked authority (through the store's index: the CAs, not every certificate).
std::vector<store::CertificateRow> Authorities(store::Transaction& tx) {
    std::vector<store::CertificateRow> rows;
    tx.ScanCertificates(
        store::CertificateCondition::Compare(store::CertificateCondition::Op::kEq, store::CertificateField::kAuthority,
                                             "true"),
        [&](store::CertificateRow&& row) {
            rows.push_back(std::move(row));
            return true;
        },
        store::ScanOrder::kAny);
    return rows;
}

std::vector<std::string> LocalCrlDers(store::Transaction& tx) {
    std::vector<std::string> out;
    for (const store::CertificateRow& row : Authorities(tx)) {
        if (std::optional<store::BlobRow> blob = tx.GetBlob(kLocalCrlKind, row.id)) {
            out.push_back(std::move(blob->data));
        }
    }
    return out;
}

std::vector<std::string> RefreshLocalCrls(store::Store& store, TimePoint now) {
    std::vector<core::ObjectId> due;
    {
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
        for (const store::CertificateRow& row : Authorities(*tx)) {
            if (!IssuesCrls(row) || !row.has_key) {
                continue;
            }
            std::optional<store::BlobRow> blob = tx->GetBlob(kLocalCrlKind, row.id);
            bool wanted = blob || Prop(row, "crl") == "true";
            if (wanted && (!blob || blob->updated + kCrlRefreshAge <= now)) {
                due.push_back(row.id);
            }
        }
    }
    std::vector<std::string> lines;
    for (core::ObjectId id : due) {
        std::string name = id.ToString();
        try {
            std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
            std::optional<store::CertificateRow> ca = tx->GetCertificate(id);
            if (!ca) {
                continue;  // removed meanwhile
            }
            name = ca->name;
            std::uint64_t number = RebuildLocalCrl(*tx, *ca, now);
            tx->Commit();
            lines.push_back("CRL of CA " + name + " rebuilt (number " + std::to_string(number) + ")");
        } catch (const core::Error& e) {
            lines.push_back("CRL of CA " + name + " not rebuilt: " + e.what());
        }
    }
    return lines;
}

}  // namespace certos::pki
