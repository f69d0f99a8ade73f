#include "scep/client.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/issue.hpp"
#include "crypto/pkcs7_message.hpp"

namespace certos::scep {
namespace {

crypto::Certificate Issue(const std::string& cn, const std::vector<std::string>& usage, const crypto::PrivateKey& key,
                          const crypto::PrivateKey& signing_key, const crypto::Certificate* issuer) {
    crypto::IssueRequest request;
    request.subject = {{"CN", cn}};
    request.key_usage = usage;
    request.is_ca = issuer == nullptr || std::find(usage.begin(), usage.end(), "key-cert-sign") != usage.end();
    request.serial = std::string("\x01\x02", 2);
    request.not_before = std::chrono::system_clock::now() - std::chrono::minutes(1);
    request.not_after = request.not_before + std::chrono::hours(24);
    return crypto::IssueCertificate(request, key, signing_key, issuer);
}

TEST(ScepClientTest, CapabilitiesAreReadCaseInsensitively) {
    // micromdm scepserver 2.0.0's answer, as it sends it.
    Capabilities caps = ParseCapabilities("Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation");
    EXPECT_TRUE(caps.renewal && caps.sha1 && caps.sha256 && caps.aes && caps.des3 && caps.post);
    EXPECT_FALSE(caps.next_ca);
    EXPECT_EQ(ChooseCipher(caps), "AES-128-CBC");
    EXPECT_EQ(ChooseDigest(caps), crypto::DigestAlgorithm::kSha256);
    Capabilities upper = ParseCapabilities("getnextcacert\r\ndes3\r\n");
    EXPECT_TRUE(upper.next_ca);
    EXPECT_EQ(ChooseCipher(upper), "DES-EDE3-CBC");
}

TEST(ScepClientTest, NoCapabilitiesFallBackToDesAndMd5) {
    Capabilities none = ParseCapabilities("");
    EXPECT_EQ(ChooseCipher(none), "DES-CBC");
    EXPECT_EQ(ChooseDigest(none), crypto::DigestAlgorithm::kMd5);
    EXPECT_FALSE(none.post);
    EXPECT_EQ(ChooseDigest(ParseCapabilities("SHA-1")), crypto::DigestAlgorithm::kSha1);
    EXPECT_EQ(ChooseDigest(ParseCapabilities("SHA-512\nSHA-1")), crypto::DigestAlgorithm::kSha512);
    // SCEPStandard implies AES, POST and SHA-256 (RFC 8894 §3.5.2).
    Capabilities standard = ParseCapabilities("SCEPStandard");
    EXPECT_TRUE(standard.aes && standard.post && standard.sha256);
}

TEST(ScepClientTest, SingleCaCertificateIsRecipientAndSigner) {
    crypto::PrivateKey key = crypto::PrivateKey::Generate(crypto::KeySpec::Rsa(2048));
    crypto::Certificate ca = Issue("CA", {"key-cert-sign", "crl-sign"}, key, key, nullptr);
    CaChain chain = ParseCaCert(ca.ToDer(), "application/x-x509-ca-cert");
    EXPECT_EQ(chain.ca.ToDer(), ca.ToDer());
    EXPECT_EQ(chain.recipient.ToDer(), ca.ToDer());
    EXPECT_EQ(chain.signer.ToDer(), ca.ToDer());
    EXPECT_THROW(ParseCaCert("not a certificate", "application/x-x509-ca-cert"), core::Error);
}

TEST(ScepClientTest, IntermediateChainNamesTheIssuingCa) {
    crypto::PrivateKey root_key = crypto::PrivateKey::Generate(crypto::KeySpec::Rsa(2048));
    crypto::PrivateKey issuing_key = crypto::PrivateKey::Generate(crypto::KeySpec::Rsa(2048));
    crypto::Certificate root = Issue("Root", {"key-cert-sign", "crl-sign"}, root_key, root_key, nullptr);
    crypto::Certificate issuing =
        Issue("Issuing", {"key-cert-sign", "digital-signature", "key-encipherment"}, issuing_key, root_key, &root);
    // As certos's server sends it: the issuing CA first, then the root.
    CaChain chain = ParseCaCert(crypto::CertificatesOnly({issuing, root}), "application/x-x509-ca-ra-cert");
    EXPECT_EQ(chain.ca.ToDer(), issuing.ToDer());
    EXPECT_EQ(chain.recipient.ToDer(), issuing.ToDer());
    EXPECT_EQ(chain.signer.ToDer(), issuing.ToDer());
    // Below an RA's CA, the RA certificates still receive and sign.
    crypto::PrivateKey ra_key = crypto::PrivateKey::Generate(crypto::KeySpec::Rsa(2048));
    crypto::Certificate ra = Issue("RA", {"digital-signature", "key-encipherment"}, ra_key, issuing_key, &issuing);
    chain = ParseCaCert(crypto::CertificatesOnly({ra, issuing, root}), "application/x-x509-ca-ra-cert");
    EXPECT_EQ(chain.ca.ToDer(), issuing.ToDer());
    EXPECT_EQ(chain.recipient.ToDer(), ra.ToDer());
    EXPECT_EQ(chain.signer.ToDer(), ra.ToDer());
}

TEST(ScepClientTest, RaChainPicksTheRaCertificatesByKeyUsage) {
    crypto::PrivateKey ca_key = crypto::PrivateKey::Generate(crypto::KeySpec::Rsa(2048));
    crypto::PrivateKey ra_key = crypto::PrivateKey::Generate(crypto::KeySpec::Rsa(2048));
    crypto::Certificate ca = Issue("CA", {"key-cert-sign", "crl-sign"}, ca_key, ca_key, nullptr);
    crypto::Certificate enc = Issue("RA enc", {"key-encipherment"}, ra_key, ca_key, &ca);
    crypto::Certificate sig = Issue("RA sig", {"digital-signature"}, ra_key, ca_key, &ca);
    // The RA certificates first, as RFC 8894 §4.2.1.1's example has them.
    CaChain chain = ParseCaCert(crypto::CertificatesOnly({enc, sig, ca}), "application/x-x509-ca-ra-cert");
    EXPECT_EQ(chain.certs.size(), 3u);
    EXPECT_EQ(chain.ca.ToDer(), ca.ToDer());
    EXPECT_EQ(chain.recipient.ToDer(), enc.ToDer());
    EXPECT_EQ(chain.signer.ToDer(), sig.ToDer());
}

TEST(ScepClientTest, IssuerAndSubjectCarriesBothNames) {
    crypto::PrivateKey key = crypto::PrivateKey::Generate(crypto::KeySpec::Rsa(2048));
    crypto::Certificate ca = Issue("The CA", {"key-cert-sign"}, key, key, nullptr);
    crypto::Certificate me = Issue("Me", {"digital-signature"}, key, key, nullptr);
    std::string der = crypto::IssuerAndSubject(ca, me);
    ASSERT_GT(der.size(), 4u);
    EXPECT_EQ(static_cast<unsigned char>(der[0]), 0x30);  // SEQUENCE
    EXPECT_NE(der.find("The CA"), std::string::npos);
    EXPECT_LT(der.find("The CA"), der.find("Me"));
}

}  // namespace
}  // namespace certos::scep
