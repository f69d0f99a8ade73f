// Certificate requests: parsing ones made by `openssl req`, and making ones that `openssl req` accepts.

#include "crypto/csr.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/test_support.hpp"

namespace certos::crypto {
namespace {

using test_support::ReadFile;
using test_support::RunCommand;
using test_support::TempFile;

std::string Input(const std::string& name) { return ReadFile(test_support::DataDir().parent_path() / "import" / name); }

TEST(CsrTest, ParsesOpensslRequestWithExtensionsAndChallenge) {
    CertificateRequest csr = CertificateRequest::Parse(Input("csr.pem"));
    EXPECT_TRUE(csr.SignatureVerifies());
    EXPECT_EQ(csr.SubjectString(), "C=LV,O=Import Test,CN=csr.example.com");
    EXPECT_EQ(csr.CommonName(), "csr.example.com");
    EXPECT_EQ(csr.KeyType(), "rsa");
    EXPECT_EQ(csr.KeySize(), "2048");
    EXPECT_EQ(csr.ChallengePassword(), "challenge-1234");
    EXPECT_EQ(csr.SubjectAltNames(), (std::vector<std::string>{"DNS:csr.example.com", "DNS:www.csr.example.com",
                                                               "IP:198.51.100.7", "email:ops@example.com"}));
    EXPECT_EQ(csr.KeyUsage(),
              (std::vector<std::string>{"digital-signature", "key-encipherment", "tls-server", "tls-client"}));
    EXPECT_FALSE(csr.RequestsCa());
    EXPECT_EQ(csr.PublicKeyDer(), PrivateKey::FromPem(Input("csr.key")).PublicKeyDer());
}

TEST(CsrTest, PlainRequestHasNoRequestedExtensions) {
    for (const char* file : {"plain_csr.pem", "plain_csr.der"}) {
        SCOPED_TRACE(file);
        CertificateRequest csr = CertificateRequest::Parse(Input(file));
        EXPECT_TRUE(csr.SignatureVerifies());
        EXPECT_EQ(csr.CommonName(), "plain.example.com");
        EXPECT_EQ(csr.KeyType(), "ec");
        EXPECT_EQ(csr.KeySize(), "prime256v1");
        EXPECT_FALSE(csr.SubjectAltNames().has_value());
        EXPECT_FALSE(csr.KeyUsage().has_value());
        EXPECT_EQ(csr.ChallengePassword(), "");
    }
}

TEST(CsrTest, TamperedRequestParsesButDoesNotVerify) {
    CertificateRequest csr = CertificateRequest::Parse(Input("tampered_csr.der"));
    EXPECT_EQ(csr.CommonName(), "plaim.example.com");
    EXPECT_FALSE(csr.SignatureVerifies());
}

TEST(CsrTest, GarbageIsADecodingError) {
    for (const std::string& data :
         {Input("garbage.bin"), Input("leaf.crt"), std::string(), Input("plain_csr.der") + "x"}) {
        try {
            CertificateRequest::Parse(data);
            ADD_FAILURE() << "accepted";
        } catch (const core::Error& e) {
            EXPECT_EQ(e.category(), core::ErrorCategory::kFailure);
            EXPECT_NE(std::string(e.what()).find("certificate request"), std::string::npos) << e.what();
        }
    }
}

TEST(CsrTest, MadeRequestIsAcceptedByOpensslAndReadsBack) {
    PrivateKey key = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
    CsrParams params;
    params.subject = {{"C", "LV"}, {"O", "Certos"}, {"OU", ""}, {"CN", "router.lan"}};
    params.subject_alt_names = {"DNS:router.lan", "IP:192.168.88.1", "IP:2001:db8::1", "email:admin@router.lan"};
    params.key_usage = {"key-cert-sign", "digital-signature", "tls-server"};
    params.is_ca = true;
    params.challenge_password = "s3cret-challenge";
    std::string pem = MakeCertificateRequest(params, key);
    EXPECT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));

    CertificateRequest csr = CertificateRequest::Parse(pem);
    EXPECT_TRUE(csr.SignatureVerifies());
    EXPECT_EQ(csr.SubjectString(), "C=LV,O=Certos,CN=router.lan");
    EXPECT_EQ(csr.SubjectAltNames(), params.subject_alt_names);
    EXPECT_EQ(csr.KeyUsage(), (std::vector<std::string>{"digital-signature", "key-cert-sign", "tls-server"}));
    EXPECT_TRUE(csr.RequestsCa());
    EXPECT_EQ(csr.ChallengePassword(), "s3cret-challenge");
    EXPECT_EQ(csr.PublicKeyDer(), key.PublicKeyDer());
    EXPECT_EQ(CertificateRequest::Parse(csr.ToDer()).ToPem(), pem);

    CERTOS_REQUIRE_OPENSSL_CLI();
    TempFile file(pem, ".csr");
    auto result = RunCommand("openssl req -verify -noout -text -in " + file.path());
    ASSERT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("verify OK"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("Subject: C = LV, O = Certos, CN = router.lan"), std::string::npos);
    EXPECT_NE(result.output.find("DNS:router.lan, IP Address:192.168.88.1, IP Address:2001:DB8:0:0:0:0:0:1, "
                                 "email:admin@router.lan"),
              std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("challengePassword        :s3cret-challenge"), std::string::npos);
    EXPECT_NE(result.output.find("CA:TRUE"), std::string::npos);
    EXPECT_NE(result.output.find("Digital Signature, Certificate Sign"), std::string::npos);
    EXPECT_NE(result.output.find("TLS Web Server Authentication"), std::string::npos);
}

TEST(CsrTest, BadSubjectAltNameOrUsageIsAnArgumentError) {
    PrivateKey key = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
    CsrParams params;
    params.subject = {{"CN", "x"}};
    params.subject_alt_names = {"IP:not-an-address"};
    try {
        MakeCertificateRequest(params, key);
        ADD_FAILURE();
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kArgument);
    }
    params.subject_alt_names.clear();
    params.key_usage = {"fly"};
    EXPECT_THROW(MakeCertificateRequest(params, key), core::Error);
}

}  // namespace
}  // namespace certos::crypto
