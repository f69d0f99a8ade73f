#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
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
    std::string der;                          // DER certificate; empty for a template
    bool has_key = false;                     // a private key is stored for this row
    std::optional<core::ObjectId> issuer_id;  // the local CA that signed it
    std::uint64_t revision = 0;               // as read (CertificateStamp::revision); ignored when written
};

// CertificateStamp tells the state of a certificate row without its properties: `revision` grows with every
// change of the row (ids are never reused, so an id and a revision identify one state of one row).
struct CertificateStamp {
    core::ObjectId id;
    std::uint64_t revision = 0;
    std::string name;
    std::optional<core::ObjectId> issuer_id;
};

// ItemRow is an entry of a simple list menu (`/user`, `/user/group`, `/ip/service`, `/certificate/crl`):
// a name unique within its kind and string properties. Secrets in props (a user's password hash) are
// stored as given: callers store only hashes, never plaintext.
struct ItemRow {
    core::ObjectId id;
    std::string name;
    std::map<std::string, std::string> props;
};

// Prop is the row's property `name`, or `fallback` when it has none.
std::string Prop(const CertificateRow& row, const std::string& name, std::string_view fallback = {});
std::string Prop(const ItemRow& row, const std::string& name, std::string_view fallback = {});

// LogEntry is one line of `/log`. `time` is kept to the millisecond.
struct LogEntry {
    std::uint64_t seq = 0;  // allocated by the store, increasing
    std::chrono::system_clock::time_point time;
    std::string topics;  // "system,info,account"
    std::string message;
};

// kLogCapacity is how many log entries the store keeps (the newest); RouterOS's memory log keeps 1000.
inline constexpr std::size_t kLogCapacity = 1000;

// BlobRow is a binary object owned by something else, e.g. a CA's current CRL: `owner` is the owner's
// id, `number` a counter such as the CRL number. `updated` is kept to the millisecond.
struct BlobRow {
    std::string kind;  // "crl"
    core::ObjectId owner;
    std::uint64_t number = 0;
    std::string data;
    std::chrono::system_clock::time_point updated;
};

// SettingRow is one setting (Transaction::GetSetting): section, key and value.
struct SettingRow {
    std::string section;
    std::string key;
    std::string value;
};

// CertificateContent is a certificate row with its private key as the store holds it: sealed under this
// store's master key, bound to the row id (never plaintext).
struct CertificateContent {
    CertificateRow row;
    std::optional<std::string> sealed_key;
};

// StoreContent is what a store holds that belongs to its configuration, the content of a `/system backup`
// (Transaction::DumpContent, ReplaceContent). Left out, because they belong to the store or to the running
// processes rather than to the configuration: the settings of section "store" (the master key's check value,
// which belongs to the master key of the store that holds it), the store's own counters (names starting
// "store:": ids, print order, generations), the log, and the scheduler's leases.
struct StoreContent {
    std::vector<CertificateContent> certificates;       // in `/certificate print` order
    std::map<std::string, std::vector<ItemRow>> items;  // by kind, each in id order
    std::vector<SettingRow> settings;
    std::vector<BlobRow> blobs;
    std::map<std::string, std::uint64_t> counters;  // NextCounter's counters (CRL numbers)
};

// CertificateField names an indexed column of a certificate row, what CertificateCondition compares. Text
// fields hold the property of that name as stored in CertificateRow::props, and are null when the row has no
// such property; they compare as byte strings (memcmp order; PostgreSQL: COLLATE "C").
enum class CertificateField {
    kName,            // CertificateRow::name (never null)
    kCommonName,      // "common-name"
    kSubjectAltName,  // "subject-alt-name"
    kKeyType,         // "key-type"
    kTrusted,         // "trusted"
    kIssuer,          // "issuer" (the issuer's distinguished name)
    kSerialNumber,    // "serial-number"
    kFingerprint,     // "fingerprint"
    kAuthority,       // "authority"
    kAcmeManaged,     // "acme-managed"
    kIssuerName,      // the name of the row issuer_id names; null without an issuer
    // kNotAfter is an integer: "not-after" (seconds since the Unix epoch) of a row with a certificate, 0 when
    // that property is missing or not a number; null for a template (der empty).
    kNotAfter,
    kCertificate,  // der: null for a template (only kIsNull applies)
    kPrivateKey,   // the sealed key: null without one (only kIsNull applies)
};

// CertificateCondition is a filter on certificate rows that a backend evaluates with its indexes: a small
// tree of comparisons of one field with a constant, and and/or/not. It is two-valued: a comparison of a null
// field is false (whatever the operator), so kNot is the plain negation (SQL's NULL is never seen).
// Filters of the command tree (menu/filter.hpp) are translated into it where their shape allows
// (menu/certificate_pushdown.hpp).
struct CertificateCondition {
    enum class Op {
        kTrue,
        kFalse,
        kIsNull,  // the field is null
        kEq,      // field = text (a text field) or = number (kNotAfter)
        kLt,
        kLe,
        kGt,
        kGe,
        kAnd,  // all children (true when there are none)
        kOr,   // any child (false when there are none)
        kNot,  // not the one child
    };

    Op op = Op::kTrue;
    CertificateField field = CertificateField::kName;
    std::string text;         // the constant of a comparison of a text field
    std::int64_t number = 0;  // the constant of a comparison of kNotAfter
    std::vector<CertificateCondition> children;

    static CertificateCondition True() { return {}; }
    static CertificateCondition False();
    static CertificateCondition IsNull(CertificateField field);
    static CertificateCondition Compare(Op op, CertificateField field, std::string text);
    static CertificateCondition Compare(Op op, CertificateField field, std::int64_t number);
    static CertificateCondition Not(CertificateCondition inner);
    static CertificateCondition And(std::vector<CertificateCondition> children);
    static CertificateCondition Or(std::vector<CertificateCondition> children);
};

class KeySealer;  // store/sealed_keys.hpp

// ScanOrder is the order ScanCertificates visits its rows in. kAny lets the backend drive the scan by the index
// of the condition's most selective comparison (an ordered scan may rather walk the listing's order index and
// test every row: SQLite does without statistics, reading all rows of a large store to find a few).
enum class ScanOrder { kListing, kAny };

// Transaction is one unit of work. Every mutating command runs in exactly one; a transaction that is
// destroyed without Commit() rolls back, so an exception anywhere in a command changes nothing.
// Failures (I/O, full disk, constraint) throw core::Error (kFailure) with the backend's reason; such a
// failure also rolls the transaction back at once, and any later call on it throws (kInternal).
// Changing anything in a kRead transaction, or using a transaction after Commit(), is a programmer error
// (kInternal).
//
// Concurrency contract, for backends whose write transactions may run at once (PostgreSQL): a step that reads
// and then writes what it read is either one operation below (UpdateCertificateIf, InsertSetting,
// AppendToBlob, ReplaceBlobIf, NextCounter) or relies on the rule that a row read in a write transaction
// stays as read until the transaction ends (the backend locks it: SELECT ... FOR UPDATE). SQLite has one
// writer at a time and meets both by taking its write lock at Begin(kWrite).
class Transaction {
public:
    virtual ~Transaction() = default;

    virtual std::vector<CertificateRow> ListCertificates() = 0;
    virtual std::optional<CertificateRow> GetCertificate(core::ObjectId id) = 0;
    virtual std::optional<CertificateRow> FindCertificateByName(std::string_view name) = 0;
    // FindCertificateId is the id of the certificate called `name`, without reading the row.
    virtual std::optional<core::ObjectId> FindCertificateId(std::string_view name) = 0;
    // ListCertificateStamps is every row's stamp, in id order (what ListCertificates would return, unread).
    virtual std::vector<CertificateStamp> ListCertificateStamps() = 0;
    // ListIssuerNames is the id and name of every row that is the issuer (issuer_id) of some row: what a
    // listing needs for the `ca` property of the rows it streams, read before the scan (few rows: the CAs).
    virtual std::vector<std::pair<core::ObjectId, std::string>> ListIssuerNames() = 0;
    // CountCertificates is how many rows `condition` holds for, counted by the backend without reading them.
    virtual std::uint64_t CountCertificates(const CertificateCondition& condition) = 0;
    // ScanCertificates calls `visit` with each row `condition` holds for, until `visit` returns false: in
    // ListCertificates' order (ScanOrder::kListing), or in whatever order the backend reads them fastest
    // (ScanOrder::kAny: a job that looks at each row once). `visit` must not use this transaction.
    virtual void ScanCertificates(const CertificateCondition& condition,
                                  const std::function<bool(CertificateRow&& row)>& visit, ScanOrder order) = 0;
    // InsertCertificate allocates a new id (row.id is ignored) and returns it.
    virtual core::ObjectId InsertCertificate(const CertificateRow& row) = 0;
    // UpdateCertificate replaces name, props, der, issuer_id of an existing row (has_key and revision are
    // ignored; the row's revision grows by one).
    // Update, Delete and StoreSealedKey throw core::NoSuchItem when row `id` does not exist. A name already
    // taken fails with "failure: certificate with the same name already exists". issuer_id must name an
    // existing row when the transaction commits (a CA and what it issued may be deleted in any order).
    virtual void UpdateCertificate(const CertificateRow& row) = 0;
    // UpdateCertificateIf is UpdateCertificate done only while row `row.id` is at `expected_revision` (the
    // revision it was read with): it returns false, changing nothing, when the row is gone or another
    // transaction changed it since, and true when it updated it. The compare and the write are one step.
    virtual bool UpdateCertificateIf(const CertificateRow& row, std::uint64_t expected_revision) = 0;
    virtual void DeleteCertificate(core::ObjectId id) = 0;

    // StorePrivateKey seals `pkcs8_der` (AES-256-GCM under the store's master key, bound to the row id) and
    // stores the sealed bytes with StoreSealedKey. The sealing is store-generic (store/sealed_keys.cpp), so
    // every backend holds the same sealed bytes. Throws core::Error (kInternal) on a transaction of a bare
    // backend (one not opened through OpenStore).
    void StorePrivateKey(core::ObjectId id, std::string_view pkcs8_der);
    // LoadPrivateKey returns the plaintext PKCS#8 DER key of row `id` (LoadSealedKey, opened), or nullopt if
    // it has none. Throws core::Error (kFailure) when the sealed bytes do not open.
    std::optional<std::string> LoadPrivateKey(core::ObjectId id);
    // StoreSealedKey attaches already sealed key bytes to row `id` (its revision grows); LoadSealedKey returns
    // them as stored, or nullopt. Backends store these bytes as they are and never see a plaintext key.
    virtual void StoreSealedKey(core::ObjectId id, std::string_view sealed) = 0;
    virtual std::optional<std::string> LoadSealedKey(core::ObjectId id) = 0;
    // UseSealer is called by the store that began this transaction (OpenStore's sealing layer); sealer() is it.
    void UseSealer(std::shared_ptr<const KeySealer> sealer) { sealer_ = std::move(sealer); }
    const std::shared_ptr<const KeySealer>& sealer() const { return sealer_; }

    // Settings of single-entry menus (`/certificate settings`): one string per section and key. Section
    // "store" is the store's own (the master key's check value).
    virtual std::optional<std::string> GetSetting(std::string_view section, std::string_view key) = 0;
    virtual void SetSetting(std::string_view section, std::string_view key, std::string_view value) = 0;
    // InsertSetting stores `value` only if the key has no value yet, in one step; it returns whether it did.
    virtual bool InsertSetting(std::string_view section, std::string_view key, std::string_view value) = 0;

    // Items of simple list menus, by kind ("user", "user-group", "ip-service", ...). Ids are allocated per
    // kind and never reused; names are unique per kind ("failure: item with the same name already
    // exists"). Update and Delete throw core::NoSuchItem for a missing id.
    virtual std::vector<ItemRow> ListItems(std::string_view kind) = 0;
    virtual std::optional<ItemRow> GetItem(std::string_view kind, core::ObjectId id) = 0;
    virtual std::optional<ItemRow> FindItemByName(std::string_view kind, std::string_view name) = 0;
    // InsertItem allocates the id (row.id ignored) unless `keep_id` is set, which fixed-entry menus use to
    // create their entries with known ids (a taken id fails: "failure: item with the same id already exists").
    virtual core::ObjectId InsertItem(std::string_view kind, const ItemRow& row, bool keep_id = false) = 0;
    virtual void UpdateItem(std::string_view kind, const ItemRow& row) = 0;
    virtual void DeleteItem(std::string_view kind, core::ObjectId id) = 0;

    // AppendLog stores a log line (time, topics, message; seq is allocated) and drops the oldest beyond
    // kLogCapacity. ListLog returns the kept lines, oldest first.
    virtual void AppendLog(const LogEntry& entry) = 0;
    virtual std::vector<LogEntry> ListLog() = 0;

    // Blobs: one per (kind, owner); PutBlob replaces it. DeleteBlobs removes every blob of an owner
    // (when a CA is removed).
    virtual std::optional<BlobRow> GetBlob(std::string_view kind, core::ObjectId owner) = 0;
    virtual void PutBlob(const BlobRow& blob) = 0;
    virtual void DeleteBlobs(core::ObjectId owner) = 0;
    // AppendToBlob appends `part.data` to blob (part.kind, part.owner), adds `part.number` to its number and
    // sets its time to `part.updated`, creating the blob from `part` when there is none. One step: the appends
    // of concurrent transactions all land, none overwrites another.
    virtual void AppendToBlob(const BlobRow& part) = 0;
    // ReplaceBlobIf replaces blob (blob.kind, blob.owner) with `blob` only while it holds exactly
    // `expected_data` (as read); it returns false, changing nothing, when the blob is gone or holds other data.
    virtual bool ReplaceBlobIf(const BlobRow& blob, std::string_view expected_data) = 0;

    // NextCounter returns 1, 2, 3 ... for each counter name, allocated inside this transaction (a rollback
    // returns the value). Names starting with "store:" are reserved for the store's own sequences. The
    // counter stays held until this transaction ends: a concurrent NextCounter of the same name waits for
    // it, so a counter also orders the steps that follow it (RebuildLocalCrl relies on this).
    virtual std::uint64_t NextCounter(std::string_view name) = 0;

    // Generation counts the changes to the certificates ("certificate") or to the items of one kind
    // ("item.crl", "item.user", ...) that this transaction sees. It is the backend's contract, not a side
    // effect of its storage: every write operation on a certificate row (insert, update, UpdateCertificateIf
    // that updated, delete, StoreSealedKey) adds to "certificate", every item write to "item.<kind>", in the
    // same transaction, whichever process makes it. Caches of what the store holds key on it. In a write
    // transaction the value read stays true until the transaction ends (a concurrent change waits), so a
    // check of the generation followed by writes is one step.
    virtual std::uint64_t Generation(std::string_view what) = 0;

    // AcquireLease takes or renews the lease `name` for `holder` until now + ttl, and returns true, when the
    // lease is free, has expired (its end is not after `now`) or is already held by `holder`; otherwise it
    // changes nothing and returns false. The scheduler (system/scheduler.hpp) takes one per job so that a job
    // runs once however many processes share the store. `now` is the caller's clock, so tests can inject it.
    // Needs a kWrite transaction; the lease is taken when it commits.
    virtual bool AcquireLease(std::string_view name, std::string_view holder, std::chrono::system_clock::time_point now,
                              std::chrono::milliseconds ttl) = 0;
    // ReleaseLease frees lease `name` if `holder` holds it (otherwise nothing changes). Needs kWrite.
    virtual void ReleaseLease(std::string_view name, std::string_view holder) = 0;

    // DumpContent reads everything StoreContent holds, in one snapshot of this transaction.
    virtual StoreContent DumpContent() = 0;
    // ReplaceContent makes `content` the whole content of the store (what DumpContent would return), in this
    // transaction, so that a failure anywhere leaves the store as it was. Rows keep their ids, certificates
    // their print order and sealed keys (sealed under this store's master key, bound to their id: the caller
    // re-seals keys of another store first). What StoreContent leaves out stays as it is. Ids stay never
    // reused: the store's id counters only grow (to the highest id restored); every certificate row's
    // revision and every generation moves past any value seen before, so caches notice the change, and so do
    // remembered logins (the generations of "item.user" and "item.user-group"). Settings of section "store"
    // and counters named "store:..." in `content` are refused (kInternal). Needs kWrite.
    virtual void ReplaceContent(const StoreContent& content) = 0;

    virtual void Commit() = 0;

private:
    std::shared_ptr<const KeySealer> sealer_;
};

enum class TxMode { kRead, kWrite };

// Store opens transactions on one backend (SQLite file or PostgreSQL database). Open one with OpenStore
// (store/open.hpp).
class Store {
public:
    virtual ~Store() = default;
    virtual std::unique_ptr<Transaction> Begin(TxMode mode) = 0;
    // DataVersion is the change feed: it changes whenever any connection or process commits a change
    // (SQLite: data_version polling; PostgreSQL: LISTEN/NOTIFY). It is cheap; Generation says what changed.
    virtual std::uint64_t DataVersion() = 0;
};

}  // namespace certos::store
