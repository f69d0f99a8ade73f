#pragma once
// The one way to open a store: from a URL, through one factory, with key sealing above the backend.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace certos::store {

// OpenOptions are what OpenStore needs besides the URL.
struct OpenOptions {
    // data_dir is this node's data directory: the master key is `<data_dir>/master.key` whatever the backend
    // (it never goes into a shared database). Empty: the directory of a sqlite: store.
    std::filesystem::path data_dir;
};

// DefaultStoreUrl is the store certos uses when --store is not given: "sqlite:<data_dir>".
std::string DefaultStoreUrl(const std::filesystem::path& data_dir);

// OpenStore opens the store `url` names (DefaultStoreUrl(options.data_dir) when `url` is empty):
//  - "sqlite:DIR": the SQLite store in data directory DIR (DIR/certos.db; DIR is created with mode 0700 when
//    missing), see OpenSqliteBackend;
//  - "postgresql://..." or "postgres://...": refused for now, "failure: PostgreSQL store is not built in yet";
//  - anything else: "failure: unknown store URL ...".
// It then opens the master key (OpenKeySealer: created with a new store, refused when missing or not the
// store's own) and returns the store with key sealing layered on the backend (SealKeys). Throws core::Error
// (kFailure).
std::unique_ptr<Store> OpenStore(std::string_view url, const OpenOptions& options = {});

// OpenSqliteStore is OpenStore("sqlite:<data_dir>") with the master key in data_dir (tests use it).
std::unique_ptr<Store> OpenSqliteStore(const std::filesystem::path& data_dir);

}  // namespace certos::store
