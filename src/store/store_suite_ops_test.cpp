// The backend-neutral Store suite, continued: the one-step read-modify-write operations (each with the
// conflicting case, made by a second Store as another process would) and the generations every write
// operation moves (see store_suite.hpp).
#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/store_suite.hpp"

namespace certos::store::test {
namespace {

using core::ObjectId;

TEST_P(StoreTest, RowsCarryTheRevisionOfTheirStamp) {
    auto store = Open();
    ObjectId id = Insert(*store, MakeRow("a"));
    {
        auto tx = store->Begin(TxMode::kWrite);
        CertificateRow row = *tx->GetCertificate(id);
        row.props["trusted"] = "true";
        tx->UpdateCertificate(row);
        tx->Commit();
    }
    auto tx = store->Begin(TxMode::kRead);
    std::uint64_t stamp = tx->ListCertificateStamps().at(0).revision;
    EXPECT_EQ(tx->GetCertificate(id)->revision, stamp);
    EXPECT_EQ(tx->FindCertificateByName("a")->revision, stamp);
    EXPECT_EQ(tx->ListCertificates().at(0).revision, stamp);
}

TEST_P(StoreTest, UpdateCertificateIfWritesOnlyAtTheRevisionRead) {
    auto store = Open();
    auto other = Open();
    ObjectId id = Insert(*store, MakeRow("a"));
    CertificateRow read = *store->Begin(TxMode::kRead)->GetCertificate(id);
    {
        // Another process changes the row after it was read.
        auto tx = other->Begin(TxMode::kWrite);
        CertificateRow row = *tx->GetCertificate(id);
        row.props["comment"] = "theirs";
        ASSERT_TRUE(tx->UpdateCertificateIf(row, row.revision));
        tx->Commit();
    }
    CertificateRow mine = read;
    mine.props["comment"] = "mine";
    {
        auto tx = store->Begin(TxMode::kWrite);
        EXPECT_FALSE(tx->UpdateCertificateIf(mine, read.revision));
        tx->Commit();
    }
    CertificateRow now = *store->Begin(TxMode::kRead)->GetCertificate(id);
    EXPECT_EQ(now.props.at("comment"), "theirs");
    EXPECT_GT(now.revision, read.revision);
    {
        // At the revision now stored, the update goes through and moves the revision again.
        auto tx = store->Begin(TxMode::kWrite);
        EXPECT_TRUE(tx->UpdateCertificateIf(mine, now.revision));
        tx->Commit();
    }
    CertificateRow after = *store->Begin(TxMode::kRead)->GetCertificate(id);
    EXPECT_EQ(after.props.at("comment"), "mine");
    EXPECT_GT(after.revision, now.revision);
    {
        // A row that is gone is not updated either.
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteCertificate(id);
        EXPECT_FALSE(tx->UpdateCertificateIf(mine, after.revision));
        tx->Commit();
    }
    EXPECT_TRUE(store->Begin(TxMode::kRead)->ListCertificates().empty());
}

TEST_P(StoreTest, UpdateCertificateIfKeepsNamesUnique) {
    auto store = Open();
    Insert(*store, MakeRow("taken"));
    ObjectId id = Insert(*store, MakeRow("a"));
    auto tx = store->Begin(TxMode::kWrite);
    CertificateRow row = *tx->GetCertificate(id);
    row.name = "taken";
    ExpectFailureContaining("certificate with the same name already exists",
                            [&] { tx->UpdateCertificateIf(row, row.revision); });
}

TEST_P(StoreTest, InsertSettingKeepsTheFirstValue) {
    auto store = Open();
    auto other = Open();
    {
        auto tx = store->Begin(TxMode::kWrite);
        EXPECT_TRUE(tx->InsertSetting("s", "k", "first"));
        tx->Commit();
    }
    {
        auto tx = other->Begin(TxMode::kWrite);
        EXPECT_FALSE(tx->InsertSetting("s", "k", "second"));
        EXPECT_TRUE(tx->InsertSetting("s", "other", "second"));
        tx->Commit();
    }
    auto tx = store->Begin(TxMode::kRead);
    EXPECT_EQ(tx->GetSetting("s", "k"), "first");
    EXPECT_EQ(tx->GetSetting("s", "other"), "second");
}

BlobRow Part(std::string data, std::uint64_t count, std::int64_t millis) {
    return BlobRow{"register", ObjectId(7), count, std::move(data),
                   std::chrono::system_clock::time_point(std::chrono::milliseconds(millis))};
}

TEST_P(StoreTest, AppendToBlobLandsEveryPart) {
    auto store = Open();
    auto other = Open();
    const std::string binary("\x00\xff\n", 3);
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->AppendToBlob(Part("one\n", 1, 1000));  // creates the blob
        tx->Commit();
    }
    {
        auto tx = other->Begin(TxMode::kWrite);
        tx->AppendToBlob(Part(binary, 2, 2000));
        tx->Commit();
    }
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->AppendToBlob(Part("three\n", 1, 3000));
        tx->AppendToBlob(Part("", 0, 4000));
        tx->Commit();
    }
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->AppendToBlob(Part("rolled back\n", 1, 5000));
    }
    std::optional<BlobRow> blob = store->Begin(TxMode::kRead)->GetBlob("register", ObjectId(7));
    ASSERT_TRUE(blob.has_value());
    EXPECT_EQ(blob->data, "one\n" + binary + "three\n");
    EXPECT_EQ(blob->number, 4u);
    EXPECT_EQ(blob->updated, Part("", 0, 4000).updated);
    EXPECT_FALSE(store->Begin(TxMode::kRead)->GetBlob("register", ObjectId(8)).has_value());
}

TEST_P(StoreTest, ReplaceBlobIfNeedsTheDataAsRead) {
    auto store = Open();
    auto other = Open();
    {
        auto tx = store->Begin(TxMode::kWrite);
        EXPECT_FALSE(tx->ReplaceBlobIf(Part("new", 1, 1000), ""));  // no blob: nothing to replace
        tx->AppendToBlob(Part("a\n", 1, 1000));
        tx->Commit();
    }
    std::string read = store->Begin(TxMode::kRead)->GetBlob("register", ObjectId(7))->data;
    {
        auto tx = other->Begin(TxMode::kWrite);
        tx->AppendToBlob(Part("b\n", 1, 2000));  // lands between the read and the replace
        tx->Commit();
    }
    {
        auto tx = store->Begin(TxMode::kWrite);
        EXPECT_FALSE(tx->ReplaceBlobIf(Part("pruned\n", 1, 3000), read));
        tx->Commit();
    }
    EXPECT_EQ(store->Begin(TxMode::kRead)->GetBlob("register", ObjectId(7))->data, "a\nb\n");
    {
        auto tx = store->Begin(TxMode::kWrite);
        EXPECT_TRUE(tx->ReplaceBlobIf(Part("pruned\n", 1, 3000), "a\nb\n"));
        tx->Commit();
    }
    std::optional<BlobRow> blob = store->Begin(TxMode::kRead)->GetBlob("register", ObjectId(7));
    EXPECT_EQ(blob->data, "pruned\n");
    EXPECT_EQ(blob->number, 1u);
}

// WriteOp is one write operation and the generation it must move ("" for none of those watched).
struct WriteOp {
    std::string name;
    std::string moves;
    std::function<void(Transaction&)> run;
};

TEST_P(StoreTest, EveryWriteOperationMovesTheGenerationOfWhatItChanged) {
    auto store = Open();
    auto other = Open();  // reads the generations, as another process would
    ObjectId cert = Insert(*store, MakeRow("a"));
    ObjectId user = InsertItem(*store, "user", MakeItem("u"));
    ObjectId gone(1000);
    auto update = [&](Transaction& tx) {
        CertificateRow row = *tx.GetCertificate(cert);
        row.props["comment"] = row.props["comment"] + "x";
        return row;
    };
    auto update_user = [&](Transaction& tx) {
        ItemRow row = *tx.GetItem("user", user);
        row.props["comment"] += "x";
        return row;
    };
    std::vector<WriteOp> ops = {
        {"InsertCertificate", "certificate", [](Transaction& tx) { tx.InsertCertificate(MakeRow("b")); }},
        {"UpdateCertificate", "certificate", [&](Transaction& tx) { tx.UpdateCertificate(update(tx)); }},
        {"UpdateCertificateIf", "certificate",
         [&](Transaction& tx) {
             CertificateRow row = update(tx);
             ASSERT_TRUE(tx.UpdateCertificateIf(row, row.revision));
         }},
        {"UpdateCertificateIf at another revision", "",
         [&](Transaction& tx) {
             CertificateRow row = update(tx);
             ASSERT_FALSE(tx.UpdateCertificateIf(row, row.revision + 1));
         }},
        {"StoreSealedKey", "certificate", [&](Transaction& tx) { tx.StoreSealedKey(cert, "sealed"); }},
        {"UpdateCertificate of a missing row", "",
         [&](Transaction& tx) {
             CertificateRow row = MakeRow("z");
             row.id = gone;
             EXPECT_THROW(tx.UpdateCertificate(row), core::Error);
         }},
        {"InsertItem", "item.user", [](Transaction& tx) { tx.InsertItem("user", MakeItem("v")); }},
        {"InsertItem keep_id", "item.ip-service",
         [](Transaction& tx) {
             ItemRow row = MakeItem("www");
             row.id = ObjectId(3);
             tx.InsertItem("ip-service", row, true);
         }},
        {"UpdateItem", "item.user", [&](Transaction& tx) { tx.UpdateItem("user", update_user(tx)); }},
        {"DeleteItem", "item.user",
         [&](Transaction& tx) { tx.DeleteItem("user", tx.FindItemByName("user", "v")->id); }},
        {"SetSetting", "", [](Transaction& tx) { tx.SetSetting("s", "k", "v"); }},
        {"PutBlob", "", [](Transaction& tx) { tx.PutBlob(Part("x", 1, 1)); }},
        {"AppendLog", "",
         [](Transaction& tx) {
             tx.AppendLog(LogEntry{0, {}, "system", "m"});
         }},
        {"NextCounter", "", [](Transaction& tx) { tx.NextCounter("n"); }},
        {"DeleteCertificate", "certificate", [&](Transaction& tx) { tx.DeleteCertificate(cert); }},
    };
    const std::vector<std::string> watched = {"certificate", "item.user", "item.ip-service", "item.crl"};
    for (const WriteOp& op : ops) {
        SCOPED_TRACE(op.name);
        std::vector<std::uint64_t> before;
        for (const std::string& what : watched) {
            before.push_back(other->Begin(TxMode::kRead)->Generation(what));
        }
        {
            auto tx = store->Begin(TxMode::kWrite);
            op.run(*tx);
            // The writing transaction sees its own change at once.
            if (!op.moves.empty()) {
                auto at = std::find(watched.begin(), watched.end(), op.moves) - watched.begin();
                EXPECT_GT(tx->Generation(op.moves), before[at]);
            }
            tx->Commit();
        }
        for (std::size_t i = 0; i < watched.size(); ++i) {
            std::uint64_t now = other->Begin(TxMode::kRead)->Generation(watched[i]);
            if (watched[i] == op.moves) {
                EXPECT_GT(now, before[i]) << watched[i];
            } else {
                EXPECT_EQ(now, before[i]) << watched[i];
            }
        }
    }
}

}  // namespace
}  // namespace certos::store::test
