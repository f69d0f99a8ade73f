// The backend-neutral Store suite, continued: DumpContent and ReplaceContent, what `/system backup` is made of
// (see store_suite.hpp).
#include <chrono>
#include <string>

#include "core/error.hpp"
#include "store/store_suite.hpp"

namespace certos::store::test {
namespace {

using core::ObjectId;

// Filled puts one of everything StoreContent holds into `store`: a CA with a key, a template, items of two
// kinds, a setting, a blob and a counter. It returns the CA's id.
ObjectId Filled(Store& store) {
    ObjectId ca = StoreKeyed(store);
    Insert(store, MakeRow("template"));
    InsertItem(store, "user", MakeItem("alice"));
    InsertItem(store, "ip-service", MakeItem("www"));
    auto tx = store.Begin(TxMode::kWrite);
    tx->SetSetting("certificate", "crl-use", "true");
    BlobRow blob;
    blob.kind = "crl";
    blob.owner = ca;
    blob.number = 3;
    blob.data = std::string("\x00\x01crl", 5);
    blob.updated = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
    tx->PutBlob(blob);
    tx->NextCounter("crl-number:" + ca.ToString());
    tx->AppendLog(LogEntry{.time = blob.updated, .topics = "system,info", .message = "kept"});
    tx->Commit();
    return ca;
}

TEST_P(StoreTest, DumpHoldsTheConfigurationButNotTheStoresOwnState) {
    auto store = Open();
    ObjectId ca = Filled(*store);
    StoreContent content = store->Begin(TxMode::kRead)->DumpContent();
    ASSERT_EQ(content.certificates.size(), 2u);
    EXPECT_EQ(content.certificates[0].row.name, "server");
    ASSERT_TRUE(content.certificates[0].sealed_key.has_value());
    EXPECT_EQ(content.certificates[0].sealed_key->find("the private key"), std::string::npos) << "key not sealed";
    EXPECT_FALSE(content.certificates[1].sealed_key.has_value());
    EXPECT_EQ(content.items.at("user").at(0).name, "alice");
    EXPECT_EQ(content.items.at("ip-service").at(0).name, "www");
    ASSERT_EQ(content.settings.size(), 1u) << "the master key's check value is the store's own";
    EXPECT_EQ(content.settings[0].value, "true");
    ASSERT_EQ(content.blobs.size(), 1u);
    EXPECT_EQ(content.blobs[0].data, std::string("\x00\x01crl", 5));
    EXPECT_EQ(content.blobs[0].updated.time_since_epoch(), std::chrono::milliseconds(1700000000123));
    EXPECT_EQ(content.counters, (std::map<std::string, std::uint64_t>{{"crl-number:" + ca.ToString(), 1}}));
}

TEST_P(StoreTest, ReplaceRestoresTheContentWithItsIdsAndOrder) {
    StoreContent content;
    {
        auto source = GetParam().open(data_dir() / ".." / "source");
        Filled(*source);
        content = source->Begin(TxMode::kRead)->DumpContent();
    }
    auto store = Open();
    ObjectId gone = Insert(*store, MakeRow("replaced"));
    InsertItem(*store, "user", MakeItem("bob"));
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->AppendLog(LogEntry{.time = std::chrono::system_clock::now(), .topics = "system,info", .message = "kept"});
        tx->Commit();
    }
    std::uint64_t users_before = store->Begin(TxMode::kRead)->Generation("item.user");
    std::uint64_t revision_before = store->Begin(TxMode::kRead)->GetCertificate(gone)->revision;
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->ReplaceContent(content);
        tx->Commit();
    }
    auto tx = store->Begin(TxMode::kRead);
    StoreContent restored = tx->DumpContent();
    ASSERT_EQ(restored.certificates.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(restored.certificates[i].row.id, content.certificates[i].row.id);
        EXPECT_EQ(restored.certificates[i].row.name, content.certificates[i].row.name);
        EXPECT_EQ(restored.certificates[i].row.props, content.certificates[i].row.props);
        EXPECT_EQ(restored.certificates[i].sealed_key, content.certificates[i].sealed_key);
        EXPECT_GT(restored.certificates[i].row.revision, revision_before) << "an id and a revision name one state";
    }
    EXPECT_EQ(restored.items.size(), 2u);
    EXPECT_EQ(restored.items.at("user").size(), 1u) << "bob went with the old content";
    EXPECT_EQ(restored.items.at("user")[0].name, "alice");
    EXPECT_EQ(restored.settings.size(), 1u);
    EXPECT_EQ(restored.blobs.size(), 1u);
    EXPECT_EQ(restored.counters, content.counters);
    EXPECT_GT(tx->Generation("item.user"), users_before);
    // The log and the master key's check value are the store's own: kept.
    ASSERT_FALSE(tx->ListLog().empty());
    EXPECT_EQ(tx->ListLog().back().message, "kept");
    EXPECT_TRUE(tx->GetSetting("store", "master-key-check").has_value());
    tx.reset();
    // Ids stay never reused: a new row gets an id above every id restored and every id the store gave out.
    ObjectId next = Insert(*store, MakeRow("next"));
    EXPECT_GT(next.value(), gone.value());
    EXPECT_GT(next.value(), content.certificates[1].row.id.value());
}

TEST_P(StoreTest, ReplaceThatFailsChangesNothing) {
    auto store = Open();
    Filled(*store);
    StoreContent before = store->Begin(TxMode::kRead)->DumpContent();
    StoreContent bad = before;
    bad.items["user"].push_back(bad.items["user"][0]);  // the same name twice
    bad.items["user"].back().id = ObjectId(99);
    {
        auto tx = store->Begin(TxMode::kWrite);
        ExpectError(core::ErrorCategory::kFailure, [&] { tx->ReplaceContent(bad); });
    }
    StoreContent reserved = before;
    reserved.settings.push_back(SettingRow{"store", "master-key-check", "00"});
    {
        auto tx = store->Begin(TxMode::kWrite);
        ExpectError(core::ErrorCategory::kInternal, [&] { tx->ReplaceContent(reserved); });
    }
    StoreContent after = store->Begin(TxMode::kRead)->DumpContent();
    EXPECT_EQ(after.certificates.size(), before.certificates.size());
    EXPECT_EQ(after.items.at("user").size(), 1u);
    EXPECT_EQ(after.settings.size(), before.settings.size());
}

}  // namespace
}  // namespace certos::store::test
