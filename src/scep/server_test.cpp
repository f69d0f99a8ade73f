#include "scep/server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <optional>

#include "core/error.hpp"
#include "crypto/csr.hpp"
#include "crypto/issue.hpp"
#include "crypto/pkcs7_message.hpp"
#include "pki/crl.hpp"
#include "pki/sign.hpp"
#include "scep/message.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace certos::scep {
namespace {

using std::chrono::minutes;

// Requester is a SCEP client's key, its self-signed certificate and a request with `challenge`.
struct Requester {
    crypto::PrivateKey key;
    crypto::Certificate cert;
    std::string csr_der;
};

Requester MakeRequester(const std::string& cn, const std::string& challenge) {
    crypto::PrivateKey key = crypto::PrivateKey::Generate(crypto::KeySpec::Rsa(2048));
    crypto::IssueRequest self;
    self.subject = {{"CN", cn}};
    self.serial = std::string("\x01", 1);
    self.not_before = std::chrono::system_clock::now() - minutes(1);
    self.not_after = self.not_before + std::chrono::hours(24);
    crypto::Certificate cert = crypto::IssueCertificate(self, key, key, nullptr);
    crypto::CsrParams params;
    params.subject = {{"CN", cn}};
    params.challenge_password = challenge;
    std::string csr = crypto::CertificateRequest::Parse(crypto::MakeCertificateRequest(params, key)).ToDer();
    return Requester{key, cert, csr};
}

class ScepServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("certos-scep-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        std::filesystem::remove_all(dir_);
        store_ = store::OpenSqliteStore(dir_);
        {
            auto tx = store_->Begin(store::TxMode::kWrite);
            store::ItemRow server;
            server.name = "/scep/test";
            server.props = {{"ca-cert", "ca"}, {"days-valid", "10"}, {"request-lifetime", "5m"}, {"disabled", "false"}};
            tx->InsertItem(kServerKind, server);
            tx->Commit();
        }
        ca_ = AddCa("ca", "SCEP CA");
    }

    // AddCa makes and signs a local CA `name` with the usages a SCEP server needs, self-signed or by `issuer`.
    crypto::Certificate AddCa(const std::string& name, const std::string& cn, const std::string& issuer = "") {
        core::ObjectId ca;
        {
            auto tx = store_->Begin(store::TxMode::kWrite);
            store::CertificateRow row;
            row.name = name;
            row.props = {{"common-name", cn},
                         {"key-size", "2048"},
                         {"days-valid", "30"},
                         {"key-usage", "key-cert-sign,crl-sign,digital-signature,key-encipherment"}};
            ca = tx->InsertCertificate(row);
            tx->Commit();
        }
        pki::SignOptions options;
        options.ca = issuer;
        pki::SignTemplate(*store_, ca, options, [](std::string_view) {});
        auto tx = store_->Begin(store::TxMode::kRead);
        return crypto::Certificate::FromDer(tx->FindCertificateByName(name)->der);
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    Answer Operation(const std::string& message, Clock::time_point now = Clock::now()) {
        return Serve(*store_, Query{"/scep/test", "PKIOperation", message}, now,
                     [this](std::string_view, std::string_view line) { log_.emplace_back(line); });
    }

    std::string Message(const Requester& r, MessageType type, const std::string& transaction,
                        const std::string& cipher = "AES-128-CBC") {
        ClientMessage message{.type = type, .transaction_id = transaction, .inner = r.csr_der, .cipher = cipher};
        return BuildRequest(message, *ca_, r.cert, r.key);
    }

    CertRep Send(const Requester& r, MessageType type, const std::string& transaction,
                 const std::string& cipher = "AES-128-CBC") {
        Answer answer = Operation(Message(r, type, transaction, cipher));
        EXPECT_EQ(answer.status, 200) << answer.body;
        EXPECT_EQ(answer.content_type, "application/x-pki-message");
        return ReadCertRep(answer.body, *ca_, r.cert, r.key);
    }

    std::string Otp(std::chrono::seconds valid = minutes(10)) {
        auto tx = store_->Begin(store::TxMode::kWrite);
        std::string otp = GenerateOtp(*tx, "", valid, Clock::now());
        tx->Commit();
        return otp;
    }

    std::size_t Certificates() {
        auto tx = store_->Begin(store::TxMode::kRead);
        return tx->ListCertificates().size();
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
    std::optional<crypto::Certificate> ca_;
    std::vector<std::string> log_;
};

TEST(ScepMessageTest, FailInfoTableHasEveryCodeOnce) {
    ASSERT_EQ(FailInfos().size(), 5u);
    for (std::size_t i = 0; i < FailInfos().size(); ++i) {
        EXPECT_EQ(static_cast<int>(FailInfos()[i].code), static_cast<int>(i));
    }
    EXPECT_EQ(FailInfoName(FailInfo::kBadMessageCheck), "badMessageCheck");
}

TEST_F(ScepServerTest, CapsAndCaCert) {
    Answer caps = Serve(*store_, Query{"/scep/test", "GetCACaps", ""}, Clock::now(), {});
    EXPECT_EQ(caps.status, 200);
    EXPECT_NE(caps.body.find("POSTPKIOperation"), std::string::npos);
    EXPECT_EQ(caps.body.find("GetNextCACert"), std::string::npos);
    Answer cert = Serve(*store_, Query{"/scep/test/pkiclient.exe", "GetCACert", ""}, Clock::now(), {});
    EXPECT_EQ(cert.content_type, "application/x-x509-ca-cert");
    EXPECT_EQ(cert.body, ca_->ToDer());
    EXPECT_EQ(Serve(*store_, Query{"/scep/other", "GetCACert", ""}, Clock::now(), {}).status, 404);
}

TEST_F(ScepServerTest, IntermediateCaAnswersGetCaCertWithItsChain) {
    crypto::Certificate issuing = AddCa("issuing", "Issuing CA", "ca");
    {
        auto tx = store_->Begin(store::TxMode::kWrite);
        store::ItemRow server;
        server.name = "/scep/issuing";
        server.props = {{"ca-cert", "issuing"}, {"days-valid", "10"}, {"disabled", "false"}};
        tx->InsertItem(kServerKind, server);
        tx->Commit();
    }
    Answer cert = Serve(*store_, Query{"/scep/issuing", "GetCACert", ""}, Clock::now(), {});
    ASSERT_EQ(cert.status, 200);
    EXPECT_EQ(cert.content_type, "application/x-x509-ca-ra-cert");
    std::vector<crypto::Certificate> chain = crypto::ReadCertificatesOnly(cert.body);
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].ToDer(), issuing.ToDer());
    EXPECT_EQ(chain[1].ToDer(), ca_->ToDer());
}

TEST_F(ScepServerTest, OneTimeChallengeIssuesOnceThenRefuses) {
    std::string otp = Otp();
    Requester first = MakeRequester("device1", otp);
    std::size_t before = Certificates();
    CertRep rep = Send(first, MessageType::kPkcsReq, "t1");
    ASSERT_EQ(rep.status, PkiStatus::kSuccess);
    ASSERT_FALSE(rep.certs.empty());
    EXPECT_TRUE(rep.certs[0].IsSignedBy(*ca_));
    EXPECT_EQ(rep.certs[0].PublicKeyDer(), first.cert.PublicKeyDer());
    EXPECT_EQ(rep.transaction_id, "t1");
    EXPECT_EQ(Certificates(), before + 1);

    Requester again = MakeRequester("device2", otp);
    CertRep reused = Send(again, MessageType::kPkcsReq, "t2");
    EXPECT_EQ(reused.status, PkiStatus::kFailure);
    EXPECT_EQ(reused.fail_info, FailInfo::kBadRequest);
    Requester wrong = MakeRequester("device3", "not-the-challenge");
    EXPECT_EQ(Send(wrong, MessageType::kPkcsReq, "t3").status, PkiStatus::kFailure);
    EXPECT_EQ(Certificates(), before + 1);
}

TEST_F(ScepServerTest, ExpiredChallengeIsRefused) {
    std::string otp = Otp(minutes(1));
    Requester r = MakeRequester("late", otp);
    Answer answer = Operation(Message(r, MessageType::kPkcsReq, "t"), Clock::now() + minutes(2));
    CertRep rep = ReadCertRep(answer.body, *ca_, r.cert, r.key);
    EXPECT_EQ(rep.status, PkiStatus::kFailure);
    EXPECT_EQ(rep.fail_info, FailInfo::kBadRequest);
}

TEST_F(ScepServerTest, RequestWithoutChallengeIsHeldUntilGranted) {
    Requester r = MakeRequester("held", "");
    EXPECT_EQ(Send(r, MessageType::kPkcsReq, "held-1").status, PkiStatus::kPending);
    EXPECT_EQ(Send(r, MessageType::kCertPoll, "held-1").status, PkiStatus::kPending);
    // Another key cannot poll for it.
    Requester other = MakeRequester("other", "");
    EXPECT_EQ(Send(other, MessageType::kCertPoll, "held-1").fail_info, FailInfo::kBadMessageCheck);
    {
        auto tx = store_->Begin(store::TxMode::kWrite);
        core::ObjectId id = tx->FindItemByName(kRequestKind, "held-1")->id;
        EXPECT_EQ(Grant(*tx, id, Clock::now()), "held");
        EXPECT_THROW(Grant(*tx, id, Clock::now()), core::Error);
        tx->Commit();
    }
    CertRep rep = Send(r, MessageType::kCertPoll, "held-1");
    ASSERT_EQ(rep.status, PkiStatus::kSuccess);
    EXPECT_EQ(rep.certs[0].SubjectString(), "CN=held");
    EXPECT_EQ(Send(other, MessageType::kCertPoll, "unknown").fail_info, FailInfo::kBadCertId);
}

TEST_F(ScepServerTest, RenewalSignedByIssuedCertificateNeedsNoChallenge) {
    Requester r = MakeRequester("renew", Otp());
    CertRep rep = Send(r, MessageType::kPkcsReq, "r1");
    ASSERT_EQ(rep.status, PkiStatus::kSuccess);
    Requester next = MakeRequester("renew", "");
    next.cert = rep.certs[0];  // signed with the issued certificate and its key
    next.key = r.key;
    CertRep renewed = Send(next, MessageType::kRenewalReq, "r2");
    ASSERT_EQ(renewed.status, PkiStatus::kSuccess);
    // A RenewalReq signed by a self-signed certificate is an ordinary request: held without a challenge.
    Requester stranger = MakeRequester("stranger", "");
    EXPECT_EQ(Send(stranger, MessageType::kRenewalReq, "r3").status, PkiStatus::kPending);
}

TEST_F(ScepServerTest, RenewalSentToTheNextCaIsIssuedByIt) {
    Requester r = MakeRequester("rolled", Otp());
    CertRep rep = Send(r, MessageType::kPkcsReq, "n1");
    ASSERT_EQ(rep.status, PkiStatus::kSuccess);
    crypto::Certificate next = AddCa("next", "Next SCEP CA");
    // A client whose CA expired by its clock encrypts to the rollover certificate, signed with its certificate.
    Requester renewal = MakeRequester("rolled", "");
    ClientMessage message{.type = MessageType::kRenewalReq, .transaction_id = "n2", .inner = renewal.csr_der};
    std::string to_next = BuildRequest(message, next, rep.certs[0], r.key);
    // Without next-ca-cert the server cannot open it.
    std::size_t before = Certificates();
    Answer answer = Operation(to_next);
    ASSERT_EQ(answer.status, 200);
    EXPECT_EQ(ReadCertRep(answer.body, *ca_, rep.certs[0], r.key).fail_info, FailInfo::kBadMessageCheck);
    EXPECT_EQ(Certificates(), before);
    {
        auto tx = store_->Begin(store::TxMode::kWrite);
        store::ItemRow server = *tx->FindItemByName(kServerKind, "/scep/test");
        server.props["next-ca-cert"] = "next";
        tx->UpdateItem(kServerKind, server);
        tx->Commit();
    }
    // With it, the next CA serves it: it signs the reply and issues, and the old CA's certificate renews.
    answer = Operation(to_next);
    ASSERT_EQ(answer.status, 200);
    CertRep renewed = ReadCertRep(answer.body, next, rep.certs[0], r.key);
    ASSERT_EQ(renewed.status, PkiStatus::kSuccess);
    EXPECT_TRUE(renewed.certs[0].IsSignedBy(next));
    EXPECT_FALSE(renewed.certs[0].IsSignedBy(*ca_));
    EXPECT_EQ(Certificates(), before + 1);
    // Requests to the current CA are still served by it.
    Requester fresh = MakeRequester("fresh", Otp());
    CertRep current = Send(fresh, MessageType::kPkcsReq, "n3");
    ASSERT_EQ(current.status, PkiStatus::kSuccess);
    EXPECT_TRUE(current.certs[0].IsSignedBy(*ca_));
}

TEST_F(ScepServerTest, GetCrlAnswersTheCasCrlToItsOwnCertificates) {
    Requester r = MakeRequester("crl-reader", Otp());
    CertRep rep = Send(r, MessageType::kPkcsReq, "c1");
    ASSERT_EQ(rep.status, PkiStatus::kSuccess);
    Requester holder = r;
    holder.cert = rep.certs[0];
    EXPECT_EQ(Send(holder, MessageType::kGetCrl, "c2").fail_info, FailInfo::kBadCertId);  // no CRL yet
    {
        auto tx = store_->Begin(store::TxMode::kWrite);
        pki::RebuildLocalCrl(*tx, *tx->FindCertificateByName("ca"), Clock::now());
        tx->Commit();
    }
    CertRep crl = Send(holder, MessageType::kGetCrl, "c3");
    ASSERT_EQ(crl.status, PkiStatus::kSuccess);
    ASSERT_EQ(crl.crls.size(), 1u);
    auto tx = store_->Begin(store::TxMode::kRead);
    EXPECT_EQ(crl.crls[0], tx->GetBlob(pki::kLocalCrlKind, tx->FindCertificateByName("ca")->id)->data);
    // A self-signed requester gets no CRL.
    EXPECT_EQ(Send(MakeRequester("stranger", ""), MessageType::kGetCrl, "c4").fail_info, FailInfo::kBadRequest);
}

TEST_F(ScepServerTest, SingleDesAndTripleDesRequestsAreAnsweredInKind) {
    for (const char* cipher : {"DES-CBC", "DES-EDE3-CBC"}) {
        Requester r = MakeRequester(cipher, Otp());
        EXPECT_EQ(Send(r, MessageType::kPkcsReq, cipher, cipher).status, PkiStatus::kSuccess) << cipher;
    }
}

TEST_F(ScepServerTest, MalformedMessagesChangeNothing) {
    Requester r = MakeRequester("bad", Otp());
    std::string good = Message(r, MessageType::kPkcsReq, "bad");
    std::size_t before = Certificates();
    EXPECT_EQ(Operation("garbage").status, 400);
    EXPECT_EQ(Operation(good.substr(0, good.size() / 2)).status, 400);
    EXPECT_EQ(Operation(std::string(kMaxMessageBytes + 1, '0')).status, 400);
    // A flipped byte in the signature (the last bytes of the message): badMessageCheck.
    std::string tampered = good;
    tampered[tampered.size() - 10] = static_cast<char>(tampered[tampered.size() - 10] ^ 1);
    Answer answer = Operation(tampered);
    ASSERT_EQ(answer.status, 200);
    EXPECT_EQ(ReadCertRep(answer.body, *ca_, r.cert, r.key).fail_info, FailInfo::kBadMessageCheck);
    // Encrypted for another recipient: badMessageCheck.
    ClientMessage message{.type = MessageType::kPkcsReq, .transaction_id = "x", .inner = r.csr_der};
    Requester other = MakeRequester("other", "");
    answer = Operation(BuildRequest(message, other.cert, r.cert, r.key));
    EXPECT_EQ(ReadCertRep(answer.body, *ca_, r.cert, r.key).fail_info, FailInfo::kBadMessageCheck);
    EXPECT_EQ(Certificates(), before);
    // The challenge was not used up by the refused messages.
    EXPECT_EQ(Send(r, MessageType::kPkcsReq, "bad").status, PkiStatus::kSuccess);
}

}  // namespace
}  // namespace certos::scep
