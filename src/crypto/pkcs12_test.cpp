#include "crypto/pkcs12.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/digest.hpp"
#include "crypto/test_support.hpp"

namespace certos::crypto {
namespace {

using test_support::Data;
using test_support::ExpectedValue;
using test_support::RunCommand;
using test_support::TempFile;

std::string Passphrase() { return ExpectedValue("passphrase"); }

std::string PubkeyHash(const PrivateKey& key) { return HexLower(Digest(DigestAlgorithm::kSha256, key.PublicKeyDer())); }

void ExpectLeafAndCa(const Pkcs12Contents& contents) {
    ASSERT_TRUE(contents.key.has_value());
    EXPECT_EQ(PubkeyHash(*contents.key), ExpectedValue("ec_leaf.pubkey_sha256"));
    ASSERT_EQ(contents.certificates.size(), 2u);
    EXPECT_EQ(contents.certificates[0].FingerprintSha256(), ExpectedValue("ec_leaf.fingerprint"));
    EXPECT_EQ(contents.certificates[1].FingerprintSha256(), ExpectedValue("rsa_ca.fingerprint"));
}

void ExpectDecryptionFailed(std::string_view der, std::string_view passphrase) {
    try {
        ParsePkcs12(der, passphrase);
        ADD_FAILURE() << "opened with passphrase '" << passphrase << "'";
    } catch (const DecryptionFailed& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kFailure);
        EXPECT_STREQ(e.what(), "decryption failed");
    }
}

TEST(Pkcs12Test, OpensModernOpenSslFile) { ExpectLeafAndCa(ParsePkcs12(Data("modern.p12"), Passphrase())); }

TEST(Pkcs12Test, OpensLegacyRc2And3DesFile) { ExpectLeafAndCa(ParsePkcs12(Data("legacy.p12"), Passphrase())); }

TEST(Pkcs12Test, OpensCertificatesOnlyFileWithEmptyPassphrase) {
    Pkcs12Contents contents = ParsePkcs12(Data("certs_only.p12"), "");
    EXPECT_FALSE(contents.key.has_value());
    ASSERT_EQ(contents.certificates.size(), 1u);
    EXPECT_EQ(contents.certificates[0].FingerprintSha256(), ExpectedValue("rsa_ca.fingerprint"));
}

TEST(Pkcs12Test, WrongPassphraseIsDecryptionFailure) {
    ExpectDecryptionFailed(Data("modern.p12"), "wrong");
    ExpectDecryptionFailed(Data("legacy.p12"), "wrong");
    ExpectDecryptionFailed(Data("modern.p12"), "");
    ExpectDecryptionFailed(Data("certs_only.p12"), "x");
}

TEST(Pkcs12Test, DamagedFileIsNotADecryptionFailure) {
    std::string der = Data("modern.p12");
    for (std::string bad : {std::string("not pkcs12"), der.substr(0, der.size() / 2)}) {
        try {
            ParsePkcs12(bad, Passphrase());
            ADD_FAILURE() << "parsed garbage";
        } catch (const core::Error& e) {
            EXPECT_TRUE(std::string(e.what()).starts_with("decoding PKCS#12")) << e.what();
        }
    }
}

TEST(Pkcs12Test, RoundTripsKeyCertificateAndChain) {
    Certificate ca = Certificate::FromPem(Data("rsa_ca.crt"));
    Certificate leaf = Certificate::FromPem(Data("ec_leaf.crt"));
    PrivateKey key = PrivateKey::FromPem(Data("ec_leaf.key"));
    std::string der = MakePkcs12(leaf, &key, {ca}, "export-pass", "leaf");
    ExpectLeafAndCa(ParsePkcs12(der, "export-pass"));
    ExpectDecryptionFailed(der, "export-pas");
}

TEST(Pkcs12Test, CertificatesOnlyAndEmptyPassphrase) {
    Certificate ca = Certificate::FromPem(Data("rsa_ca.crt"));
    Pkcs12Contents contents = ParsePkcs12(MakePkcs12(ca, nullptr, {}, "", ""), "");
    EXPECT_FALSE(contents.key.has_value());
    ASSERT_EQ(contents.certificates.size(), 1u);
    EXPECT_EQ(contents.certificates[0].FingerprintSha256(), ExpectedValue("rsa_ca.fingerprint"));
}

TEST(Pkcs12Test, RefusesKeyOfAnotherCertificate) {
    Certificate ca = Certificate::FromPem(Data("rsa_ca.crt"));
    PrivateKey key = PrivateKey::FromPem(Data("ec_leaf.key"));
    EXPECT_THROW(MakePkcs12(ca, &key, {}, "x", ""), core::Error);
}

TEST(Pkcs12Test, OpenSslReadsOurFileWithAesAndSha256Mac) {
    CERTOS_REQUIRE_OPENSSL_CLI();
    Certificate ca = Certificate::FromPem(Data("rsa_ca.crt"));
    Certificate leaf = Certificate::FromPem(Data("ec_leaf.crt"));
    PrivateKey key = PrivateKey::FromPem(Data("ec_leaf.key"));
    TempFile file(MakePkcs12(leaf, &key, {ca}, "cli-pass", "router leaf"), ".p12");

    auto info = RunCommand("openssl pkcs12 -info -noout -in " + file.path() + " -passin pass:cli-pass");
    EXPECT_EQ(info.status, 0) << info.output;
    EXPECT_NE(info.output.find("MAC: sha256"), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC"), std::string::npos) << info.output;
    EXPECT_EQ(info.output.find("RC2"), std::string::npos) << info.output;

    auto certs = RunCommand("openssl pkcs12 -nokeys -in " + file.path() + " -passin pass:cli-pass");
    EXPECT_NE(certs.output.find("friendlyName: router leaf"), std::string::npos) << certs.output;
    EXPECT_NE(certs.output.find(leaf.ToPem()), std::string::npos) << certs.output;
    EXPECT_NE(certs.output.find(ca.ToPem()), std::string::npos) << certs.output;

    auto keys = RunCommand("openssl pkcs12 -nocerts -nodes -in " + file.path() + " -passin pass:cli-pass");
    EXPECT_EQ(PrivateKey::FromPem(keys.output).PublicKeyDer(), key.PublicKeyDer());

    EXPECT_NE(RunCommand("openssl pkcs12 -info -noout -in " + file.path() + " -passin pass:wrong").status, 0);
}

TEST(Pkcs12Test, OpenSslReadsCertificatesOnlyFileWithEmptyPassphrase) {
    CERTOS_REQUIRE_OPENSSL_CLI();
    Certificate ca = Certificate::FromPem(Data("rsa_ca.crt"));
    TempFile file(MakePkcs12(ca, nullptr, {}, "", "ca"), ".p12");
    auto info = RunCommand("openssl pkcs12 -info -nodes -in " + file.path() + " -passin pass:");
    EXPECT_EQ(info.status, 0) << info.output;
    EXPECT_NE(info.output.find(ca.ToPem()), std::string::npos) << info.output;
    EXPECT_EQ(info.output.find("Keybag"), std::string::npos) << info.output;
}

}  // namespace
}  // namespace certos::crypto
