#include "crypto/digest.hpp"

#include "crypto/base64.hpp"

#include <gtest/gtest.h>

namespace certos::crypto {
namespace {

TEST(DigestTest, ParsesExactlyTheRouterOsNames) {
    for (std::string_view name : kDigestNames) {
        auto alg = ParseDigestAlgorithm(name);
        ASSERT_TRUE(alg.has_value()) << name;
        EXPECT_EQ(DigestName(*alg), name);
    }
    EXPECT_EQ(ParseDigestAlgorithm("sha256"), DigestAlgorithm::kSha256);
    EXPECT_FALSE(ParseDigestAlgorithm("SHA256").has_value());
    EXPECT_FALSE(ParseDigestAlgorithm("sha224").has_value());
    EXPECT_FALSE(ParseDigestAlgorithm("").has_value());
}

// FIPS 180-4 / RFC 1321 test vectors for "abc".
TEST(DigestTest, MatchesPublishedVectors) {
    EXPECT_EQ(HexLower(Digest(DigestAlgorithm::kMd5, "abc")), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(HexLower(Digest(DigestAlgorithm::kSha1, "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(HexLower(Digest(DigestAlgorithm::kSha256, "abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(HexLower(Digest(DigestAlgorithm::kSha384, "abc")),
              "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
              "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
    EXPECT_EQ(HexLower(Digest(DigestAlgorithm::kSha512, "abc")),
              "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    EXPECT_EQ(HexLower(Digest(DigestAlgorithm::kSha256, "")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(DigestTest, HexEncodesEveryByte) {
    std::string bytes("\x00\x0f\xa5\xff", 4);
    EXPECT_EQ(HexLower(bytes), "000fa5ff");
    EXPECT_EQ(HexUpper(bytes), "000FA5FF");
    EXPECT_EQ(HexLower(""), "");
}

TEST(DigestTest, FromHexDecodesEitherCaseAndRefusesTheRest) {
    EXPECT_EQ(FromHex("000fa5ff"), std::string("\x00\x0f\xa5\xff", 4));
    EXPECT_EQ(FromHex("000FA5FF"), std::string("\x00\x0f\xa5\xff", 4));
    EXPECT_EQ(FromHex(""), "");
    EXPECT_FALSE(FromHex("abc").has_value());
    EXPECT_FALSE(FromHex("0g").has_value());
    EXPECT_FALSE(FromHex("+1").has_value());
    EXPECT_FALSE(FromHex("-1").has_value());
}

// RFC 4648 §10's vectors, both ways; decoding refuses what is not padded base64.
TEST(Base64Test, MatchesRfc4648AndRefusesTheRest) {
    const std::pair<std::string_view, std::string_view> vectors[] = {{"f", "Zg=="},         {"fo", "Zm8="},
                                                                     {"foo", "Zm9v"},       {"foob", "Zm9vYg=="},
                                                                     {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [bytes, text] : vectors) {
        EXPECT_EQ(ToBase64(bytes), text);
        EXPECT_EQ(FromBase64(text), std::string(bytes));
    }
    EXPECT_EQ(ToBase64(""), "");
    EXPECT_FALSE(FromBase64("").has_value());
    EXPECT_FALSE(FromBase64("Zm9").has_value());
    EXPECT_FALSE(FromBase64("Zm9*").has_value());
}

}  // namespace
}  // namespace certos::crypto
