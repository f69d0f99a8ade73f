#include "crypto/certificate.hpp"

#include <optional>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/digest.hpp"
#include "crypto/test_support.hpp"

namespace certos::crypto {
namespace {

using test_support::Data;
using test_support::ExpectedValue;

using Fields = std::vector<std::pair<std::string, std::string>>;
using Strings = std::vector<std::string>;

TimePoint Epoch(const std::string& key) { return TimePoint(std::chrono::seconds(std::stoll(ExpectedValue(key)))); }

std::string PubkeyHash(const Certificate& cert) {
    return HexLower(Digest(DigestAlgorithm::kSha256, cert.PublicKeyDer()));
}

TEST(CertificateTest, ReadsOpenSslRsaCaCertificate) {
    Certificate ca = Certificate::FromPem(Data("rsa_ca.crt"));
    EXPECT_EQ(ca.FingerprintSha256(), ExpectedValue("rsa_ca.fingerprint"));
    // The serial's DER starts with a 00 byte (its top bit is set); RouterOS shows it without.
    EXPECT_EQ(ca.SerialHex(), ExpectedValue("rsa_ca.serial"));
    Fields dn = {{"C", "LV"},
                 {"ST", "Riga"},
                 {"L", "Riga"},
                 {"O", "Certos Test"},
                 {"OU", "Unit"},
                 {"CN", "Test RSA CA"},
                 {"emailAddress", "ca@example.com"}};
    EXPECT_EQ(ca.SubjectFields(), dn);
    EXPECT_EQ(ca.IssuerFields(), dn);
    EXPECT_EQ(ca.IssuerString(),
              "C=LV,ST=Riga,L=Riga,O=Certos Test,OU=Unit,CN=Test RSA CA,emailAddress=ca@example.com");
    EXPECT_EQ(ca.SubjectString(), ca.IssuerString());
    EXPECT_EQ(ca.NotBefore(), Epoch("rsa_ca.not_before"));
    EXPECT_EQ(ca.NotAfter(), Epoch("rsa_ca.not_after"));
    EXPECT_EQ(ca.SkidHex(), ExpectedValue("rsa_ca.skid"));
    // OpenSSL 3 leaves authorityKeyIdentifier=keyid out of self-signed certificates (RFC 5280 §4.2.1.1 allows it).
    EXPECT_EQ(ca.AkidHex(), "");
    EXPECT_TRUE(ca.IsCa());
    EXPECT_EQ(ca.KeyUsage(), (Strings{"digital-signature", "key-encipherment", "key-cert-sign", "crl-sign",
                                      "tls-server", "tls-client", "dvcs"}));
    EXPECT_EQ(ca.SubjectAltNames(), (Strings{"DNS:ca.example.com", "IP:192.0.2.1", "IP:2001:db8::1",
                                             "email:ca@example.com", "URI:https://ca.example.com/"}));
    EXPECT_EQ(ca.CrlDistributionPoints(), Strings{"http://crl.example.com/ca.crl"});
    EXPECT_EQ(PubkeyHash(ca), ExpectedValue("rsa_ca.pubkey_sha256"));
    EXPECT_EQ(ca.KeyType(), "rsa");
    EXPECT_EQ(ca.KeySize(), "2048");
    EXPECT_EQ(ca.SignatureDigest(), "sha256");
    EXPECT_TRUE(ca.IsSelfIssued());
    EXPECT_TRUE(ca.IsSignedBy(ca));
}

TEST(CertificateTest, ReadsOpenSslEcLeafCertificate) {
    Certificate ca = Certificate::FromPem(Data("rsa_ca.crt"));
    Certificate leaf = Certificate::FromPem(Data("ec_leaf.crt"));
    EXPECT_EQ(leaf.FingerprintSha256(), ExpectedValue("ec_leaf.fingerprint"));
    EXPECT_EQ(leaf.SerialHex(), "21B9F571B54195D3");
    EXPECT_EQ(leaf.SerialHex(), ExpectedValue("ec_leaf.serial"));
    EXPECT_EQ(leaf.SubjectString(), "O=Certos Test,CN=leaf.example.com");
    EXPECT_EQ(leaf.IssuerFields(), ca.SubjectFields());
    EXPECT_EQ(leaf.NotBefore(), Epoch("ec_leaf.not_before"));
    EXPECT_EQ(leaf.NotAfter(), Epoch("ec_leaf.not_after"));
    EXPECT_EQ(leaf.SkidHex(), ExpectedValue("ec_leaf.skid"));
    EXPECT_EQ(leaf.AkidHex(), ExpectedValue("ec_leaf.akid"));
    EXPECT_EQ(leaf.AkidHex(), ca.SkidHex());
    EXPECT_FALSE(leaf.IsCa());
    EXPECT_EQ(leaf.KeyUsage(), (Strings{"digital-signature", "key-agreement", "tls-server", "code-sign",
                                        "email-protect", "timestamp", "ocsp-sign"}));
    EXPECT_EQ(leaf.SubjectAltNames(), (Strings{"DNS:leaf.example.com", "DNS:*.leaf.example.com"}));
    EXPECT_TRUE(leaf.CrlDistributionPoints().empty());
    EXPECT_EQ(PubkeyHash(leaf), ExpectedValue("ec_leaf.pubkey_sha256"));
    EXPECT_EQ(leaf.KeyType(), "ec");
    EXPECT_EQ(leaf.KeySize(), "prime256v1");
    EXPECT_EQ(leaf.SignatureDigest(), "sha384");
    EXPECT_FALSE(leaf.IsSelfIssued());
    EXPECT_TRUE(leaf.IsSignedBy(ca));
    EXPECT_FALSE(leaf.IsSignedBy(leaf));
    EXPECT_FALSE(ca.IsSignedBy(leaf));
}

TEST(CertificateTest, V1CertificateWithoutExtensionsAndFarFutureExpiry) {
    Certificate cert = Certificate::FromPem(Data("far_future.crt"));
    EXPECT_EQ(cert.FingerprintSha256(), ExpectedValue("far_future.fingerprint"));
    EXPECT_EQ(cert.SerialHex(), "01");
    // Year ~9966 lies beyond system_clock's range (2262): clamped, not wrapped around.
    EXPECT_EQ(cert.NotAfter(), TimePoint::max());
    EXPECT_LT(cert.NotBefore(), cert.NotAfter());
    EXPECT_EQ(cert.SkidHex(), "");
    EXPECT_EQ(cert.AkidHex(), "");
    EXPECT_FALSE(cert.IsCa());
    EXPECT_TRUE(cert.KeyUsage().empty());
    EXPECT_TRUE(cert.SubjectAltNames().empty());
    EXPECT_EQ(cert.KeyType(), "ec");
    EXPECT_EQ(cert.KeySize(), "secp384r1");
    EXPECT_EQ(cert.SignatureDigest(), "sha1");
    EXPECT_TRUE(cert.IsSelfIssued());
    EXPECT_TRUE(cert.IsSignedBy(cert));
}

TEST(CertificateTest, DerAndPemRoundTripByteForByte) {
    Certificate from_der = Certificate::FromDer(Data("rsa_ca.der"));
    EXPECT_EQ(from_der.ToDer(), Data("rsa_ca.der"));
    EXPECT_EQ(from_der.ToPem(), Data("rsa_ca.crt"));
    EXPECT_EQ(Certificate::FromPem(from_der.ToPem()).FingerprintSha256(), ExpectedValue("rsa_ca.fingerprint"));
}

TEST(CertificateTest, PemSkipsOtherBlocksAndListsAll) {
    Certificate cert = Certificate::FromPem(Data("rsa_ca.key") + Data("ec_leaf.crt"));
    EXPECT_EQ(cert.FingerprintSha256(), ExpectedValue("ec_leaf.fingerprint"));
    std::vector<Certificate> chain = CertificatesFromPem(Data("chain.pem") + Data("ec_leaf.key"));
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].FingerprintSha256(), ExpectedValue("rsa_ca.fingerprint"));
    EXPECT_EQ(chain[1].FingerprintSha256(), ExpectedValue("ec_leaf.fingerprint"));
    EXPECT_TRUE(CertificatesFromPem("").empty());
    EXPECT_TRUE(CertificatesFromPem(std::string_view()).empty());
    EXPECT_TRUE(CertificatesFromPem(Data("rsa_ca.key")).empty());
}

TEST(CertificateTest, DamagedInputIsRejectedWithAReason) {
    std::string chain = Data("chain.pem");
    std::size_t second = chain.find("-----BEGIN CERTIFICATE-----", 10);
    ASSERT_NE(second, std::string::npos);
    chain[second + 200] = '!';
    EXPECT_THROW(CertificatesFromPem(chain), core::Error);
    std::string der = Data("rsa_ca.der");
    EXPECT_THROW(Certificate::FromDer(der.substr(0, der.size() - 1)), core::Error);
    EXPECT_THROW(Certificate::FromDer(der + "x"), core::Error);
    try {
        Certificate::FromPem(Data("rsa_ca.key"));
        ADD_FAILURE() << "a key parsed as a certificate";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kFailure);
        EXPECT_TRUE(std::string(e.what()).starts_with("decoding PEM certificate: error:")) << e.what();
    }
}

TEST(CertificateTest, CopiesShareTheCertificate) {
    std::optional<Certificate> copy;
    {
        Certificate cert = Certificate::FromDer(Data("rsa_ca.der"));
        copy = cert;
    }
    EXPECT_EQ(copy->FingerprintSha256(), ExpectedValue("rsa_ca.fingerprint"));
}

}  // namespace
}  // namespace certos::crypto
