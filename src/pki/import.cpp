#include "pki/import.hpp"

#include <map>
#include <optional>
#include <set>

#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/bundle.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "pki/describe.hpp"

namespace certos::pki {
namespace {

std::string Reason(const core::Error& e) {
    std::string_view text = e.what();
    constexpr std::string_view kPrefix = "failure: ";
    if (text.starts_with(kPrefix)) {
        text.remove_prefix(kPrefix.size());
    }
    return std::string(text);
}

// Decoded is an import file after parsing, with everything the write step needs precomputed, so that the
// write transaction holds no parsing and no failure other than the store's own.
struct Decoded {
    struct Cert {
        crypto::Certificate cert;
        std::string fingerprint;
        std::map<std::string, std::string> props;
    };
    struct Key {
        crypto::PrivateKey key;
        std::string pkcs8_der;
        std::vector<std::size_t> certs;  // indexes into `certs` of the certificates with this public key
    };
    std::vector<Cert> certs;
    std::vector<Key> keys;
    int decryption_failures = 0;
};

Decoded Decode(const std::string& file_name, std::string_view data, std::string_view passphrase) {
    crypto::Bundle bundle;
    try {
        bundle = crypto::ParseBundle(data, passphrase);
    } catch (const core::Error& e) {
        throw core::Failure("importing " + file_name + ": " + Reason(e));
    }
    if (bundle.certificates.empty() && bundle.keys.empty() && bundle.decryption_failures == 0) {
        std::string what = bundle.ignored.empty() ? "" : " (only " + core::JoinList(bundle.ignored, ';') + ")";
        throw core::Failure("importing " + file_name + ": the file holds no certificate or private key" + what);
    }
    Decoded decoded;
    decoded.decryption_failures = bundle.decryption_failures;
    for (const crypto::Certificate& cert : bundle.certificates) {
        decoded.certs.push_back({cert, cert.FingerprintSha256(), DescribeCertificate(cert)});
    }
    for (const crypto::PrivateKey& key : bundle.keys) {
        Decoded::Key entry{key, key.ToPkcs8Der(), {}};
        for (std::size_t i = 0; i < decoded.certs.size(); ++i) {
            if (crypto::IsKeyOf(key, decoded.certs[i].cert)) {
                entry.certs.push_back(i);
            }
        }
        decoded.keys.push_back(std::move(entry));
    }
    return decoded;
}

// NextName returns the first free name of the sequence RouterOS uses (facts §1.8): with name=X, "X",
// "X_1", "X_2" ...; without, "<file-name>_0", "<file-name>_1" ... . `next` is where the search resumes.
std::string NextName(store::Transaction& tx, const ImportOptions& options, int& next) {
    for (;; ++next) {
        std::string candidate = options.name.empty() ? options.file_name + "_" + std::to_string(next)
                                : next == 0          ? options.name
                                                     : options.name + "_" + std::to_string(next);
        if (!tx.FindCertificateByName(candidate)) {
            ++next;
            return candidate;
        }
    }
}

// StoredKeyHolders finds the rows (from before this import) whose certificate carries `key`'s public key.
// Rows of another key type or size are skipped without decoding their DER.
std::vector<core::ObjectId> StoredKeyHolders(const std::vector<store::CertificateRow>& rows,
                                             const crypto::PrivateKey& key) {
    std::vector<core::ObjectId> ids;
    std::string type = key.KeyType();
    std::string size = key.KeySize();
    for (const store::CertificateRow& row : rows) {
        auto type_it = row.props.find("key-type");
        auto size_it = row.props.find("key-size");
        if (row.der.empty() || type_it == row.props.end() || type_it->second != type || size_it == row.props.end() ||
            size_it->second != size) {
            continue;
        }
        if (crypto::IsKeyOf(key, crypto::Certificate::FromDer(row.der))) {
            ids.push_back(row.id);
        }
    }
    return ids;
}

}  // namespace

ImportReport Import(store::Store& store, const store::FileArea& files, const ImportOptions& options) {
    // 1. Read and decode everything; nothing is written if any of it fails.
    std::string data = files.Read(options.file_name, kMaxImportBytes);
    Decoded decoded = Decode(options.file_name, data, options.passphrase);

    // 2. Write it in one transaction.
    ImportReport report;
    report.decryption_failures = decoded.decryption_failures;
    std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
    std::vector<store::CertificateRow> rows = tx->ListCertificates();
    std::map<std::string, core::ObjectId> by_fingerprint;
    std::set<core::ObjectId> keyed;
    for (const store::CertificateRow& row : rows) {
        auto fp = row.props.find("fingerprint");
        if (!row.der.empty() && fp != row.props.end()) {
            by_fingerprint.emplace(fp->second, row.id);
        }
        if (row.has_key) {
            keyed.insert(row.id);
        }
    }
    std::vector<core::ObjectId> cert_ids;
    int next_name = 0;
    for (const Decoded::Cert& cert : decoded.certs) {
        if (auto it = by_fingerprint.find(cert.fingerprint); it != by_fingerprint.end()) {
            cert_ids.push_back(it->second);  // already in the store (or earlier in this file): not duplicated
            continue;
        }
        store::CertificateRow row;
        row.name = NextName(*tx, options, next_name);
        row.props = cert.props;
        row.props["trusted"] = core::WireBool(options.trusted);
        row.props["trust-store"] = options.trust_store;
        row.props["crl"] = "false";
        row.der = cert.cert.ToDer();
        core::ObjectId id = tx->InsertCertificate(row);
        by_fingerprint.emplace(cert.fingerprint, id);
        cert_ids.push_back(id);
        ++report.certificates_imported;
    }
    for (const Decoded::Key& key : decoded.keys) {
        // Every certificate with this public key gets the key: one in this file, and any already stored
        // (a key imported after its certificate, or a renewed certificate that kept its key).
        std::set<core::ObjectId> holders;
        for (std::size_t index : key.certs) {
            holders.insert(cert_ids[index]);
        }
        for (core::ObjectId id : StoredKeyHolders(rows, key.key)) {
            holders.insert(id);
        }
        if (holders.empty()) {
            ++report.keys_with_no_certificate;
            continue;
        }
        bool stored = false;
        for (core::ObjectId id : holders) {
            if (keyed.insert(id).second) {
                tx->StorePrivateKey(id, key.pkcs8_der);
                stored = true;
            }
        }
        report.private_keys_imported += stored ? 1 : 0;
    }
    tx->Commit();
    report.files_imported = report.certificates_imported + report.private_keys_imported > 0 ? 1 : 0;
    return report;
}

}  // namespace certos::pki
