#include "pki/import.hpp"

#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/bundle.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "pki/describe.hpp"

namespace certos::pki {
namespace {

// Decoded is an import file after parsing, with everything the write step needs precomputed, so that the
// write transaction holds no parsing and no failure other than the store's own.
struct Decoded {
    struct Cert {
        crypto::Certificate cert;
        std::string fingerprint;
        std::map<std::string, std::string> props;
        std::string der;
    };
    struct Key {
        crypto::PrivateKey key;
        std::string pkcs8_der;
        std::vector<std::size_t> certs;  // indexes into `certs` of the certificates with this public key
    };
    std::vector<Cert> certs;
    std::vector<Key> keys;
    int decryption_failures = 0;
    // by_match_id indexes `keys` by crypto::PublicKeyMatchId; key_kinds holds their (key-type, key-size).
    std::unordered_map<std::string, std::vector<std::size_t>> by_match_id;
    std::set<std::pair<std::string, std::string>> key_kinds;
};

Decoded Decode(const std::string& file_name, std::string_view data, std::string_view passphrase) {
    crypto::Bundle bundle;
    try {
        bundle = crypto::ParseBundle(data, passphrase);
    } catch (const core::Error& e) {
        throw core::Failure("importing " + file_name + ": " + e.what());
    }
    if (bundle.certificates.empty() && bundle.keys.empty() && bundle.decryption_failures == 0) {
        std::string what = bundle.ignored.empty() ? "" : " (only " + core::JoinList(bundle.ignored, ';') + ")";
        throw core::Failure("importing " + file_name + ": the file holds no certificate or private key" + what);
    }
    Decoded decoded;
    decoded.decryption_failures = bundle.decryption_failures;
    // Certificates indexed by public key, so each key finds its own in one lookup (keys x certificates
    // comparisons made importing 5,000 pairs take minutes).
    std::unordered_map<std::string, std::vector<std::size_t>> certs_by_key;
    for (const crypto::Certificate& cert : bundle.certificates) {
        certs_by_key[crypto::PublicKeyMatchId(cert)].push_back(decoded.certs.size());
        decoded.certs.push_back({cert, cert.FingerprintSha256(), DescribeCertificate(cert), cert.ToDer()});
    }
    for (const crypto::PrivateKey& key : bundle.keys) {
        std::string match_id = crypto::PublicKeyMatchId(key);
        Decoded::Key entry{key, key.ToPkcs8Der(), {}};
        if (auto it = certs_by_key.find(match_id); it != certs_by_key.end()) {
            for (std::size_t i : it->second) {
                if (crypto::IsKeyOf(key, decoded.certs[i].cert)) {
                    entry.certs.push_back(i);
                }
            }
        }
        decoded.by_match_id[match_id].push_back(decoded.keys.size());
        decoded.key_kinds.emplace(key.KeyType(), key.KeySize());
        decoded.keys.push_back(std::move(entry));
    }
    return decoded;
}

// StoreView is what an import needs to know of the store's certificates, at one `generation`.
struct StoreView {
    std::uint64_t generation = 0;
    std::unordered_map<std::string, core::ObjectId> by_fingerprint;
    std::set<core::ObjectId> keyed;                    // rows that have a private key
    std::vector<std::vector<core::ObjectId>> holders;  // per decoded key: the rows whose certificate carries it
};

// ReadView reads the StoreView for `decoded` in `tx`. It reads every row once and decodes the certificate of
// each row whose key type and size one of the keys has, so its work grows with rows + keys.
StoreView ReadView(store::Transaction& tx, const Decoded& decoded) {
    StoreView view;
    view.generation = tx.Generation("certificate");
    view.holders.resize(decoded.keys.size());
    for (const store::CertificateRow& row : tx.ListCertificates()) {
        auto fp = row.props.find("fingerprint");
        if (!row.der.empty() && fp != row.props.end()) {
            view.by_fingerprint.emplace(fp->second, row.id);
        }
        if (row.has_key) {
            view.keyed.insert(row.id);
        }
        auto type = row.props.find("key-type");
        auto size = row.props.find("key-size");
        if (row.der.empty() || type == row.props.end() || size == row.props.end() ||
            !decoded.key_kinds.contains({type->second, size->second})) {
            continue;  // no key of this import can be this row's
        }
        crypto::Certificate cert = crypto::Certificate::FromDer(row.der);
        auto keys = decoded.by_match_id.find(crypto::PublicKeyMatchId(cert));
        if (keys == decoded.by_match_id.end()) {
            continue;
        }
        for (std::size_t k : keys->second) {
            if (crypto::IsKeyOf(decoded.keys[k].key, cert)) {
                view.holders[k].push_back(row.id);
            }
        }
    }
    return view;
}

// NextName returns the first free name of the sequence RouterOS uses (facts §1.8): with name=X, "X",
// "X_1", "X_2" ...; without, "<file-name>_0", "<file-name>_1" ... . `next` is where the search resumes.
std::string NextName(store::Transaction& tx, const ImportOptions& options, int& next) {
    for (;; ++next) {
        std::string candidate = options.name.empty() ? options.file_name + "_" + std::to_string(next)
                                : next == 0          ? options.name
                                                     : options.name + "_" + std::to_string(next);
        if (!tx.FindCertificateId(candidate)) {
            ++next;
            return candidate;
        }
    }
}

// Write stores `decoded` in `tx`, whose certificates are still those `view` was read from.
ImportReport Write(store::Transaction& tx, const Decoded& decoded, const ImportOptions& options, StoreView& view) {
    ImportReport report;
    report.decryption_failures = decoded.decryption_failures;
    std::vector<core::ObjectId> cert_ids;
    int next_name = 0;
    for (const Decoded::Cert& cert : decoded.certs) {
        if (auto it = view.by_fingerprint.find(cert.fingerprint); it != view.by_fingerprint.end()) {
            cert_ids.push_back(it->second);  // already in the store (or earlier in this file): not duplicated
            continue;
        }
        store::CertificateRow row;
        row.name = NextName(tx, options, next_name);
        row.props = cert.props;
        AddStoredDefaults(row.props, options.trusted, options.trust_store);
        row.der = cert.der;
        core::ObjectId id = tx.InsertCertificate(row);
        view.by_fingerprint.emplace(cert.fingerprint, id);
        cert_ids.push_back(id);
        ++report.certificates_imported;
    }
    for (std::size_t k = 0; k < decoded.keys.size(); ++k) {
        const Decoded::Key& key = decoded.keys[k];
        // Every certificate with this public key gets the key: one in this file, and any already stored
        // (a key imported after its certificate, or a renewed certificate that kept its key).
        std::set<core::ObjectId> holders(view.holders[k].begin(), view.holders[k].end());
        for (std::size_t index : key.certs) {
            holders.insert(cert_ids[index]);
        }
        if (holders.empty()) {
            ++report.keys_with_no_certificate;
            continue;
        }
        bool stored = false;
        for (core::ObjectId id : holders) {
            if (view.keyed.insert(id).second) {
                tx.StorePrivateKey(id, key.pkcs8_der);
                stored = true;
            }
        }
        report.private_keys_imported += stored ? 1 : 0;
    }
    report.files_imported = report.certificates_imported + report.private_keys_imported > 0 ? 1 : 0;
    return report;
}

// kOptimisticAttempts is how often an import reads the store outside the write transaction and finds it
// changed before it takes the write lock; the attempt after that reads under the lock.
constexpr int kOptimisticAttempts = 3;

}  // namespace

ImportReport Import(store::Store& store, const store::FileArea& files, const ImportOptions& options) {
    // 1. Read and decode everything; nothing is written if any of it fails.
    std::string data = files.Read(options.file_name, kMaxImportBytes);
    Decoded decoded = Decode(options.file_name, data, options.passphrase);

    // 2. Match it against the store in a read transaction, which other writers do not wait for; then write it
    // in one short write transaction, if the certificates have not changed meanwhile (else look again).
    for (int attempt = 0;; ++attempt) {
        std::optional<StoreView> view;
        if (attempt < kOptimisticAttempts) {
            view = ReadView(*store.Begin(store::TxMode::kRead), decoded);
        }
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
        if (!view) {
            view = ReadView(*tx, decoded);
        } else if (tx->Generation("certificate") != view->generation) {
            continue;
        }
        ImportReport report = Write(*tx, decoded, options, *view);
        tx->Commit();
        return report;
    }
}

}  // namespace certos::pki
