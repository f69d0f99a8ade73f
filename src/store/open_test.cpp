// OpenStore: the one factory every front end opens its store through.
#include "store/open.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.hpp"
#include "store/store_suite.hpp"

namespace certos::store {
namespace {

using test::ExpectFailureContaining;

TEST(OpenStoreTest, DefaultIsTheSqliteStoreInTheDataDirectory) {
    test::TempDir temp;
    std::filesystem::path data = temp.path() / "data";
    EXPECT_EQ(DefaultStoreUrl(data), "sqlite:" + data.string());
    core::ObjectId id = test::StoreKeyed(*OpenStore("", OpenOptions{data}));
    EXPECT_TRUE(std::filesystem::exists(data / "certos.db"));
    EXPECT_TRUE(std::filesystem::exists(data / "master.key"));
    // The same store, by its URL.
    EXPECT_EQ(OpenStore("sqlite:" + data.string())->Begin(TxMode::kRead)->LoadPrivateKey(id), "the private key");
}

TEST(OpenStoreTest, MasterKeyStaysInTheDataDirectory) {
    test::TempDir temp;
    std::filesystem::path db_dir = temp.path() / "db";
    std::filesystem::path data = temp.path() / "node";
    core::ObjectId id = test::StoreKeyed(*OpenStore("sqlite:" + db_dir.string(), OpenOptions{data}));
    EXPECT_TRUE(std::filesystem::exists(db_dir / "certos.db"));
    EXPECT_FALSE(std::filesystem::exists(db_dir / "master.key"));
    EXPECT_TRUE(std::filesystem::exists(data / "master.key"));
    EXPECT_EQ(OpenStore("sqlite:" + db_dir.string(), OpenOptions{data})->Begin(TxMode::kRead)->LoadPrivateKey(id),
              "the private key");
    // Opened without that data directory, the store has no key of its own and refuses to make one.
    ExpectFailureContaining("master.key is missing", [&] { OpenStore("sqlite:" + db_dir.string()); });
    EXPECT_FALSE(std::filesystem::exists(db_dir / "master.key"));
}

TEST(OpenStoreTest, OtherUrlsAreRefusedWithAReason) {
    test::TempDir temp;
    OpenOptions options{temp.path() / "data"};
    ExpectFailureContaining("PostgreSQL store is not built in yet",
                            [&] { OpenStore("postgresql://certos:secret@db.example/certos", options); });
    try {
        OpenStore("postgres://certos:secret@db.example/certos", options);
        ADD_FAILURE() << "opened";
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << "the password is repeated: " << e.what();
    }
    ExpectFailureContaining("unknown store URL scheme mysql", [&] { OpenStore("mysql://db/certos", options); });
    ExpectFailureContaining("unknown store URL scheme ./var", [&] { OpenStore("./var", options); });
    ExpectFailureContaining("names no directory", [&] { OpenStore("sqlite:", options); });
    EXPECT_FALSE(std::filesystem::exists(temp.path() / "data"));
}

}  // namespace
}  // namespace certos::store
