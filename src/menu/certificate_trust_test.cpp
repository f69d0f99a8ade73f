// Trust through the command tree: issued-revoke and the CRL it builds (checked with the openssl CLI),
// verify, export-crl, /certificate/crl and /certificate/builtin.

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/test_support.hpp"
#include "menu/test_tree.hpp"
#include "trust/test_http_server.hpp"

namespace certos::menu {
namespace {

using test_support::ReadPath;
using test_support::Shell;

std::filesystem::path TrustData() { return test_support::TestData("trust", CERTOS_TEST_DATA_DIR); }

using testing::TreeFixture;
using Args = std::vector<std::pair<std::string, std::string>>;

std::string ErrorOf(TreeFixture& f, const std::string& path, const std::string& verb, const Args& args) {
    try {
        f.Run(path, verb, args);
    } catch (const core::Error& e) {
        return e.what();
    }
    return "no error";
}

void Make(TreeFixture& f, const std::string& name, const std::string& usage, const Args& sign_args = {}) {
    f.Run("/certificate", "add",
          {{"name", name}, {"common-name", name}, {"key-size", "prime256v1"}, {"key-usage", usage}});
    Args args = {{"number", name}};
    args.insert(args.end(), sign_args.begin(), sign_args.end());
    f.Run("/certificate", "sign", args);
}

// LocalCa makes CA (with a CRL distribution point) and two leaves it issued, good and bad.
void LocalCa(TreeFixture& f) {
    Make(f, "CA", "key-cert-sign,crl-sign", {{"ca-crl-host", "127.0.0.1:8080"}});
    Make(f, "good", "digital-signature,tls-server", {{"ca", "CA"}});
    Make(f, "bad", "digital-signature,tls-server", {{"ca", "CA"}});
}

// Verify runs `/certificate verify` and returns its last record's reason ("" when it passed).
std::string VerifyReason(TreeFixture& f, const Args& args) {
    Result result = f.Run("/certificate", "verify", args);
    const Record& summary = result.records.back();
    EXPECT_EQ(result.ret.value_or(""), summary.GetOr("result") == "ok" ? "ok" : summary.GetOr("reason"));
    return summary.GetOr("result") == "ok" ? "" : summary.GetOr("reason");
}

TEST(CertificateTrustTest, IssuedRevokeSetsRevokedAndOpenSslRejectsOnlyTheRevoked) {
    TreeFixture f;
    LocalCa(f);
    EXPECT_EQ(f.Certificate("CA").GetOr("crl"), "true");
    f.Run("/certificate", "issued-revoke", {{"numbers", "bad"}, {"reason", "key-compromise"}});
    Record bad = f.Certificate("bad");
    EXPECT_FALSE(bad.GetOr("revoked").empty());  // the R flag's property
    EXPECT_EQ(bad.GetOr("issued"), "true");
    EXPECT_FALSE(f.Certificate("good").Has("revoked"));

    f.Run("/certificate", "export-crl", {{"number", "CA"}});
    for (const char* name : {"CA", "good", "bad"}) {
        f.Run("/certificate", "export-certificate", {{"numbers", name}});
    }
    std::filesystem::path files = f.dir() / "files";
    std::string crl = (files / "crl_CA.crl").string();
    auto [status, text] = Shell("openssl crl -inform DER -in " + crl + " -noout -text");
    ASSERT_EQ(status, 0) << text;
    EXPECT_NE(text.find("Serial Number: " + bad.GetOr("serial-number")), std::string::npos) << text;
    EXPECT_NE(text.find("Key Compromise"), std::string::npos);
    std::string pem = (f.dir() / "crl.pem").string();
    ASSERT_EQ(Shell("openssl crl -inform DER -in " + crl + " -out " + pem).first, 0);
    std::string verify =
        "openssl verify -crl_check -CAfile " + (files / "cert_export_CA.crt").string() + " -CRLfile " + pem + " ";
    auto revoked = Shell(verify + (files / "cert_export_bad.crt").string());
    EXPECT_NE(revoked.first, 0);
    EXPECT_NE(revoked.second.find("certificate revoked"), std::string::npos) << revoked.second;
    auto sibling = Shell(verify + (files / "cert_export_good.crt").string());
    EXPECT_EQ(sibling.first, 0) << sibling.second;
}

TEST(CertificateTrustTest, OnlyLocallyIssuedCertificatesCanBeRevoked) {
    TreeFixture f;
    LocalCa(f);
    EXPECT_EQ(ErrorOf(f, "/certificate", "issued-revoke", {{"numbers", "CA"}}),
              "certificate CA was not issued by a local CA");
    EXPECT_EQ(ErrorOf(f, "/certificate", "issued-revoke", {{"numbers", "good"}, {"reason", "bored"}}),
              "input does not match any value of reason");
    EXPECT_FALSE(f.Certificate("good").Has("revoked"));
}

TEST(CertificateTrustTest, RemovingCaRemovesItsCrl) {
    TreeFixture f;
    LocalCa(f);
    f.Run("/certificate", "remove", {{"numbers", "CA"}});
    Make(f, "CA2", "key-cert-sign,crl-sign");
    EXPECT_EQ(ErrorOf(f, "/certificate", "export-crl", {{"number", "CA2"}}),
              "certificate CA2 has no CRL (sign it with ca-crl-host, or revoke a certificate it issued)");
    auto tx = f.tree().store().Begin(store::TxMode::kRead);
    EXPECT_FALSE(tx->GetBlob("crl", core::ObjectId(1)));
    EXPECT_FALSE(tx->GetBlob("revocations", core::ObjectId(1)));
}

TEST(CertificateTrustTest, VerifyChainTrustStoreAndCrlUse) {
    TreeFixture f;
    Make(f, "root", "key-cert-sign,crl-sign", {{"ca-crl-host", "127.0.0.1:8080"}});
    Make(f, "inter", "key-cert-sign,crl-sign", {{"ca", "root"}});
    Make(f, "leaf", "digital-signature,tls-server", {{"ca", "inter"}});
    Make(f, "leaf2", "digital-signature,tls-server", {{"ca", "inter"}});
    Result result = f.Run("/certificate", "verify", {{"number", "leaf"}, {"purpose", "tls-server"}});
    ASSERT_EQ(result.records.size(), 4u);
    EXPECT_EQ(result.records[0].GetOr("name"), "leaf");
    EXPECT_EQ(result.records[1].GetOr("name"), "inter");
    EXPECT_EQ(result.records[2].GetOr("name"), "root");
    EXPECT_EQ(result.records[2].GetOr("status"), "ok");
    EXPECT_EQ(result.records[3].GetOr("result"), "ok");
    EXPECT_EQ(result.ret, "ok");
    EXPECT_NE(VerifyReason(f, {{"number", "leaf"}, {"purpose", "tls-client"}}).find("is not allowed for tls-client"),
              std::string::npos);

    // trust-store: the root serves www only.
    f.Run("/certificate", "set", {{"numbers", "root"}, {"trust-store", "www"}});
    EXPECT_EQ(VerifyReason(f, {{"number", "leaf"}, {"trust-store", "www"}}), "");
    EXPECT_EQ(VerifyReason(f, {{"number", "leaf"}, {"trust-store", "api"}}),
              "root CA \"CN=root\" is not trusted (self-signed certificate in chain)");
    f.Run("/certificate", "set", {{"numbers", "root"}, {"trust-store", "all"}});

    // crl-use=yes: the intermediate has no CRL yet, so everything under it fails closed.
    f.Run("/certificate/settings", "set", {{"crl-use", "yes"}});
    EXPECT_EQ(VerifyReason(f, {{"number", "leaf"}}),
              "no CRL for certificate \"CN=leaf\" (issuer \"CN=inter\"): crl-use requires a current CRL for every "
              "certificate in the chain");
    f.Run("/certificate", "issued-revoke", {{"numbers", "leaf2"}});
    EXPECT_EQ(VerifyReason(f, {{"number", "leaf"}}), "");
    EXPECT_NE(VerifyReason(f, {{"number", "leaf2"}}).find("certificate \"CN=leaf2\" is revoked (serial "),
              std::string::npos);
    // With crl-use=no the CRLs at hand still count, but a missing one is no failure.
    f.Run("/certificate/settings", "set", {{"crl-use", "no"}});
    EXPECT_NE(VerifyReason(f, {{"number", "leaf2"}}).find("is revoked"), std::string::npos);
    EXPECT_EQ(ErrorOf(f, "/certificate", "verify", {}), "give either a certificate (number) or a file (file-name)");
}

TEST(CertificateTrustTest, VerifyFilesMadeByOpenSsl) {
    TreeFixture f;
    for (const char* name : {"root.crt", "leaf.crt", "inter.crt", "expired_inter.crt", "leaf_under_expired.crt",
                             "client_leaf.crt", "other_leaf.crt", "other_root.crt"}) {
        f.files().Write(name, ReadPath(TrustData() / name));
    }
    f.files().Write("chain.pem", ReadPath(TrustData() / "leaf.crt") + ReadPath(TrustData() / "inter.crt"));
    f.files().Write("expired.pem",
                    ReadPath(TrustData() / "leaf_under_expired.crt") + ReadPath(TrustData() / "expired_inter.crt"));
    f.files().Write("client.pem", ReadPath(TrustData() / "client_leaf.crt") + ReadPath(TrustData() / "inter.crt"));
    f.files().Write("other.pem", ReadPath(TrustData() / "other_leaf.crt") + ReadPath(TrustData() / "other_root.crt"));
    f.Run("/certificate", "import", {{"file-name", "root.crt"}, {"passphrase", ""}});  // trusted=yes by default
    EXPECT_EQ(VerifyReason(f, {{"file-name", "chain.pem"}, {"purpose", "tls-server"}}), "");
    std::string expired = VerifyReason(f, {{"file-name", "expired.pem"}});
    std::string wrong_eku = VerifyReason(f, {{"file-name", "client.pem"}, {"purpose", "tls-server"}});
    std::string untrusted = VerifyReason(f, {{"file-name", "other.pem"}});
    EXPECT_NE(expired.find("\"O=Certos Trust Test,CN=Expired Intermediate CA\" expired on"), std::string::npos)
        << expired;
    EXPECT_NE(wrong_eku.find("is not allowed for tls-server"), std::string::npos) << wrong_eku;
    EXPECT_NE(untrusted.find("root CA \"O=Somebody Else,CN=Untrusted Root CA\" is not trusted"), std::string::npos)
        << untrusted;
    Result chain = f.Run("/certificate", "verify", {{"file-name", "chain.pem"}});
    EXPECT_EQ(chain.records.at(2).GetOr("name"), "root.crt_0");
}

TEST(CertificateTrustTest, CrlMenuAddSetRemoveAndDownload) {
    TreeFixture f;
    trust::testing::TestHttpServer server(
        {{"/inter.crl", trust::testing::Reply(200, ReadPath(TrustData() / "inter.crl.pem"))}});
    f.files().Write("inter.crt", ReadPath(TrustData() / "inter.crt"));
    f.Run("/certificate", "import", {{"file-name", "inter.crt"}, {"passphrase", ""}});
    EXPECT_EQ(ErrorOf(f, "/certificate/crl", "add", {{"url", "ftp://x/y.crl"}}),
              "invalid value for argument url (expected http://host/path or https://host/path)");
    f.Run("/certificate/crl", "add", {{"url", server.Url("/missing.crl")}});
    EXPECT_EQ(ErrorOf(f, "/certificate/crl", "add", {{"url", server.Url("/missing.crl")}}),
              "CRL with the same url already exists");
    std::string failed = ErrorOf(f, "/certificate/crl", "download", {});
    EXPECT_NE(failed.find("the server answered HTTP 404; no CRL yet"), std::string::npos) << failed;
    f.Run("/certificate/crl", "set", {{"numbers", "*1"}, {"url", server.Url("/inter.crl")}});
    f.Run("/certificate/crl", "download", {{"numbers", "*1"}});
    Record entry = f.Run("/certificate/crl", "print", {}).records.at(0);
    EXPECT_EQ(entry.GetOr("url"), server.Url("/inter.crl"));
    EXPECT_EQ(entry.GetOr("dynamic"), "false");
    EXPECT_EQ(entry.GetOr("invalid"), "false");
    EXPECT_EQ(entry.GetOr("expired"), "false");
    EXPECT_EQ(entry.GetOr("cert"), "inter.crt_0");
    EXPECT_EQ(entry.GetOr("num"), "4096");
    EXPECT_EQ(entry.GetOr("revoked"), "1");
    EXPECT_FALSE(entry.GetOr("last-update").empty());
    EXPECT_EQ(f.Certificate("inter.crt_0").GetOr("crl"), "true");  // the L flag
    auto log = f.Run("/log", "print", {}).records;
    ASSERT_GE(log.size(), 2u);  // the download's line, then its audit entry
    EXPECT_NE(log[log.size() - 2].GetOr("message").find("CRL downloaded from " + server.Url("/inter.crl")),
              std::string::npos);
    // A CRL entry has no `name` property (its url is its key): the entry names it by its id.
    EXPECT_EQ(log.back().GetOr("message"), "certificate crl download *1 by admin (console)");

    f.Run("/certificate/crl", "flush", {});
    EXPECT_EQ(f.Run("/certificate/crl", "print", {}).records.at(0).GetOr("invalid"), "true");
    EXPECT_EQ(f.Certificate("inter.crt_0").GetOr("crl"), "false");
    f.Run("/certificate/crl", "remove", {{"numbers", "*1"}});
    EXPECT_TRUE(f.Run("/certificate/crl", "print", {}).records.empty());
}

TEST(CertificateTrustTest, BuiltinRootsAreListed) {
    if (!std::filesystem::exists("/etc/ssl/certs/ca-certificates.crt")) {
        GTEST_FAIL() << "ca-certificates is not installed (scripts/install-deps.sh installs it)";
    }
    TreeFixture f;
    Result result = f.Run("/certificate/builtin", "print", {});
    ASSERT_GT(result.records.size(), 50u);
    bool isrg = false;
    for (const Record& r : result.records) {
        isrg = isrg ||
               (r.GetOr("name") == "ISRG Root X1" && r.GetOr("organization") == "Internet Security Research Group");
    }
    EXPECT_TRUE(isrg);
    EXPECT_THROW(f.Run("/certificate/builtin", "add", {{"name", "x"}}), core::Error);
}

}  // namespace
}  // namespace certos::menu
