// The backend-neutral Store suite, continued: items of simple list menus, the log and blobs (see
// store_suite.hpp).
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/store_suite.hpp"

namespace certos::store::test {
namespace {

using core::ErrorCategory;
using core::ObjectId;

// ExpectFailure runs `body` and checks that it throws core::Error (kFailure) with message `what`.
template <typename F>
void ExpectFailure(std::string_view what, F&& body) {
    try {
        body();
        ADD_FAILURE() << "no core::Error thrown, expected " << what;
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), ErrorCategory::kFailure);
        EXPECT_EQ(std::string_view(e.what()), what);
    }
}

std::vector<std::string> ItemNames(Store& store, std::string_view kind) {
    std::vector<std::string> names;
    for (const ItemRow& row : store.Begin(TxMode::kRead)->ListItems(kind)) {
        names.push_back(row.name);
    }
    return names;
}

// MakeLog is a log line with `message` at a fixed time with milliseconds.
LogEntry MakeLog(const std::string& message) {
    LogEntry entry;
    entry.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
    entry.topics = "system,info";
    entry.message = message;
    return entry;
}

TEST_P(StoreTest, ItemsAreKeptPerKind) {
    auto store = Open();
    ItemRow admin = MakeItem("admin");
    admin.id = ObjectId(77);  // ignored: the store allocates ids
    admin.props["password"] = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
    admin.props["comment"] = "na\xc3\xafve \"quoted\" {not json}";
    ObjectId admin_id = InsertItem(*store, "user", admin);
    ObjectId group_id = InsertItem(*store, "user-group", MakeItem("admin"));  // the same name in another kind
    ObjectId guest_id = InsertItem(*store, "user", MakeItem("guest"));
    EXPECT_EQ(admin_id, ObjectId(1));
    EXPECT_EQ(group_id, ObjectId(1));
    EXPECT_EQ(guest_id, ObjectId(2));
    {
        auto tx = store->Begin(TxMode::kRead);
        std::vector<ItemRow> users = tx->ListItems("user");
        ASSERT_EQ(users.size(), 2u);
        EXPECT_EQ(users[0].id, admin_id);
        EXPECT_EQ(users[0].name, "admin");
        EXPECT_EQ(users[0].props, admin.props);
        EXPECT_EQ(users[1].name, "guest");
        EXPECT_EQ(tx->ListItems("user-group").size(), 1u);
        EXPECT_TRUE(tx->ListItems("ip-service").empty());

        std::optional<ItemRow> got = tx->GetItem("user", admin_id);
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(got->id, admin_id);
        EXPECT_EQ(got->props, admin.props);
        EXPECT_EQ(tx->GetItem("user-group", group_id)->props, MakeItem("admin").props);
        EXPECT_FALSE(tx->GetItem("user", ObjectId(3)).has_value());
        EXPECT_FALSE(tx->GetItem("ip-service", admin_id).has_value());
        EXPECT_EQ(tx->FindItemByName("user", "guest")->id, guest_id);
        EXPECT_FALSE(tx->FindItemByName("user", "Guest").has_value());
        EXPECT_FALSE(tx->FindItemByName("user-group", "guest").has_value());
        // Items are not certificates.
        EXPECT_TRUE(tx->ListCertificates().empty());
    }
    {
        auto tx = store->Begin(TxMode::kWrite);
        ItemRow renamed;
        renamed.id = guest_id;
        renamed.name = "visitor";
        renamed.props = {{"group", "read"}};
        tx->UpdateItem("user", renamed);
        tx->DeleteItem("user", admin_id);
        tx->Commit();
    }
    store = Open();
    auto tx = store->Begin(TxMode::kRead);
    std::vector<ItemRow> users = tx->ListItems("user");
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(users[0].id, guest_id);
    EXPECT_EQ(users[0].name, "visitor");
    EXPECT_EQ(users[0].props, (std::map<std::string, std::string>{{"group", "read"}}));
    EXPECT_FALSE(tx->FindItemByName("user", "guest").has_value());
    EXPECT_FALSE(tx->GetItem("user", admin_id).has_value());
    EXPECT_TRUE(tx->GetItem("user-group", group_id).has_value());
}

TEST_P(StoreTest, ItemIdsAreNeverReusedPerKind) {
    {
        auto store = Open();
        InsertItem(*store, "user", MakeItem("a"));
        InsertItem(*store, "user", MakeItem("b"));
        ObjectId c = InsertItem(*store, "user", MakeItem("c"));
        EXPECT_EQ(c, ObjectId(3));
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteItem("user", c);
        tx->Commit();
    }
    auto store = Open();
    EXPECT_EQ(InsertItem(*store, "user", MakeItem("d")), ObjectId(4));
    {
        auto tx = store->Begin(TxMode::kWrite);
        for (const ItemRow& row : tx->ListItems("user")) {
            tx->DeleteItem("user", row.id);
        }
        tx->Commit();
    }
    store = Open();
    EXPECT_EQ(InsertItem(*store, "user", MakeItem("e")), ObjectId(5));
    // Other kinds, and certificates, count on their own.
    EXPECT_EQ(InsertItem(*store, "user-group", MakeItem("e")), ObjectId(1));
    EXPECT_EQ(Insert(*store, MakeRow("e")), ObjectId(1));
    EXPECT_EQ(InsertItem(*store, "user", MakeItem("f")), ObjectId(6));
    EXPECT_EQ(InsertItem(*store, "user-group", MakeItem("f")), ObjectId(2));
}

TEST_P(StoreTest, KeepIdUsesTheGivenId) {
    auto store = Open();
    {
        auto tx = store->Begin(TxMode::kWrite);
        ItemRow fixed = MakeItem("www");
        fixed.id = ObjectId(5);
        EXPECT_EQ(tx->InsertItem("ip-service", fixed, /*keep_id=*/true), ObjectId(5));
        // Later allocations start past the highest id given.
        EXPECT_EQ(tx->InsertItem("ip-service", MakeItem("ssh")), ObjectId(6));
        ItemRow lower = MakeItem("api");
        lower.id = ObjectId(2);
        EXPECT_EQ(tx->InsertItem("ip-service", lower, /*keep_id=*/true), ObjectId(2));
        EXPECT_EQ(tx->InsertItem("ip-service", MakeItem("ftp")), ObjectId(7));
        EXPECT_EQ(tx->InsertItem("user", MakeItem("admin")), ObjectId(1));
        tx->Commit();
    }
    store = Open();
    EXPECT_EQ(InsertItem(*store, "ip-service", MakeItem("telnet")), ObjectId(8));
    EXPECT_EQ(ItemNames(*store, "ip-service"), (std::vector<std::string>{"api", "www", "ssh", "ftp", "telnet"}));

    auto tx = store->Begin(TxMode::kWrite);
    ItemRow taken = MakeItem("winbox");
    taken.id = ObjectId(6);
    ExpectFailure("item with the same id already exists",
                  [&] { tx->InsertItem("ip-service", taken, /*keep_id=*/true); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->Commit(); });
    EXPECT_FALSE(store->Begin(TxMode::kRead)->FindItemByName("ip-service", "winbox").has_value());
}

TEST_P(StoreTest, ItemNamesAreUniquePerKind) {
    auto store = Open();
    InsertItem(*store, "user", MakeItem("taken"));
    InsertItem(*store, "user-group", MakeItem("other"));
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->InsertItem("user", MakeItem("fresh"));
        ExpectFailure("item with the same name already exists", [&] { tx->InsertItem("user", MakeItem("taken")); });
        // A backend failure ends the transaction: nothing of it can be committed.
        ExpectError(ErrorCategory::kInternal, [&] { tx->Commit(); });
    }
    EXPECT_EQ(ItemNames(*store, "user"), std::vector<std::string>{"taken"});

    ObjectId other = InsertItem(*store, "user", MakeItem("other"));  // taken only in "user-group"
    {
        auto tx = store->Begin(TxMode::kWrite);
        ItemRow same = MakeItem("other");  // keeping its own name is no conflict
        same.id = other;
        same.props["comment"] = "changed";
        tx->UpdateItem("user", same);
        tx->Commit();
    }
    EXPECT_EQ(store->Begin(TxMode::kRead)->GetItem("user", other)->props.at("comment"), "changed");
    auto tx = store->Begin(TxMode::kWrite);
    ItemRow renamed = MakeItem("taken");
    renamed.id = other;
    ExpectFailure("item with the same name already exists", [&] { tx->UpdateItem("user", renamed); });
}

TEST_P(StoreTest, ChangingAMissingItemIsNoSuchItem) {
    auto store = Open();
    ObjectId group = InsertItem(*store, "user-group", MakeItem("full"));
    auto tx = store->Begin(TxMode::kWrite);
    ItemRow row = MakeItem("ghost");
    row.id = ObjectId(42);
    ExpectError(ErrorCategory::kMissingItem, [&] { tx->UpdateItem("user", row); });
    ExpectError(ErrorCategory::kMissingItem, [&] { tx->DeleteItem("user", ObjectId(42)); });
    // An id of another kind is missing too.
    row.id = group;
    ExpectError(ErrorCategory::kMissingItem, [&] { tx->UpdateItem("user", row); });
    ExpectError(ErrorCategory::kMissingItem, [&] { tx->DeleteItem("user", group); });
    // Not a backend failure: the transaction stays usable.
    tx->InsertItem("user", MakeItem("real"));
    tx->Commit();
    EXPECT_EQ(ItemNames(*store, "user"), std::vector<std::string>{"real"});
    EXPECT_EQ(ItemNames(*store, "user-group"), std::vector<std::string>{"full"});
}

TEST_P(StoreTest, ItemLogAndBlobChangesRollBack) {
    auto store = Open();
    ObjectId kept = InsertItem(*store, "user", MakeItem("kept"));
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->InsertItem("user", MakeItem("dropped"));
        ItemRow renamed = MakeItem("renamed");
        renamed.id = kept;
        tx->UpdateItem("user", renamed);
        tx->AppendLog(MakeLog("dropped"));
        tx->PutBlob(BlobRow{"crl", ObjectId(1), 1, "crl der", {}});
    }
    auto command = [&] {
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteItem("user", kept);
        tx->AppendLog(MakeLog("half-done"));
        throw std::runtime_error("command failed");
    };
    EXPECT_THROW(command(), std::runtime_error);
    {
        auto tx = store->Begin(TxMode::kRead);
        std::vector<ItemRow> users = tx->ListItems("user");
        ASSERT_EQ(users.size(), 1u);
        EXPECT_EQ(users[0].name, "kept");
        EXPECT_TRUE(tx->ListLog().empty());
        EXPECT_FALSE(tx->GetBlob("crl", ObjectId(1)).has_value());
    }
    // The rolled-back insert gave back its id.
    EXPECT_EQ(InsertItem(*store, "user", MakeItem("next")), ObjectId(2));
}

TEST_P(StoreTest, ReadTransactionRefusesItemLogAndBlobChanges) {
    auto store = Open();
    ObjectId id = InsertItem(*store, "user", MakeItem("a"));
    auto tx = store->Begin(TxMode::kRead);
    ItemRow row = MakeItem("b");
    row.id = id;
    ExpectError(ErrorCategory::kInternal, [&] { tx->InsertItem("user", row); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->UpdateItem("user", row); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->DeleteItem("user", id); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->AppendLog(MakeLog("line")); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->PutBlob(BlobRow{"crl", id, 1, "der", {}}); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->DeleteBlobs(id); });
    EXPECT_EQ(tx->ListItems("user").size(), 1u);
    tx->Commit();
}

TEST_P(StoreTest, LogListsLinesOldestFirst) {
    auto store = Open();
    const auto start = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
    {
        auto tx = store->Begin(TxMode::kWrite);
        for (int i = 0; i < 3; ++i) {
            LogEntry entry = MakeLog("line " + std::to_string(i));
            entry.seq = 1000;  // ignored: the store allocates seq
            entry.time = start + std::chrono::milliseconds(1500 * i);
            entry.topics = i == 1 ? "system,error,critical" : "system,info,account";
            tx->AppendLog(entry);
        }
        tx->Commit();
    }
    store = Open();
    {
        auto tx = store->Begin(TxMode::kWrite);
        LogEntry late = MakeLog("user admin logged in from 10.0.0.1 via ssh");
        late.time = std::chrono::system_clock::time_point();  // a clock before NTP sync; kept as given
        tx->AppendLog(late);
        tx->Commit();
    }
    std::vector<LogEntry> entries = store->Begin(TxMode::kRead)->ListLog();
    ASSERT_EQ(entries.size(), 4u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(entries[i].message, "line " + std::to_string(i));
        EXPECT_EQ(entries[i].time, start + std::chrono::milliseconds(1500 * i));
    }
    EXPECT_EQ(entries[1].topics, "system,error,critical");
    EXPECT_EQ(entries[2].topics, "system,info,account");
    EXPECT_EQ(entries[3].message, "user admin logged in from 10.0.0.1 via ssh");
    EXPECT_EQ(entries[3].time, std::chrono::system_clock::time_point());
    for (std::size_t i = 1; i < entries.size(); ++i) {
        EXPECT_LT(entries[i - 1].seq, entries[i].seq);
    }
    EXPECT_GT(entries[0].seq, 0u);
}

TEST_P(StoreTest, LogKeepsTheNewestLines) {
    auto store = Open();
    constexpr std::size_t kExtra = 5;
    {
        auto tx = store->Begin(TxMode::kWrite);
        for (std::size_t i = 0; i < kLogCapacity + kExtra; ++i) {
            tx->AppendLog(MakeLog("line " + std::to_string(i)));
        }
        tx->Commit();
    }
    std::vector<LogEntry> entries = store->Begin(TxMode::kRead)->ListLog();
    ASSERT_EQ(entries.size(), kLogCapacity);
    EXPECT_EQ(entries.front().message, "line " + std::to_string(kExtra));
    EXPECT_EQ(entries.back().message, "line " + std::to_string(kLogCapacity + kExtra - 1));
    for (std::size_t i = 1; i < entries.size(); ++i) {
        ASSERT_LT(entries[i - 1].seq, entries[i].seq) << i;
    }
    std::uint64_t last_seq = entries.back().seq;

    // One more line, in a later transaction of a new Store, pushes out one more old line; seq keeps growing.
    store = Open();
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->AppendLog(MakeLog("newest"));
        tx->Commit();
    }
    entries = store->Begin(TxMode::kRead)->ListLog();
    ASSERT_EQ(entries.size(), kLogCapacity);
    EXPECT_EQ(entries.front().message, "line " + std::to_string(kExtra + 1));
    EXPECT_EQ(entries.back().message, "newest");
    EXPECT_GT(entries.back().seq, last_seq);
}

TEST_P(StoreTest, BlobsAreOnePerKindAndOwner) {
    auto store = Open();
    const auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'456));
    const std::string der("\x30\x82\x01\x00\x00\xff crl", 10);
    {
        auto tx = store->Begin(TxMode::kWrite);
        EXPECT_FALSE(tx->GetBlob("crl", ObjectId(1)).has_value());
        tx->PutBlob(BlobRow{"crl", ObjectId(1), 1, "first crl", when});
        tx->PutBlob(BlobRow{"crl", ObjectId(1), 2, der, when + std::chrono::hours(1)});  // replaces
        tx->PutBlob(BlobRow{"ocsp", ObjectId(1), 7, "", when});
        tx->PutBlob(BlobRow{"crl", ObjectId(2), 1, "other ca", when});
        tx->Commit();
    }
    store = Open();
    {
        auto tx = store->Begin(TxMode::kRead);
        std::optional<BlobRow> crl = tx->GetBlob("crl", ObjectId(1));
        ASSERT_TRUE(crl.has_value());
        EXPECT_EQ(crl->kind, "crl");
        EXPECT_EQ(crl->owner, ObjectId(1));
        EXPECT_EQ(crl->number, 2u);
        EXPECT_EQ(crl->data, der);
        EXPECT_EQ(crl->updated, when + std::chrono::hours(1));
        std::optional<BlobRow> empty = tx->GetBlob("ocsp", ObjectId(1));
        ASSERT_TRUE(empty.has_value());
        EXPECT_EQ(empty->number, 7u);
        EXPECT_TRUE(empty->data.empty());
        EXPECT_EQ(tx->GetBlob("crl", ObjectId(2))->data, "other ca");
        EXPECT_FALSE(tx->GetBlob("ocsp", ObjectId(2)).has_value());
    }
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteBlobs(ObjectId(1));
        tx->DeleteBlobs(ObjectId(3));  // an owner without blobs is no error
        tx->Commit();
    }
    auto tx = store->Begin(TxMode::kRead);
    EXPECT_FALSE(tx->GetBlob("crl", ObjectId(1)).has_value());
    EXPECT_FALSE(tx->GetBlob("ocsp", ObjectId(1)).has_value());
    EXPECT_EQ(tx->GetBlob("crl", ObjectId(2))->number, 1u);
}

TEST_P(StoreTest, GenerationGrowsWithEveryChangeSeenByAnyConnection) {
    auto store = Open();
    auto other = Open();  // another process would see the same
    auto generation = [&](std::string_view what) { return other->Begin(TxMode::kRead)->Generation(what); };
    std::uint64_t certs = generation("certificate");
    std::uint64_t crls = generation("item.crl");
    std::uint64_t users = generation("item.user");

    ObjectId id = Insert(*store, MakeRow("a"));
    EXPECT_GT(generation("certificate"), certs);
    certs = generation("certificate");
    {
        auto tx = store->Begin(TxMode::kWrite);
        CertificateRow row = *tx->GetCertificate(id);
        row.props["trusted"] = "true";
        tx->UpdateCertificate(row);
        tx->Commit();
    }
    EXPECT_GT(generation("certificate"), certs);
    certs = generation("certificate");
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->StorePrivateKey(id, "key");
        tx->Commit();
    }
    EXPECT_GT(generation("certificate"), certs);
    certs = generation("certificate");
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteCertificate(id);  // rolled back: nothing changed
    }
    EXPECT_EQ(generation("certificate"), certs);
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteCertificate(id);
        tx->Commit();
    }
    EXPECT_GT(generation("certificate"), certs);

    ObjectId crl = InsertItem(*store, "crl", MakeItem("c"));
    EXPECT_GT(generation("item.crl"), crls);
    EXPECT_EQ(generation("item.user"), users);
    crls = generation("item.crl");
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteItem("crl", crl);
        tx->Commit();
    }
    EXPECT_GT(generation("item.crl"), crls);
    EXPECT_EQ(generation("item.user"), users);
}

TEST_P(StoreTest, StampRevisionsGrowWithEveryChangeOfTheirRow) {
    auto store = Open();
    ObjectId a = Insert(*store, MakeRow("a"));
    ObjectId b = Insert(*store, MakeRow("b"));
    auto stamps = [&] { return store->Begin(TxMode::kRead)->ListCertificateStamps(); };
    std::vector<CertificateStamp> before = stamps();
    ASSERT_EQ(before.size(), 2u);
    EXPECT_EQ(before[0].id, a);
    EXPECT_EQ(before[0].name, "a");
    EXPECT_EQ(before[1].id, b);
    {
        auto tx = store->Begin(TxMode::kWrite);
        CertificateRow row = *tx->GetCertificate(a);
        row.name = "a2";
        row.issuer_id = b;
        tx->UpdateCertificate(row);
        tx->Commit();
    }
    std::vector<CertificateStamp> renamed = stamps();
    EXPECT_GT(renamed[0].revision, before[0].revision);
    EXPECT_EQ(renamed[0].name, "a2");
    EXPECT_EQ(renamed[0].issuer_id, b);
    EXPECT_EQ(renamed[1].revision, before[1].revision);
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->StorePrivateKey(b, "key");
        tx->Commit();
    }
    std::vector<CertificateStamp> keyed = stamps();
    EXPECT_EQ(keyed[0].revision, renamed[0].revision);
    EXPECT_GT(keyed[1].revision, renamed[1].revision);
}

}  // namespace
}  // namespace certos::store::test
