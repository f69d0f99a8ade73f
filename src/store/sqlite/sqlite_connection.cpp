#include "store/sqlite/sqlite_connection.hpp"

#include <cerrno>
#include <string>
#include <utility>

namespace certos::store::sqlite {

namespace {

// OutOfSpace tells whether failure `rc` on `db` means that a file could not grow: SQLITE_FULL, a WAL index
// (-shm) that could not be extended (SQLITE_IOERR_SHMSIZE has no other cause), or any I/O error with ENOSPC
// or EDQUOT.
bool OutOfSpace(sqlite3* db, int rc) {
    if ((rc & 0xff) == SQLITE_FULL || rc == SQLITE_IOERR_SHMSIZE) {
        return true;
    }
    int system_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
    return (rc & 0xff) == SQLITE_IOERR && (system_errno == ENOSPC || system_errno == EDQUOT);
}

// FileUri is the SQLite URI of `file` with `query`: the characters a URI gives a meaning to are escaped.
std::string FileUri(const std::filesystem::path& file, std::string_view query) {
    std::string uri = "file:";
    for (char c : std::filesystem::absolute(file).string()) {
        if (c == '%' || c == '?' || c == '#') {
            constexpr char kHex[] = "0123456789abcdef";
            uri += '%';
            uri += kHex[static_cast<unsigned char>(c) >> 4];
            uri += kHex[static_cast<unsigned char>(c) & 0xf];
        } else {
            uri += c;
        }
    }
    return uri + "?" + std::string(query);
}

}  // namespace

void ThrowSqlite(sqlite3* db, int rc) {
    if (OutOfSpace(db, rc)) {
        throw SqliteError(SQLITE_FULL, sqlite3_errstr(SQLITE_FULL));
    }
    // sqlite3_errmsg carries the detail ("UNIQUE constraint failed: certificates.name"); without a
    // connection only the generic text for the code is known.
    const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw SqliteError(rc, message);
}

Query::~Query() {
    // sqlite3_reset repeats the last step's error code; that error has already been reported.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Query& Query::Bind(int index, std::int64_t value) {
    if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) {
        ThrowSqlite(db_, rc);
    }
    return *this;
}

Query& Query::Bind(int index, std::string_view text) {
    if (int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        rc != SQLITE_OK) {
        ThrowSqlite(db_, rc);
    }
    return *this;
}

Query& Query::BindBlob(int index, std::string_view bytes) {
    // sqlite3_bind_blob64 with a null pointer would bind NULL; an empty value must stay an empty blob.
    int rc = bytes.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                           : sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) {
        ThrowSqlite(db_, rc);
    }
    return *this;
}

Query& Query::BindNull(int index) {
    if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) {
        ThrowSqlite(db_, rc);
    }
    return *this;
}

bool Query::Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    ThrowSqlite(db_, rc);
}

void Query::Run() {
    while (Step()) {
    }
}

bool Query::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::int64_t Query::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Query::Text(int col) const { return std::string(TextView(col)); }

std::string_view Query::TextView(int col) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    int size = sqlite3_column_bytes(stmt_, col);
    return text == nullptr ? std::string_view() : std::string_view(text, static_cast<std::size_t>(size));
}

std::string Query::Blob(int col) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    int size = sqlite3_column_bytes(stmt_, col);
    return data == nullptr ? std::string() : std::string(data, static_cast<std::size_t>(size));
}

std::unique_ptr<Connection> Connection::Open(const std::filesystem::path& file) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(file.c_str(), &raw,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                             nullptr);
    DbHandle db(raw);  // sqlite3_open_v2 returns a handle to close even when it fails
    if (rc != SQLITE_OK) {
        std::string reason = db != nullptr ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc);
        throw SqliteError(rc, "cannot open database " + file.string() + ": " + reason);
    }
    // The busy timeout comes first: switching a new database to WAL needs a lock another process may hold.
    sqlite3_busy_timeout(db.get(), static_cast<int>(kBusyTimeout.count()));
    std::unique_ptr<Connection> conn(new Connection(std::move(db), /*read_only=*/false));
    {
        Query query = conn->Prepare("PRAGMA journal_mode=WAL");
        if (!query.Step() || query.Text(0) != "wal") {
            throw core::Failure("cannot use WAL journal mode for database " + file.string());
        }
    }
    // synchronous=FULL syncs the WAL on every commit, so a commit survives power loss, not only kill -9.
    // foreign_keys is per connection and off by default.
    conn->Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    return conn;
}

std::unique_ptr<Connection> Connection::OpenReadOnly(const std::filesystem::path& file) {
    sqlite3* raw = nullptr;
    int rc =
        sqlite3_open_v2(FileUri(file, "readonly_shm=1").c_str(), &raw,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nullptr);
    DbHandle db(raw);
    if (rc != SQLITE_OK) {
        std::string reason = db != nullptr ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc);
        throw SqliteError(rc, "cannot open database " + file.string() + ": " + reason);
    }
    sqlite3_busy_timeout(db.get(), static_cast<int>(kBusyTimeout.count()));
    return std::unique_ptr<Connection>(new Connection(std::move(db), /*read_only=*/true));
}

namespace {

using StatementCache = std::unordered_map<std::string, StmtHandle, Connection::TextHash, std::equal_to<>>;

sqlite3_stmt* Cached(sqlite3* db, StatementCache& cache, std::string_view sql) {
    auto it = cache.find(sql);
    if (it == cache.end()) {
        sqlite3_stmt* raw = nullptr;
        int rc =
            sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
        StmtHandle stmt(raw);
        if (rc != SQLITE_OK) {
            ThrowSqlite(db, rc);
        }
        it = cache.emplace(std::string(sql), std::move(stmt)).first;
    }
    return it->second.get();
}

}  // namespace

Query Connection::Prepare(std::string_view sql) { return Query(db_.get(), Cached(db_.get(), statements_, sql)); }

Query Connection::PrepareGenerated(std::string_view sql) {
    if (generated_.size() >= kMaxGeneratedStatements && !generated_.contains(sql)) {
        generated_.clear();
    }
    return Query(db_.get(), Cached(db_.get(), generated_, sql));
}

void Connection::Exec(const char* sql) {
    // The error text comes from sqlite3_errmsg, so the message sqlite3_exec allocates is not requested.
    if (int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr); rc != SQLITE_OK) {
        ThrowSqlite(db_.get(), rc);
    }
}

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

bool Connection::Rollback() noexcept {
    if (InTransaction()) {
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    return !InTransaction();
}

std::int64_t Connection::Changes() const { return sqlite3_changes64(db_.get()); }

}  // namespace certos::store::sqlite
