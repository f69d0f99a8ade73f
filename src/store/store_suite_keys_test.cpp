// The backend-neutral Store suite, continued: private keys are sealed above the backend, under the master key
// in the data directory, which is never replaced behind a store's back (see store_suite.hpp).
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "crypto/seal.hpp"
#include "store/store_suite.hpp"

namespace certos::store::test {
namespace {

using core::ObjectId;

const std::string kKeyBytes(32, 'k');

TEST_P(StoreTest, BackendHoldsOnlyTheSealedBytes) {
    // A store whose master key is known: what the backend holds is that key's AES-GCM seal, bound to the row.
    WriteKeyFile(data_dir() / "master.key", kKeyBytes);
    auto store = Open();
    ObjectId id = StoreKeyed(*store);
    crypto::MasterKey key = crypto::MasterKey::FromBytes(kKeyBytes);
    std::optional<std::string> sealed = store->Begin(TxMode::kRead)->LoadSealedKey(id);
    ASSERT_TRUE(sealed.has_value());
    EXPECT_EQ(sealed->find("the private key"), std::string::npos);
    EXPECT_EQ(key.Open(*sealed, id.ToString()), "the private key");

    // Bytes sealed by anyone with the key load as a private key: the sealing is the same for every backend.
    ObjectId other = Insert(*store, MakeRow("other"));
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->StoreSealedKey(other, key.Seal("sealed elsewhere", other.ToString()));
        tx->Commit();
    }
    auto tx = store->Begin(TxMode::kRead);
    EXPECT_TRUE(tx->GetCertificate(other)->has_key);
    EXPECT_EQ(tx->LoadPrivateKey(other), "sealed elsewhere");
    // A sealed key moved onto another row does not open there.
    auto write = store->Begin(TxMode::kWrite);
    write->StoreSealedKey(other, *sealed);
    ExpectError(core::ErrorCategory::kFailure, [&] { write->LoadPrivateKey(other); });
}

TEST_P(StoreTest, MissingMasterKeyOfAStoreWithSealedKeysIsNotReplaced) {
    ObjectId id = StoreKeyed(*Open());
    std::filesystem::path key_file = data_dir() / "master.key";
    std::string key = ReadKeyFile(key_file);
    std::filesystem::remove(key_file);
    ExpectFailureContaining("master.key is missing", [&] { Open(); });
    EXPECT_FALSE(std::filesystem::exists(key_file)) << "a new master key was written";
    // With the key back, everything opens again.
    WriteKeyFile(key_file, key);
    EXPECT_EQ(Open()->Begin(TxMode::kRead)->LoadPrivateKey(id), "the private key");
}

TEST_P(StoreTest, MissingMasterKeyOfAStoreThatHadOneIsNotReplaced) {
    Insert(*Open(), MakeRow("template"));  // no sealed key yet, but the store was set up with a key
    std::filesystem::remove(data_dir() / "master.key");
    ExpectFailureContaining("master.key is missing", [&] { Open(); });
    EXPECT_FALSE(std::filesystem::exists(data_dir() / "master.key"));
}

TEST_P(StoreTest, MasterKeyThatDoesNotMatchTheCheckValueIsRefused) {
    Open();  // a new store: its check value is written with the new key
    WriteKeyFile(data_dir() / "master.key", kKeyBytes);
    ExpectFailureContaining("does not match the store", [&] { Open(); });
}

TEST_P(StoreTest, TwoStoresOnOneDataDirectoryShareTheirMasterKey) {
    auto first = Open();
    auto second = Open();
    ObjectId id = StoreKeyed(*first);
    EXPECT_EQ(second->Begin(TxMode::kRead)->LoadPrivateKey(id), "the private key");
}

}  // namespace
}  // namespace certos::store::test
