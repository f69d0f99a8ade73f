#include "crypto/key.hpp"

#include <atomic>
#include <cctype>
#include <functional>
#include <optional>

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

std::string PubkeyHash(const PrivateKey& key) { return HexLower(Digest(DigestAlgorithm::kSha256, key.PublicKeyDer())); }

std::string Passphrase() { return ExpectedValue("passphrase"); }

TEST(KeyTest, GeneratesRsaKeysOfRouterOsSizes) {
    for (unsigned bits : {1024u, 1536u, 2048u}) {
        PrivateKey key = PrivateKey::Generate(KeySpec::Rsa(bits));
        EXPECT_EQ(key.KeyType(), "rsa");
        EXPECT_EQ(key.KeySize(), std::to_string(bits));
    }
}

// RSA-4096 generation takes 1-5 s here (prime search time varies).
TEST(KeyTest, GeneratesRsa4096) {
    PrivateKey key = PrivateKey::Generate(KeySpec::Rsa(4096));
    EXPECT_EQ(key.KeyType(), "rsa");
    EXPECT_EQ(key.KeySize(), "4096");
}

// Issue 16: Ctrl-C during a long RSA key generation stops it (the keygen callback reads the flag).
TEST(KeyTest, RsaGenerationStopsWhenCancelled) {
    std::atomic<bool> cancel(true);
    try {
        PrivateKey::Generate(KeySpec::Rsa(8192), &cancel);
        ADD_FAILURE() << "generation was not cancelled";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kInterrupted);
        EXPECT_STREQ(e.what(), "interrupted");
    }
    std::atomic<bool> go_on(false);
    EXPECT_EQ(PrivateKey::Generate(KeySpec::Rsa(1024), &go_on).KeySize(), "1024");
}

TEST(KeyTest, GeneratesNamedCurveEcKeys) {
    for (std::string_view curve : {"prime256v1", "secp384r1", "secp521r1"}) {
        PrivateKey key = PrivateKey::Generate(KeySpec::Ec(std::string(curve)));
        EXPECT_EQ(key.KeyType(), "ec");
        EXPECT_EQ(key.KeySize(), curve);
    }
}

// Crypto refuses what OpenSSL cannot make with a crypto error, never with RouterOS's key-size text (the schema
// rejects bad key-size values before a key spec is made: pki::ParseKeySize).
TEST(KeyTest, RefusesKeysOpenSslCannotMake) {
    for (const KeySpec& bad :
         {KeySpec::Rsa(0), KeySpec::Rsa(100), KeySpec::Rsa(1u << 20), KeySpec::Ec("P-257"), KeySpec::Ec("")}) {
        try {
            PrivateKey::Generate(bad);
            ADD_FAILURE() << "generated " << bad.Name();
        } catch (const core::Error& e) {
            EXPECT_EQ(e.category(), core::ErrorCategory::kFailure);
            EXPECT_TRUE(std::string_view(e.what()).starts_with("generating " + bad.Name() + " key: ")) << e.what();
        }
    }
}

TEST(KeyTest, ReadsEveryPemFormatOpenSslWrites) {
    std::string want = ExpectedValue("rsa_other.pubkey_sha256");
    EXPECT_EQ(PubkeyHash(PrivateKey::FromPem(Data("rsa_other.key"))), want);                    // PKCS#8
    EXPECT_EQ(PubkeyHash(PrivateKey::FromPem(Data("rsa_pkcs1.pem"))), want);                    // PKCS#1
    EXPECT_EQ(PubkeyHash(PrivateKey::FromPem(Data("rsa_pkcs8_enc.pem"), Passphrase())), want);  // encrypted PKCS#8
    EXPECT_EQ(PubkeyHash(PrivateKey::FromPem(Data("rsa_trad_enc.pem"), Passphrase())), want);   // Proc-Type
    PrivateKey ec = PrivateKey::FromPem(Data("ec_leaf.key"));                                   // SEC1
    EXPECT_EQ(PubkeyHash(ec), ExpectedValue("ec_leaf.pubkey_sha256"));
    EXPECT_EQ(ec.KeyType(), "ec");
    EXPECT_EQ(ec.KeySize(), "prime256v1");
    PrivateKey p384 = PrivateKey::FromPem(Data("ec_p384.key"));
    EXPECT_EQ(PubkeyHash(p384), ExpectedValue("ec_p384.pubkey_sha256"));
    EXPECT_EQ(p384.KeySize(), "secp384r1");
}

TEST(KeyTest, FindsTheKeyAfterACertificateInPem) {
    PrivateKey key = PrivateKey::FromPem(Data("rsa_ca.crt") + Data("rsa_ca.key"));
    EXPECT_EQ(PubkeyHash(key), ExpectedValue("rsa_ca.pubkey_sha256"));
}

TEST(KeyTest, ReadsEveryDerFormatOpenSslWrites) {
    std::string want = ExpectedValue("rsa_other.pubkey_sha256");
    EXPECT_EQ(PubkeyHash(PrivateKey::FromDer(Data("rsa_pkcs8.der"))), want);
    EXPECT_EQ(PubkeyHash(PrivateKey::FromPkcs8Der(Data("rsa_pkcs8.der"))), want);
    EXPECT_EQ(PubkeyHash(PrivateKey::FromDer(Data("rsa_pkcs1.der"))), want);
    EXPECT_EQ(PubkeyHash(PrivateKey::FromDer(Data("rsa_pkcs8_enc.der"), Passphrase())), want);
    EXPECT_EQ(PubkeyHash(PrivateKey::FromDer(Data("ec_sec1.der"))), ExpectedValue("ec_leaf.pubkey_sha256"));
}

TEST(KeyTest, FromPkcs8DerRejectsOtherStructures) {
    EXPECT_THROW(PrivateKey::FromPkcs8Der(Data("rsa_pkcs1.der")), core::Error);
    EXPECT_THROW(PrivateKey::FromPkcs8Der(Data("rsa_pkcs8.der") + "x"), core::Error);
    EXPECT_THROW(PrivateKey::FromPkcs8Der(""), core::Error);
}

void ExpectDecryptionFailed(const std::function<void()>& load) {
    try {
        load();
        ADD_FAILURE() << "loaded with a wrong passphrase";
    } catch (const DecryptionFailed& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kFailure);
        EXPECT_STREQ(e.what(), "decryption failed");
    }
}

TEST(KeyTest, WrongPassphraseIsDecryptionFailure) {
    ExpectDecryptionFailed([] { PrivateKey::FromPem(Data("rsa_pkcs8_enc.pem"), "wrong"); });
    ExpectDecryptionFailed([] { PrivateKey::FromPem(Data("rsa_trad_enc.pem"), "wrong"); });
    ExpectDecryptionFailed([] { PrivateKey::FromPem(Data("rsa_pkcs8_enc.pem")); });
    ExpectDecryptionFailed([] { PrivateKey::FromDer(Data("rsa_pkcs8_enc.der"), "wrong"); });
}

TEST(KeyTest, GarbageAndPublicKeysAreRejected) {
    EXPECT_THROW(PrivateKey::FromPem("not a key"), core::Error);
    EXPECT_THROW(PrivateKey::FromPem(Data("rsa_ca.crt")), core::Error);
    EXPECT_THROW(PrivateKey::FromDer("\x30\x03\x02\x01\x00"), core::Error);
    PrivateKey key = PrivateKey::FromPem(Data("rsa_other.key"));
    EXPECT_THROW(PrivateKey::FromDer(key.PublicKeyDer()), core::Error);
}

TEST(KeyTest, RejectsKeyTypesRouterOsDoesNotHave) {
    try {
        PrivateKey::FromPem(Data("ed25519.key"));
        ADD_FAILURE() << "accepted an Ed25519 key";
    } catch (const core::Error& e) {
        EXPECT_NE(std::string(e.what()).find("ed25519"), std::string::npos) << e.what();
    }
}

TEST(KeyTest, Pkcs8RoundTrips) {
    PrivateKey ec = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
    EXPECT_EQ(PrivateKey::FromPkcs8Der(ec.ToPkcs8Der()).PublicKeyDer(), ec.PublicKeyDer());
    std::string pem = ec.ToPem();
    EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pem;
    EXPECT_EQ(PrivateKey::FromPem(pem).PublicKeyDer(), ec.PublicKeyDer());
    PrivateKey rsa = PrivateKey::FromPem(Data("rsa_pkcs1.pem"));
    EXPECT_EQ(PrivateKey::FromDer(rsa.ToPkcs8Der()).PublicKeyDer(), rsa.PublicKeyDer());
}

TEST(KeyTest, EncryptedPemRoundTripsAndNeedsThePassphrase) {
    PrivateKey key = PrivateKey::FromPem(Data("rsa_other.key"));
    std::string pem = key.ToEncryptedPem("s3cret pass");
    EXPECT_TRUE(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")) << pem;
    EXPECT_EQ(PrivateKey::FromPem(pem, "s3cret pass").PublicKeyDer(), key.PublicKeyDer());
    ExpectDecryptionFailed([&] { PrivateKey::FromPem(pem, "s3cret Pass"); });
}

TEST(KeyTest, OpenSslCliOpensEncryptedPemWithAes256) {
    CERTOS_REQUIRE_OPENSSL_CLI();
    PrivateKey key = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
    TempFile file(key.ToEncryptedPem("cli-pass"), ".pem");
    auto parsed = RunCommand("openssl asn1parse -in " + file.path());
    EXPECT_NE(parsed.output.find("aes-256-cbc"), std::string::npos) << parsed.output;
    EXPECT_NE(parsed.output.find("PBKDF2"), std::string::npos) << parsed.output;
    auto opened =
        RunCommand("openssl pkey -in " + file.path() + " -passin pass:cli-pass -pubout -outform DER | od -An -tx1 -v");
    ASSERT_EQ(opened.status, 0) << opened.output;
    std::string hex;
    for (char c : opened.output) {
        if (std::isxdigit(static_cast<unsigned char>(c))) {
            hex += c;
        }
    }
    EXPECT_EQ(hex, HexLower(key.PublicKeyDer()));
    EXPECT_NE(RunCommand("openssl pkey -in " + file.path() + " -passin pass:wrong -noout").status, 0);
}

TEST(KeyTest, KeysShareOwnershipWhenCopied) {
    std::optional<PrivateKey> copy;
    {
        PrivateKey key = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
        copy = key;
        EXPECT_EQ(copy->native(), key.native());
    }
    EXPECT_FALSE(copy->PublicKeyDer().empty());
}

}  // namespace
}  // namespace certos::crypto
