#pragma once
// The backend-neutral Store test suite (StoreTest). A backend's test file instantiates it once:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest,
//                            testing::Values(test::StoreBackend{"sqlite", &OpenSqliteStore}), test::BackendName);
//
// and adds its own TEST_Fs for what only that backend has (files, processes, schema tables).

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "store/store.hpp"

namespace certos::store::test {

// StoreBackend opens one backend's store for a test's data directory. Every call to `open` with the same
// directory must reach the same data, and a new directory must start empty (a PostgreSQL backend would
// derive a fresh schema from the directory and drop it in `cleanup`).
struct StoreBackend {
    std::string name;
    std::function<std::unique_ptr<Store>(const std::filesystem::path& data_dir)> open;
    std::function<void(const std::filesystem::path& data_dir)> cleanup;  // may be empty
};

inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

inline std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& info) { return info.param.name; }

// TempDir is a new directory under the system's temporary directory, removed with its contents when the
// TempDir is destroyed.
class TempDir {
public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// StoreTest gives each test an empty data directory (not yet created) on the backend under test.
class StoreTest : public ::testing::TestWithParam<StoreBackend> {
protected:
    void TearDown() override;

    // Open opens a new Store on this test's data directory.
    std::unique_ptr<Store> Open() const { return GetParam().open(data_dir()); }
    std::filesystem::path data_dir() const { return temp_.path() / "data"; }

private:
    TempDir temp_;
};

// MakeRow is a template row named `name` with a few properties.
CertificateRow MakeRow(const std::string& name);

// Insert commits one new row on `store` and returns its id.
core::ObjectId Insert(Store& store, const CertificateRow& row);

// MakeItem is an item named `name` with a few properties.
ItemRow MakeItem(const std::string& name);

// InsertItem commits one new item of `kind` on `store` and returns its id.
core::ObjectId InsertItem(Store& store, std::string_view kind, const ItemRow& row);

// StoreKeyed commits a certificate "server" with the private key "the private key" and returns its id.
core::ObjectId StoreKeyed(Store& store);

// ReadKeyFile reads a master key file; WriteKeyFile replaces it with `key` (mode 0600, directories 0700).
std::string ReadKeyFile(const std::filesystem::path& path);
void WriteKeyFile(const std::filesystem::path& path, const std::string& key);

// ExpectError runs `body` and checks that it throws core::Error of `category`.
template <typename F>
void ExpectError(core::ErrorCategory category, F&& body) {
    try {
        body();
        ADD_FAILURE() << "no core::Error thrown";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), category) << e.what();
    }
}

// ExpectFailureContaining runs `body` and checks that it throws core::Error (kFailure) whose message holds
// `text`.
template <typename F>
void ExpectFailureContaining(std::string_view text, F&& body) {
    try {
        body();
        ADD_FAILURE() << "no core::Error thrown, expected one with " << text;
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kFailure);
        EXPECT_NE(std::string_view(e.what()).find(text), std::string_view::npos) << e.what();
    }
}

}  // namespace certos::store::test
