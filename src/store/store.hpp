#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/id.hpp"

namespace certos::store {

// CertificateRow is one `/certificate` entry: a template (der empty) or a certificate.
// `props` holds every stored property as its wire string (template fields such as common-name and
// key-usage, and the values derived once at signing or import such as fingerprint and serial-number).
// The private key is not part of the row: it is sealed at rest and read only through LoadPrivateKey.
struct CertificateRow {
    core::ObjectId id;
    std::string name;
    std::map<std::string, std::string> props;
    std::string der;                         // DER certificate; empty for a template
    bool has_key = false;                    // a private key is stored for this row
    std::optional<core::ObjectId> issuer_id;  // the local CA that signed it
};

// Transaction is one unit of work. Every mutating command runs in exactly one; a transaction that is
// destroyed without Commit() rolls back, so an exception anywhere in a command changes nothing.
// Failures (I/O, full disk, constraint) throw core::Error (kFailure) with the backend's reason; such a
// failure also rolls the transaction back at once, and any later call on it throws (kInternal).
// Changing anything in a kRead transaction, or using a transaction after Commit(), is a programmer error
// (kInternal).
class Transaction {
public:
    virtual ~Transaction() = default;

    virtual std::vector<CertificateRow> ListCertificates() = 0;
    virtual std::optional<CertificateRow> GetCertificate(core::ObjectId id) = 0;
    virtual std::optional<CertificateRow> FindCertificateByName(std::string_view name) = 0;
    // InsertCertificate allocates a new id (row.id is ignored) and returns it.
    virtual core::ObjectId InsertCertificate(const CertificateRow& row) = 0;
    // UpdateCertificate replaces name, props, der, issuer_id of an existing row (has_key is ignored).
    // Update, Delete and StorePrivateKey throw core::NoSuchItem when row `id` does not exist. A name already
    // taken fails with "failure: certificate with the same name already exists". issuer_id must name an
    // existing row when the transaction commits (a CA and what it issued may be deleted in any order).
    virtual void UpdateCertificate(const CertificateRow& row) = 0;
    virtual void DeleteCertificate(core::ObjectId id) = 0;

    // StorePrivateKey seals `pkcs8_der` (AES-256-GCM under the master key) and attaches it to row `id`.
    virtual void StorePrivateKey(core::ObjectId id, std::string_view pkcs8_der) = 0;
    // LoadPrivateKey returns the plaintext PKCS#8 DER key of row `id`, or nullopt if it has none.
    virtual std::optional<std::string> LoadPrivateKey(core::ObjectId id) = 0;

    // Settings of single-entry menus (`/certificate settings`): one string per section and key.
    virtual std::optional<std::string> GetSetting(std::string_view section, std::string_view key) = 0;
    virtual void SetSetting(std::string_view section, std::string_view key, std::string_view value) = 0;

    // NextCounter returns 1, 2, 3 ... for each counter name, allocated inside this transaction (a rollback
    // returns the value). Names starting with "store:" are reserved for the store's own id sequences.
    virtual std::uint64_t NextCounter(std::string_view name) = 0;

    virtual void Commit() = 0;
};

enum class TxMode { kRead, kWrite };

// Store opens transactions on one backend (SQLite file or PostgreSQL database).
class Store {
public:
    virtual ~Store() = default;
    virtual std::unique_ptr<Transaction> Begin(TxMode mode) = 0;
    // DataVersion changes whenever another connection or process commits a change (the change feed).
    virtual std::uint64_t DataVersion() = 0;
};

}  // namespace certos::store
