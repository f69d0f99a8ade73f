#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "store/open.hpp"
#include "store/store.hpp"

namespace certos::store {

// kSqliteDatabaseFile is the database's file name in a sqlite: store's directory.
inline constexpr std::string_view kSqliteDatabaseFile = "certos.db";

// OpenSqliteBackend opens (creating if needed) <data_dir>/certos.db, the bare SQLite backend: it stores sealed
// keys as given and knows no master key (OpenStore layers sealing on it; its transactions refuse
// StorePrivateKey and LoadPrivateKey). data_dir is created with mode 0700 if missing, the database with 0600.
// Missing schema migrations are applied at open. Throws core::Error (kFailure) when the directory or database
// cannot be opened, or when the database was written by a newer certos.
//
// The returned Store may be used from several threads, and several Stores (in one process or in a console
// and a daemon) may use the same directory at once: each transaction takes a connection from the Store's
// pool (opening one when none is idle), so reads run in parallel; write transactions of one Store queue on
// an in-process gate, and those of different Stores on SQLite's lock (taken at Begin(kWrite), which is how
// this backend meets the concurrency contract of store.hpp), each waiting up to 5 s before failing with
// "failure: database is locked". A thread must not begin a write transaction while it holds one. Write
// transactions of one Store that queue at once share one durable commit (sqlite/sqlite_group_commit.hpp):
// Commit returns once the commit that holds the transaction is durable.
// Transactions keep what they need alive, so they may outlive the Store.
std::unique_ptr<Store> OpenSqliteBackend(const std::filesystem::path& data_dir);

}  // namespace certos::store
