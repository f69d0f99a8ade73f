#include "core/id.hpp"

#include <gtest/gtest.h>

namespace certos::core {
namespace {

TEST(ObjectIdTest, PrintsStarAndUpperHex) {
    EXPECT_EQ(ObjectId(0).ToString(), "*0");
    EXPECT_EQ(ObjectId(1).ToString(), "*1");
    EXPECT_EQ(ObjectId(10).ToString(), "*A");
    EXPECT_EQ(ObjectId(26).ToString(), "*1A");
    EXPECT_EQ(ObjectId(0xFFFFFFFFFFFFFFFFull).ToString(), "*FFFFFFFFFFFFFFFF");
}

TEST(ObjectIdTest, ParsesEitherCaseAndRejectsGarbage) {
    EXPECT_EQ(ObjectId::Parse("*1A")->value(), 26u);
    EXPECT_EQ(ObjectId::Parse("*1a")->value(), 26u);
    EXPECT_EQ(ObjectId::Parse("*0")->value(), 0u);
    EXPECT_FALSE(ObjectId::Parse("1A"));
    EXPECT_FALSE(ObjectId::Parse("*"));
    EXPECT_FALSE(ObjectId::Parse("*G"));
    EXPECT_FALSE(ObjectId::Parse("*1 "));
    EXPECT_FALSE(ObjectId::Parse("*10000000000000000"));
}

TEST(ObjectIdTest, RoundTrips) {
    for (std::uint64_t v : {0ull, 1ull, 15ull, 16ull, 255ull, 4096ull, 123456789ull}) {
        EXPECT_EQ(ObjectId::Parse(ObjectId(v).ToString())->value(), v);
    }
}

}  // namespace
}  // namespace certos::core
