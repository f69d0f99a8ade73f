// /certificate import over files made by the openssl CLI (tests/data/import/gen.sh), on a real SQLite store.

#include "pki/import.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/test_support.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "pki/export.hpp"
#include "pki/sign.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace certos::pki {
namespace {

using test_support::ReadPath;

std::filesystem::path ImportData() { return test_support::TestData("import", CERTOS_TEST_DATA_DIR); }

std::string Expected(const std::string& key) {
    std::istringstream in(ReadPath(ImportData() / "expected.txt"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(key + "=")) {
            return line.substr(key.size() + 1);
        }
    }
    ADD_FAILURE() << "expected.txt has no " << key;
    return {};
}

std::string Fp(const std::string& cert) { return Expected(cert + ".fingerprint"); }

const std::string kPass = "import-pass";

// Report as {certificates, keys, files, decryption failures, keys with no certificate}.
using Counts = std::array<int, 5>;
Counts ToCounts(const ImportReport& r) {
    return {r.certificates_imported, r.private_keys_imported, r.files_imported, r.decryption_failures,
            r.keys_with_no_certificate};
}

// ObservedStore is the real store with a window on it: it counts ListCertificates calls per transaction mode
// and runs `on_list` (once) at the first one, while that transaction is open.
class ObservedStore final : public store::Store {
public:
    explicit ObservedStore(store::Store& inner) : inner_(inner) {}

    std::unique_ptr<store::Transaction> Begin(store::TxMode mode) override {
        return std::make_unique<Tx>(*this, inner_.Begin(mode), mode);
    }
    std::uint64_t DataVersion() override { return inner_.DataVersion(); }

    std::function<void()> on_list;
    int lists_in_read = 0;
    int lists_in_write = 0;

private:
    class Tx final : public store::Transaction {
    public:
        Tx(ObservedStore& owner, std::unique_ptr<store::Transaction> inner, store::TxMode mode)
            : owner_(owner), inner_(std::move(inner)), mode_(mode) {
            UseSealer(inner_->sealer());
        }

        std::vector<store::CertificateRow> ListCertificates() override {
            ++(mode_ == store::TxMode::kRead ? owner_.lists_in_read : owner_.lists_in_write);
            if (owner_.on_list) {
                std::function<void()> hook = std::move(owner_.on_list);
                owner_.on_list = nullptr;
                hook();
            }
            return inner_->ListCertificates();
        }
        std::optional<store::CertificateRow> GetCertificate(core::ObjectId id) override {
            return inner_->GetCertificate(id);
        }
        std::optional<store::CertificateRow> FindCertificateByName(std::string_view name) override {
            return inner_->FindCertificateByName(name);
        }
        std::optional<core::ObjectId> FindCertificateId(std::string_view name) override {
            return inner_->FindCertificateId(name);
        }
        std::vector<store::CertificateStamp> ListCertificateStamps() override {
            return inner_->ListCertificateStamps();
        }
        std::vector<std::pair<core::ObjectId, std::string>> ListIssuerNames() override {
            return inner_->ListIssuerNames();
        }
        std::uint64_t CountCertificates(const store::CertificateCondition& condition) override {
            return inner_->CountCertificates(condition);
        }
        void ScanCertificates(const store::CertificateCondition& condition,
                              const std::function<bool(store::CertificateRow&&)>& visit,
                              store::ScanOrder order) override {
            inner_->ScanCertificates(condition, visit, order);
        }
        core::ObjectId InsertCertificate(const store::CertificateRow& row) override {
            return inner_->InsertCertificate(row);
        }
        void UpdateCertificate(const store::CertificateRow& row) override { inner_->UpdateCertificate(row); }
        bool UpdateCertificateIf(const store::CertificateRow& row, std::uint64_t revision) override {
            return inner_->UpdateCertificateIf(row, revision);
        }
        void DeleteCertificate(core::ObjectId id) override { inner_->DeleteCertificate(id); }
        void StoreSealedKey(core::ObjectId id, std::string_view sealed) override { inner_->StoreSealedKey(id, sealed); }
        std::optional<std::string> LoadSealedKey(core::ObjectId id) override { return inner_->LoadSealedKey(id); }
        std::optional<std::string> GetSetting(std::string_view section, std::string_view key) override {
            return inner_->GetSetting(section, key);
        }
        void SetSetting(std::string_view section, std::string_view key, std::string_view value) override {
            inner_->SetSetting(section, key, value);
        }
        bool InsertSetting(std::string_view section, std::string_view key, std::string_view value) override {
            return inner_->InsertSetting(section, key, value);
        }
        std::vector<store::ItemRow> ListItems(std::string_view kind) override { return inner_->ListItems(kind); }
        std::optional<store::ItemRow> GetItem(std::string_view kind, core::ObjectId id) override {
            return inner_->GetItem(kind, id);
        }
        std::optional<store::ItemRow> FindItemByName(std::string_view kind, std::string_view name) override {
            return inner_->FindItemByName(kind, name);
        }
        core::ObjectId InsertItem(std::string_view kind, const store::ItemRow& row, bool keep_id) override {
            return inner_->InsertItem(kind, row, keep_id);
        }
        void UpdateItem(std::string_view kind, const store::ItemRow& row) override { inner_->UpdateItem(kind, row); }
        void DeleteItem(std::string_view kind, core::ObjectId id) override { inner_->DeleteItem(kind, id); }
        store::StoreContent DumpContent() override { return inner_->DumpContent(); }
        void ReplaceContent(const store::StoreContent& content) override { inner_->ReplaceContent(content); }
        void AppendLog(const store::LogEntry& entry) override { inner_->AppendLog(entry); }
        std::vector<store::LogEntry> ListLog() override { return inner_->ListLog(); }
        std::optional<store::BlobRow> GetBlob(std::string_view kind, core::ObjectId owner) override {
            return inner_->GetBlob(kind, owner);
        }
        void PutBlob(const store::BlobRow& blob) override { inner_->PutBlob(blob); }
        void DeleteBlobs(core::ObjectId owner) override { inner_->DeleteBlobs(owner); }
        void AppendToBlob(const store::BlobRow& part) override { inner_->AppendToBlob(part); }
        bool ReplaceBlobIf(const store::BlobRow& blob, std::string_view expected) override {
            return inner_->ReplaceBlobIf(blob, expected);
        }
        std::uint64_t NextCounter(std::string_view name) override { return inner_->NextCounter(name); }
        std::uint64_t Generation(std::string_view what) override { return inner_->Generation(what); }
        bool AcquireLease(std::string_view name, std::string_view holder, std::chrono::system_clock::time_point now,
                          std::chrono::milliseconds ttl) override {
            return inner_->AcquireLease(name, holder, now, ttl);
        }
        void ReleaseLease(std::string_view name, std::string_view holder) override {
            inner_->ReleaseLease(name, holder);
        }
        void Commit() override { inner_->Commit(); }

    private:
        ObservedStore& owner_;
        std::unique_ptr<store::Transaction> inner_;
        store::TxMode mode_;
    };

    store::Store& inner_;
};

class ImportTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("certos-import-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        std::filesystem::remove_all(dir_);
        store_ = store::OpenSqliteStore(dir_ / "a");
        files_ = std::make_unique<store::FileArea>(dir_ / "files");
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    // Put copies a tests/data/import file into /file (under `as` when given).
    void Put(const std::string& name, const std::string& as = "") {
        files_->Write(as.empty() ? name : as, ReadPath(ImportData() / name));
    }

    Counts Run(const std::string& file, const std::string& passphrase = "", const std::string& name = "",
               store::Store* store = nullptr) {
        ImportOptions options;
        options.file_name = file;
        options.passphrase = passphrase;
        options.name = name;
        return ToCounts(Import(store != nullptr ? *store : *store_, *files_, options));
    }

    Counts PutAndRun(const std::string& file, const std::string& passphrase = "", const std::string& name = "") {
        Put(file);
        return Run(file, passphrase, name);
    }

    std::vector<store::CertificateRow> Rows(store::Store* store = nullptr) {
        auto tx = (store != nullptr ? *store : *store_).Begin(store::TxMode::kRead);
        return tx->ListCertificates();
    }

    store::CertificateRow Row(const std::string& name) {
        auto tx = store_->Begin(store::TxMode::kRead);
        auto row = tx->FindCertificateByName(name);
        EXPECT_TRUE(row.has_value()) << name;
        return row.value_or(store::CertificateRow{});
    }

    std::string Fingerprint(const std::string& name) { return Row(name).props["fingerprint"]; }

    // KeyMatches tells whether row `name` holds the private key of its own certificate.
    bool KeyMatches(const std::string& name) {
        store::CertificateRow row = Row(name);
        auto tx = store_->Begin(store::TxMode::kRead);
        std::optional<std::string> der = tx->LoadPrivateKey(row.id);
        return row.has_key && der &&
               crypto::PrivateKey::FromPkcs8Der(*der).PublicKeyDer() ==
                   crypto::Certificate::FromDer(row.der).PublicKeyDer();
    }

    // Snapshot renders every row, with its key, so two snapshots compare the whole store.
    std::string Snapshot() {
        std::ostringstream out;
        auto tx = store_->Begin(store::TxMode::kRead);
        for (const store::CertificateRow& row : tx->ListCertificates()) {
            out << row.id.ToString() << ' ' << row.name << ' ' << row.der.size() << ' ' << row.has_key << ' '
                << (row.issuer_id ? row.issuer_id->ToString() : "-") << ' ' << tx->LoadPrivateKey(row.id).value_or("")
                << '\n';
            for (const auto& [key, value] : row.props) {
                out << "  " << key << '=' << value << '\n';
            }
        }
        return out.str();
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<store::FileArea> files_;
};

TEST_F(ImportTest, ChainBundleGetsRouterOsDefaultNames) {
    EXPECT_EQ(PutAndRun("chain.pem"), (Counts{3, 0, 1, 0, 0}));
    std::vector<store::CertificateRow> rows = Rows();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].name, "chain.pem_0");
    EXPECT_EQ(rows[1].name, "chain.pem_1");
    EXPECT_EQ(rows[2].name, "chain.pem_2");
    EXPECT_EQ(rows[0].props["fingerprint"], Fp("leaf"));
    EXPECT_EQ(rows[1].props["fingerprint"], Fp("inter"));
    EXPECT_EQ(rows[2].props["fingerprint"], Fp("root"));
    for (const store::CertificateRow& row : rows) {
        EXPECT_FALSE(row.has_key);
        EXPECT_FALSE(row.issuer_id.has_value());  // `issued` means issued by a local CA
        EXPECT_EQ(row.props.at("trusted"), "true");
        EXPECT_EQ(row.props.at("trust-store"), "all");
        EXPECT_EQ(row.props.at("crl"), "false");
    }
    EXPECT_EQ(rows[0].props["authority"], "false");
    EXPECT_EQ(rows[1].props["authority"], "true");
    EXPECT_EQ(rows[2].props["authority"], "true");
    EXPECT_EQ(rows[0].props["common-name"], "leaf.example.com");
    EXPECT_EQ(rows[0].props["subject-alt-name"], "DNS:leaf.example.com,IP:192.0.2.10");
    EXPECT_EQ(rows[0].props["issuer"], "C=LV,O=Import Test,CN=Import Intermediate CA");
    EXPECT_EQ(rows[1].props["key-type"], "ec");
    EXPECT_EQ(rows[1].props["key-size"], "prime256v1");
    EXPECT_TRUE(files_->Exists("chain.pem"));  // the imported file stays in /file
}

TEST_F(ImportTest, GivenNameIsUsedForTheFirstAndSuffixedForTheRest) {
    // The seed's example: the key's certificate gets the bare name and K, the CA name_1.
    EXPECT_EQ(PutAndRun("key_first.pem", "", "name_example"), (Counts{2, 1, 1, 0, 0}));
    EXPECT_TRUE(KeyMatches("name_example"));
    EXPECT_EQ(Fingerprint("name_example"), Fp("leaf"));
    EXPECT_FALSE(Row("name_example_1").has_key);
    EXPECT_EQ(Fingerprint("name_example_1"), Fp("inter"));
}

TEST_F(ImportTest, TakenNamesAreSkipped) {
    Put("root.crt", "x.pem");
    EXPECT_EQ(Run("x.pem"), (Counts{1, 0, 1, 0, 0}));
    Put("inter.crt", "x.pem");
    EXPECT_EQ(Run("x.pem"), (Counts{1, 0, 1, 0, 0}));
    EXPECT_EQ(Fingerprint("x.pem_0"), Fp("root"));
    EXPECT_EQ(Fingerprint("x.pem_1"), Fp("inter"));
    Put("leaf.crt");
    EXPECT_EQ(Run("leaf.crt", "", "x.pem_0"), (Counts{1, 0, 1, 0, 0}));
    EXPECT_EQ(Fingerprint("x.pem_0_1"), Fp("leaf"));
}

TEST_F(ImportTest, EveryKeyFormatAttachesToItsCertificateImportedEarlier) {
    struct Case {
        const char* cert;
        const char* key;
    };
    for (const Case& c : std::vector<Case>{{"leaf.crt", "leaf_pkcs1.pem"},
                                           {"leaf.crt", "leaf_pkcs8.pem"},
                                           {"leaf.crt", "leaf_pkcs8_enc.pem"},
                                           {"leaf.crt", "leaf_pkcs8_enc_v1.pem"},
                                           {"leaf.crt", "leaf_trad_enc.pem"},
                                           {"leaf.der", "leaf_key.der"},
                                           {"leaf.der", "leaf_key_pkcs1.der"},
                                           {"leaf.der", "leaf_key_enc.der"},
                                           {"ec_leaf.crt", "ec_leaf_sec1.pem"},
                                           {"ec_leaf.crt", "ec_leaf_trad_enc.pem"},
                                           {"ec_leaf.crt", "ec_leaf_key.der"},
                                           {"ec_leaf.crt", "ec_leaf_params.pem"}}) {
        SCOPED_TRACE(c.key);
        TearDown();
        SetUp();
        EXPECT_EQ(PutAndRun(c.cert), (Counts{1, 0, 1, 0, 0}));
        std::string name = std::string(c.cert) + "_0";
        EXPECT_FALSE(Row(name).has_key);
        EXPECT_EQ(PutAndRun(c.key, kPass), (Counts{0, 1, 1, 0, 0}));
        EXPECT_TRUE(KeyMatches(name));
        EXPECT_EQ(Rows().size(), 1u);
    }
}

TEST_F(ImportTest, Pkcs12ModernAndLegacyWithAndWithoutKey) {
    for (const char* file : {"leaf_modern.p12", "leaf_legacy.p12"}) {
        SCOPED_TRACE(file);
        TearDown();
        SetUp();
        EXPECT_EQ(PutAndRun(file, kPass), (Counts{2, 1, 1, 0, 0}));
        EXPECT_EQ(Fingerprint(std::string(file) + "_0"), Fp("leaf"));
        EXPECT_TRUE(KeyMatches(std::string(file) + "_0"));
        EXPECT_EQ(Fingerprint(std::string(file) + "_1"), Fp("inter"));
    }
    EXPECT_EQ(PutAndRun("certs_only.p12", kPass), (Counts{1, 0, 1, 0, 0}));  // inter is already there
    EXPECT_EQ(Fingerprint("certs_only.p12_0"), Fp("root"));
    EXPECT_EQ(PutAndRun("certs_only_legacy.p12", kPass), (Counts{0, 0, 0, 0, 0}));
    EXPECT_EQ(PutAndRun("ec_leaf_nopass.p12"), (Counts{1, 1, 1, 0, 0}));
    EXPECT_TRUE(KeyMatches("ec_leaf_nopass.p12_0"));
}

TEST_F(ImportTest, WrongPassphraseIsCountedAndNothingUndecryptedIsStored) {
    PutAndRun("chain.pem");
    std::string before = Snapshot();
    for (const char* file :
         {"leaf_modern.p12", "leaf_legacy.p12", "leaf_pkcs8_enc.pem", "leaf_trad_enc.pem", "leaf_key_enc.der"}) {
        SCOPED_TRACE(file);
        EXPECT_EQ(PutAndRun(file, "wrong"), (Counts{0, 0, 0, 1, 0}));
        EXPECT_EQ(PutAndRun(file, ""), (Counts{0, 0, 0, 1, 0}));
        EXPECT_EQ(Snapshot(), before);
    }
    // A bundle of certificates and encrypted keys: the certificates and the one plain key get in.
    EXPECT_EQ(PutAndRun("mixed_encrypted.pem", "wrong"), (Counts{1, 1, 1, 2, 0}));
    EXPECT_TRUE(KeyMatches("mixed_encrypted.pem_0"));  // ec_leaf, the only certificate not there yet
    EXPECT_FALSE(Row("chain.pem_0").has_key);
    EXPECT_EQ(PutAndRun("mixed_encrypted.pem", kPass), (Counts{0, 1, 1, 0, 0}));
    EXPECT_TRUE(KeyMatches("chain.pem_0"));
}

TEST_F(ImportTest, CertificateAlreadyStoredIsNotDuplicatedButGainsTheKey) {
    EXPECT_EQ(PutAndRun("chain.pem"), (Counts{3, 0, 1, 0, 0}));
    EXPECT_EQ(PutAndRun("chain.pem"), (Counts{0, 0, 0, 0, 0}));
    EXPECT_EQ(PutAndRun("key_first.pem"), (Counts{0, 1, 1, 0, 0}));
    EXPECT_TRUE(KeyMatches("chain.pem_0"));
    EXPECT_EQ(Rows().size(), 3u);
    EXPECT_EQ(PutAndRun("leaf_pkcs1.pem"), (Counts{0, 0, 0, 0, 0}));  // the same key again: nothing to do
    EXPECT_EQ(PutAndRun("duplicates.pem", "", "dup"), (Counts{0, 0, 0, 0, 0}));
}

TEST_F(ImportTest, DuplicatesWithinOneFileAreStoredOnce) {
    EXPECT_EQ(PutAndRun("duplicates.pem"), (Counts{1, 1, 1, 0, 0}));
    EXPECT_EQ(Rows().size(), 1u);
    EXPECT_TRUE(KeyMatches("duplicates.pem_0"));
}

TEST_F(ImportTest, KeyWithNoCertificateIsCountedNotStored) {
    PutAndRun("chain.pem");
    std::string before = Snapshot();
    EXPECT_EQ(PutAndRun("other.key"), (Counts{0, 0, 0, 0, 1}));
    EXPECT_EQ(Snapshot(), before);
}

TEST_F(ImportTest, DerAndCrtFiles) {
    EXPECT_EQ(PutAndRun("root_der.crt"), (Counts{1, 0, 1, 0, 0}));
    EXPECT_EQ(Fingerprint("root_der.crt_0"), Fp("root"));
    EXPECT_EQ(PutAndRun("root_trusted.pem"), (Counts{0, 0, 0, 0, 0}));
    EXPECT_EQ(PutAndRun("leaf.der"), (Counts{1, 0, 1, 0, 0}));
    EXPECT_EQ(PutAndRun("p12_dump.pem"), (Counts{1, 1, 1, 0, 0}));  // inter is new; the key finds leaf.der_0
    EXPECT_TRUE(KeyMatches("leaf.der_0"));
}

TEST_F(ImportTest, TrustedAndTrustStoreOptions) {
    Put("root.crt");
    ImportOptions options;
    options.file_name = "root.crt";
    options.trusted = false;
    options.trust_store = "www,api";
    EXPECT_EQ(ToCounts(Import(*store_, *files_, options)), (Counts{1, 0, 1, 0, 0}));
    EXPECT_EQ(Row("root.crt_0").props["trusted"], "false");
    EXPECT_EQ(Row("root.crt_0").props["trust-store"], "www,api");
}

// ErrorOf runs an import that must fail and returns its message.
std::string ErrorOf(const std::function<void()>& run) {
    try {
        run();
    } catch (const core::Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST_F(ImportTest, BadInputFailsWithReasonAndLeavesStoreUnchanged) {
    PutAndRun("key_first.pem");
    PutAndRun("ec_leaf_nopass.p12");
    std::string before = Snapshot();
    struct Case {
        const char* file;
        const char* message;
    };
    for (const Case& c : std::vector<Case>{
             {"truncated.pem", "importing truncated.pem: PEM block 2 (CERTIFICATE, line 18) has no END line"},
             {"corrupt_middle.pem",
              "importing corrupt_middle.pem: PEM block 2 (CERTIFICATE, line 18): decoding PEM certificate"},
             {"garbage.bin", "importing garbage.bin: unrecognised format"},
             {"truncated.p12", "importing truncated.p12: unrecognised format"},
             {"empty.pem", "importing empty.pem: the file is empty"},
             {"blank.pem", "importing blank.pem: the file is empty"},
             {"csr.pem", "importing csr.pem: the file holds no certificate or private key (only CERTIFICATE REQUEST)"},
             {"slow_bags.p12",
              "importing slow_bags.p12: PKCS#12 encrypted safe: key derivation iteration "
              "count 10000001 is larger than 10000000"},
         }) {
        SCOPED_TRACE(c.file);
        Put(c.file);
        std::string error = ErrorOf([&] { Run(c.file, kPass); });
        EXPECT_TRUE(error.starts_with(c.message)) << error;
        EXPECT_EQ(Snapshot(), before);
    }
    EXPECT_EQ(ErrorOf([&] { Run("missing.pem"); }), "no such file missing.pem");
    // 50 MB of certificate text is refused before it is read.
    {
        std::ofstream big(files_->Resolve("big.pem"), std::ios::binary);
        std::string cert = ReadPath(ImportData() / "root.crt");
        for (std::size_t written = 0; written < 50u << 20; written += cert.size()) {
            big << cert;
        }
    }
    EXPECT_EQ(ErrorOf([&] { Run("big.pem"); }), "file big.pem is too large (limit 16 MiB)");
    EXPECT_EQ(Snapshot(), before);
}

TEST_F(ImportTest, DebianCaBundleImportsInOneCall) {
    const std::filesystem::path bundle = "/etc/ssl/certs/ca-certificates.crt";
    if (!std::filesystem::exists(bundle)) {
        GTEST_FAIL() << "ca-certificates not installed (scripts/install-deps.sh installs it)";
    }
    files_->Write("ca-certificates.crt", ReadPath(bundle));
    std::set<std::string> unique;
    for (const crypto::Certificate& cert : crypto::CertificatesFromPem(ReadPath(bundle))) {
        unique.insert(cert.FingerprintSha256());
    }
    ASSERT_GT(unique.size(), 100u);
    Counts counts = Run("ca-certificates.crt");
    EXPECT_EQ(counts, (Counts{static_cast<int>(unique.size()), 0, 1, 0, 0}));
    std::vector<store::CertificateRow> rows = Rows();
    ASSERT_EQ(rows.size(), unique.size());
    EXPECT_EQ(rows.back().name, "ca-certificates.crt_" + std::to_string(unique.size() - 1));
}

TEST_F(ImportTest, CertosExportsReimportWithIdenticalFingerprints) {
    // A local CA and a certificate it issued, exported as PEM (+ encrypted key) and PKCS#12.
    auto add = [&](const std::string& name, std::map<std::string, std::string> props) {
        auto tx = store_->Begin(store::TxMode::kWrite);
        store::CertificateRow row;
        row.name = name;
        props.emplace("key-size", "prime256v1");
        row.props = std::move(props);
        core::ObjectId id = tx->InsertCertificate(row);
        tx->Commit();
        return id;
    };
    core::ObjectId ca = add("CA", {{"common-name", "Export CA"}, {"key-usage", "key-cert-sign,crl-sign"}});
    core::ObjectId srv = add("srv", {{"common-name", "srv.lan"}, {"subject-alt-name", "DNS:srv.lan"}});
    SignTemplate(*store_, ca, {}, nullptr);
    SignTemplate(*store_, srv, SignOptions{"CA", "", ""}, nullptr);
    {
        auto tx = store_->Begin(store::TxMode::kRead);
        ExportCertificate(*tx, *files_, *tx->GetCertificate(ca), ExportType::kPem, "", "ca");
        ExportCertificate(*tx, *files_, *tx->GetCertificate(srv), ExportType::kPem, "pem-pass", "srv");
        ExportCertificate(*tx, *files_, *tx->GetCertificate(srv), ExportType::kPkcs12, "p12-pass", "srv");
    }
    std::string ca_fp = Row("CA").props["fingerprint"];
    std::string srv_fp = Row("srv").props["fingerprint"];

    std::unique_ptr<store::Store> fresh = store::OpenSqliteStore(dir_ / "b");
    EXPECT_EQ(Run("ca.crt", "", "", fresh.get()), (Counts{1, 0, 1, 0, 0}));
    EXPECT_EQ(Run("srv.crt", "", "", fresh.get()), (Counts{1, 0, 1, 0, 0}));
    EXPECT_EQ(Run("srv.key", "pem-pass", "", fresh.get()), (Counts{0, 1, 1, 0, 0}));
    std::unique_ptr<store::Store> fresh_p12 = store::OpenSqliteStore(dir_ / "c");
    EXPECT_EQ(Run("srv.p12", "p12-pass", "", fresh_p12.get()), (Counts{2, 1, 1, 0, 0}));
    for (store::Store* store : {fresh.get(), fresh_p12.get()}) {
        std::vector<store::CertificateRow> rows = Rows(store);
        std::set<std::string> fingerprints;
        for (const store::CertificateRow& row : rows) {
            fingerprints.insert(row.props.at("fingerprint"));
            EXPECT_EQ(row.has_key, row.props.at("fingerprint") == srv_fp);
            EXPECT_FALSE(row.issuer_id.has_value());
        }
        EXPECT_EQ(fingerprints, (std::set<std::string>{ca_fp, srv_fp}));
    }
}

TEST_F(ImportTest, MatchingAgainstTheStoreRunsOutsideTheWriteTransaction) {
    PutAndRun("chain.pem");
    Put("leaf.key");
    ObservedStore observed(*store_);
    EXPECT_EQ(Run("leaf.key", "", "", &observed), (Counts{0, 1, 1, 0, 0}));
    EXPECT_TRUE(KeyMatches("chain.pem_0"));
    EXPECT_EQ(observed.lists_in_read, 1);
    EXPECT_EQ(observed.lists_in_write, 0) << "the store was read row by row under the write lock";
}

TEST_F(ImportTest, WriteDuringTheMatchingSucceedsAndTheImportSeesIt) {
    // While the import matches its key against the store, another import adds the key's certificate. That
    // write must not wait for the import (with the write lock held it would fail: "database is locked"),
    // and the import must not act on what it read before: the key goes to the new certificate.
    Put("chain.pem");
    Put("leaf.key");
    ObservedStore observed(*store_);
    std::string concurrent_error = "(did not run)";
    observed.on_list = [&] {
        std::thread writer([&] { concurrent_error = ErrorOf([&] { Run("chain.pem"); }); });
        writer.join();
    };
    EXPECT_EQ(Run("leaf.key", "", "", &observed), (Counts{0, 1, 1, 0, 0}));
    EXPECT_EQ(concurrent_error, "(no error)");
    EXPECT_TRUE(KeyMatches("chain.pem_0"));
    EXPECT_EQ(observed.lists_in_read, 2);  // looked again after the change
    EXPECT_EQ(observed.lists_in_write, 0);
}

}  // namespace
}  // namespace certos::pki
