// create-certificate-request and sign-certificate-request, checked with the openssl CLI.

#include "pki/request.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/test_support.hpp"
#include "crypto/certificate.hpp"
#include "crypto/csr.hpp"
#include "pki/import.hpp"
#include "pki/sign.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace certos::pki {
namespace {

using test_support::ReadPath;
using test_support::Shell;

std::filesystem::path ImportData() { return test_support::TestData("import", CERTOS_TEST_DATA_DIR); }

class RequestTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("certos-request-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        std::filesystem::remove_all(dir_);
        store_ = store::OpenSqliteStore(dir_ / "store");
        files_ = std::make_unique<store::FileArea>(dir_ / "files");
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
        row.props = std::move(props);
        core::ObjectId id = tx->InsertCertificate(row);
        tx->Commit();
        return id;
    }

    // MakeCa signs a self-signed local CA named `name`.
    core::ObjectId MakeCa(const std::string& name, const std::string& crl_host = "") {
        core::ObjectId id = AddTemplate(name, {{"common-name", name}, {"key-usage", "key-cert-sign,crl-sign"}});
        SignTemplate(*store_, id, SignOptions{"", "", crl_host}, nullptr);
        return id;
    }

    std::optional<store::CertificateRow> Row(core::ObjectId id) {
        auto tx = store_->Begin(store::TxMode::kRead);
        return tx->GetCertificate(id);
    }

    std::string Snapshot() {
        std::ostringstream out;
        auto tx = store_->Begin(store::TxMode::kRead);
        for (const store::CertificateRow& row : tx->ListCertificates()) {
            out << row.id.ToString() << ' ' << row.name << ' ' << row.der.size() << ' ' << row.has_key << '\n';
            for (const auto& [key, value] : row.props) {
                out << "  " << key << '=' << value << '\n';
            }
        }
        return out.str();
    }

    std::string Path(const std::string& file) { return files_->Resolve(file).string(); }

    // WritePem puts row `id`'s certificate into /file as PEM for the openssl CLI.
    void WritePem(core::ObjectId id, const std::string& file) {
        files_->Write(file, crypto::Certificate::FromDer(Row(id)->der).ToPem());
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<store::FileArea> files_;
};

TEST_F(RequestTest, CreateWritesRequestAndEncryptedKeyAndRemovesTemplate) {
    core::ObjectId id = AddTemplate("req", {{"common-name", "router.lan"},
                                            {"organization", "Certos"},
                                            {"subject-alt-name", "DNS:router.lan,IP:192.168.88.1"},
                                            {"key-usage", "digital-signature,key-encipherment,tls-server"}});
    std::vector<std::string> written =
        CreateCertificateRequest(*store_, *files_, {"req", "key-pass-1", "challenge-me"}, nullptr);
    EXPECT_EQ(written, (std::vector<std::string>{"certificate-request.pem", "certificate-request_key.pem"}));
    EXPECT_FALSE(Row(id).has_value());  // "The Certificate template is deleted right after ... a certificate request"
    EXPECT_EQ(std::filesystem::status(Path("certificate-request_key.pem")).permissions() &
                  std::filesystem::perms::others_read,
              std::filesystem::perms::none);

    auto [rc, text] = Shell("openssl req -verify -noout -text -in " + Path("certificate-request.pem"));
    ASSERT_EQ(rc, 0) << text;
    EXPECT_NE(text.find("Subject: O = Certos, CN = router.lan"), std::string::npos) << text;
    EXPECT_NE(text.find("DNS:router.lan, IP Address:192.168.88.1"), std::string::npos);
    EXPECT_NE(text.find("challengePassword        :challenge-me"), std::string::npos);
    EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos);
    EXPECT_EQ(text.find("CA:TRUE"), std::string::npos);
    // The key opens only with the passphrase and belongs to the request.
    auto [rc_key, key_pub] =
        Shell("openssl pkey -in " + Path("certificate-request_key.pem") + " -passin pass:key-pass-1 -pubout");
    ASSERT_EQ(rc_key, 0) << key_pub;
    auto [rc_req, req_pub] = Shell("openssl req -noout -pubkey -in " + Path("certificate-request.pem"));
    EXPECT_EQ(key_pub, req_pub);
    EXPECT_NE(Shell("openssl pkey -noout -passin pass:wrong -in " + Path("certificate-request_key.pem")).first, 0);
}

TEST_F(RequestTest, CreateRefusesShortPassphraseAndSignedCertificates) {
    core::ObjectId ca = MakeCa("CA");
    AddTemplate("tpl", {{"common-name", "x"}});
    std::string before = Snapshot();
    EXPECT_THROW(CreateCertificateRequest(*store_, *files_, {"tpl", "abc", ""}, nullptr), core::Error);
    EXPECT_THROW(CreateCertificateRequest(*store_, *files_, {"missing", "abcd", ""}, nullptr), core::Error);
    try {
        CreateCertificateRequest(*store_, *files_, {ca.ToString(), "abcd", ""}, nullptr);
        ADD_FAILURE();
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()), "certificate CA is not a template");
    }
    EXPECT_EQ(Snapshot(), before);
    EXPECT_TRUE(files_->List().empty());
}

TEST_F(RequestTest, OpensslRequestSignedByCertosCaVerifiesWithOpenssl) {
    core::ObjectId ca = MakeCa("CA", "crl.lan");
    files_->Write("csr.pem", ReadPath(ImportData() / "csr.pem"));
    core::ObjectId id = SignCertificateRequest(*store_, *files_, {"csr.pem", "CA", 90, "sha384"});
    store::CertificateRow row = *Row(id);
    EXPECT_EQ(row.name, "csr.example.com");
    EXPECT_FALSE(row.has_key);
    EXPECT_EQ(row.issuer_id, ca);
    EXPECT_EQ(row.props["trusted"], "false");
    EXPECT_EQ(row.props["authority"], "false");
    EXPECT_EQ(row.props["subject-alt-name"],
              "DNS:csr.example.com,DNS:www.csr.example.com,IP:198.51.100.7,"
              "email:ops@example.com");
    EXPECT_EQ(row.props["key-usage"], "digital-signature,key-encipherment,tls-server,tls-client");
    EXPECT_EQ(row.props["days-valid"], "90");
    EXPECT_EQ(row.props["digest-algorithm"], "sha384");
    EXPECT_EQ(row.props["issuer"], "CN=CA");

    WritePem(ca, "ca.pem");
    WritePem(id, "issued.pem");
    auto [rc, out] = Shell("openssl verify -CAfile " + Path("ca.pem") + " " + Path("issued.pem"));
    EXPECT_EQ(rc, 0) << out;
    auto [rc_text, text] = Shell("openssl x509 -noout -text -in " + Path("issued.pem"));
    EXPECT_NE(text.find("Subject: C = LV, O = Import Test, CN = csr.example.com"), std::string::npos) << text;
    EXPECT_NE(text.find("URI:http://crl.lan/crl/"), std::string::npos);
    // The certificate carries the request's key.
    auto [rc_pub, cert_pub] = Shell("openssl x509 -noout -pubkey -in " + Path("issued.pem"));
    auto [rc_key, key_pub] = Shell("openssl pkey -pubout -in " + (ImportData() / "csr.key").string());
    EXPECT_EQ(cert_pub, key_pub);

    // Its key, imported afterwards, attaches to it.
    files_->Write("csr.key", ReadPath(ImportData() / "csr.key"));
    ImportReport report = Import(*store_, *files_, ImportOptions{"csr.key", "", "", true, "all"});
    EXPECT_EQ(report.private_keys_imported, 1);
    EXPECT_TRUE(Row(id)->has_key);
}

TEST_F(RequestTest, RequestWithoutExtensionsGetsDefaultUsageAndNamesAreSuffixed) {
    MakeCa("CA");
    files_->Write("plain.der", ReadPath(ImportData() / "plain_csr.der"));
    core::ObjectId first = SignCertificateRequest(*store_, *files_, {"plain.der", "CA", 365, "sha256"});
    core::ObjectId second = SignCertificateRequest(*store_, *files_, {"plain.der", "CA", 365, "sha256"});
    EXPECT_EQ(Row(first)->name, "plain.example.com");
    EXPECT_EQ(Row(second)->name, "plain.example.com_1");
    EXPECT_EQ(Row(first)->props["key-usage"], "digital-signature,key-encipherment,tls-client");
    EXPECT_EQ(Row(first)->props["subject-alt-name"], "");
    EXPECT_NE(Row(first)->props["serial-number"], Row(second)->props["serial-number"]);
}

TEST_F(RequestTest, CertosRequestSignedByCertosCa) {
    core::ObjectId ca = MakeCa("CA");
    AddTemplate("sub", {{"common-name", "Sub CA"}, {"key-usage", "key-cert-sign,crl-sign"}});
    CreateCertificateRequest(*store_, *files_, {"sub", "passphrase", ""}, nullptr);
    core::ObjectId id = SignCertificateRequest(*store_, *files_, {"certificate-request.pem", "CA", 365, "sha256"});
    EXPECT_EQ(Row(id)->name, "Sub CA");
    EXPECT_EQ(Row(id)->props["authority"], "true");  // cA and key-cert-sign were both requested
    EXPECT_EQ(Row(id)->issuer_id, ca);
}

TEST_F(RequestTest, BadRequestsAndCasChangeNothing) {
    MakeCa("CA");
    files_->Write("tampered.der", ReadPath(ImportData() / "tampered_csr.der"));
    files_->Write("garbage.bin", ReadPath(ImportData() / "garbage.bin"));
    files_->Write("csr.pem", ReadPath(ImportData() / "csr.pem"));
    files_->Write("root.crt", ReadPath(ImportData() / "root.crt"));
    Import(*store_, *files_, ImportOptions{"root.crt", "", "root", true, "all"});  // a CA without its key
    std::string before = Snapshot();
    struct Case {
        SignRequestOptions options;
        const char* message;
    };
    for (const Case& c : std::vector<Case>{
             {{"tampered.der", "CA", 365, "sha256"}, "certificate request tampered.der: its signature does not verify"},
             {{"garbage.bin", "CA", 365, "sha256"}, "certificate request garbage.bin: decoding DER"},
             {{"missing.pem", "CA", 365, "sha256"}, "no such file missing.pem"},
             {{"csr.pem", "nope", 365, "sha256"}, "CA certificate nope does not exist"},
             {{"csr.pem", "root", 365, "sha256"}, "CA certificate root has no private key"},
         }) {
        try {
            SignCertificateRequest(*store_, *files_, c.options);
            ADD_FAILURE() << c.message;
        } catch (const core::Error& e) {
            EXPECT_TRUE(std::string(e.what()).starts_with(c.message)) << e.what();
        }
        EXPECT_EQ(Snapshot(), before);
    }
}

}  // namespace
}  // namespace certos::pki
