#pragma once
// Internal to store/sqlite/: the one header that owns SQLite objects. Every sqlite3 connection and
// prepared statement lives in one of these unique_ptrs from the line that creates it. Layers above
// store/ never include this file (they see only store/store.hpp and sqlite_store.hpp).

#include <sqlite3.h>

#include <memory>

namespace certos::store::sqlite {

struct ConnectionCloser {
    // sqlite3_close_v2 never fails with SQLITE_BUSY: it defers the close until every statement is finalized.
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

struct StatementFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

using DbHandle = std::unique_ptr<sqlite3, ConnectionCloser>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

}  // namespace certos::store::sqlite
