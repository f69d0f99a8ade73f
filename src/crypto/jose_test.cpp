#include "crypto/jose.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/digest.hpp"

namespace certos::crypto {
namespace {

// RFC 4648 §10 test vectors, in the URL-safe alphabet without padding.
TEST(JoseTest, Base64UrlMatchesRfc4648Vectors) {
    EXPECT_EQ(Base64UrlEncode(""), "");
    EXPECT_EQ(Base64UrlEncode("f"), "Zg");
    EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
    EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
    EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff\xfe", 3)), "-__-");
    for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(text)), text);
    }
    EXPECT_EQ(Base64UrlDecode("-__-"), std::string("\xfb\xff\xfe", 3));
    EXPECT_EQ(Base64UrlDecode("Zm9vYg=="), "foob");
    EXPECT_THROW(Base64UrlDecode("Z"), core::Error);
    EXPECT_THROW(Base64UrlDecode("Zm9v!!"), core::Error);
}

// RFC 4231 §4.3, test case 2.
TEST(JoseTest, HmacSha256MatchesRfc4231) {
    EXPECT_EQ(HexLower(HmacSha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(JoseTest, Es256SignatureIsRawRAndSVerifiedByOpenSsl) {
    PrivateKey key = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
    std::string signature = SignJwsEc(key, "header.payload");
    ASSERT_EQ(signature.size(), 64u);
    EXPECT_TRUE(VerifyJwsEc(key, "header.payload", signature));
    EXPECT_FALSE(VerifyJwsEc(key, "header.payloaD", signature));
    std::string altered = signature;
    altered[10] = static_cast<char>(altered[10] ^ 1);
    EXPECT_FALSE(VerifyJwsEc(key, "header.payload", altered));
    EcPoint point = PublicPoint(key);
    EXPECT_EQ(point.curve, "P-256");
    EXPECT_EQ(point.x.size(), 32u);
    EXPECT_EQ(point.y.size(), 32u);
    // The uncompressed point of the SubjectPublicKeyInfo ends with 04 || X || Y.
    std::string spki = key.PublicKeyDer();
    EXPECT_EQ(spki.substr(spki.size() - 64), point.x + point.y);
}

TEST(JoseTest, Es384UsesTheLargerCurvesSize) {
    PrivateKey key = PrivateKey::Generate(KeySpec::Ec("secp384r1"));
    std::string signature = SignJwsEc(key, "x");
    EXPECT_EQ(signature.size(), 96u);
    EXPECT_TRUE(VerifyJwsEc(key, "x", signature));
    EXPECT_EQ(PublicPoint(key).curve, "P-384");
}

TEST(JoseTest, RsaKeyHasNoPoint) {
    PrivateKey key = PrivateKey::Generate(KeySpec::Rsa(2048));
    EXPECT_THROW(PublicPoint(key), core::Error);
}

}  // namespace
}  // namespace certos::crypto
