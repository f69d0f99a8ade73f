#pragma once
// Internal to store/sqlite/: the master key of a database, checked against the database before use.

#include <filesystem>

#include "crypto/seal.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace certos::store::sqlite {

// OpenMasterKey returns the master key in `key_file` for the (migrated) database on `conn`, making sure it is
// the key the database's private keys are sealed under:
//  - a key file that does not open the database's check value (or, in a database from before the check value,
//    its first sealed key) is refused: "master key K does not match the store D ...";
//  - a missing key file is refused when the database has a check value or any sealed key (a new key could not
//    open them, and keys sealed under two master keys would lose the old ones): "master key K is missing ...";
//  - otherwise (a new database) the key is created (crypto::MasterKey::Create).
// The check value is written when the database has none. Throws core::Error (kFailure); `db_file` only names
// the database in messages.
crypto::MasterKey OpenMasterKey(Connection& conn, const std::filesystem::path& key_file,
                                const std::filesystem::path& db_file);

}  // namespace certos::store::sqlite
