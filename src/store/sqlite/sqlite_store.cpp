#include "store/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "store/files.hpp"
#include "store/props_json.hpp"
#include "store/sqlite/sqlite_condition.hpp"
#include "store/sqlite/sqlite_connection.hpp"
#include "store/sqlite/sqlite_group_commit.hpp"
#include "store/sqlite/sqlite_schema.hpp"

namespace certos::store {
namespace {

using sqlite::Connection;
using sqlite::Query;
using sqlite::SqliteError;

// Certificate ids are drawn from this counter, so a deleted id is never handed out again (SQLite would
// reuse the highest rowid). Counter names with the "store:" prefix are reserved for such sequences.
constexpr std::string_view kCertificateIdCounter = "store:certificates.id";
// A certificate's sort key (migration 8) orders `/certificate print`: a signed or imported row takes the next
// value of this counter when it gets its certificate; a template sorts after every signed row, by id.
constexpr std::string_view kSignSequenceCounter = "store:certificates.sign-seq";
constexpr std::int64_t kTemplateSortBase = std::int64_t{1} << 62;
// Item ids are drawn from one counter per kind: "store:items.<kind>.id".
constexpr std::string_view kItemIdCounterPrefix = "store:items.";
constexpr std::string_view kReservedCounterPrefix = "store:";
// Generations (Transaction::Generation) are the counters "store:generation.<what>".
constexpr std::string_view kGenerationPrefix = "store:generation.";
constexpr std::string_view kCertificateGeneration = "certificate";
constexpr std::size_t kMaxIdleConnections = 8;
// kLogPruneBatch: the log's oldest lines are deleted once every this many lines (AppendLog).
constexpr std::int64_t kLogPruneBatch = 64;
// Settings of this section are the store's own (the master key's check value): never dumped nor replaced.
constexpr std::string_view kStoreSection = "store";

[[noreturn]] void ThrowInternal(const std::string& message) {
    throw core::Error(core::ErrorCategory::kInternal, message);
}

// OpenConnection opens a connection to `db_file`. On a full disk, where a new connection cannot set up the WAL
// index (the -shm file must grow), a connection for reading is opened read-only instead, so that reads keep
// working; a connection for writing fails with "database or disk is full".
std::unique_ptr<Connection> OpenConnection(const std::filesystem::path& db_file, TxMode mode) {
    try {
        return Connection::Open(db_file);
    } catch (const SqliteError& e) {
        if (mode == TxMode::kWrite || e.code() != SQLITE_FULL) {
            throw;
        }
    }
    return Connection::OpenReadOnly(db_file);
}

// Shared is the state a SqliteStore and its transactions share. Transactions hold it by shared_ptr, so a
// transaction may outlive its Store.
class Shared {
public:
    explicit Shared(std::filesystem::path db_file)
        : db_file_(std::move(db_file)),
          gate_([this] { return Acquire(TxMode::kWrite); },
                [this](std::unique_ptr<Connection> conn) { Release(std::move(conn)); },
                [this] { local_commits_.fetch_add(1, std::memory_order_relaxed); }) {}

    const std::filesystem::path& db_file() const { return db_file_; }

    // Acquire takes an idle connection from the pool, or opens a new one (see OpenConnection).
    std::unique_ptr<Connection> Acquire(TxMode mode) {
        {
            std::lock_guard lock(pool_mutex_);
            if (!idle_.empty()) {
                std::unique_ptr<Connection> conn = std::move(idle_.back());
                idle_.pop_back();
                return conn;
            }
        }
        return OpenConnection(db_file_, mode);
    }

    // Release returns a connection with no open transaction to the pool (or closes it if the pool is full, or
    // if it is read-only: once there is room again, the next transaction gets a connection that can write).
    void Release(std::unique_ptr<Connection> conn) {
        std::lock_guard lock(pool_mutex_);
        if (idle_.size() < kMaxIdleConnections && !conn->read_only()) {
            idle_.push_back(std::move(conn));
        }
    }

    // gate is where this Store's write transactions queue (rather than in SQLite's busy handler, which polls
    // and can starve a writer under contention) and share their commits.
    sqlite::WriteGate& gate() { return gate_; }

    std::uint64_t local_commits() const { return local_commits_.load(std::memory_order_relaxed); }

private:
    const std::filesystem::path db_file_;

    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;

    std::atomic<std::uint64_t> local_commits_{0};
    sqlite::WriteGate gate_;
};

// DecodeProps parses the props column of row `id`; `what` ("certificate", an item kind) names the row in
// the error.
std::map<std::string, std::string> DecodeProps(std::string_view text, std::string_view what, core::ObjectId id) {
    std::optional<std::map<std::string, std::string>> props = PropsFromJson(text);
    if (!props) {
        throw core::Failure("stored properties of " + std::string(what) + " " + id.ToString() + " are damaged");
    }
    return std::move(*props);
}

core::ObjectId IdAt(const Query& query, int col) { return core::ObjectId(static_cast<std::uint64_t>(query.Int(col))); }

std::int64_t IdValue(core::ObjectId id) { return static_cast<std::int64_t>(id.value()); }

// ReadRow reads the columns of kSelectRow.
CertificateRow ReadRow(const Query& query) {
    CertificateRow row;
    row.id = IdAt(query, 0);
    row.name = query.Text(1);
    row.props = DecodeProps(query.TextView(2), "certificate", row.id);
    row.der = query.Blob(3);
    row.has_key = query.Int(4) != 0;
    if (!query.IsNull(5)) {
        row.issuer_id = IdAt(query, 5);
    }
    row.revision = static_cast<std::uint64_t>(query.Int(6));
    return row;
}

#define CERTOS_SELECT_ROW "SELECT id, name, props, der, key_sealed IS NOT NULL, issuer_id, revision FROM certificates "

// BindFields binds name, props, der and issuer_id to parameters 1 to 4.
void BindFields(Query& query, const CertificateRow& row) {
    query.Bind(1, row.name).Bind(2, PropsToJson(row.props));
    if (row.der.empty()) {
        query.BindNull(3);
    } else {
        query.BindBlob(3, row.der);
    }
    if (row.issuer_id) {
        query.Bind(4, IdValue(*row.issuer_id));
    } else {
        query.BindNull(4);
    }
}

// RunNamed runs an INSERT or UPDATE of a named row, turning the name's UNIQUE violation into RouterOS's
// message ("<what> with the same name already exists") and a PRIMARY KEY violation (an id the caller chose)
// into "<what> with the same id already exists". Both stay SqliteErrors, so the transaction rolls back.
void RunNamed(Query& query, std::string_view what) {
    try {
        query.Run();
    } catch (const SqliteError& e) {
        if (e.code() == SQLITE_CONSTRAINT_UNIQUE) {
            throw SqliteError(e.code(), std::string(what) + " with the same name already exists");
        }
        if (e.code() == SQLITE_CONSTRAINT_PRIMARYKEY) {
            throw SqliteError(e.code(), std::string(what) + " with the same id already exists");
        }
        throw;
    }
}

#define CERTOS_SELECT_ITEM "SELECT id, name, props FROM items "

// ReadItem reads the columns of CERTOS_SELECT_ITEM for an item of `kind`.
ItemRow ReadItem(const Query& query, std::string_view kind) {
    ItemRow row;
    row.id = IdAt(query, 0);
    row.name = query.Text(1);
    row.props = DecodeProps(query.TextView(2), kind, row.id);
    return row;
}

std::string ItemIdCounter(std::string_view kind) {
    return std::string(kItemIdCounterPrefix) + std::string(kind) + ".id";
}

// Times are stored as milliseconds since the Unix epoch; floor, not truncation, keeps times before 1970
// ordered.
std::int64_t ToMillis(std::chrono::system_clock::time_point time) {
    return std::chrono::floor<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

std::chrono::system_clock::time_point FromMillis(std::int64_t millis) {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(millis));
}

// BindBlobRow binds kind, owner, number, data and updated to parameters 1 to 5.
void BindBlobRow(Query& query, const BlobRow& blob) {
    query.Bind(1, blob.kind)
        .Bind(2, IdValue(blob.owner))
        .Bind(3, static_cast<std::int64_t>(blob.number))
        .BindBlob(4, blob.data)
        .Bind(5, ToMillis(blob.updated));
}

// ReadLog reads the columns of "SELECT seq, time, topics, message".
LogEntry ReadLog(const Query& query) {
    LogEntry entry;
    entry.seq = static_cast<std::uint64_t>(query.Int(0));
    entry.time = FromMillis(query.Int(1));
    entry.topics = query.Text(2);
    entry.message = query.Text(3);
    return entry;
}

class SqliteTransaction final : public Transaction {
public:
    SqliteTransaction(std::shared_ptr<Shared> shared, TxMode mode) : shared_(std::move(shared)), mode_(mode) {
        if (mode_ == TxMode::kWrite) {
            try {
                conn_ = shared_->gate().Enter(ticket_);
            } catch (const SqliteError& e) {
                if ((e.code() & 0xff) == SQLITE_READONLY) {
                    // A connection opened for writing can only be read-only when it shares its WAL index with
                    // a read-only connection of this process, opened because the disk was full (SQLite keeps
                    // one index per file and process).
                    throw SqliteError(SQLITE_FULL, sqlite3_errstr(SQLITE_FULL));
                }
                throw;
            }
            return;
        }
        try {
            owned_ = shared_->Acquire(mode_);
            conn_ = owned_.get();
            // A read transaction's snapshot starts at its first read.
            conn_->Prepare("BEGIN").Run();
        } catch (...) {
            Finish(/*reuse=*/conn_ != nullptr && conn_->Rollback());
            throw;
        }
    }

    ~SqliteTransaction() override {
        if (conn_ != nullptr) {
            Abort();
        }
    }

    // ListCertificates and ListCertificateStamps list in `/certificate print` order (migration 8): signed and
    // imported certificates in the order they got their certificate, then templates in id order.
    std::vector<CertificateRow> ListCertificates() override {
        return Run([&] {
            std::vector<CertificateRow> rows;
            Query query = conn_->Prepare(CERTOS_SELECT_ROW "ORDER BY sort_key, id");
            while (query.Step()) {
                rows.push_back(ReadRow(query));
            }
            return rows;
        });
    }

    std::vector<CertificateStamp> ListCertificateStamps() override {
        return Run([&] {
            std::vector<CertificateStamp> stamps;
            Query query =
                conn_->Prepare("SELECT id, revision, name, issuer_id FROM certificates ORDER BY sort_key, id");
            while (query.Step()) {
                CertificateStamp& stamp = stamps.emplace_back();
                stamp.id = IdAt(query, 0);
                stamp.revision = static_cast<std::uint64_t>(query.Int(1));
                stamp.name = query.Text(2);
                if (!query.IsNull(3)) {
                    stamp.issuer_id = IdAt(query, 3);
                }
            }
            return stamps;
        });
    }

    std::vector<std::pair<core::ObjectId, std::string>> ListIssuerNames() override {
        return Run([&] {
            // The distinct issuer ids, one index seek each (a loose index scan over certificates_issuer), so
            // that a million rows of one CA cost two seeks rather than a walk of the index.
            Query query = conn_->Prepare(
                "WITH RECURSIVE issuers(id) AS ("
                "SELECT MIN(issuer_id) FROM certificates "
                "UNION ALL SELECT (SELECT MIN(issuer_id) FROM certificates WHERE issuer_id > issuers.id) "
                "FROM issuers WHERE issuers.id IS NOT NULL) "
                "SELECT c.id, c.name FROM issuers JOIN certificates c ON c.id = issuers.id ORDER BY c.id");
            std::vector<std::pair<core::ObjectId, std::string>> names;
            while (query.Step()) {
                names.emplace_back(IdAt(query, 0), query.Text(1));
            }
            return names;
        });
    }

    std::uint64_t CountCertificates(const CertificateCondition& condition) override {
        return Run([&] {
            sqlite::WhereClause where = sqlite::ToWhereClause(condition);
            Query query = conn_->PrepareGenerated("SELECT COUNT(*) FROM certificates WHERE " + where.sql);
            sqlite::BindWhere(query, where);
            query.Step();
            return static_cast<std::uint64_t>(query.Int(0));
        });
    }

    void ScanCertificates(const CertificateCondition& condition, const std::function<bool(CertificateRow&& row)>& visit,
                          ScanOrder order) override {
        Run([&] {
            sqlite::WhereClause where = sqlite::ToWhereClause(condition);
            Query query = conn_->PrepareGenerated(CERTOS_SELECT_ROW "WHERE " + where.sql +
                                                  (order == ScanOrder::kListing ? " ORDER BY sort_key, id" : ""));
            sqlite::BindWhere(query, where);
            while (query.Step()) {
                if (!visit(ReadRow(query))) {
                    break;
                }
            }
        });
    }

    std::optional<CertificateRow> GetCertificate(core::ObjectId id) override {
        return Run([&]() -> std::optional<CertificateRow> {
            Query query = conn_->Prepare(CERTOS_SELECT_ROW "WHERE id = ?");
            query.Bind(1, IdValue(id));
            if (!query.Step()) {
                return std::nullopt;
            }
            return ReadRow(query);
        });
    }

    std::optional<CertificateRow> FindCertificateByName(std::string_view name) override {
        return Run([&]() -> std::optional<CertificateRow> {
            Query query = conn_->Prepare(CERTOS_SELECT_ROW "WHERE name = ?");
            query.Bind(1, name);
            if (!query.Step()) {
                return std::nullopt;
            }
            return ReadRow(query);
        });
    }
#undef CERTOS_SELECT_ROW

    std::optional<core::ObjectId> FindCertificateId(std::string_view name) override {
        return Run([&]() -> std::optional<core::ObjectId> {
            Query query = conn_->Prepare("SELECT id FROM certificates WHERE name = ?");
            query.Bind(1, name);
            if (!query.Step()) {
                return std::nullopt;
            }
            return IdAt(query, 0);
        });
    }

    core::ObjectId InsertCertificate(const CertificateRow& row) override {
        return RunWrite([&] {
            core::ObjectId id(Increment(kCertificateIdCounter));
            NoteIssuer(row);
            Query query = conn_->Prepare(
                "INSERT INTO certificates (name, props, der, issuer_id, id, sort_key) VALUES (?, ?, ?, ?, ?, ?)");
            BindFields(query, row);
            query.Bind(5, IdValue(id));
            query.Bind(6, row.der.empty() ? kTemplateSortBase + IdValue(id)
                                          : static_cast<std::int64_t>(Increment(kSignSequenceCounter)));
            RunNamed(query, "certificate");
            Bump(kCertificateGeneration);
            return id;
        });
    }

    void UpdateCertificate(const CertificateRow& row) override {
        RunWrite([&] {
            if (!RunUpdate(row, std::nullopt)) {
                throw core::NoSuchItem();
            }
        });
    }

    bool UpdateCertificateIf(const CertificateRow& row, std::uint64_t expected_revision) override {
        return RunWrite([&] { return RunUpdate(row, expected_revision); });
    }

    void DeleteCertificate(core::ObjectId id) override {
        RunWrite([&] {
            conn_->Prepare("DELETE FROM certificates WHERE id = ?").Bind(1, IdValue(id)).Run();
            RequireChanged();
            NoteDeleted(id);
            Bump(kCertificateGeneration);
        });
    }

    void StoreSealedKey(core::ObjectId id, std::string_view sealed) override {
        RunWrite([&] {
            conn_->Prepare("UPDATE certificates SET key_sealed = ?, revision = revision + 1 WHERE id = ?")
                .BindBlob(1, sealed)
                .Bind(2, IdValue(id))
                .Run();
            RequireChanged();
            Bump(kCertificateGeneration);
        });
    }

    std::optional<std::string> LoadSealedKey(core::ObjectId id) override {
        return Run([&]() -> std::optional<std::string> {
            Query query = conn_->Prepare("SELECT key_sealed FROM certificates WHERE id = ? AND key_sealed IS NOT NULL");
            query.Bind(1, IdValue(id));
            if (!query.Step()) {
                return std::nullopt;
            }
            return query.Blob(0);
        });
    }

    std::optional<std::string> GetSetting(std::string_view section, std::string_view key) override {
        return Run([&]() -> std::optional<std::string> {
            Query query = conn_->Prepare("SELECT value FROM settings WHERE section = ? AND key = ?");
            query.Bind(1, section).Bind(2, key);
            if (!query.Step()) {
                return std::nullopt;
            }
            return query.Text(0);
        });
    }

    void SetSetting(std::string_view section, std::string_view key, std::string_view value) override {
        RunWrite([&] {
            conn_
                ->Prepare(
                    "INSERT INTO settings (section, key, value) VALUES (?, ?, ?) "
                    "ON CONFLICT (section, key) DO UPDATE SET value = excluded.value")
                .Bind(1, section)
                .Bind(2, key)
                .Bind(3, value)
                .Run();
        });
    }

    bool InsertSetting(std::string_view section, std::string_view key, std::string_view value) override {
        return RunWrite([&] {
            conn_->Prepare("INSERT INTO settings (section, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .Bind(1, section)
                .Bind(2, key)
                .Bind(3, value)
                .Run();
            return conn_->Changes() == 1;
        });
    }

    std::vector<ItemRow> ListItems(std::string_view kind) override {
        return Run([&] {
            std::vector<ItemRow> rows;
            Query query = conn_->Prepare(CERTOS_SELECT_ITEM "WHERE kind = ? ORDER BY id");
            query.Bind(1, kind);
            while (query.Step()) {
                rows.push_back(ReadItem(query, kind));
            }
            return rows;
        });
    }

    std::optional<ItemRow> GetItem(std::string_view kind, core::ObjectId id) override {
        return Run([&]() -> std::optional<ItemRow> {
            Query query = conn_->Prepare(CERTOS_SELECT_ITEM "WHERE kind = ? AND id = ?");
            query.Bind(1, kind).Bind(2, IdValue(id));
            if (!query.Step()) {
                return std::nullopt;
            }
            return ReadItem(query, kind);
        });
    }

    std::optional<ItemRow> FindItemByName(std::string_view kind, std::string_view name) override {
        return Run([&]() -> std::optional<ItemRow> {
            Query query = conn_->Prepare(CERTOS_SELECT_ITEM "WHERE kind = ? AND name = ?");
            query.Bind(1, kind).Bind(2, name);
            if (!query.Step()) {
                return std::nullopt;
            }
            return ReadItem(query, kind);
        });
    }
#undef CERTOS_SELECT_ITEM

    core::ObjectId InsertItem(std::string_view kind, const ItemRow& row, bool keep_id) override {
        return RunWrite([&] {
            constexpr auto kMaxId = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
            if (keep_id && (row.id.value() == 0 || row.id.value() > kMaxId)) {
                ThrowInternal("item id " + row.id.ToString() + " cannot be stored");
            }
            // Encoded first: a value that is not UTF-8 fails before an id is drawn.
            std::string props = PropsToJson(row.props);
            std::string counter = ItemIdCounter(kind);
            core::ObjectId id = keep_id ? row.id : core::ObjectId(Increment(counter));
            Query query = conn_->Prepare("INSERT INTO items (kind, id, name, props) VALUES (?, ?, ?, ?)");
            query.Bind(1, kind).Bind(2, IdValue(id)).Bind(3, row.name).Bind(4, props);
            RunNamed(query, "item");
            if (keep_id) {
                AdvanceTo(counter, id.value());
            }
            BumpItems(kind);
            return id;
        });
    }

    void UpdateItem(std::string_view kind, const ItemRow& row) override {
        RunWrite([&] {
            std::string props = PropsToJson(row.props);
            Query query = conn_->Prepare("UPDATE items SET name = ?, props = ? WHERE kind = ? AND id = ?");
            query.Bind(1, row.name).Bind(2, props).Bind(3, kind).Bind(4, IdValue(row.id));
            RunNamed(query, "item");
            RequireChanged();
            BumpItems(kind);
        });
    }

    void DeleteItem(std::string_view kind, core::ObjectId id) override {
        RunWrite([&] {
            conn_->Prepare("DELETE FROM items WHERE kind = ? AND id = ?").Bind(1, kind).Bind(2, IdValue(id)).Run();
            RequireChanged();
            BumpItems(kind);
        });
    }

    void AppendLog(const LogEntry& entry) override {
        RunWrite([&] {
            std::int64_t seq = 0;
            {
                Query insert = conn_->Prepare("INSERT INTO log (time, topics, message) VALUES (?, ?, ?) RETURNING seq");
                insert.Bind(1, ToMillis(entry.time)).Bind(2, entry.topics).Bind(3, entry.message);
                insert.Step();
                seq = insert.Int(0);
            }
            // Lines older than the kLogCapacity-th newest go, kLogPruneBatch at a time (a delete changes the
            // oldest page of the table: once per batch, not on every line). Only the oldest lines are ever
            // deleted (a rolled-back insert gives its number back), so the lines are numbered without gaps and
            // the newest kLogCapacity are those above seq - kLogCapacity: an index range, not a count of rows.
            if (seq % kLogPruneBatch == 0) {
                conn_->Prepare("DELETE FROM log WHERE seq <= ?")
                    .Bind(1, seq - static_cast<std::int64_t>(kLogCapacity))
                    .Run();
            }
        });
    }

    std::vector<LogEntry> ListLog() override {
        return Run([&] {
            std::vector<LogEntry> entries;
            // Up to kLogPruneBatch - 1 lines beyond the capacity wait for the next prune: not listed.
            Query query = conn_->Prepare(
                "SELECT seq, time, topics, message FROM log WHERE seq > (SELECT COALESCE(MAX(seq), 0) FROM log) - ? "
                "ORDER BY seq");
            query.Bind(1, static_cast<std::int64_t>(kLogCapacity));
            while (query.Step()) {
                entries.push_back(ReadLog(query));
            }
            return entries;
        });
    }

    std::optional<BlobRow> GetBlob(std::string_view kind, core::ObjectId owner) override {
        return Run([&]() -> std::optional<BlobRow> {
            Query query = conn_->Prepare("SELECT number, data, updated FROM blobs WHERE kind = ? AND owner = ?");
            query.Bind(1, kind).Bind(2, IdValue(owner));
            if (!query.Step()) {
                return std::nullopt;
            }
            BlobRow blob;
            blob.kind = kind;
            blob.owner = owner;
            blob.number = static_cast<std::uint64_t>(query.Int(0));
            blob.data = query.Blob(1);
            blob.updated = FromMillis(query.Int(2));
            return blob;
        });
    }

    void PutBlob(const BlobRow& blob) override {
        RunWrite([&] {
            Query query = conn_->Prepare(
                "INSERT INTO blobs (kind, owner, number, data, updated) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, owner) DO UPDATE "
                "SET number = excluded.number, data = excluded.data, updated = excluded.updated");
            BindBlobRow(query, blob);
            query.Run();
        });
    }

    void DeleteBlobs(core::ObjectId owner) override {
        RunWrite([&] { conn_->Prepare("DELETE FROM blobs WHERE owner = ?").Bind(1, IdValue(owner)).Run(); });
    }

    void AppendToBlob(const BlobRow& part) override {
        RunWrite([&] {
            // || makes text of blobs: CAST keeps the column a blob, so that ReplaceBlobIf's comparison holds.
            Query query = conn_->Prepare(
                "INSERT INTO blobs (kind, owner, number, data, updated) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, owner) DO UPDATE SET number = number + excluded.number, "
                "data = CAST(data || excluded.data AS BLOB), updated = excluded.updated");
            BindBlobRow(query, part);
            query.Run();
        });
    }

    bool ReplaceBlobIf(const BlobRow& blob, std::string_view expected_data) override {
        return RunWrite([&] {
            conn_
                ->Prepare(
                    "UPDATE blobs SET number = ?, data = ?, updated = ? WHERE kind = ? AND owner = ? AND data = ?")
                .Bind(1, static_cast<std::int64_t>(blob.number))
                .BindBlob(2, blob.data)
                .Bind(3, ToMillis(blob.updated))
                .Bind(4, blob.kind)
                .Bind(5, IdValue(blob.owner))
                .BindBlob(6, expected_data)
                .Run();
            return conn_->Changes() == 1;
        });
    }

    std::uint64_t NextCounter(std::string_view name) override {
        if (name.starts_with(kReservedCounterPrefix)) {
            ThrowInternal("counter name " + std::string(name) + " is reserved by the store");
        }
        return RunWrite([&] { return Increment(name); });
    }

    std::uint64_t Generation(std::string_view what) override {
        return Run([&]() -> std::uint64_t {
            Query query = conn_->Prepare("SELECT value FROM counters WHERE name = ?");
            query.Bind(1, std::string(kGenerationPrefix) + std::string(what));
            return query.Step() ? static_cast<std::uint64_t>(query.Int(0)) : 0;
        });
    }

    bool AcquireLease(std::string_view name, std::string_view holder, std::chrono::system_clock::time_point now,
                      std::chrono::milliseconds ttl) override {
        return RunWrite([&] {
            // The upsert's WHERE leaves a lease that someone else holds, unexpired, as it is: no row changes.
            conn_
                ->Prepare(
                    "INSERT INTO leases (name, holder, expires) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires "
                    "WHERE leases.holder = excluded.holder OR leases.expires <= ?4")
                .Bind(1, name)
                .Bind(2, holder)
                .Bind(3, ToMillis(now + ttl))
                .Bind(4, ToMillis(now))
                .Run();
            return conn_->Changes() > 0;
        });
    }

    void ReleaseLease(std::string_view name, std::string_view holder) override {
        RunWrite([&] {
            conn_->Prepare("DELETE FROM leases WHERE name = ? AND holder = ?").Bind(1, name).Bind(2, holder).Run();
        });
    }

    StoreContent DumpContent() override {
        return Run([&] {
            StoreContent content;
            Query certs = conn_->Prepare(
                "SELECT id, name, props, der, key_sealed IS NOT NULL, issuer_id, revision, key_sealed "
                "FROM certificates ORDER BY sort_key, id");
            while (certs.Step()) {
                CertificateContent& cert = content.certificates.emplace_back();
                cert.row = ReadRow(certs);
                if (!certs.IsNull(7)) {
                    cert.sealed_key = certs.Blob(7);
                }
            }
            Query items = conn_->Prepare("SELECT id, name, props, kind FROM items ORDER BY kind, id");
            while (items.Step()) {
                std::string kind = items.Text(3);
                ItemRow row = ReadItem(items, kind);
                content.items[kind].push_back(std::move(row));
            }
            Query settings =
                conn_->Prepare("SELECT section, key, value FROM settings WHERE section <> ? ORDER BY section, key");
            settings.Bind(1, kStoreSection);
            while (settings.Step()) {
                content.settings.push_back(SettingRow{settings.Text(0), settings.Text(1), settings.Text(2)});
            }
            Query blobs = conn_->Prepare("SELECT kind, owner, number, data, updated FROM blobs ORDER BY kind, owner");
            while (blobs.Step()) {
                BlobRow& blob = content.blobs.emplace_back();
                blob.kind = blobs.Text(0);
                blob.owner = IdAt(blobs, 1);
                blob.number = static_cast<std::uint64_t>(blobs.Int(2));
                blob.data = blobs.Blob(3);
                blob.updated = FromMillis(blobs.Int(4));
            }
            Query counters =
                conn_->Prepare("SELECT name, value FROM counters WHERE substr(name, 1, ?) <> ? ORDER BY name");
            counters.Bind(1, static_cast<std::int64_t>(kReservedCounterPrefix.size())).Bind(2, kReservedCounterPrefix);
            while (counters.Step()) {
                content.counters[counters.Text(0)] = static_cast<std::uint64_t>(counters.Int(1));
            }
            return content;
        });
    }

    void ReplaceContent(const StoreContent& content) override {
        RunWrite([&] {
            CheckReplaceable(content);
            std::set<std::string> kinds = ItemKinds();
            std::int64_t revision = 1;
            {
                Query query = conn_->Prepare("SELECT COALESCE(MAX(revision), 0) + 1 FROM certificates");
                query.Step();
                revision = query.Int(0);
            }
            conn_->Exec("DELETE FROM certificates");
            check_all_references_ = true;
            conn_->Exec("DELETE FROM items");
            conn_->Prepare("DELETE FROM settings WHERE section <> ?").Bind(1, kStoreSection).Run();
            conn_->Exec("DELETE FROM blobs");
            conn_->Prepare("DELETE FROM counters WHERE substr(name, 1, ?) <> ?")
                .Bind(1, static_cast<std::int64_t>(kReservedCounterPrefix.size()))
                .Bind(2, kReservedCounterPrefix)
                .Run();
            for (const CertificateContent& cert : content.certificates) {
                InsertRestored(cert, revision);
            }
            for (const auto& [kind, rows] : content.items) {
                kinds.insert(kind);
                for (const ItemRow& row : rows) {
                    Query query = conn_->Prepare("INSERT INTO items (kind, id, name, props) VALUES (?, ?, ?, ?)");
                    query.Bind(1, kind).Bind(2, IdValue(row.id)).Bind(3, row.name).Bind(4, PropsToJson(row.props));
                    RunNamed(query, "item");
                    AdvanceTo(ItemIdCounter(kind), row.id.value());
                }
            }
            for (const SettingRow& setting : content.settings) {
                conn_->Prepare("INSERT INTO settings (section, key, value) VALUES (?, ?, ?)")
                    .Bind(1, setting.section)
                    .Bind(2, setting.key)
                    .Bind(3, setting.value)
                    .Run();
            }
            for (const BlobRow& blob : content.blobs) {
                Query query =
                    conn_->Prepare("INSERT INTO blobs (kind, owner, number, data, updated) VALUES (?, ?, ?, ?, ?)");
                BindBlobRow(query, blob);
                query.Run();
            }
            for (const auto& [name, value] : content.counters) {
                conn_->Prepare("INSERT INTO counters (name, value) VALUES (?, ?)")
                    .Bind(1, name)
                    .Bind(2, static_cast<std::int64_t>(value))
                    .Run();
            }
            Bump(kCertificateGeneration);
            for (const std::string& kind : kinds) {
                BumpItems(kind);
            }
        });
    }

    void Commit() override {
        if (mode_ != TxMode::kWrite) {
            Run([&] { conn_->Prepare("COMMIT").Run(); });
            Finish(/*reuse=*/true);
            return;
        }
        Run([&] { CheckForeignKeys(); });
        conn_ = nullptr;
        shared_->gate().Commit(ticket_);  // returns once the commit that holds this transaction is durable
    }

private:
    // Run executes one operation of an open transaction. A SQLite failure rolls the transaction back at
    // once and ends it (later calls fail), so no half-done change can be committed. Other exceptions (a
    // missing row, a wrong master key) leave the transaction open for the caller to decide.
    template <typename F>
    auto Run(F&& body) -> decltype(body()) {
        if (conn_ == nullptr) {
            ThrowInternal("transaction used after it was committed or rolled back");
        }
        try {
            return body();
        } catch (const SqliteError& e) {
            Abort(&e);
            throw;
        }
    }

    template <typename F>
    auto RunWrite(F&& body) -> decltype(body()) {
        if (mode_ != TxMode::kWrite) {
            ThrowInternal("change attempted in a read transaction");
        }
        return Run(std::forward<F>(body));
    }

    // CheckReplaceable refuses content that ReplaceContent must not write: the store's own settings and
    // counters, and ids the id columns cannot hold.
    static void CheckReplaceable(const StoreContent& content) {
        constexpr auto kMaxId = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        auto check_id = [&](core::ObjectId id) {
            if (id.value() == 0 || id.value() > kMaxId) {
                ThrowInternal("id " + id.ToString() + " cannot be stored");
            }
        };
        for (const SettingRow& setting : content.settings) {
            if (setting.section == kStoreSection) {
                ThrowInternal("settings of section store belong to the store");
            }
        }
        for (const auto& [name, value] : content.counters) {
            if (name.starts_with(kReservedCounterPrefix)) {
                ThrowInternal("counter name " + name + " is reserved by the store");
            }
        }
        for (const CertificateContent& cert : content.certificates) {
            check_id(cert.row.id);
        }
        for (const auto& [kind, rows] : content.items) {
            for (const ItemRow& row : rows) {
                check_id(row.id);
            }
        }
    }

    // ItemKinds is every kind that has items now.
    std::set<std::string> ItemKinds() {
        std::set<std::string> kinds;
        Query query = conn_->Prepare("SELECT DISTINCT kind FROM items");
        while (query.Step()) {
            kinds.insert(query.Text(0));
        }
        return kinds;
    }

    // InsertRestored inserts a certificate row of ReplaceContent with its id, sealed key and `revision`; the
    // rows come in print order, so signed rows take the next sign sequence numbers in that order.
    void InsertRestored(const CertificateContent& cert, std::int64_t revision) {
        const CertificateRow& row = cert.row;
        Query query = conn_->Prepare(
            "INSERT INTO certificates (name, props, der, issuer_id, id, sort_key, key_sealed, revision) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        BindFields(query, row);
        query.Bind(5, IdValue(row.id));
        query.Bind(6, row.der.empty() ? kTemplateSortBase + IdValue(row.id)
                                      : static_cast<std::int64_t>(Increment(kSignSequenceCounter)));
        if (cert.sealed_key) {
            query.BindBlob(7, *cert.sealed_key);
        } else {
            query.BindNull(7);
        }
        query.Bind(8, revision);
        RunNamed(query, "certificate");
        AdvanceTo(kCertificateIdCounter, row.id.value());
    }

    // Increment adds one to counter `name` (creating it at 1) and returns the new value.
    std::uint64_t Increment(std::string_view name) {
        Query query = conn_->Prepare(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value");
        query.Bind(1, name);
        query.Step();
        return static_cast<std::uint64_t>(query.Int(0));
    }

    // RunUpdate replaces the fields of row `row.id` (only while it is at `expected_revision`, when given) and
    // moves its revision and the certificates' generation. Returns whether a row was updated.
    bool RunUpdate(const CertificateRow& row, std::optional<std::uint64_t> expected_revision) {
        std::optional<std::int64_t> sort_key = row.der.empty() ? std::nullopt : SignedSortKey(row.id);
        // OR FAIL, not the default ABORT: SQLite keeps a statement journal (the pages a statement changed, to undo
        // it alone) for a statement that may abort after writing, and this one writes the row and every index
        // of it (~70 KB, over the 64 KiB SQLite keeps in memory: each sign created, wrote and deleted a file in
        // /var/tmp). A one-row UPDATE checks its constraints before it writes anything, so FAIL leaves nothing
        // half-done, and a failing statement fails its whole transaction (or savepoint) here anyway.
        Query query = conn_->Prepare(
            "UPDATE OR FAIL certificates SET name = ?, props = ?, der = ?, issuer_id = ?, revision = revision + 1, "
            "sort_key = COALESCE(?, sort_key) WHERE id = ? AND (? IS NULL OR revision = ?)");
        BindFields(query, row);
        if (sort_key) {
            query.Bind(5, *sort_key);
        } else {
            query.BindNull(5);
        }
        query.Bind(6, IdValue(row.id));
        if (expected_revision) {
            query.Bind(7, static_cast<std::int64_t>(*expected_revision))
                .Bind(8, static_cast<std::int64_t>(*expected_revision));
        } else {
            query.BindNull(7).BindNull(8);
        }
        RunNamed(query, "certificate");
        if (conn_->Changes() == 0) {
            return false;
        }
        NoteIssuer(row);
        Bump(kCertificateGeneration);
        return true;
    }

    // SignedSortKey is the sort key row `id` takes when it gets its certificate: the next sign sequence number
    // when it is a template now (signed in place, keeping its id), none (it keeps its key) when it is already
    // sorted among the signed ones or does not exist. Set in the same UPDATE as the certificate: one write of
    // the row, not two.
    std::optional<std::int64_t> SignedSortKey(core::ObjectId id) {
        {
            Query current = conn_->Prepare("SELECT sort_key FROM certificates WHERE id = ?");
            current.Bind(1, IdValue(id));
            if (!current.Step() || current.Int(0) < kTemplateSortBase) {
                return std::nullopt;
            }
        }
        return static_cast<std::int64_t>(Increment(kSignSequenceCounter));
    }

    // Bump adds one to generation `what` (Transaction::Generation), in this transaction: every write
    // operation calls it for what it changed, after the change succeeded.
    void Bump(std::string_view what) { Increment(std::string(kGenerationPrefix) + std::string(what)); }
    void BumpItems(std::string_view kind) { Bump("item." + std::string(kind)); }

    // AdvanceTo raises counter `name` to at least `value`, so that Increment never returns an id a caller
    // has already used.
    void AdvanceTo(std::string_view name, std::uint64_t value) {
        conn_
            ->Prepare(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = MAX(value, excluded.value)")
            .Bind(1, name)
            .Bind(2, static_cast<std::int64_t>(value))
            .Run();
    }

    void RequireChanged() {
        if (conn_->Changes() == 0) {
            throw core::NoSuchItem();
        }
    }

    // CheckForeignKeys checks, before this write transaction joins its group, what SQLite checks of the
    // deferred issuer_id reference only at COMMIT (releasing a savepoint checks nothing): that every issuer
    // this transaction named exists and that no row still names a row it deleted. A violation fails this
    // transaction alone, as COMMIT would have: "failure: FOREIGN KEY constraint failed".
    void CheckForeignKeys() {
        auto fail = [] { throw SqliteError(SQLITE_CONSTRAINT_FOREIGNKEY, "FOREIGN KEY constraint failed"); };
        if (check_all_references_) {
            Query query = conn_->Prepare("PRAGMA foreign_key_check(certificates)");
            if (query.Step()) {
                fail();
            }
            return;
        }
        for (std::int64_t issuer : named_issuers_) {
            Query query = conn_->Prepare("SELECT 1 FROM certificates WHERE id = ?");
            if (!query.Bind(1, issuer).Step()) {
                fail();
            }
        }
        for (std::int64_t deleted : deleted_ids_) {
            Query query = conn_->Prepare("SELECT 1 FROM certificates WHERE issuer_id = ? LIMIT 1");
            if (query.Bind(1, deleted).Step()) {
                fail();
            }
        }
    }

    // NoteIssuer and NoteDeleted record what CheckForeignKeys must check.
    void NoteIssuer(const CertificateRow& row) {
        if (row.issuer_id) {
            named_issuers_.push_back(IdValue(*row.issuer_id));
        }
    }
    void NoteDeleted(core::ObjectId id) { deleted_ids_.push_back(IdValue(id)); }

    // Abort rolls the transaction back; `cause` is the failure that made it, if any (a write transaction's
    // group, when SQLite lost it, fails with it).
    void Abort(const SqliteError* cause = nullptr) noexcept {
        if (mode_ == TxMode::kWrite) {
            conn_ = nullptr;
            shared_->gate().Rollback(ticket_, cause);
            return;
        }
        Finish(/*reuse=*/conn_ != nullptr && conn_->Rollback());
    }

    // Finish ends a read transaction: the connection goes back to the pool when `reuse` (it is known to be out
    // of any transaction), else it is closed.
    void Finish(bool reuse) noexcept {
        if (owned_ != nullptr && reuse) {
            shared_->Release(std::move(owned_));
        }
        owned_.reset();
        conn_ = nullptr;
    }

    std::shared_ptr<Shared> shared_;
    TxMode mode_;
    Connection* conn_ = nullptr;         // null once the transaction has ended
    std::unique_ptr<Connection> owned_;  // a read transaction's connection, from the pool
    sqlite::WriteGate::Ticket ticket_;   // a write transaction's place in its commit group
    std::vector<std::int64_t> named_issuers_;
    std::vector<std::int64_t> deleted_ids_;
    bool check_all_references_ = false;
};

class SqliteStore final : public Store {
public:
    SqliteStore(std::shared_ptr<Shared> shared, std::unique_ptr<Connection> watch)
        : shared_(std::move(shared)), watch_(std::move(watch)), last_data_version_(ReadDataVersion()) {}

    std::unique_ptr<Transaction> Begin(TxMode mode) override {
        return std::make_unique<SqliteTransaction>(shared_, mode);
    }

    std::uint64_t DataVersion() override {
        // PRAGMA data_version changes when any other connection (another process, or this Store's pool)
        // commits; the local count covers this process's commits even if that were ever not so. The sum of
        // two counters that only grow changes whenever either does.
        std::lock_guard lock(watch_mutex_);
        if (watch_->read_only()) {
            // Opened on a full disk. While it is open, every new connection of this process shares its
            // read-only WAL index and cannot write: it is replaced as soon as a writable one can be opened.
            // A new connection's data_version is not comparable with the old one's: the change to a writable
            // one counts as a change (others may have written meanwhile). While the disk stays full, nobody
            // writes much; the read-only connections are only swapped.
            watch_.reset();
            watch_ = OpenConnection(shared_->db_file(), TxMode::kRead);
            last_data_version_ = ReadDataVersion();
            if (!watch_->read_only()) {
                ++external_changes_;
            }
        }
        std::int64_t version = ReadDataVersion();
        if (version != last_data_version_) {
            last_data_version_ = version;
            ++external_changes_;
        }
        return external_changes_ + shared_->local_commits();
    }

private:
    std::int64_t ReadDataVersion() {
        Query query = watch_->Prepare("PRAGMA data_version");
        query.Step();
        return query.Int(0);
    }

    std::shared_ptr<Shared> shared_;
    std::mutex watch_mutex_;
    std::unique_ptr<Connection> watch_;  // only ever reads PRAGMA data_version
    std::int64_t last_data_version_;
    std::uint64_t external_changes_ = 0;
};

// CreatePrivateFile creates `file` empty with mode 0600 if it does not exist. SQLite creates a database with
// mode 0644 less the umask, and its -wal and -shm files with the database's mode: made 0600 first, all three
// are owner-only whatever the umask.
void CreatePrivateFile(const std::filesystem::path& file) {
    int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        fchmod(fd, 0600);
        close(fd);
    } else if (errno != EEXIST) {
        throw core::Failure("cannot create database " + file.string() + ": " + std::strerror(errno));
    }
}

}  // namespace

std::unique_ptr<Store> OpenSqliteBackend(const std::filesystem::path& data_dir) {
    // "var/" names the directory "var"; without this its parent would be "var" itself.
    std::filesystem::path dir = data_dir.has_filename() ? data_dir : data_dir.parent_path();
    MakePrivateDirectories(dir);
    std::filesystem::path db_file = dir / kSqliteDatabaseFile;
    CreatePrivateFile(db_file);
    // Opening needs no write when the store is up to date, so a store on a full disk still opens for reading.
    std::unique_ptr<Connection> conn = OpenConnection(db_file, TxMode::kRead);
    sqlite::Migrate(*conn, db_file);
    auto shared = std::make_shared<Shared>(db_file);
    shared->Release(std::move(conn));
    return std::make_unique<SqliteStore>(std::move(shared), OpenConnection(db_file, TxMode::kRead));
}

}  // namespace certos::store
