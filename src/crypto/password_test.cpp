#include "crypto/password.hpp"

#include <gtest/gtest.h>

namespace certos::crypto {
namespace {

TEST(PasswordTest, HashVerifiesOnlyTheSamePassword) {
    std::string hash = HashPassword("s3cret");
    EXPECT_TRUE(hash.starts_with("pbkdf2-sha256$600000$"));
    EXPECT_EQ(hash.find("s3cret"), std::string::npos);
    EXPECT_TRUE(VerifyPassword("s3cret", hash));
    EXPECT_FALSE(VerifyPassword("s3cret ", hash));
    EXPECT_FALSE(VerifyPassword("", hash));
}

TEST(PasswordTest, SaltMakesEqualPasswordsHashDifferently) {
    EXPECT_NE(HashPassword("x"), HashPassword("x"));
    EXPECT_TRUE(VerifyPassword("", HashPassword("")));
}

TEST(PasswordTest, MalformedHashesNeverVerify) {
    for (const char* bad : {"", "plain", "pbkdf2-sha256$1$zz$00", "md5$1$00$00", "pbkdf2-sha256$0$00$"}) {
        EXPECT_FALSE(VerifyPassword("x", bad)) << bad;
    }
}

}  // namespace
}  // namespace certos::crypto
