// /certificate sign and export-certificate through the command tree, checked with the openssl CLI.

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/test_support.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

using test_support::Shell;

using testing::Flags;
using testing::TreeFixture;

// The seed's sequence: three templates, then `sign CA-Template`, `sign Client`,
// `sign Server ca-crl-host=192.168.88.1 name=ServerCA` (no ca=: self-signed, as RouterOS does).
void SeedSequence(TreeFixture& f) {
    f.Run("/certificate", "add",
          {{"name", "CA-Template"},
           {"common-name", "CAtemp"},
           {"key-usage", "key-cert-sign,crl-sign"},
           {"key-size", "prime256v1"}});
    f.Run("/certificate", "add", {{"name", "Server"}, {"common-name", "server"}, {"key-size", "prime256v1"}});
    f.Run("/certificate", "add", {{"name", "Client"}, {"common-name", "client"}, {"key-size", "prime256v1"}});
    f.Run("/certificate", "sign", {{"number", "CA-Template"}});
    f.Run("/certificate", "sign", {{"number", "Client"}});
    f.Run("/certificate", "sign", {{"number", "Server"}, {"ca-crl-host", "192.168.88.1"}, {"name", "ServerCA"}});
}

TEST(CertificateCaTest, SignFollowsItsMonitorArguments) {
    TreeFixture f;
    std::vector<std::string> shown;
    Session session;
    session.progress = [&](const Record& status) {
        if (!status.empty()) {
            shown.emplace_back(status.GetOr("progress"));
        }
    };
    f.Run("/certificate", "add", {{"name", "big"}, {"key-size", "8192"}});
    f.Run("/certificate", "add", {{"name", "ec"}, {"key-size", "prime256v1"}});
    auto failure = [&](std::vector<std::pair<std::string, std::string>> args) {
        try {
            f.Run("/certificate", "sign", std::move(args), session);
        } catch (const core::Error& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(failure({{"number", "big"}, {"do", ":put $progress"}}), "do= runs only in the console and in scripts");
    // An RSA-8192 key takes far longer than two seconds: its first status shows, then duration= stops it.
    EXPECT_EQ(failure({{"number", "big"}, {"duration", "2s"}}),
              "sign stopped after duration=2s before it was done; nothing was changed");
    ASSERT_EQ(shown.size(), 1U);
    EXPECT_EQ(shown.front(), "generating rsa 8192 key (1s)");
    EXPECT_EQ(f.Certificate("big").GetOr("private-key"), "false");  // still the template it was
    // file= writes the statuses to /file NAME.txt and answers no record.
    EXPECT_TRUE(f.Run("/certificate", "sign", {{"number", "ec"}, {"file", "log"}}).records.empty());
    EXPECT_EQ(f.files().Read("log.txt"), "  progress: done\n");
    EXPECT_EQ(f.Certificate("ec").GetOr("private-key"), "true");
}

TEST(CertificateCaTest, SeedSequenceGivesTheSeedsFlags) {
    TreeFixture f;
    f.Run("/certificate", "add", {{"name", "t"}, {"key-size", "prime256v1"}});
    Result signed_t = f.Run("/certificate", "sign", {{"number", "t"}});
    ASSERT_EQ(signed_t.records.size(), 1U);  // the final status, as RouterOS's monitor commands end
    EXPECT_EQ(signed_t.records.front().fields(),
              (std::vector<std::pair<std::string, std::string>>{{"progress", "done"}}));
    SeedSequence(f);
    EXPECT_EQ(Flags(f.Certificate("CA-Template")), "K A  T");
    EXPECT_EQ(Flags(f.Certificate("Client")), "K A  T");
    EXPECT_EQ(Flags(f.Certificate("ServerCA")), "KLA  T");
    EXPECT_EQ(f.Certificate("ServerCA").GetOr(".id"), "*3");  // the template became the certificate in place
    EXPECT_EQ(f.Certificate("ServerCA").GetOr("ca-crl-host"), "192.168.88.1");
    Record ca = f.Certificate("CA-Template");
    EXPECT_EQ(ca.GetOr("fingerprint").size(), 64u);
    EXPECT_EQ(ca.GetOr("issuer"), "CN=CAtemp");
    EXPECT_FALSE(ca.GetOr("invalid-before").empty());
    EXPECT_EQ(ca.GetOr("expired"), "false");
}

TEST(CertificateCaTest, SignedByLocalCaIsIssuedNotTrustedUntilSet) {
    TreeFixture f;
    SeedSequence(f);
    f.Run("/certificate", "add",
          {{"name", "leaf"}, {"common-name", "leaf"}, {"key-size", "prime256v1"}, {"key-usage", "tls-client"}});
    f.Run("/certificate", "sign", {{"number", "leaf"}, {"ca", "CA-Template"}});
    Record leaf = f.Certificate("leaf");
    EXPECT_EQ(Flags(leaf), "K  I  ");
    EXPECT_EQ(leaf.GetOr("ca"), "CA-Template");
    f.Run("/certificate", "set",
          {{"numbers", "leaf"}, {"trusted", "yes"}, {"name", "leaf2"}, {"trust-store", "www,api"}});
    leaf = f.Certificate("leaf2");
    EXPECT_EQ(Flags(leaf), "K  I T");
    EXPECT_EQ(leaf.GetOr("trust-store"), "www,api");
}

TEST(CertificateCaTest, SignedCertificatesAreReadOnlyButNameTrustedTrustStore) {
    TreeFixture f;
    SeedSequence(f);
    auto fails = [&](std::vector<std::pair<std::string, std::string>> args, const char* message) {
        try {
            f.Run("/certificate", "set", std::move(args));
            ADD_FAILURE() << "accepted";
        } catch (const core::Error& e) {
            EXPECT_EQ(std::string(e.what()), message);
        }
    };
    fails({{"numbers", "Client"}, {"common-name", "x"}},
          "can not change common-name of a signed certificate (only name, trusted and trust-store can be "
          "changed)");
    fails({{"numbers", "Client"}, {"trusted", "no"}, {"days-valid", "5"}},
          "can not change days-valid of a signed certificate (only name, trusted and trust-store can be "
          "changed)");
    EXPECT_EQ(f.Certificate("Client").GetOr("trusted"), "true");  // the whole set rolled back
    EXPECT_THROW(f.Run("/certificate", "sign", {{"number", "Client"}}), core::Error);
}

TEST(CertificateCaTest, RemovingCaRemovesIssuedCertificates) {
    TreeFixture f;
    SeedSequence(f);
    for (const char* name : {"mid", "leaf"}) {
        f.Run("/certificate", "add", {{"name", name}, {"key-size", "prime256v1"}});
    }
    f.Run("/certificate", "sign", {{"number", "mid"}, {"ca", "CA-Template"}});
    f.Run("/certificate", "sign", {{"number", "leaf"}, {"ca", "mid"}});
    f.Run("/certificate", "remove", {{"numbers", "CA-Template"}});
    EXPECT_EQ(f.Run("/certificate", "find").ret, "*3;*2");  // Client and ServerCA stay, in signing order
}

TEST(CertificateCaTest, ExportPemVerifiesWithOpenssl) {
    TreeFixture f;
    SeedSequence(f);
    f.Run("/certificate", "add",
          {{"name", "srv"},
           {"common-name", "srv.lan"},
           {"subject-alt-name", "DNS:srv.lan,IP:10.1.1.1"},
           {"key-usage", "digital-signature,key-encipherment,tls-server"}});
    f.Run("/certificate", "sign", {{"number", "srv"}, {"ca", "ServerCA"}});
    f.Run("/certificate", "export-certificate", {{"numbers", "ServerCA"}});
    f.Run("/certificate", "export-certificate", {{"numbers", "srv"}, {"export-passphrase", "secret-pass"}});
    auto path = [&](const char* name) { return f.files().Resolve(name).string(); };
    EXPECT_FALSE(f.files().Exists("cert_export_ServerCA.key"));  // no passphrase: no key
    auto [rc, out] =
        Shell("openssl verify -CAfile " + path("cert_export_ServerCA.crt") + " " + path("cert_export_srv.crt"));
    EXPECT_EQ(rc, 0) << out;
    auto [rc2, text] = Shell("openssl x509 -noout -text -in " + path("cert_export_srv.crt"));
    EXPECT_EQ(rc2, 0);
    EXPECT_NE(text.find("TLS Web Server Authentication"), std::string::npos) << text;
    EXPECT_NE(text.find("DNS:srv.lan, IP Address:10.1.1.1"), std::string::npos);
    EXPECT_NE(text.find("CA:FALSE"), std::string::npos);
    EXPECT_NE(text.find("URI:http://192.168.88.1/crl/"), std::string::npos);
    // The encrypted key opens only with the passphrase and matches the certificate.
    auto [rc3, key_mod] =
        Shell("openssl pkey -in " + path("cert_export_srv.key") + " -passin pass:secret-pass -pubout");
    EXPECT_EQ(rc3, 0) << key_mod;
    auto [rc4, cert_pub] = Shell("openssl x509 -noout -pubkey -in " + path("cert_export_srv.crt"));
    EXPECT_EQ(key_mod, cert_pub);
    EXPECT_NE(Shell("openssl pkey -in " + path("cert_export_srv.key") + " -passin pass:wrong -noout").first, 0);
}

TEST(CertificateCaTest, ExportPkcs12OpensWithPassphrase) {
    TreeFixture f;
    SeedSequence(f);
    f.Run("/certificate", "export-certificate",
          {{"numbers", "Client"}, {"type", "pkcs12"}, {"export-passphrase", "p12pass"}, {"file-name", "client"}});
    auto [rc, out] =
        Shell("openssl pkcs12 -info -in " + f.files().Resolve("client.p12").string() + " -passin pass:p12pass -nodes");
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("BEGIN PRIVATE KEY"), std::string::npos);
    EXPECT_NE(out.find("subject=CN = client"), std::string::npos);
}

TEST(CertificateCaTest, ExportNeedsSensitivePolicyAndLongEnoughPassphrase) {
    TreeFixture f;
    SeedSequence(f);
    Session no_sensitive;
    no_sensitive.policies = kPolicyRead | kPolicyWrite;
    EXPECT_THROW(f.Run("/certificate", "export-certificate", {{"numbers", "Client"}}, no_sensitive), core::Error);
    try {
        f.Run("/certificate", "export-certificate", {{"numbers", "Client"}, {"export-passphrase", "abc"}});
        ADD_FAILURE();
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()), "export-passphrase must be at least 4 characters");
    }
    f.Run("/certificate", "add", {{"name", "tpl"}});
    EXPECT_THROW(f.Run("/certificate", "export-certificate", {{"numbers", "tpl"}}), core::Error);
    EXPECT_TRUE(f.files().List().empty());
    // The v6 seed's `file=` spelling works as file-name.
    f.Run("/certificate", "export-certificate",
          {{"numbers", "Client"}, {"file", "router-https"}, {"export-passphrase", "YourSecurePassphrase"}});
    EXPECT_TRUE(f.files().Exists("router-https.crt"));
    EXPECT_TRUE(f.files().Exists("router-https.key"));
}

TEST(CertificateCaTest, ExportNeedsWriteAndNeverReplacesAFileItDidNotWrite) {
    TreeFixture f;
    SeedSequence(f);
    Session read_sensitive;
    read_sensitive.policies = kPolicyRead | kPolicySensitive | kPolicyApi;
    try {
        f.Run("/certificate", "export-certificate", {{"numbers", "Client"}}, read_sensitive);
        ADD_FAILURE() << "exported without the write policy";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kPermission);
    }
    EXPECT_TRUE(f.files().List().empty());

    // A file export-certificate did not write is left alone...
    f.Run("/file", "add", {{"name", "cert_export_Client.crt"}, {"contents", "someone else's file"}});
    try {
        f.Run("/certificate", "export-certificate", {{"numbers", "Client"}});
        ADD_FAILURE() << "replaced a foreign file";
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()), "file cert_export_Client.crt already exists (overwrite=yes replaces it)");
    }
    EXPECT_EQ(f.files().Read("cert_export_Client.crt"), "someone else's file");
    f.files().Write("mine.key", "a key of mine");
    try {
        f.Run("/certificate", "export-certificate",
              {{"numbers", "Client"}, {"file-name", "mine"}, {"export-passphrase", "abcd1234"}});
        ADD_FAILURE() << "replaced a foreign key file";
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()), "file mine.key already exists (overwrite=yes replaces it)");
    }
    EXPECT_EQ(f.files().Read("mine.key"), "a key of mine");
    EXPECT_FALSE(f.files().Exists("mine.crt"));  // nothing of the refused export was written
    // ...unless overwrite=yes says so.
    f.Run("/certificate", "export-certificate", {{"numbers", "Client"}, {"overwrite", "yes"}});
    EXPECT_NE(f.files().Read("cert_export_Client.crt").find("BEGIN CERTIFICATE"), std::string::npos);

    // What it wrote itself it may write again (re-export after a renewal)...
    for (int i = 0; i < 2; ++i) {
        f.Run("/certificate", "export-certificate",
              {{"numbers", "Client"}, {"file-name", "other"}, {"export-passphrase", "abcd1234"}});
    }
    f.Run("/certificate", "export-certificate", {{"numbers", "Client"}});
    // ...but not once somebody changed it.
    f.files().Write("other.crt", "edited");
    EXPECT_THROW(f.Run("/certificate", "export-certificate", {{"numbers", "Client"}, {"file-name", "other"}}),
                 core::Error);
    EXPECT_EQ(f.files().Read("other.crt"), "edited");
}

// print keeps the rendered list between calls: it must follow every change, made here or by another
// process on the same store, and re-render only what changed.
TEST(CertificateListTest, PrintFollowsChangesFromAnyProcess) {
    TreeFixture f;
    f.Run("/certificate", "add",
          {{"name", "CA"}, {"common-name", "CA"}, {"key-usage", "key-cert-sign,crl-sign"}, {"key-size", "prime256v1"}});
    f.Run("/certificate", "sign", {{"number", "CA"}});
    f.Run("/certificate", "add", {{"name", "leaf"}, {"common-name", "leaf"}, {"key-size", "prime256v1"}});
    f.Run("/certificate", "sign", {{"number", "leaf"}, {"ca", "CA"}});
    auto print = [&] {
        std::map<std::string, Record> by_name;
        for (Record& r : f.Run("/certificate", "print").records) {
            by_name.emplace(r.GetOr("name"), std::move(r));
        }
        return by_name;
    };
    EXPECT_EQ(print().at("leaf").GetOr("ca"), "CA");

    f.Run("/certificate", "set", {{"numbers", "CA"}, {"name", "Root"}});
    EXPECT_EQ(print().at("leaf").GetOr("ca"), "Root");  // the leaf's row did not change; its issuer's name did

    // Another process: its own store connection and tree on the same data directory.
    auto other_store = store::OpenSqliteStore(f.dir());
    Tree other(*other_store);
    InstallMenus(other);
    Request request;
    request.path = "/certificate";
    request.verb = "set";
    request.args = {{"numbers", "leaf"}, {"trusted", "yes"}};
    other.Execute(request, Session{});
    EXPECT_EQ(print().at("leaf").GetOr("trusted"), "true");
    EXPECT_EQ(print().at("Root").GetOr("trusted"), "true");

    request.verb = "remove";
    request.args = {{"numbers", "leaf"}};
    other.Execute(request, Session{});
    auto after = print();
    EXPECT_EQ(after.count("leaf"), 0u);
    EXPECT_EQ(after.size(), 1u);
    EXPECT_FALSE(after.at("Root").GetOr("expires-after").empty());
}

}  // namespace
}  // namespace certos::menu
