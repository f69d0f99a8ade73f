#include "pki/revoke.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/certificate.hpp"
#include "crypto/crl.hpp"
#include "pki/crl.hpp"
#include "pki/sign.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace certos::pki {
namespace {

class RevokeTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("certos-revoke-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        std::filesystem::remove_all(dir_);
        store_ = store::OpenSqliteStore(dir_);
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    core::ObjectId Sign(const std::string& name, const std::string& usage, const SignOptions& options) {
        core::ObjectId id;
        {
            auto tx = store_->Begin(store::TxMode::kWrite);
            store::CertificateRow row;
            row.name = name;
            row.props = {{"common-name", name}, {"key-size", "prime256v1"}, {"days-valid", "30"}, {"key-usage", usage}};
            id = tx->InsertCertificate(row);
            tx->Commit();
        }
        SignTemplate(*store_, id, options, nullptr);
        return id;
    }

    store::CertificateRow Row(core::ObjectId id) {
        auto tx = store_->Begin(store::TxMode::kRead);
        return *tx->GetCertificate(id);
    }

    std::vector<std::string> Revoke(std::vector<core::ObjectId> ids, std::string_view reason = {},
                                    TimePoint now = std::chrono::system_clock::now()) {
        auto tx = store_->Begin(store::TxMode::kWrite);
        std::vector<std::string> warnings = RevokeCertificates(*tx, ids, reason, now);
        tx->Commit();
        return warnings;
    }

    crypto::Crl CrlOf(core::ObjectId ca) {
        std::optional<std::string> der = LocalCrlBySkid(*store_, Row(ca).props.at("skid"));
        if (!der) {
            ADD_FAILURE() << "no CRL";
            return crypto::Crl::FromDer("");
        }
        return crypto::Crl::FromDer(*der);
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
};

constexpr const char* kCaUsage = "key-cert-sign,crl-sign";

TEST_F(RevokeTest, CaSignedWithCrlHostHasCrlFromTheStart) {
    core::ObjectId ca = Sign("CA", kCaUsage, {"", "", "127.0.0.1:8080"});
    crypto::Crl crl = CrlOf(ca);
    crypto::Certificate cert = crypto::Certificate::FromDer(Row(ca).der);
    EXPECT_TRUE(crl.IsSignedBy(cert));
    EXPECT_EQ(crl.NumberText(), "1");
    EXPECT_EQ(crl.RevokedCount(), 0u);
    EXPECT_EQ(crl.AkidHex(), cert.SkidHex());
    ASSERT_TRUE(crl.NextUpdate());
    EXPECT_EQ(*crl.NextUpdate() - crl.ThisUpdate(), kCrlValidity);
    // The skid lookup takes either case and refuses what is not hex.
    EXPECT_TRUE(LocalCrlBySkid(*store_, core::ToUpperAscii(cert.SkidHex())));
    EXPECT_FALSE(LocalCrlBySkid(*store_, "../../etc/passwd"));
    EXPECT_FALSE(LocalCrlBySkid(*store_, "00"));

    core::ObjectId plain = Sign("plain-ca", kCaUsage, {});
    auto tx = store_->Begin(store::TxMode::kRead);
    EXPECT_FALSE(tx->GetBlob(kLocalCrlKind, plain));  // no ca-crl-host: no CRL until something is revoked
}

TEST_F(RevokeTest, RevokeMarksCertificateAndRebuildsCrl) {
    core::ObjectId ca = Sign("CA", kCaUsage, {"", "", "127.0.0.1:8080"});
    core::ObjectId bad = Sign("bad", "tls-server", {"CA", "", ""});
    core::ObjectId good = Sign("good", "tls-server", {"CA", "", ""});
    EXPECT_TRUE(Revoke({bad}, "key-compromise").empty());
    store::CertificateRow row = Row(bad);
    EXPECT_FALSE(row.props["revoked"].empty());
    EXPECT_EQ(row.props["revocation-reason"], "key-compromise");
    EXPECT_EQ(Row(good).props.count("revoked"), 0u);
    crypto::Crl crl = CrlOf(ca);
    EXPECT_EQ(crl.NumberText(), "2");
    ASSERT_EQ(crl.RevokedCount(), 1u);
    auto entry = crl.FindRevoked(row.props["serial-number"]);
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->reason, crypto::RevocationReason::kKeyCompromise);
    EXPECT_FALSE(crl.FindRevoked(Row(good).props["serial-number"]));

    // Revoking again changes nothing; a later revocation of the sibling adds it with a new number.
    Revoke({bad});
    EXPECT_EQ(CrlOf(ca).NumberText(), "2");
    Revoke({good});
    EXPECT_EQ(CrlOf(ca).NumberText(), "3");
    EXPECT_EQ(CrlOf(ca).RevokedCount(), 2u);
    EXPECT_EQ(Row(good).props.count("revocation-reason"), 0u);
}

TEST_F(RevokeTest, OnlyCertificatesOfLocalCasCanBeRevoked) {
    core::ObjectId ca = Sign("CA", kCaUsage, {});
    core::ObjectId leaf = Sign("leaf", "tls-server", {"CA", "", ""});
    try {
        Revoke({leaf, ca});
        ADD_FAILURE() << "revoked a self-signed CA";
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()), "certificate CA was not issued by a local CA");
    }
    EXPECT_EQ(Row(leaf).props.count("revoked"), 0u);  // the transaction rolled back
    EXPECT_THROW(Revoke({leaf}, "no-such-reason"), core::Error);
}

TEST_F(RevokeTest, RemovedCertificateStaysOnTheCrl) {
    core::ObjectId ca = Sign("CA", kCaUsage, {"", "", "ca.example"});
    core::ObjectId leaf = Sign("leaf", "tls-server", {"CA", "", ""});
    std::string serial = Row(leaf).props["serial-number"];
    Revoke({leaf});
    {
        auto tx = store_->Begin(store::TxMode::kWrite);
        tx->DeleteCertificate(leaf);
        tx->Commit();
    }
    auto lines = RefreshLocalCrls(*store_, std::chrono::system_clock::now() + std::chrono::hours(25));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "CRL of CA CA rebuilt (number 3)");
    EXPECT_TRUE(CrlOf(ca).FindRevoked(serial));
    // Far past the certificate's end (30 days) plus one CRL period, the entry is dropped.
    {
        auto tx = store_->Begin(store::TxMode::kWrite);
        RebuildLocalCrl(*tx, *tx->GetCertificate(ca), std::chrono::system_clock::now() + std::chrono::hours(24 * 40));
        tx->Commit();
    }
    EXPECT_FALSE(CrlOf(ca).FindRevoked(serial));
}

TEST_F(RevokeTest, RefreshRebuildsOnlyOldCrls) {
    core::ObjectId ca = Sign("CA", kCaUsage, {"", "", "ca.example"});
    EXPECT_TRUE(RefreshLocalCrls(*store_).empty());
    EXPECT_EQ(RefreshLocalCrls(*store_, std::chrono::system_clock::now() + std::chrono::hours(23)).size(), 0u);
    EXPECT_EQ(RefreshLocalCrls(*store_, std::chrono::system_clock::now() + std::chrono::hours(24)).size(), 1u);
    EXPECT_EQ(CrlOf(ca).NumberText(), "2");
}

TEST_F(RevokeTest, CaWithoutCrlSignStillRecordsRevocation) {
    Sign("CA", "key-cert-sign", {});
    core::ObjectId leaf = Sign("leaf", "tls-server", {"CA", "", ""});
    std::vector<std::string> warnings = Revoke({leaf});
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("the CRL of CA CA was not rebuilt"), std::string::npos) << warnings[0];
    EXPECT_FALSE(Row(leaf).props["revoked"].empty());
}

}  // namespace
}  // namespace certos::pki
