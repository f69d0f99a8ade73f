// The backend-neutral Store suite: every behaviour store.hpp promises, run on each backend that
// instantiates StoreTest (see store_suite.hpp).
#include "store/store_suite.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <numeric>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "store/files.hpp"

namespace certos::store::test {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "certos-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void StoreTest::TearDown() {
    if (GetParam().cleanup) {
        GetParam().cleanup(data_dir());
    }
}

CertificateRow MakeRow(const std::string& name) {
    CertificateRow row;
    row.name = name;
    row.props = {{"common-name", name + ".example.com"}, {"key-size", "2048"}, {"days-valid", "365"}};
    return row;
}

core::ObjectId Insert(Store& store, const CertificateRow& row) {
    auto tx = store.Begin(TxMode::kWrite);
    core::ObjectId id = tx->InsertCertificate(row);
    tx->Commit();
    return id;
}

ItemRow MakeItem(const std::string& name) {
    ItemRow row;
    row.name = name;
    row.props = {{"comment", "the " + name}, {"disabled", "no"}};
    return row;
}

core::ObjectId InsertItem(Store& store, std::string_view kind, const ItemRow& row) {
    auto tx = store.Begin(TxMode::kWrite);
    core::ObjectId id = tx->InsertItem(kind, row);
    tx->Commit();
    return id;
}

core::ObjectId StoreKeyed(Store& store) {
    core::ObjectId id = Insert(store, MakeRow("server"));
    auto tx = store.Begin(TxMode::kWrite);
    tx->StorePrivateKey(id, "the private key");
    tx->Commit();
    return id;
}

std::string ReadKeyFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteKeyFile(const std::filesystem::path& path, const std::string& key) {
    MakePrivateDirectories(path.parent_path());
    std::filesystem::remove(path);
    {
        std::ofstream out(path, std::ios::binary);
        out << key;
    }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

namespace {

using core::ErrorCategory;
using core::ObjectId;

std::vector<std::string> Names(Store& store) {
    std::vector<std::string> names;
    for (const CertificateRow& row : store.Begin(TxMode::kRead)->ListCertificates()) {
        names.push_back(row.name);
    }
    return names;
}

TEST_P(StoreTest, InsertedCertificateReadsBack) {
    auto store = Open();
    CertificateRow row = MakeRow("server");
    row.id = ObjectId(99);  // ignored: the store allocates ids
    row.props["comment"] = "na\xc3\xafve \"quoted\" {not json}";
    row.props["subject-alt-name"] = "DNS:a.example.com,IP:10.0.0.1";
    row.der = std::string("\x30\x82\x00\x00\xff der", 10);
    ObjectId id = Insert(*store, row);
    EXPECT_EQ(id, ObjectId(1));

    auto tx = store->Begin(TxMode::kRead);
    std::optional<CertificateRow> got = tx->GetCertificate(id);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, id);
    EXPECT_EQ(got->name, "server");
    EXPECT_EQ(got->props, row.props);
    EXPECT_EQ(got->der, row.der);
    EXPECT_FALSE(got->has_key);
    EXPECT_FALSE(got->issuer_id.has_value());

    std::optional<CertificateRow> found = tx->FindCertificateByName("server");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->id, id);
    EXPECT_FALSE(tx->FindCertificateByName("Server").has_value());
    EXPECT_FALSE(tx->GetCertificate(ObjectId(2)).has_value());
}

TEST_P(StoreTest, TemplateKeepsEmptyDerAndProperties) {
    auto store = Open();
    CertificateRow row;
    row.name = "empty";
    ObjectId id = Insert(*store, row);
    std::optional<CertificateRow> got = store->Begin(TxMode::kRead)->GetCertificate(id);
    ASSERT_TRUE(got.has_value());
    EXPECT_TRUE(got->der.empty());
    EXPECT_TRUE(got->props.empty());
}

TEST_P(StoreTest, UpdateReplacesFieldsAndKeepsKey) {
    auto store = Open();
    ObjectId ca = Insert(*store, MakeRow("ca"));
    ObjectId leaf = Insert(*store, MakeRow("leaf"));
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->StorePrivateKey(leaf, "leaf key");
        CertificateRow row = MakeRow("leaf-signed");
        row.id = leaf;
        row.props["serial-number"] = "01";
        row.der = "signed der";
        row.issuer_id = ca;
        row.has_key = false;  // ignored
        tx->UpdateCertificate(row);
        tx->Commit();
    }
    auto tx = store->Begin(TxMode::kRead);
    std::optional<CertificateRow> got = tx->GetCertificate(leaf);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->name, "leaf-signed");
    EXPECT_EQ(got->props.at("serial-number"), "01");
    EXPECT_EQ(got->der, "signed der");
    EXPECT_EQ(got->issuer_id, ca);
    EXPECT_TRUE(got->has_key);
    EXPECT_EQ(tx->LoadPrivateKey(leaf), "leaf key");
    EXPECT_FALSE(tx->FindCertificateByName("leaf").has_value());
}

TEST_P(StoreTest, DeleteRemovesRow) {
    auto store = Open();
    ObjectId a = Insert(*store, MakeRow("a"));
    ObjectId b = Insert(*store, MakeRow("b"));
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteCertificate(a);
        tx->Commit();
    }
    auto tx = store->Begin(TxMode::kRead);
    EXPECT_FALSE(tx->GetCertificate(a).has_value());
    EXPECT_FALSE(tx->FindCertificateByName("a").has_value());
    EXPECT_TRUE(tx->GetCertificate(b).has_value());
}

TEST_P(StoreTest, ChangingAMissingRowIsNoSuchItem) {
    auto store = Open();
    auto tx = store->Begin(TxMode::kWrite);
    CertificateRow row = MakeRow("ghost");
    row.id = ObjectId(42);
    ExpectError(ErrorCategory::kMissingItem, [&] { tx->UpdateCertificate(row); });
    ExpectError(ErrorCategory::kMissingItem, [&] { tx->DeleteCertificate(ObjectId(42)); });
    ExpectError(ErrorCategory::kMissingItem, [&] { tx->StorePrivateKey(ObjectId(42), "key"); });
    EXPECT_FALSE(tx->LoadPrivateKey(ObjectId(42)).has_value());
    // Not a backend failure: the transaction stays usable.
    tx->InsertCertificate(MakeRow("real"));
    tx->Commit();
    EXPECT_EQ(Names(*store), std::vector<std::string>{"real"});
}

// Templates (no certificate yet) list in id order.
TEST_P(StoreTest, ListIsOrderedById) {
    auto store = Open();
    Insert(*store, MakeRow("c"));
    ObjectId a = Insert(*store, MakeRow("a"));
    Insert(*store, MakeRow("b"));
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteCertificate(a);
        tx->InsertCertificate(MakeRow("0"));
        tx->Commit();
    }
    std::vector<CertificateRow> rows = store->Begin(TxMode::kRead)->ListCertificates();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].name, "c");
    EXPECT_EQ(rows[1].name, "b");
    EXPECT_EQ(rows[2].name, "0");
    EXPECT_LT(rows[0].id, rows[1].id);
    EXPECT_LT(rows[1].id, rows[2].id);
}

// The seed's order (issue 16): templates CA-Template, Server, Client; signed CA-Template, Client, Server;
// `print` lists the signed ones in signing order, then the templates in the order added, and every row keeps
// its id.
TEST_P(StoreTest, ListPutsSignedRowsInSigningOrderThenTemplates) {
    auto store = Open();
    ObjectId ca = Insert(*store, MakeRow("CA-Template"));
    ObjectId server = Insert(*store, MakeRow("Server"));
    ObjectId client = Insert(*store, MakeRow("Client"));
    Insert(*store, MakeRow("Later"));
    auto sign = [&](ObjectId id, const std::string& der) {
        auto tx = store->Begin(TxMode::kWrite);
        CertificateRow row = *tx->GetCertificate(id);
        row.der = der;
        tx->UpdateCertificate(row);
        tx->Commit();
    };
    sign(ca, "DER-1");
    sign(client, "DER-2");
    sign(server, "DER-3");
    sign(ca, "DER-1b");  // a row already signed keeps its place when it changes again
    CertificateRow imported = MakeRow("Imported");
    imported.der = "DER-4";
    ObjectId imported_id = Insert(*store, imported);
    std::vector<CertificateRow> rows = store->Begin(TxMode::kRead)->ListCertificates();
    std::vector<std::string> names;
    std::transform(rows.begin(), rows.end(), std::back_inserter(names), [](const auto& r) { return r.name; });
    EXPECT_EQ(names, (std::vector<std::string>{"CA-Template", "Client", "Server", "Imported", "Later"}));
    EXPECT_EQ(rows[0].id, ca);
    EXPECT_EQ(rows[1].id, client);
    EXPECT_EQ(rows[2].id, server);
    EXPECT_EQ(rows[3].id, imported_id);
    std::vector<CertificateStamp> stamps = store->Begin(TxMode::kRead)->ListCertificateStamps();
    ASSERT_EQ(stamps.size(), rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(stamps[i].id, rows[i].id);
    }
}

TEST_P(StoreTest, IdsAreNeverReused) {
    {
        auto store = Open();
        Insert(*store, MakeRow("a"));
        Insert(*store, MakeRow("b"));
        ObjectId c = Insert(*store, MakeRow("c"));
        EXPECT_EQ(c, ObjectId(3));
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteCertificate(c);  // the highest id, which a rowid table would hand out again
        tx->Commit();
    }
    auto store = Open();
    EXPECT_EQ(Insert(*store, MakeRow("d")), ObjectId(4));
    {
        auto tx = store->Begin(TxMode::kWrite);
        for (const CertificateRow& row : tx->ListCertificates()) {
            tx->DeleteCertificate(row.id);
        }
        tx->Commit();
    }
    store = Open();
    EXPECT_EQ(Insert(*store, MakeRow("e")), ObjectId(5));
}

TEST_P(StoreTest, UncommittedTransactionRollsBack) {
    auto store = Open();
    ObjectId kept = Insert(*store, MakeRow("kept"));
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->InsertCertificate(MakeRow("dropped"));
        tx->DeleteCertificate(kept);
        tx->SetSetting("certificate", "crl-use", "no");
        EXPECT_EQ(tx->NextCounter("serial"), 1u);
    }
    auto tx = store->Begin(TxMode::kWrite);
    EXPECT_EQ(tx->ListCertificates().size(), 1u);
    EXPECT_TRUE(tx->GetCertificate(kept).has_value());
    EXPECT_FALSE(tx->GetSetting("certificate", "crl-use").has_value());
    EXPECT_EQ(tx->NextCounter("serial"), 1u);
}

TEST_P(StoreTest, ExceptionRollsBackTransaction) {
    auto store = Open();
    auto command = [&] {
        auto tx = store->Begin(TxMode::kWrite);
        tx->InsertCertificate(MakeRow("half-done"));
        tx->SetSetting("certificate", "crl-download", "yes");
        throw std::runtime_error("command failed");
    };
    EXPECT_THROW(command(), std::runtime_error);
    auto tx = store->Begin(TxMode::kRead);
    EXPECT_TRUE(tx->ListCertificates().empty());
    EXPECT_FALSE(tx->GetSetting("certificate", "crl-download").has_value());
}

TEST_P(StoreTest, DuplicateNameIsRefused) {
    auto store = Open();
    Insert(*store, MakeRow("taken"));
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->InsertCertificate(MakeRow("fresh"));
        try {
            tx->InsertCertificate(MakeRow("taken"));
            ADD_FAILURE() << "duplicate name accepted";
        } catch (const core::Error& e) {
            EXPECT_EQ(e.category(), ErrorCategory::kFailure);
            EXPECT_STREQ(e.what(), "certificate with the same name already exists");
        }
        // A backend failure ends the transaction: nothing of it can be committed.
        ExpectError(ErrorCategory::kInternal, [&] { tx->Commit(); });
    }
    EXPECT_EQ(Names(*store), std::vector<std::string>{"taken"});

    ObjectId other = Insert(*store, MakeRow("other"));
    auto tx = store->Begin(TxMode::kWrite);
    CertificateRow renamed = MakeRow("taken");
    renamed.id = other;
    try {
        tx->UpdateCertificate(renamed);
        ADD_FAILURE() << "rename onto a taken name accepted";
    } catch (const core::Error& e) {
        EXPECT_STREQ(e.what(), "certificate with the same name already exists");
    }
}

TEST_P(StoreTest, PrivateKeyIsSealedPerRow) {
    auto store = Open();
    ObjectId with_key = Insert(*store, MakeRow("with-key"));
    ObjectId without_key = Insert(*store, MakeRow("without-key"));
    std::string pkcs8("\x30\x82\x04\xbe\x02\x01\x00 private key bytes", 26);
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->StorePrivateKey(with_key, pkcs8);
        tx->Commit();
    }
    auto tx = store->Begin(TxMode::kRead);
    EXPECT_TRUE(tx->GetCertificate(with_key)->has_key);
    EXPECT_TRUE(tx->FindCertificateByName("with-key")->has_key);
    EXPECT_FALSE(tx->GetCertificate(without_key)->has_key);
    std::vector<CertificateRow> rows = tx->ListCertificates();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_TRUE(rows[0].has_key);
    EXPECT_FALSE(rows[1].has_key);
    EXPECT_EQ(tx->LoadPrivateKey(with_key), pkcs8);
    EXPECT_FALSE(tx->LoadPrivateKey(without_key).has_value());
}

TEST_P(StoreTest, OtherMasterKeyIsRefused) {
    StoreKeyed(*Open());
    std::filesystem::path key_file = data_dir() / "master.key";
    ASSERT_TRUE(std::filesystem::exists(key_file));
    WriteKeyFile(key_file, std::string(32, 'x'));

    // Refused at open, before anything could be sealed under the wrong key.
    ExpectError(ErrorCategory::kFailure, [&] { Open(); });
}

TEST_P(StoreTest, SettingsAreKeptPerSectionAndKey) {
    auto store = Open();
    {
        auto tx = store->Begin(TxMode::kWrite);
        EXPECT_FALSE(tx->GetSetting("certificate", "crl-use").has_value());
        tx->SetSetting("certificate", "crl-use", "yes");
        tx->SetSetting("certificate", "crl-download", "no");
        tx->SetSetting("scep-server", "crl-use", "");
        tx->SetSetting("certificate", "crl-use", "no");
        tx->Commit();
    }
    store = Open();
    auto tx = store->Begin(TxMode::kRead);
    EXPECT_EQ(tx->GetSetting("certificate", "crl-use"), "no");
    EXPECT_EQ(tx->GetSetting("certificate", "crl-download"), "no");
    EXPECT_EQ(tx->GetSetting("scep-server", "crl-use"), "");
    EXPECT_FALSE(tx->GetSetting("scep-server", "crl-download").has_value());
}

TEST_P(StoreTest, CountersCountFromOnePerName) {
    {
        auto store = Open();
        auto tx = store->Begin(TxMode::kWrite);
        EXPECT_EQ(tx->NextCounter("serial:*1"), 1u);
        EXPECT_EQ(tx->NextCounter("serial:*1"), 2u);
        EXPECT_EQ(tx->NextCounter("crl-number:*1"), 1u);
        tx->Commit();
    }
    auto store = Open();
    auto tx = store->Begin(TxMode::kWrite);
    EXPECT_EQ(tx->NextCounter("serial:*1"), 3u);
    EXPECT_EQ(tx->NextCounter("crl-number:*1"), 2u);
    // Inserting certificates does not advance a caller's counter.
    tx->InsertCertificate(MakeRow("x"));
    EXPECT_EQ(tx->NextCounter("serial:*1"), 4u);
    ExpectError(ErrorCategory::kInternal, [&] { tx->NextCounter("store:certificates.id"); });
}

TEST_P(StoreTest, ReadTransactionRefusesChanges) {
    auto store = Open();
    ObjectId id = Insert(*store, MakeRow("a"));
    auto tx = store->Begin(TxMode::kRead);
    ExpectError(ErrorCategory::kInternal, [&] { tx->InsertCertificate(MakeRow("b")); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->DeleteCertificate(id); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->StorePrivateKey(id, "key"); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->SetSetting("s", "k", "v"); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->NextCounter("n"); });
    EXPECT_EQ(tx->ListCertificates().size(), 1u);
    tx->Commit();
}

TEST_P(StoreTest, CommittedTransactionCannotBeUsed) {
    auto store = Open();
    auto tx = store->Begin(TxMode::kWrite);
    tx->InsertCertificate(MakeRow("a"));
    tx->Commit();
    ExpectError(ErrorCategory::kInternal, [&] { tx->InsertCertificate(MakeRow("b")); });
    ExpectError(ErrorCategory::kInternal, [&] { tx->Commit(); });
    EXPECT_EQ(Names(*store), std::vector<std::string>{"a"});
}

TEST_P(StoreTest, IssuerMustExistAtCommit) {
    auto store = Open();
    ObjectId ca = Insert(*store, MakeRow("ca"));
    CertificateRow leaf_row = MakeRow("leaf");
    leaf_row.issuer_id = ca;
    ObjectId leaf = Insert(*store, leaf_row);
    {
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteCertificate(ca);
        ExpectError(ErrorCategory::kFailure, [&] { tx->Commit(); });
    }
    EXPECT_EQ(Names(*store), (std::vector<std::string>{"ca", "leaf"}));
    {
        // Within a transaction the order does not matter: a CA may go before what it issued.
        auto tx = store->Begin(TxMode::kWrite);
        tx->DeleteCertificate(ca);
        tx->DeleteCertificate(leaf);
        tx->Commit();
    }
    EXPECT_TRUE(Names(*store).empty());
}

TEST_P(StoreTest, SecondStoreSeesCommits) {
    auto writer = Open();
    auto watcher = Open();
    std::uint64_t version = watcher->DataVersion();
    EXPECT_EQ(watcher->DataVersion(), version);
    watcher->Begin(TxMode::kRead)->Commit();
    EXPECT_EQ(watcher->DataVersion(), version);

    std::uint64_t writer_version = writer->DataVersion();
    ObjectId id = Insert(*writer, MakeRow("from-writer"));
    EXPECT_NE(writer->DataVersion(), writer_version);
    std::uint64_t seen = watcher->DataVersion();
    EXPECT_NE(seen, version);
    EXPECT_TRUE(watcher->Begin(TxMode::kRead)->GetCertificate(id).has_value());

    {
        auto tx = writer->Begin(TxMode::kWrite);
        tx->SetSetting("certificate", "crl-use", "no");
        tx->Commit();
    }
    EXPECT_NE(watcher->DataVersion(), seen);
}

TEST_P(StoreTest, ThreadsShareOneStore) {
    auto store = Open();
    constexpr int kThreads = 4;
    constexpr int kRounds = 25;
    std::vector<std::vector<std::uint64_t>> drawn(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kRounds; ++i) {
                {
                    auto tx = store->Begin(TxMode::kWrite);
                    drawn[t].push_back(tx->NextCounter("serial"));
                    tx->InsertCertificate(MakeRow("t" + std::to_string(t) + "-" + std::to_string(i)));
                    tx->Commit();
                }
                store->Begin(TxMode::kRead)->ListCertificates();
                store->DataVersion();
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    std::vector<std::uint64_t> all;
    for (const auto& values : drawn) {
        all.insert(all.end(), values.begin(), values.end());
    }
    std::sort(all.begin(), all.end());
    std::vector<std::uint64_t> expected(kThreads * kRounds);
    std::iota(expected.begin(), expected.end(), 1u);
    EXPECT_EQ(all, expected);
    EXPECT_EQ(store->Begin(TxMode::kRead)->ListCertificates().size(), expected.size());
}

}  // namespace
}  // namespace certos::store::test
