#pragma once

#include <filesystem>
#include <memory>

#include "store/store.hpp"

namespace certos::store {

// OpenSqliteStore opens (creating if needed) <data_dir>/certos.db and the master key <data_dir>/master.key.
// data_dir is created with mode 0700 if missing; the master key is created with mode 0600 with a new store.
// Missing schema migrations are applied at open. Throws core::Error (kFailure) when the directory, key or
// database cannot be opened, when the database was written by a newer certos, or when the master key is
// missing or not the store's own while the store has one (see sqlite::OpenMasterKey): a new key is never
// made for a store whose private keys are sealed under another.
//
// The returned Store may be used from several threads, and several Stores (in one process or in a console
// and a daemon) may use the same directory at once: each transaction takes a connection from the Store's
// pool (opening one when none is idle), so reads run in parallel; write transactions of one Store queue on
// an in-process gate, and those of different Stores on SQLite's lock, each waiting up to 5 s before failing
// with "failure: database is locked". A thread must not begin a write transaction while it holds one.
// Transactions keep what they need alive, so they may outlive the Store.
std::unique_ptr<Store> OpenSqliteStore(const std::filesystem::path& data_dir);

}  // namespace certos::store
