// UseServerCredentials / CheckServerCredentials over certificates made by the openssl CLI (tests/data/tls/gen.sh).

#include "crypto/tls_credentials.hpp"

#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/certificate.hpp"
#include "crypto/ossl.hpp"
#include "crypto/test_support.hpp"

namespace certos::crypto {
namespace {

std::string Tls(const std::string& name) {
    return test_support::ReadFile(test_support::DataDir().parent_path() / "tls" / name);
}

// Refusal is CheckServerCredentials's message, or "(accepted)".
std::string Refusal(const std::string& chain, const std::string& key) {
    try {
        CheckServerCredentials(chain, key);
        return "(accepted)";
    } catch (const core::Error& e) {
        return e.what();
    }
}

TEST(TlsCredentialsTest, SoundCertificateWithItsChainIsAccepted) {
    EXPECT_EQ(Refusal(Tls("good.crt") + Tls("ca.crt"), Tls("good.key")), "(accepted)");
    EXPECT_EQ(Refusal(Tls("good.crt"), Tls("good.key")), "(accepted)");
}

TEST(TlsCredentialsTest, SmallKeyIsRefusedWithTheReason) {
    EXPECT_EQ(Refusal(Tls("rsa1024.crt"), Tls("rsa1024.key")),
              "key too small for TLS: rsa 1024 (security level 2 needs RSA of 2048 "
              "bits or more, EC of 224 or more)");
}

TEST(TlsCredentialsTest, WeakSignatureDigestIsRefusedWithTheReason) {
    EXPECT_EQ(Refusal(Tls("md5.crt") + Tls("ca.crt"), Tls("md5.key")),
              "signed with a digest too weak for TLS: md5 (security level 2 refuses MD5 "
              "and SHA-1)");
}

TEST(TlsCredentialsTest, WeakIssuerInTheChainIsRefused) {
    std::string refusal = Refusal(Tls("weak_chain.crt") + Tls("weak_ca.crt"), Tls("weak_chain.key"));
    EXPECT_TRUE(refusal.starts_with("issuer ")) << refusal;
    EXPECT_NE(refusal.find("Weak CA: key too small for TLS: rsa 1024"), std::string::npos) << refusal;
}

TEST(TlsCredentialsTest, KeyOfAnotherCertificateIsRefused) {
    std::string refusal = Refusal(Tls("good.crt"), Tls("md5.key"));
    EXPECT_NE(refusal, "(accepted)");
    EXPECT_FALSE(refusal.empty());
}

TEST(TlsCredentialsTest, TheCheckAgreesWithAServerContextOfItsOwn) {
    // A plain OpenSSL server context refuses what the check refuses: the check applies OpenSSL's own rules.
    for (const char* name : {"rsa1024", "md5", "good"}) {
        SCOPED_TRACE(name);
        std::string chain = Tls(std::string(name) + ".crt") + Tls("ca.crt");
        std::string key = Tls(std::string(name) + ".key");
        UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()));
        ASSERT_TRUE(ctx);
        bool own = SSL_CTX_use_certificate(ctx.get(), Certificate::FromPem(chain).native()) == 1;
        ERR_clear_error();
        EXPECT_EQ(own, Refusal(chain, key) == "(accepted)");
    }
}

}  // namespace
}  // namespace certos::crypto
