#include "core/value.hpp"

#include <gtest/gtest.h>

namespace certos::core {
namespace {

TEST(ValueTest, ParsesBothBooleanSpellings) {
    EXPECT_EQ(ParseBool("yes"), true);
    EXPECT_EQ(ParseBool("TRUE"), true);
    EXPECT_EQ(ParseBool("no"), false);
    EXPECT_EQ(ParseBool("false"), false);
    EXPECT_FALSE(ParseBool("1").has_value());
    EXPECT_FALSE(ParseBool("").has_value());
}

TEST(ValueTest, SplitsAndJoinsLists) {
    EXPECT_TRUE(SplitList("").empty());
    EXPECT_EQ(SplitList("a,b,,c"), (std::vector<std::string>{"a", "b", "", "c"}));
    EXPECT_EQ(JoinList({"x", "y"}), "x,y");
    EXPECT_EQ(ToUpperAscii("ab-Z"), "AB-Z");
    EXPECT_EQ(ToLowerAscii("AB-z"), "ab-z");
}

}  // namespace
}  // namespace certos::core
