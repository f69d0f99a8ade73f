#pragma once
// Internal to store/sqlite/: one SQLite connection, its prepared-statement cache, and the error type
// every SQLite failure becomes.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"
#include "store/sqlite/sqlite_handle.hpp"

namespace certos::store::sqlite {

// kBusyTimeout is how long a connection waits for another connection's lock (a console and a daemon
// writing at once) before failing with "database is locked".
inline constexpr std::chrono::milliseconds kBusyTimeout{5000};

// SqliteError is the core::Error (kFailure, "failure: <SQLite's message>", e.g. "failure: database or disk
// is full") thrown for every failed SQLite call. It keeps SQLite's extended result code so that callers can
// recognise a constraint, and so that a transaction knows to roll back.
class SqliteError : public core::Error {
public:
    SqliteError(int code, std::string_view message) : core::Error(core::Failure(message)), code_(code) {}

    int code() const noexcept { return code_; }

private:
    int code_;
};

// ThrowSqlite throws the SqliteError for result code `rc` of a call on `db` (which may be null), with
// SQLite's message for the connection's last error. Running out of space is always SQLITE_FULL, "database or
// disk is full", whichever file could not grow (SQLite reports a shared-memory index that cannot grow, or a
// write that fails with ENOSPC, as a "disk I/O error").
[[noreturn]] void ThrowSqlite(sqlite3* db, int rc);

// Query is one use of a cached prepared statement: bind parameters, step, read columns. Its destructor
// resets the statement and clears its bindings, so the statement is reusable and holds no read lock.
class Query {
public:
    Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    ~Query();

    // Bind* set parameter `index` (from 1). Text and blobs are copied by SQLite. An empty blob binds a
    // zero-length blob, not NULL.
    Query& Bind(int index, std::int64_t value);
    Query& Bind(int index, std::string_view text);
    Query& BindBlob(int index, std::string_view bytes);
    Query& BindNull(int index);

    // Step advances to the next row: true for a row, false when done; throws SqliteError on failure.
    bool Step();
    // Run steps until done, ignoring rows.
    void Run();

    // Column readers, for column `col` (from 0) of the current row.
    bool IsNull(int col) const;
    std::int64_t Int(int col) const;
    std::string Text(int col) const;
    // TextView views the text in SQLite's buffer: valid until the next Step, Reset or column read of `col`.
    std::string_view TextView(int col) const;
    std::string Blob(int col) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;  // owned by the Connection's cache
};

// Connection is one open database handle with the settings certos relies on (WAL journal,
// synchronous=FULL, foreign keys, busy timeout) and a cache of prepared statements. It is used by one
// thread at a time (it is opened with SQLITE_OPEN_NOMUTEX); the owner serialises access.
class Connection {
public:
    // Open opens, creating if needed, the database `file`. Throws SqliteError (or core::Error when WAL
    // cannot be enabled, e.g. on a file system without shared memory).
    static std::unique_ptr<Connection> Open(const std::filesystem::path& file);
    // OpenReadOnly opens the existing database `file` for reading only, without writing anything: its WAL
    // index is read from the WAL into memory when the -shm file cannot be set up (SQLite's readonly_shm), so
    // that reads work on a full disk, where Open fails because the -shm file cannot grow. Throws SqliteError.
    static std::unique_ptr<Connection> OpenReadOnly(const std::filesystem::path& file);

    // Prepare returns a Query on the cached statement for `sql`, preparing it on first use. `sql` holds
    // exactly one statement. The Query borrows the statement: it must not outlive this Connection.
    Query Prepare(std::string_view sql);
    // PrepareGenerated is Prepare for statements generated from user input (a filter's shape): they are cached
    // apart, at most kMaxGeneratedStatements of them, the cache emptied when full, so that many shapes cannot
    // grow it without bound. Only one Query of PrepareGenerated may be in use at a time.
    Query PrepareGenerated(std::string_view sql);
    // Exec runs `sql` (one or more statements) without a cache, for schema changes.
    void Exec(const char* sql);

    // InTransaction reports whether a transaction is open (SQLite is not in autocommit mode).
    bool InTransaction() const;
    // Rollback ends the open transaction, if any, and never throws. It returns false when a transaction is
    // still open afterwards; such a connection must be discarded.
    bool Rollback() noexcept;
    // Changes is the number of rows the last INSERT, UPDATE or DELETE modified.
    std::int64_t Changes() const;
    sqlite3* get() const { return db_.get(); }
    // read_only tells a connection made by OpenReadOnly.
    bool read_only() const { return read_only_; }

    // TextHash lets the statement caches be searched by string_view.
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };

private:
    Connection(DbHandle db, bool read_only) : db_(std::move(db)), read_only_(read_only) {}

    // Statements are declared after the handle so that they are finalized first.
    DbHandle db_;
    bool read_only_;
    std::unordered_map<std::string, StmtHandle, TextHash, std::equal_to<>> statements_;
    std::unordered_map<std::string, StmtHandle, TextHash, std::equal_to<>> generated_;
};

inline constexpr std::size_t kMaxGeneratedStatements = 32;

}  // namespace certos::store::sqlite
