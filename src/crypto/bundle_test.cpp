// ParseBundle over files made by the openssl CLI (tests/data/import/gen.sh).

#include "crypto/bundle.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/test_support.hpp"

namespace certos::crypto {
namespace {

using test_support::ReadFile;

std::filesystem::path ImportDir() { return test_support::DataDir().parent_path() / "import"; }
std::string Input(const std::string& name) { return ReadFile(ImportDir() / name); }

// Fingerprint of a tests/data/import certificate, as gen.sh recorded it with `openssl x509 -fingerprint`.
std::string Fp(const std::string& name) {
    static const std::map<std::string, std::string> values = [] {
        std::map<std::string, std::string> out;
        std::istringstream in(Input("expected.txt"));
        std::string line;
        while (std::getline(in, line)) {
            auto eq = line.find('=');
            if (eq != std::string::npos) {
                out[line.substr(0, eq)] = line.substr(eq + 1);
            }
        }
        return out;
    }();
    auto it = values.find(name + ".fingerprint");
    return it == values.end() ? "missing " + name : it->second;
}

std::string Passphrase() { return "import-pass"; }

std::vector<std::string> Fingerprints(const Bundle& bundle) {
    std::vector<std::string> out;
    for (const Certificate& cert : bundle.certificates) {
        out.push_back(cert.FingerprintSha256());
    }
    return out;
}

// ErrorOf parses and returns the error text; "" when parsing succeeded.
std::string ErrorOf(const std::string& data, std::string_view passphrase = {}) {
    try {
        ParseBundle(data, passphrase);
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kFailure);
        return e.what();
    }
    return {};
}

TEST(BundleTest, ChainPemGivesCertificatesInFileOrder) {
    Bundle bundle = ParseBundle(Input("chain.pem"), {});
    EXPECT_EQ(bundle.format, BundleFormat::kPem);
    EXPECT_EQ(Fingerprints(bundle), (std::vector<std::string>{Fp("leaf"), Fp("inter"), Fp("root")}));
    EXPECT_TRUE(bundle.keys.empty());
    EXPECT_EQ(bundle.decryption_failures, 0);
}

TEST(BundleTest, KeyBeforeCertificatesWithTextBetweenBlocks) {
    Bundle bundle = ParseBundle(Input("key_first.pem"), {});
    EXPECT_EQ(Fingerprints(bundle), (std::vector<std::string>{Fp("leaf"), Fp("inter")}));
    ASSERT_EQ(bundle.keys.size(), 1u);
    EXPECT_TRUE(IsKeyOf(bundle.keys[0], bundle.certificates[0]));
    EXPECT_FALSE(IsKeyOf(bundle.keys[0], bundle.certificates[1]));
}

TEST(BundleTest, EveryKeyEncodingOpensAndMatchesItsCertificate) {
    Certificate leaf = Certificate::FromPem(Input("leaf.crt"));
    Certificate ec_leaf = Certificate::FromPem(Input("ec_leaf.crt"));
    struct Case {
        const char* file;
        BundleFormat format;
        const Certificate& cert;
    };
    for (const Case& c : std::vector<Case>{
             {"leaf_pkcs1.pem", BundleFormat::kPem, leaf},
             {"leaf_pkcs8.pem", BundleFormat::kPem, leaf},
             {"leaf_pkcs8_enc.pem", BundleFormat::kPem, leaf},
             {"leaf_pkcs8_enc_v1.pem", BundleFormat::kPem, leaf},
             {"leaf_trad_enc.pem", BundleFormat::kPem, leaf},
             {"leaf_key.der", BundleFormat::kDerPrivateKey, leaf},
             {"leaf_key_pkcs1.der", BundleFormat::kDerPrivateKey, leaf},
             {"leaf_key_enc.der", BundleFormat::kDerPrivateKey, leaf},
             {"ec_leaf_sec1.pem", BundleFormat::kPem, ec_leaf},
             {"ec_leaf_trad_enc.pem", BundleFormat::kPem, ec_leaf},
             {"ec_leaf_key.der", BundleFormat::kDerPrivateKey, ec_leaf},
             {"ec_leaf_params.pem", BundleFormat::kPem, ec_leaf},
         }) {
        SCOPED_TRACE(c.file);
        Bundle bundle = ParseBundle(Input(c.file), Passphrase());
        EXPECT_EQ(bundle.format, c.format);
        EXPECT_TRUE(bundle.certificates.empty());
        EXPECT_EQ(bundle.decryption_failures, 0);
        ASSERT_EQ(bundle.keys.size(), 1u);
        EXPECT_TRUE(IsKeyOf(bundle.keys[0], c.cert));
        EXPECT_FALSE(IsKeyOf(bundle.keys[0], &c.cert == &leaf ? ec_leaf : leaf));
    }
    EXPECT_EQ(ParseBundle(Input("ec_leaf_params.pem"), {}).ignored, std::vector<std::string>{"EC PARAMETERS"});
}

TEST(BundleTest, WrongPassphraseCountsDecryptionFailuresAndKeepsTheRest) {
    for (const char* file : {"leaf_pkcs8_enc.pem", "leaf_trad_enc.pem", "leaf_key_enc.der", "ec_leaf_trad_enc.pem"}) {
        SCOPED_TRACE(file);
        for (std::string_view passphrase : {"wrong", ""}) {
            Bundle bundle = ParseBundle(Input(file), passphrase);
            EXPECT_TRUE(bundle.keys.empty());
            EXPECT_EQ(bundle.decryption_failures, 1);
        }
    }
    Bundle wrong = ParseBundle(Input("mixed_encrypted.pem"), "wrong");
    EXPECT_EQ(Fingerprints(wrong), (std::vector<std::string>{Fp("root"), Fp("ec_leaf"), Fp("leaf")}));
    ASSERT_EQ(wrong.keys.size(), 1u);  // the unencrypted EC key that follows "EC PARAMETERS"
    EXPECT_TRUE(IsKeyOf(wrong.keys[0], wrong.certificates[1]));
    EXPECT_EQ(wrong.decryption_failures, 2);
    EXPECT_EQ(wrong.ignored, std::vector<std::string>{"EC PARAMETERS"});
    Bundle right = ParseBundle(Input("mixed_encrypted.pem"), Passphrase());
    EXPECT_EQ(right.decryption_failures, 0);
    EXPECT_EQ(right.keys.size(), 3u);  // the params file's EC key, the PKCS#8 RSA key, the traditional EC key
}

TEST(BundleTest, DerCertificatesIncludingDerCrt) {
    Bundle der = ParseBundle(Input("leaf.der"), {});
    EXPECT_EQ(der.format, BundleFormat::kDerCertificate);
    EXPECT_EQ(Fingerprints(der), std::vector<std::string>{Fp("leaf")});
    EXPECT_EQ(Fingerprints(ParseBundle(Input("root_der.crt"), {})), std::vector<std::string>{Fp("root")});
    EXPECT_EQ(Fingerprints(ParseBundle(Input("leaf.crt"), {})), std::vector<std::string>{Fp("leaf")});
}

TEST(BundleTest, TrustedCertificateKeepsOnlyTheCertificate) {
    EXPECT_EQ(Fingerprints(ParseBundle(Input("root_trusted.pem"), {})), std::vector<std::string>{Fp("root")});
}

TEST(BundleTest, Pkcs12ModernLegacyAndKeyless) {
    for (const char* file : {"leaf_modern.p12", "leaf_legacy.p12"}) {
        SCOPED_TRACE(file);
        Bundle bundle = ParseBundle(Input(file), Passphrase());
        EXPECT_EQ(bundle.format, BundleFormat::kPkcs12);
        EXPECT_EQ(Fingerprints(bundle), (std::vector<std::string>{Fp("leaf"), Fp("inter")}));
        ASSERT_EQ(bundle.keys.size(), 1u);
        EXPECT_TRUE(IsKeyOf(bundle.keys[0], bundle.certificates[0]));
        Bundle wrong = ParseBundle(Input(file), "wrong");
        EXPECT_TRUE(wrong.certificates.empty());
        EXPECT_TRUE(wrong.keys.empty());
        EXPECT_EQ(wrong.decryption_failures, 1);
    }
    Bundle no_pass = ParseBundle(Input("ec_leaf_nopass.p12"), "");
    EXPECT_EQ(Fingerprints(no_pass), std::vector<std::string>{Fp("ec_leaf")});
    EXPECT_EQ(no_pass.keys.size(), 1u);
    for (const char* file : {"certs_only.p12", "certs_only_legacy.p12"}) {
        Bundle certs = ParseBundle(Input(file), Passphrase());
        EXPECT_TRUE(certs.keys.empty()) << file;
        EXPECT_EQ(certs.certificates.at(0).FingerprintSha256(), Fp("root")) << file;
    }
}

TEST(BundleTest, OpensslPkcs12DumpWithBagAttributes) {
    Bundle bundle = ParseBundle(Input("p12_dump.pem"), {});
    EXPECT_EQ(bundle.certificates.size(), 2u);
    ASSERT_EQ(bundle.keys.size(), 1u);
    EXPECT_TRUE(IsKeyOf(bundle.keys[0], Certificate::FromPem(Input("leaf.crt"))));
}

TEST(BundleTest, BadInputSaysWhatIsWrong) {
    EXPECT_EQ(ErrorOf(Input("empty.pem")), "the file is empty");
    EXPECT_EQ(ErrorOf(Input("blank.pem")), "the file is empty");
    std::string truncated = ErrorOf(Input("truncated.pem"));
    EXPECT_NE(truncated.find("PEM block 2 (CERTIFICATE, line 18) has no END line"), std::string::npos) << truncated;
    std::string corrupt = ErrorOf(Input("corrupt_middle.pem"));
    EXPECT_NE(corrupt.find("PEM block 2 (CERTIFICATE, line 18): decoding PEM certificate"), std::string::npos)
        << corrupt;
    std::string garbage = ErrorOf(Input("garbage.bin"));
    EXPECT_NE(garbage.find("unrecognised format"), std::string::npos) << garbage;
    EXPECT_NE(ErrorOf(Input("truncated.p12"), Passphrase()).find("unrecognised format"), std::string::npos);
    std::string ed25519 = ErrorOf(test_support::Data("ed25519.key"));
    EXPECT_NE(ed25519.find("PEM block 1 (PRIVATE KEY, line 1): unsupported private key type ed25519"),
              std::string::npos)
        << ed25519;
    // A request parses, but holds neither a certificate nor a key: the caller decides what that means.
    EXPECT_EQ(ParseBundle(Input("csr.pem"), {}).ignored, std::vector<std::string>{"CERTIFICATE REQUEST"});
    EXPECT_NE(ErrorOf("-----BEGIN \n").find("malformed BEGIN line"), std::string::npos);
}

TEST(BundleTest, KeyDerivationWorkBombsAreRefusedBeforeDecrypting) {
    // gen.sh made these with 10,000,001 iterations; certos's cap is 10^7. Refused without running them.
    EXPECT_EQ(ErrorOf(Input("slow_pkcs8.pem"), Passphrase()),
              "PEM block 1 (ENCRYPTED PRIVATE KEY, line 1): encrypted private key: key derivation "
              "iteration count 10000001 is larger than 10000000");
    EXPECT_EQ(ErrorOf(Input("slow_bags.p12"), Passphrase()),
              "PKCS#12 encrypted safe: key derivation iteration count 10000001 is larger than 10000000");
    EXPECT_EQ(ErrorOf(Input("slow_mac.p12"), Passphrase()),
              "PKCS#12 MAC: key derivation iteration count 10000001 is larger than 10000000");
}

TEST(BundleTest, InputOverTheLimitIsRefusedBeforeParsing) {
    std::string big(kMaxBundleBytes + 1, 'A');
    EXPECT_EQ(ErrorOf(big), "input is too large (16777217 bytes, limit 16 MiB)");
}

TEST(BundleTest, DebianCaBundleParsesCompletely) {
    const std::filesystem::path path = "/etc/ssl/certs/ca-certificates.crt";
    if (!std::filesystem::exists(path)) {
        GTEST_FAIL() << "ca-certificates not installed (scripts/install-deps.sh installs it)";
    }
    std::string data = ReadFile(path);
    std::size_t blocks = 0;
    for (std::size_t pos = data.find("BEGIN CERTIFICATE"); pos != std::string::npos;
         pos = data.find("BEGIN CERTIFICATE", pos + 1)) {
        ++blocks;
    }
    Bundle bundle = ParseBundle(data, {});
    EXPECT_GT(blocks, 100u);
    EXPECT_EQ(bundle.certificates.size(), blocks);
}

TEST(BundleTest, PublicKeyMatchIdPairsKeysWithTheirCertificatesWhateverTheEncoding) {
    Certificate ec_leaf = Certificate::FromPem(Input("ec_leaf.crt"));
    Certificate leaf = Certificate::FromPem(Input("leaf.crt"));
    PrivateKey ec_key = PrivateKey::FromPem(Input("ec_leaf_sec1.pem"));
    PrivateKey compressed = PrivateKey::FromPem(Input("ec_leaf_compressed.pem"));  // the same key, point compressed
    PrivateKey rsa_key = PrivateKey::FromPem(Input("leaf.key"));
    EXPECT_EQ(PublicKeyMatchId(ec_key), PublicKeyMatchId(ec_leaf));
    EXPECT_EQ(PublicKeyMatchId(compressed), PublicKeyMatchId(ec_leaf));
    EXPECT_TRUE(IsKeyOf(compressed, ec_leaf));
    EXPECT_EQ(PublicKeyMatchId(rsa_key), PublicKeyMatchId(leaf));
    EXPECT_NE(PublicKeyMatchId(rsa_key), PublicKeyMatchId(ec_leaf));
    EXPECT_NE(PublicKeyMatchId(PrivateKey::FromPem(Input("other.key"))), PublicKeyMatchId(leaf));
}

TEST(BundleTest, BlockLinesAreCountedAcrossManyBlocks) {
    std::string text;
    for (int i = 0; i < 1000; ++i) {
        text += "-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n";
    }
    text += "-----BEGIN CERTIFICATE-----\n";
    try {
        ParseBundle(text, "");
        ADD_FAILURE() << "a truncated file was parsed";
    } catch (const core::Error& e) {
        EXPECT_STREQ(e.what(),
                     "PEM block 1001 (CERTIFICATE, line 2001) has no END line: the file is "
                     "truncated or damaged");
    }
    text.resize(text.size() - 28);
    EXPECT_EQ(ParseBundle(text, "").ignored.size(), 1000u);
}

}  // namespace
}  // namespace certos::crypto
