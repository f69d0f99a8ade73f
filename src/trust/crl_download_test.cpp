// CRL download between two certos stores: node B runs a local CA and revokes; its CRL is served by a real
// HTTP server on loopback; node A trusts B's certificates, downloads the CRL and verifies with it.

#include "trust/crl_download.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/certificate.hpp"
#include "pki/crl.hpp"
#include "pki/describe.hpp"
#include "pki/revoke.hpp"
#include "pki/sign.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "trust/test_http_server.hpp"
#include "trust/trust_store.hpp"

namespace certos::trust {
namespace {

using testing::Hanging;
using testing::Reply;
using testing::Streamed;
using testing::TestHttpServer;
using testing::TestResponse;

class TempStore {
public:
    TempStore() {
        static std::atomic<int> n{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("certos-crl-download-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        std::filesystem::remove_all(dir_);
        store_ = store::OpenSqliteStore(dir_);
    }
    ~TempStore() {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }
    store::Store& operator*() { return *store_; }
    store::Store* operator->() { return store_.get(); }

private:
    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
};

class CrlDownloadTest : public ::testing::Test {
protected:
    void SetUp() override {
        // Node B: CA with ca-crl-host = the test server, two leaves, one revoked.
        ca_ = Sign("CA", "key-cert-sign,crl-sign", {"", "", server_.HostPort()});
        good_ = Sign("good", "tls-server", {"CA", "", ""});
        bad_ = Sign("bad", "tls-server", {"CA", "", ""});
        auto tx = (*node_b_).Begin(store::TxMode::kWrite);
        pki::RevokeCertificates(*tx, {bad_}, "key-compromise");
        tx->Commit();
        skid_ = Row(ca_).props.at("skid");
        crl_path_ = "/crl/" + skid_ + ".crl";
        ServeCurrentCrl();
        // Node A trusts B's CA and has both leaves (import's default trusted=yes).
        for (core::ObjectId id : {ca_, good_, bad_}) {
            Import(Row(id));
        }
        SetSetting("crl-download", "true");
    }

    core::ObjectId Sign(const std::string& name, const std::string& usage, const pki::SignOptions& options) {
        core::ObjectId id;
        {
            auto tx = (*node_b_).Begin(store::TxMode::kWrite);
            store::CertificateRow row;
            row.name = name;
            row.props = {{"common-name", name}, {"key-size", "prime256v1"}, {"days-valid", "30"}, {"key-usage", usage}};
            id = tx->InsertCertificate(row);
            tx->Commit();
        }
        pki::SignTemplate(*node_b_, id, options, nullptr);
        return id;
    }

    store::CertificateRow Row(core::ObjectId id) {
        auto tx = (*node_b_).Begin(store::TxMode::kRead);
        return *tx->GetCertificate(id);
    }

    void ServeCurrentCrl() { server_.Set(crl_path_, Reply(200, *pki::LocalCrlBySkid(*node_b_, skid_))); }

    void Import(const store::CertificateRow& from) {
        auto tx = (*node_a_).Begin(store::TxMode::kWrite);
        store::CertificateRow row;
        row.name = from.name;
        row.der = from.der;
        row.props = pki::DescribeCertificate(crypto::Certificate::FromDer(from.der));
        row.props["trusted"] = "true";
        row.props["trust-store"] = "all";
        tx->InsertCertificate(row);
        tx->Commit();
    }

    void SetSetting(const std::string& name, const std::string& value) {
        auto tx = (*node_a_).Begin(store::TxMode::kWrite);
        tx->SetSetting("certificate", name, value);
        tx->Commit();
    }

    crypto::VerifyResult Verify(const std::string& name) {
        auto tx = (*node_a_).Begin(store::TxMode::kRead);
        crypto::Certificate leaf = crypto::Certificate::FromDer(tx->FindCertificateByName(name)->der);
        return VerifyWithStore(*tx, leaf, {}, "", crypto::VerifyPurpose::kTlsServer);
    }

    std::vector<store::ItemRow> Entries() {
        auto tx = (*node_a_).Begin(store::TxMode::kRead);
        return tx->ListItems(kCrlItemKind);
    }

    std::vector<std::string> Download(bool force = true, net::ClientLimits limits = {}) {
        DownloadOptions options;
        options.force = force;
        options.limits = limits;
        return DownloadCrls(*node_a_, options);
    }

    TestHttpServer server_{{}};
    TempStore node_b_;
    TempStore node_a_;
    core::ObjectId ca_, good_, bad_;
    std::string skid_, crl_path_;
};

TEST_F(CrlDownloadTest, DownloadedCrlRejectsRevokedAndAcceptsGood) {
    std::vector<std::string> lines = Download(false);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "CRL downloaded from " + server_.Url(crl_path_) + " (issuer CN=CA, number 2, 1 revoked)");
    std::vector<store::ItemRow> entries = Entries();
    ASSERT_EQ(entries.size(), 1u);  // both leaves name the same distribution point
    EXPECT_EQ(entries[0].props["dynamic"], "true");
    EXPECT_EQ(entries[0].props["invalid"], "false");
    EXPECT_EQ(entries[0].props["cert"], "CA");
    EXPECT_EQ(entries[0].props["num"], "2");
    EXPECT_EQ(entries[0].props["akid"], skid_);

    SetSetting("crl-use", "true");
    crypto::VerifyResult bad = Verify("bad");
    EXPECT_EQ(bad.status, crypto::VerifyStatus::kRevoked) << bad.message;
    EXPECT_NE(bad.message.find("reason key-compromise"), std::string::npos) << bad.message;
    EXPECT_TRUE(Verify("good").ok()) << Verify("good").message;

    // The L flag: the issuing CA and the trusted certificates whose CDP was downloaded.
    auto tx = (*node_a_).Begin(store::TxMode::kRead);
    EXPECT_EQ(CertificatesWithDownloadedCrl(*tx).size(), 3u);
}

TEST_F(CrlDownloadTest, EndpointDownFailsClosedWithCrlUse) {
    server_.Set(crl_path_, Reply(503, "down"));
    std::vector<std::string> lines = Download();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0],
              "CRL download failed: fetching " + server_.Url(crl_path_) + ": the server answered HTTP 503; no CRL yet");
    EXPECT_EQ(Entries().at(0).props["invalid"], "true");
    SetSetting("crl-use", "true");
    crypto::VerifyResult good = Verify("good");
    EXPECT_EQ(good.status, crypto::VerifyStatus::kCrlMissing);
    EXPECT_NE(good.message.find("crl-use requires a current CRL"), std::string::npos) << good.message;
    SetSetting("crl-use", "false");
    EXPECT_TRUE(Verify("good").ok());
}

TEST_F(CrlDownloadTest, GarbageHugeOrHangingEndpointKeepsTheOldCrl) {
    ASSERT_EQ(Download().size(), 1u);
    std::string fingerprint = Entries().at(0).props["fingerprint"];
    net::ClientLimits limits;
    limits.max_body_bytes = 256 * 1024;
    limits.total_timeout = std::chrono::milliseconds(500);
    struct Case {
        TestResponse response;
        std::string reason;
    };
    for (const Case& c :
         {Case{Reply(200, "<html>not a CRL</html>"), "the response is not a CRL (22 bytes)"},
          Case{Reply(200, std::string("\x30\x82\x01\x00garbage", 11)), "the response is not a CRL (11 bytes)"},
          Case{Streamed(2u << 20), "response body larger than 262144 bytes"},
          Case{Hanging(), "no complete response within 0.5 s (timed out)"}}) {
        server_.Set(crl_path_, c.response);
        auto start = std::chrono::steady_clock::now();
        std::vector<std::string> lines = Download(true, limits);
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
        ASSERT_EQ(lines.size(), 1u);
        EXPECT_NE(lines[0].find(c.reason), std::string::npos) << lines[0];
        EXPECT_NE(lines[0].find("; keeping the CRL downloaded "), std::string::npos) << lines[0];
        store::ItemRow entry = Entries().at(0);
        EXPECT_EQ(entry.props["fingerprint"], fingerprint);
        EXPECT_EQ(entry.props["invalid"], "false");
        EXPECT_NE(entry.props["last-error"].find(c.reason), std::string::npos);
    }
    SetSetting("crl-use", "true");
    EXPECT_EQ(Verify("bad").status, crypto::VerifyStatus::kRevoked);
}

TEST_F(CrlDownloadTest, OlderOrForeignCrlIsRefused) {
    std::string first = *pki::LocalCrlBySkid(*node_b_, skid_);
    {
        auto tx = (*node_b_).Begin(store::TxMode::kWrite);
        pki::RebuildLocalCrl(*tx, *tx->GetCertificate(ca_), std::chrono::system_clock::now());
        tx->Commit();
    }
    ServeCurrentCrl();
    ASSERT_NE(Download().at(0).find("number 3"), std::string::npos);
    server_.Set(crl_path_, Reply(200, first));
    EXPECT_NE(Download().at(0).find("the CRL is older than the stored one (number 2 < 3)"), std::string::npos);

    // A CRL that names B's CA but is signed by another key with the same name.
    TempStore node_c;
    core::ObjectId impostor;
    {
        auto tx = (*node_c).Begin(store::TxMode::kWrite);
        store::CertificateRow row;
        row.name = "CA";
        row.props = {{"common-name", "CA"}, {"key-size", "prime256v1"}, {"key-usage", "key-cert-sign,crl-sign"}};
        impostor = tx->InsertCertificate(row);
        tx->Commit();
    }
    pki::SignTemplate(*node_c, impostor, {"", "", "x.example"}, nullptr);
    std::string skid;
    {
        auto tx = (*node_c).Begin(store::TxMode::kRead);
        skid = tx->GetCertificate(impostor)->props["skid"];
    }
    server_.Set(crl_path_, Reply(200, *pki::LocalCrlBySkid(*node_c, skid)));
    EXPECT_NE(Download().at(0).find("is not signed by that CA's key"), std::string::npos);
}

TEST_F(CrlDownloadTest, DynamicEntriesFollowTrustedCertificatesAndTheHourlySchedule) {
    ASSERT_EQ(Download(false).size(), 1u);
    EXPECT_TRUE(Download(false).empty());  // tried less than an hour ago
    DownloadOptions later;
    later.now = std::chrono::system_clock::now() + std::chrono::minutes(61);
    EXPECT_EQ(DownloadCrls(*node_a_, later).size(), 1u);

    SetSetting("crl-download", "false");
    EXPECT_TRUE(DownloadCrls(*node_a_, later).empty());  // the scheduler does nothing when it is off
    SetSetting("crl-download", "true");
    {
        auto tx = (*node_a_).Begin(store::TxMode::kWrite);
        // The CA's own certificate names the same distribution point (it was signed with ca-crl-host).
        for (const char* name : {"good", "bad", "CA"}) {
            store::CertificateRow row = *tx->FindCertificateByName(name);
            row.props["trusted"] = "false";
            tx->UpdateCertificate(row);
        }
        EXPECT_EQ(SyncDynamicCrls(*tx), 1);
        tx->Commit();
    }
    EXPECT_TRUE(Entries().empty());
    auto tx = (*node_a_).Begin(store::TxMode::kRead);
    EXPECT_TRUE(DownloadedCrlDers(*tx).empty());  // the body went with its entry
}

TEST(CheckCrlUrlTest, AcceptsOnlyHttpUrls) {
    EXPECT_EQ(CheckCrlUrl("http://10.0.0.1/crl/a.crl"), "http://10.0.0.1/crl/a.crl");
    EXPECT_EQ(CheckCrlUrl("HTTPS://ca.example/x.crl"), "HTTPS://ca.example/x.crl");
    for (const char* bad : {"ftp://x/y", "ldap://x", "http://", "http:///x", "http://a b/", "x"}) {
        EXPECT_THROW(CheckCrlUrl(bad), core::Error) << bad;
    }
}

}  // namespace
}  // namespace certos::trust
