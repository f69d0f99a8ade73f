// /certificate import, create-certificate-request and sign-certificate-request through the command tree.

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/test_support.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

using test_support::ReadPath;
using test_support::Shell;

std::filesystem::path ImportData() { return test_support::TestData("import", CERTOS_TEST_DATA_DIR); }

using testing::Flags;
using testing::TreeFixture;

void Put(TreeFixture& f, const std::string& name) { f.files().Write(name, ReadPath(ImportData() / name)); }

// Report renders an import reply's one record as "name=value ..." in order.
std::string Report(const Result& result) {
    EXPECT_EQ(result.records.size(), 1u);
    std::string out;
    for (const auto& [name, value] : result.records.at(0).fields()) {
        out += (out.empty() ? "" : " ") + name + "=" + value;
    }
    return out;
}

std::string ErrorOf(TreeFixture& f, const std::string& verb, std::vector<std::pair<std::string, std::string>> args,
                    const Session& session = Session{}) {
    try {
        f.Run("/certificate", verb, std::move(args), session);
    } catch (const core::Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(CertificateImportTest, ReportIsOneRecordWithTheFiveCounts) {
    TreeFixture f;
    Put(f, "key_first.pem");
    Result result = f.Run("/certificate", "import", {{"file-name", "key_first.pem"}, {"name", "name_example"}});
    EXPECT_EQ(Report(result),
              "certificates-imported=2 private-keys-imported=1 files-imported=1 "
              "decryption-failures=0 keys-with-no-certificate=0");
    EXPECT_EQ(Flags(f.Certificate("name_example")), "K    T");
    EXPECT_EQ(Flags(f.Certificate("name_example_1")), "     T");  // the seed's `1  T name_example_1`: no key, no A
    EXPECT_EQ(f.Certificate("name_example").GetOr("common-name"), "leaf.example.com");
    EXPECT_EQ(f.Certificate("name_example").GetOr("ca"), "");
}

TEST(CertificateImportTest, OpensslFilesImportWithTheRightReportAndFlags) {
    TreeFixture f;
    Put(f, "leaf_legacy.p12");
    EXPECT_EQ(
        Report(f.Run("/certificate", "import", {{"file-name", "leaf_legacy.p12"}, {"passphrase", "import-pass"}})),
        "certificates-imported=2 private-keys-imported=1 files-imported=1 decryption-failures=0 "
        "keys-with-no-certificate=0");
    EXPECT_EQ(Flags(f.Certificate("leaf_legacy.p12_0")), "K    T");
    Put(f, "ec_leaf.crt");
    Put(f, "ec_leaf_trad_enc.pem");
    f.Run("/certificate", "import", {{"file-name", "ec_leaf.crt"}, {"trusted", "no"}, {"trust-store", "www"}});
    EXPECT_EQ(Flags(f.Certificate("ec_leaf.crt_0")), "      ");
    EXPECT_EQ(f.Certificate("ec_leaf.crt_0").GetOr("trust-store"), "www");
    EXPECT_EQ(Report(f.Run("/certificate", "import", {{"file-name", "ec_leaf_trad_enc.pem"}, {"passphrase", "bad"}})),
              "certificates-imported=0 private-keys-imported=0 files-imported=0 decryption-failures=1 "
              "keys-with-no-certificate=0");
    EXPECT_EQ(
        Report(f.Run("/certificate", "import",
                     {{"file-name", "ec_leaf_trad_enc.pem"}, {"passphrase", "import-pass"}, {"no-key-export", "yes"}})),
        "certificates-imported=0 private-keys-imported=1 files-imported=1 decryption-failures=0 "
        "keys-with-no-certificate=0");
    EXPECT_EQ(Flags(f.Certificate("ec_leaf.crt_0")), "K     ");
    EXPECT_EQ(f.Certificate("ec_leaf.crt_0").GetOr("key-type"), "ec");
    Put(f, "other.key");
    EXPECT_EQ(Report(f.Run("/certificate", "import", {{"file-name", "other.key"}})),
              "certificates-imported=0 private-keys-imported=0 files-imported=0 decryption-failures=0 "
              "keys-with-no-certificate=1");
}

TEST(CertificateImportTest, DebianCaBundleReportSaysHowMany) {
    const std::filesystem::path bundle = "/etc/ssl/certs/ca-certificates.crt";
    if (!std::filesystem::exists(bundle)) {
        GTEST_FAIL() << "ca-certificates not installed (scripts/install-deps.sh installs it)";
    }
    TreeFixture f;
    f.files().Write("ca-certificates.crt", ReadPath(bundle));
    Record report = f.Run("/certificate", "import", {{"file-name", "ca-certificates.crt"}}).records.at(0);
    int imported = std::stoi(report.GetOr("certificates-imported"));
    EXPECT_GT(imported, 100);
    EXPECT_EQ(f.Run("/certificate", "print", {{"count-only", ""}}).ret, std::to_string(imported));
}

TEST(CertificateImportTest, SeedCertificateArgumentNamesTheCertificate) {
    TreeFixture f;
    Put(f, "leaf.crt");
    EXPECT_EQ(ErrorOf(f, "import", {{"file-name", "leaf.crt"}, {"name", "a"}, {"certificate", "b"}}),
              "certificate= is the v6 seed's name for name=: give one of them");
    EXPECT_EQ(ErrorOf(f, "import", {{"passphrase", "x"}}), "missing value(s) of argument(s) file-name");
    EXPECT_EQ(f.Run("/certificate", "find").ret, "");
    // seeds/004: `/certificate import file-name=certificate.crt certificate="certificate"`: certificate= is name=.
    f.Run("/certificate", "import", {{"file-name", "leaf.crt"}, {"certificate", "certificate"}});
    EXPECT_NE(f.Run("/certificate", "find", {{"name", "certificate"}}).ret.value_or(""), "");
}

TEST(CertificateImportTest, BadFilesFailWithReasonAndChangeNothing) {
    TreeFixture f;
    Put(f, "chain.pem");
    f.Run("/certificate", "import", {{"file-name", "chain.pem"}});
    std::string before = f.Run("/certificate", "find").ret.value_or("");
    Put(f, "corrupt_middle.pem");
    EXPECT_TRUE(ErrorOf(f, "import", {{"file-name", "corrupt_middle.pem"}})
                    .starts_with("importing corrupt_middle.pem: PEM block 2 (CERTIFICATE, line 18)"));
    EXPECT_EQ(ErrorOf(f, "import", {{"file-name", "nothing.pem"}}), "no such file nothing.pem");
    EXPECT_EQ(f.Run("/certificate", "find").ret.value_or(""), before);
}

TEST(CertificateImportTest, CreateAndSignRequestThroughTheTree) {
    TreeFixture f;
    f.Run("/certificate", "add",
          {{"name", "CA"}, {"common-name", "CA"}, {"key-usage", "key-cert-sign,crl-sign"}, {"key-size", "prime256v1"}});
    f.Run("/certificate", "sign", {{"number", "CA"}});
    f.Run("/certificate", "add",
          {{"name", "req"},
           {"common-name", "vpn.lan"},
           {"key-size", "prime256v1"},
           {"subject-alt-name", "DNS:vpn.lan"},
           {"key-usage", "digital-signature,tls-client"}});
    EXPECT_EQ(ErrorOf(f, "create-certificate-request", {{"template", "req"}}),
              "missing value(s) of argument(s) key-passphrase");
    EXPECT_EQ(ErrorOf(f, "create-certificate-request", {{"template", "req"}, {"key-passphrase", "abc"}}),
              "key-passphrase must be at least 4 characters");
    Session no_sensitive;
    no_sensitive.policies = kPolicyRead | kPolicyWrite;
    EXPECT_EQ(ErrorOf(f, "create-certificate-request", {{"template", "req"}, {"key-passphrase", "abcd"}}, no_sensitive),
              "not enough permissions (9)");
    f.Run("/certificate", "create-certificate-request",
          {{"template", "req"}, {"key-passphrase", "abcd"}, {"challenge-passphrase", "chal"}});
    EXPECT_TRUE(f.files().Exists("certificate-request.pem"));
    EXPECT_TRUE(f.files().Exists("certificate-request_key.pem"));
    EXPECT_EQ(ErrorOf(f, "get", {{"number", "req"}}), "no such item");  // the template is gone, as in RouterOS

    Result signed_result = f.Run("/certificate", "sign-certificate-request",
                                 {{"file-name", "certificate-request.pem"}, {"ca", "CA"}, {"days-valid", "30"}});
    Record issued = f.Certificate("vpn.lan");
    EXPECT_EQ(signed_result.ret, issued.GetOr(".id"));
    EXPECT_EQ(Flags(issued), "   I  ");
    EXPECT_EQ(issued.GetOr("ca"), "CA");
    EXPECT_EQ(issued.GetOr("days-valid"), "30");
    EXPECT_EQ(issued.GetOr("subject-alt-name"), "DNS:vpn.lan");
    // The request's key, imported with its passphrase, completes the certificate.
    Record report =
        f.Run("/certificate", "import", {{"file-name", "certificate-request_key.pem"}, {"passphrase", "abcd"}})
            .records.at(0);
    EXPECT_EQ(report.GetOr("private-keys-imported"), "1");
    EXPECT_EQ(Flags(f.Certificate("vpn.lan")), "K  I  ");
    EXPECT_EQ(ErrorOf(f, "sign-certificate-request",
                      {{"file-name", "certificate-request.pem"}, {"ca", "CA"}, {"digest-algorithm", "sha3"}}),
              "input does not match any value of digest-algorithm");
}

TEST(CertificateImportTest, OpensslRequestSignedByCertosCaVerifies) {
    TreeFixture f;
    f.Run("/certificate", "add", {{"name", "CA"}, {"common-name", "Tree CA"}, {"key-usage", "key-cert-sign,crl-sign"}});
    f.Run("/certificate", "sign", {{"number", "CA"}});
    Put(f, "csr.pem");
    f.Run("/certificate", "sign-certificate-request", {{"file-name", "csr.pem"}, {"ca", "CA"}});
    f.Run("/certificate", "export-certificate", {{"numbers", "CA"}});
    f.Run("/certificate", "export-certificate", {{"numbers", "csr.example.com"}});
    auto [rc, out] = Shell("openssl verify -CAfile " + f.files().Resolve("cert_export_CA.crt").string() + " " +
                           f.files().Resolve("cert_export_csr.example.com.crt").string());
    EXPECT_EQ(rc, 0) << out;
}

}  // namespace
}  // namespace certos::menu
