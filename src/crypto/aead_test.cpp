#include "crypto/aead.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/digest.hpp"

namespace certos::crypto {
namespace {

const std::string kKey(32, 'k');
const std::string kNonce(12, 'n');

TEST(AeadTest, OpensWhatItSealedAndNothingAltered) {
    std::string sealed = AeadSeal(kKey, kNonce, "secret text", "aad");
    EXPECT_EQ(sealed.size(), 11u + kAeadTagSize);
    EXPECT_EQ(sealed.find("secret"), std::string::npos);
    EXPECT_EQ(AeadOpen(kKey, kNonce, sealed, "aad"), "secret text");
    EXPECT_FALSE(AeadOpen(kKey, kNonce, sealed, "other aad").has_value());
    EXPECT_FALSE(AeadOpen(std::string(32, 'x'), kNonce, sealed, "aad").has_value());
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        std::string flipped = sealed;
        flipped[i] = static_cast<char>(flipped[i] ^ 1);
        EXPECT_FALSE(AeadOpen(kKey, kNonce, flipped, "aad").has_value()) << "byte " << i;
    }
    EXPECT_FALSE(AeadOpen(kKey, kNonce, "short", "aad").has_value());
    EXPECT_THROW(AeadSeal("short key", kNonce, "x", ""), core::Error);
}

TEST(AeadTest, ScryptMatchesRfc7914) {
    // RFC 7914 section 12, the third vector.
    std::string key = DeriveScryptKey("pleaseletmein", "SodiumChloride", ScryptParams{.n = 16384, .r = 8, .p = 1}, 64);
    EXPECT_EQ(HexLower(key),
              "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
              "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
}

TEST(AeadTest, ScryptRefusesParametersOpenSslRefuses) {
    EXPECT_THROW(DeriveScryptKey("pw", "salt", ScryptParams{.n = 1000, .r = 8, .p = 1}, 32), core::Error);
    // 128 * N * r = 2^31 bytes: over the memory bound.
    EXPECT_THROW(DeriveScryptKey("pw", "salt", ScryptParams{.n = 1u << 20, .r = 16, .p = 1}, 32), core::Error);
}

}  // namespace
}  // namespace certos::crypto
