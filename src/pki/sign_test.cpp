#include "pki/sign.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/certificate.hpp"
#include "crypto/issue.hpp"
#include "crypto/key.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace certos::pki {
namespace {

class SignTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("certos-sign-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        std::filesystem::remove_all(dir_);
        store_ = store::OpenSqliteStore(dir_);
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    core::ObjectId AddTemplate(const std::string& name, std::map<std::string, std::string> props) {
        auto tx = store_->Begin(store::TxMode::kWrite);
        store::CertificateRow row;
        row.name = name;
        props.emplace("key-size", "prime256v1");
        props.emplace("days-valid", "30");
        row.props = std::move(props);
        core::ObjectId id = tx->InsertCertificate(row);
        tx->Commit();
        return id;
    }

    store::CertificateRow Row(core::ObjectId id) {
        auto tx = store_->Begin(store::TxMode::kRead);
        return *tx->GetCertificate(id);
    }

    std::vector<store::CertificateRow> All() {
        auto tx = store_->Begin(store::TxMode::kRead);
        return tx->ListCertificates();
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
};

TEST_F(SignTest, SelfSignedCaBecomesCertificateInPlace) {
    core::ObjectId id = AddTemplate("CA", {{"common-name", "CAtemp"},
                                           {"key-usage", "key-cert-sign,crl-sign"},
                                           {"organization", "Acme"},
                                           {"country", "LV"}});
    SignTemplate(*store_, id, {}, nullptr);
    store::CertificateRow row = Row(id);
    EXPECT_EQ(row.id, id);
    EXPECT_TRUE(row.has_key);
    EXPECT_FALSE(row.issuer_id.has_value());
    crypto::Certificate cert = crypto::Certificate::FromDer(row.der);
    EXPECT_TRUE(cert.IsCa());
    EXPECT_TRUE(cert.IsSignedBy(cert));
    EXPECT_EQ(cert.SubjectString(), "C=LV,O=Acme,CN=CAtemp");
    EXPECT_EQ(row.props.at("trusted"), "true");
    EXPECT_EQ(row.props.at("authority"), "true");
    EXPECT_EQ(row.props.at("crl"), "false");
    EXPECT_EQ(row.props.at("fingerprint"), cert.FingerprintSha256());
    EXPECT_EQ(row.props.at("serial-number"), cert.SerialHex());
    EXPECT_EQ(row.props.at("serial-number").size(), 32u);  // 16 bytes of randomness, top bit clear
    EXPECT_EQ(row.props.at("akid"), "");                   // as RouterOS shows a self-signed root
    EXPECT_EQ(row.props.at("skid").size(), 40u);
    EXPECT_EQ(row.props.at("days-valid"), "30");
    EXPECT_EQ(row.props.at("key-type"), "ec");
}

TEST_F(SignTest, CaSignsLeafWithCrlDistributionPoint) {
    core::ObjectId ca = AddTemplate("CA", {{"common-name", "ca"}, {"key-usage", "key-cert-sign,crl-sign"}});
    SignTemplate(*store_, ca, {"", "", "127.0.0.1:8080"}, nullptr);
    core::ObjectId leaf = AddTemplate("leaf", {{"common-name", "leaf"},
                                               {"key-usage", "digital-signature,tls-server"},
                                               {"subject-alt-name", "DNS:leaf.lan,IP:10.0.0.1"}});
    SignTemplate(*store_, leaf, {"CA", "leaf-cert", ""}, nullptr);
    store::CertificateRow ca_row = Row(ca);
    store::CertificateRow row = Row(leaf);
    EXPECT_EQ(ca_row.props.at("crl"), "true");
    EXPECT_EQ(row.name, "leaf-cert");
    EXPECT_EQ(row.issuer_id, ca);
    EXPECT_EQ(row.props.count("trusted"), 0u);  // a CA-signed certificate is not made trusted
    crypto::Certificate cert = crypto::Certificate::FromDer(row.der);
    crypto::Certificate ca_cert = crypto::Certificate::FromDer(ca_row.der);
    EXPECT_TRUE(cert.IsSignedBy(ca_cert));
    EXPECT_FALSE(cert.IsCa());
    EXPECT_EQ(cert.AkidHex(), ca_cert.SkidHex());
    EXPECT_EQ(row.props.at("akid"), ca_cert.SkidHex());
    ASSERT_EQ(cert.CrlDistributionPoints().size(), 1u);
    EXPECT_EQ(cert.CrlDistributionPoints()[0], "http://127.0.0.1:8080/crl/" + ca_cert.SkidHex() + ".crl");
    EXPECT_EQ(cert.KeyUsage(), (std::vector<std::string>{"digital-signature", "tls-server"}));
    EXPECT_EQ(cert.SubjectAltNames(), (std::vector<std::string>{"DNS:leaf.lan", "IP:10.0.0.1"}));
}

// Each failure gives its own message and leaves the store exactly as it was.
TEST_F(SignTest, FailuresChangeNothing) {
    core::ObjectId ca = AddTemplate("CA", {{"key-usage", "key-cert-sign,crl-sign"}});
    core::ObjectId not_ca = AddTemplate("plain", {{"key-usage", "digital-signature,tls-server"}});
    core::ObjectId leaf = AddTemplate("leaf", {{"common-name", "x"}});
    core::ObjectId unsigned_ca = AddTemplate("unsigned", {{"key-usage", "key-cert-sign"}});
    SignTemplate(*store_, ca, {}, nullptr);
    SignTemplate(*store_, not_ca, {}, nullptr);
    {
        // A CA without its private key (as after importing only its certificate).
        auto tx = store_->Begin(store::TxMode::kWrite);
        store::CertificateRow copy = *tx->GetCertificate(ca);
        copy.name = "keyless";
        tx->InsertCertificate(copy);
        tx->Commit();
    }
    auto before = All();
    auto expect_failure = [&](core::ObjectId id, const SignOptions& options, const std::string& message) {
        try {
            SignTemplate(*store_, id, options, nullptr);
            ADD_FAILURE() << "signed";
        } catch (const core::Error& e) {
            EXPECT_EQ(std::string(e.what()), message);
        }
        auto after = All();
        ASSERT_EQ(after.size(), before.size());
        for (std::size_t i = 0; i < after.size(); ++i) {
            EXPECT_EQ(after[i].name, before[i].name);
            EXPECT_EQ(after[i].props, before[i].props);
            EXPECT_EQ(after[i].der, before[i].der);
            EXPECT_EQ(after[i].has_key, before[i].has_key);
        }
    };
    expect_failure(leaf, {"nothing", "", ""}, "CA certificate nothing does not exist");
    expect_failure(leaf, {"plain", "", ""},
                   "certificate plain can not sign: it is not a CA with key-cert-sign key usage");
    expect_failure(leaf, {"unsigned", "", ""}, "CA certificate unsigned is not signed yet");
    expect_failure(leaf, {"keyless", "", ""}, "CA certificate keyless has no private key");
    expect_failure(ca, {}, "certificate CA is already signed");
    expect_failure(leaf, {"", "CA", ""}, "certificate with the same name already exists");
    expect_failure(core::ObjectId(999), {}, "no such item");
    (void)unsigned_ca;
}

// MeddlingStore is the test's store, except that `meddle` runs once just before the first write transaction
// begins: between SignTemplate's read and its write, as another process's command would.
class MeddlingStore final : public store::Store {
public:
    MeddlingStore(store::Store& inner, std::function<void()> meddle) : inner_(inner), meddle_(std::move(meddle)) {}

    std::unique_ptr<store::Transaction> Begin(store::TxMode mode) override {
        if (mode == store::TxMode::kWrite && meddle_) {
            std::function<void()> meddle = std::move(meddle_);
            meddle_ = nullptr;
            meddle();
        }
        return inner_.Begin(mode);
    }
    std::uint64_t DataVersion() override { return inner_.DataVersion(); }

private:
    store::Store& inner_;
    std::function<void()> meddle_;
};

TEST_F(SignTest, ChangesMadeWhileSigningAreNeverOverwritten) {
    core::ObjectId id = AddTemplate("leaf", {{"common-name", "leaf"}});
    auto expect_failure = [&](const SignOptions& options, std::function<void()> meddle, const std::string& message) {
        MeddlingStore meddling(*store_, std::move(meddle));
        try {
            SignTemplate(meddling, id, options, nullptr);
            ADD_FAILURE() << "signed";
        } catch (const core::Error& e) {
            EXPECT_EQ(std::string(e.what()), message);
        }
    };
    // The template is edited meanwhile: the edit stays, nothing is signed.
    expect_failure(
        {},
        [&] {
            auto tx = store_->Begin(store::TxMode::kWrite);
            store::CertificateRow row = *tx->GetCertificate(id);
            row.props["common-name"] = "edited";
            tx->UpdateCertificate(row);
            tx->Commit();
        },
        "template leaf was changed while it was being signed; sign it again");
    EXPECT_EQ(Row(id).props.at("common-name"), "edited");
    EXPECT_TRUE(Row(id).der.empty());
    EXPECT_FALSE(Row(id).has_key);

    // The new name is taken meanwhile.
    expect_failure(
        {"", "wanted", ""},
        [&] {
            auto tx = store_->Begin(store::TxMode::kWrite);
            store::CertificateRow other;
            other.name = "wanted";
            tx->InsertCertificate(other);
            tx->Commit();
        },
        "certificate with the same name already exists");
    EXPECT_EQ(Row(id).name, "leaf");
    EXPECT_TRUE(Row(id).der.empty());

    // Another process signs it meanwhile: its certificate and key stay.
    std::string theirs;
    expect_failure(
        {},
        [&] {
            SignTemplate(*store_, id, {}, nullptr);
            theirs = Row(id).der;
        },
        "certificate leaf is already signed");
    EXPECT_FALSE(theirs.empty());
    EXPECT_EQ(Row(id).der, theirs);

    // The template is removed meanwhile.
    core::ObjectId gone = AddTemplate("gone", {{"common-name", "gone"}});
    MeddlingStore meddling(*store_, [&] {
        auto tx = store_->Begin(store::TxMode::kWrite);
        tx->DeleteCertificate(gone);
        tx->Commit();
    });
    EXPECT_THROW(SignTemplate(meddling, gone, {}, nullptr), core::Error);
}

TEST_F(SignTest, ExpiredCaCannotSign) {
    core::ObjectId ca = AddTemplate("CA", {{"key-usage", "key-cert-sign"}});
    SignTemplate(*store_, ca, {}, nullptr);
    {
        // Re-issue the CA's stored certificate as an expired one made by the openssl-independent path:
        // shift validity into the past by editing the row's certificate through crypto.
        auto tx = store_->Begin(store::TxMode::kWrite);
        store::CertificateRow row = *tx->GetCertificate(ca);
        crypto::PrivateKey key = crypto::PrivateKey::FromPkcs8Der(*tx->LoadPrivateKey(ca));
        crypto::IssueRequest request;
        request.subject = {{"CN", "old"}};
        request.key_usage = {"key-cert-sign"};
        request.is_ca = true;
        request.serial = "\x01";
        request.not_before = std::chrono::system_clock::now() - std::chrono::hours(48);
        request.not_after = std::chrono::system_clock::now() - std::chrono::hours(24);
        row.der = crypto::IssueCertificate(request, key.PublicKeyDer(), key, nullptr).ToDer();
        tx->UpdateCertificate(row);
        tx->Commit();
    }
    core::ObjectId leaf = AddTemplate("leaf", {});
    EXPECT_THROW(
        {
            try {
                SignTemplate(*store_, leaf, {"CA", "", ""}, nullptr);
            } catch (const core::Error& e) {
                EXPECT_EQ(std::string(e.what()), "CA certificate CA has expired");
                throw;
            }
        },
        core::Error);
}

TEST(CrlHostTest, AcceptsHostsAndPorts) {
    EXPECT_EQ(CheckCrlHost("192.168.88.1"), "192.168.88.1");
    EXPECT_EQ(CheckCrlHost("127.0.0.1:8080"), "127.0.0.1:8080");
    EXPECT_EQ(CheckCrlHost("crl.example.com"), "crl.example.com");
    EXPECT_EQ(CheckCrlHost("[::1]:8080"), "[::1]:8080");
    for (const char* bad : {"", "host:", "host:0", "host:70000", "a b", "[::1", "[zz]:1", "http://x"}) {
        EXPECT_THROW(CheckCrlHost(bad), core::Error) << bad;
    }
    EXPECT_EQ(CrlUrl("h:1", "abcd"), "http://h:1/crl/abcd.crl");
}

}  // namespace
}  // namespace certos::pki
