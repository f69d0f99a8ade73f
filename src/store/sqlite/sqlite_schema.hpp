#pragma once
// Internal to store/sqlite/: the schema, as an ordered list of migrations.

#include <filesystem>

#include "store/sqlite/sqlite_connection.hpp"

namespace certos::store::sqlite {

// SchemaVersion is the number of migrations this build knows. A database records every migration it has
// applied in its `schema_version` table.
int SchemaVersion();

// Migrate brings the database on `conn` up to SchemaVersion(), applying all missing migrations in one
// write transaction (so two processes opening a new database at once apply them once). Throws
// core::Error when the database was written by a newer certos, and SqliteError on SQLite failures.
// `file` only names the database in messages.
void Migrate(Connection& conn, const std::filesystem::path& file);

}  // namespace certos::store::sqlite
