// The verification engine against openssl-made chains and CRLs (tests/data/trust, see make.sh there).

#include "crypto/verify.hpp"

#include <set>

#include <gtest/gtest.h>

#include "crypto/issue.hpp"
#include "crypto/test_support.hpp"

namespace certos::crypto {
namespace {

std::string TrustData(const std::string& name) {
    return test_support::ReadFile(test_support::DataDir().parent_path() / "trust" / name);
}

Certificate Cert(const std::string& name) { return Certificate::FromPem(TrustData(name + ".crt")); }
Crl CrlOf(const std::string& name) { return Crl::FromPem(TrustData(name + ".crl.pem")); }

VerifyInput Input(const std::string& leaf, std::vector<std::string> untrusted,
                  VerifyPurpose purpose = VerifyPurpose::kAny) {
    VerifyInput input{Cert(leaf), {}, {}, std::nullopt};
    for (const std::string& name : untrusted) {
        input.untrusted.push_back(Cert(name));
    }
    input.trust.anchors = {Cert("root")};
    input.trust.purpose = purpose;
    return input;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(VerifyTest, ChainWithIntermediateVerifies) {
    VerifyResult result =
        VerifyChain(Input("leaf", {"inter", "other_root", "expired_inter"}, VerifyPurpose::kTlsServer));
    EXPECT_TRUE(result.ok()) << result.message;
    EXPECT_EQ(result.message, "ok");
    ASSERT_EQ(result.path.size(), 3u);
    EXPECT_EQ(result.path[0].cert.SubjectString(), "O=Certos Trust Test,CN=server.test");
    EXPECT_EQ(result.path[1].cert.SubjectString(), "O=Certos Trust Test,CN=Test Intermediate CA");
    EXPECT_EQ(result.path[2].cert.SubjectString(), "O=Certos Trust Test,CN=Test Root CA");
    for (const PathCertificate& entry : result.path) {
        EXPECT_TRUE(entry.problems.empty());
    }
}

TEST(VerifyTest, ExpiredIntermediateWrongEkuAndUntrustedCaHaveDistinctMessages) {
    VerifyResult expired = VerifyChain(Input("leaf_under_expired", {"expired_inter"}));
    EXPECT_EQ(expired.status, VerifyStatus::kExpired);
    EXPECT_TRUE(
        Contains(expired.message, "certificate \"O=Certos Trust Test,CN=Expired Intermediate CA\" expired on 2021-"))
        << expired.message;
    ASSERT_EQ(expired.path.size(), 3u);
    EXPECT_TRUE(expired.path[0].problems.empty());
    ASSERT_EQ(expired.path[1].problems.size(), 1u);
    EXPECT_EQ(expired.path[1].problems[0].status, VerifyStatus::kExpired);

    VerifyResult wrong_eku = VerifyChain(Input("client_leaf", {"inter"}, VerifyPurpose::kTlsServer));
    EXPECT_EQ(wrong_eku.status, VerifyStatus::kWrongPurpose);
    EXPECT_EQ(
        wrong_eku.message,
        "certificate \"O=Certos Trust Test,CN=client only\" is not allowed for tls-server (wrong extended key usage)");
    EXPECT_TRUE(VerifyChain(Input("client_leaf", {"inter"}, VerifyPurpose::kTlsClient)).ok());

    VerifyResult untrusted = VerifyChain(Input("other_leaf", {"other_root"}));
    EXPECT_EQ(untrusted.status, VerifyStatus::kUntrusted);
    EXPECT_EQ(untrusted.message,
              "root CA \"O=Somebody Else,CN=Untrusted Root CA\" is not trusted (self-signed certificate in chain)");
    VerifyResult unknown_issuer = VerifyChain(Input("other_leaf", {}));
    EXPECT_EQ(unknown_issuer.status, VerifyStatus::kUntrusted);
    EXPECT_TRUE(Contains(unknown_issuer.message,
                         "issuer \"O=Somebody Else,CN=Untrusted Root CA\" of certificate "
                         "\"O=Somebody Else,CN=other.test\" is not a trusted CA"))
        << unknown_issuer.message;

    std::set<std::string> messages = {expired.message, wrong_eku.message, untrusted.message};
    EXPECT_EQ(messages.size(), 3u);
}

TEST(VerifyTest, CollectsEveryProblemOfThePath) {
    // The leaf serves tls-server only and its issuer has expired: both are reported, each on its certificate.
    VerifyResult result = VerifyChain(Input("leaf_under_expired", {"expired_inter"}, VerifyPurpose::kTlsClient));
    ASSERT_EQ(result.path.size(), 3u);
    ASSERT_EQ(result.path[0].problems.size(), 1u);
    EXPECT_EQ(result.path[0].problems[0].status, VerifyStatus::kWrongPurpose);
    ASSERT_EQ(result.path[1].problems.size(), 1u);
    EXPECT_EQ(result.path[1].problems[0].status, VerifyStatus::kExpired);
}

TEST(VerifyTest, RequiredCrlsRejectRevokedAndAcceptSibling) {
    VerifyInput revoked = Input("leaf_revoked", {"inter"});
    revoked.trust.crls = {CrlOf("inter"), CrlOf("root")};
    revoked.trust.crl_policy = CrlPolicy::kRequireAll;
    VerifyResult result = VerifyChain(revoked);
    EXPECT_EQ(result.status, VerifyStatus::kRevoked);
    EXPECT_TRUE(Contains(result.message, "certificate \"O=Certos Trust Test,CN=revoked.test\" is revoked (serial " +
                                             Cert("leaf_revoked").SerialHex() + ", revoked on "))
        << result.message;
    EXPECT_TRUE(Contains(result.message, "reason key-compromise")) << result.message;

    VerifyInput sibling = Input("leaf", {"inter"});
    sibling.trust = revoked.trust;
    EXPECT_TRUE(VerifyChain(sibling).ok()) << VerifyChain(sibling).message;
}

TEST(VerifyTest, MissingCrlFailsClosedOnlyWhenRequired) {
    VerifyInput input = Input("leaf", {"inter"});
    input.trust.crls = {CrlOf("root")};  // nothing for the leaf, whose issuer is the intermediate
    input.trust.crl_policy = CrlPolicy::kRequireAll;
    VerifyResult result = VerifyChain(input);
    EXPECT_EQ(result.status, VerifyStatus::kCrlMissing);
    EXPECT_EQ(result.message,
              "no CRL for certificate \"O=Certos Trust Test,CN=server.test\" (issuer \"O=Certos Trust "
              "Test,CN=Test Intermediate CA\"): crl-use requires a current CRL for every certificate "
              "in the chain");
    input.trust.crls.clear();
    EXPECT_EQ(VerifyChain(input).status, VerifyStatus::kCrlMissing);

    input.trust.crl_policy = CrlPolicy::kUseAvailable;
    EXPECT_TRUE(VerifyChain(input).ok());
    VerifyInput revoked = Input("leaf_revoked", {"inter"});
    revoked.trust.crl_policy = CrlPolicy::kUseAvailable;
    EXPECT_TRUE(VerifyChain(revoked).ok());  // nothing says it is revoked
    revoked.trust.crls = {CrlOf("inter")};
    EXPECT_EQ(VerifyChain(revoked).status, VerifyStatus::kRevoked);
}

TEST(VerifyTest, ExpiredCrlIsReported) {
    VerifyInput input = Input("leaf", {"inter"});
    input.trust.crls = {CrlOf("inter_expired"), CrlOf("root")};
    input.trust.crl_policy = CrlPolicy::kRequireAll;
    VerifyResult result = VerifyChain(input);
    EXPECT_EQ(result.status, VerifyStatus::kCrlExpired);
    EXPECT_TRUE(Contains(result.message,
                         "the CRL of \"O=Certos Trust Test,CN=Test Intermediate CA\" for certificate "
                         "\"O=Certos Trust Test,CN=server.test\" expired on 2020-"))
        << result.message;
}

TEST(VerifyTest, BadSignatureAndTimeBeforeValidity) {
    std::string der = Cert("leaf").ToDer();
    der.back() = static_cast<char>(der.back() ^ 0x01);  // the last byte of the ECDSA signature's s
    VerifyInput input = Input("leaf", {"inter"});
    input.leaf = Certificate::FromDer(der);
    VerifyResult result = VerifyChain(input);
    EXPECT_EQ(result.status, VerifyStatus::kBadSignature);
    EXPECT_TRUE(Contains(result.message,
                         "signature of certificate \"O=Certos Trust Test,CN=server.test\" does not "
                         "verify"))
        << result.message;

    VerifyInput early = Input("leaf", {"inter"});
    early.at = std::chrono::system_clock::now() - std::chrono::hours(24 * 365 * 10);
    EXPECT_EQ(VerifyChain(early).status, VerifyStatus::kNotYetValid);
}

TEST(VerifyTest, NamesAndCodes) {
    for (const std::string& name : VerifyPurposeNames()) {
        EXPECT_TRUE(ParseVerifyPurpose(name)) << name;
    }
    EXPECT_FALSE(ParseVerifyPurpose("code-sign"));
    EXPECT_EQ(DescribeVerifyCode(10).status, VerifyStatus::kExpired);  // X509_V_ERR_CERT_HAS_EXPIRED
    EXPECT_EQ(DescribeVerifyCode(23).status, VerifyStatus::kRevoked);  // X509_V_ERR_CERT_REVOKED
    EXPECT_EQ(VerifyStatusName(VerifyStatus::kCrlMissing), "crl-missing");
}

}  // namespace
}  // namespace certos::crypto
