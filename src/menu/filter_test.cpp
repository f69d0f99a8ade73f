#include "menu/filter.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "menu/schema.hpp"

namespace certos::menu {
namespace {

using Op = Filter::Op;

Record Item(std::string name, std::string days, std::string trusted) {
    Record r;
    r.Set(".id", "*1");
    r.Set("name", std::move(name));
    r.Set("days-valid", std::move(days));
    r.Set("trusted", std::move(trusted));
    r.Set("expires-after", "1w2d");
    return r;
}

TEST(FilterTest, ComparesEqualityAndOrder) {
    Record r = Item("Server", "365", "true");
    EXPECT_TRUE(Filter::Compare(Op::kEq, "name", "Server").Matches(r));
    EXPECT_FALSE(Filter::Compare(Op::kEq, "name", "server").Matches(r));
    EXPECT_TRUE(Filter::Compare(Op::kNe, "name", "Client").Matches(r));
    EXPECT_TRUE(Filter::Compare(Op::kGt, "days-valid", "90").Matches(r));  // numeric, not text order
    EXPECT_TRUE(Filter::Compare(Op::kLt, "days-valid", "3650").Matches(r));
    EXPECT_TRUE(Filter::Compare(Op::kGt, "expires-after", "1w").Matches(r));  // durations
    EXPECT_TRUE(Filter::Compare(Op::kLe, "days-valid", "365").Matches(r));
    EXPECT_TRUE(Filter::Compare(Op::kIn, "name", "Client,Server").Matches(r));
}

TEST(FilterTest, RegexAndTruthiness) {
    Record r = Item("ServerCA", "365", "false");
    Filter regex = Filter::Compare(Op::kRegex, "name", "^Serv.*CA$");
    regex.Normalize({});
    EXPECT_TRUE(regex.Matches(r));
    EXPECT_FALSE(Filter::Unary(Op::kTruthy, "trusted").Matches(r));
    EXPECT_TRUE(Filter::Unary(Op::kHas, "trusted").Matches(r));
    EXPECT_TRUE(Filter::Unary(Op::kLacks, "revoked").Matches(r));
    Filter bad = Filter::Compare(Op::kRegex, "name", "(");
    EXPECT_THROW(bad.Normalize({}), core::Error);
}

TEST(FilterTest, LongRegexIsAnErrorNotAStackOverflow) {
    // libstdc++ compiles patterns by recursion: 100,000 nested groups overflowed the stack.
    Filter deep = Filter::Compare(Op::kRegex, "name", std::string(100000, '(') + "a" + std::string(100000, ')'));
    try {
        deep.Normalize({});
        ADD_FAILURE() << "accepted";
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()), "regular expression too long (more than 1000 characters)");
    }
    EXPECT_FALSE(deep.Matches(Item("a", "1", "false")));
    Filter at_bound = Filter::Compare(Op::kRegex, "name", std::string(499, '(') + "ab" + std::string(499, ')'));
    at_bound.Normalize({});
    EXPECT_TRUE(at_bound.Matches(Item("xaby", "1", "false")));
}

TEST(FilterTest, CombinesWithAndOrNot) {
    Record r = Item("Client", "30", "true");
    Filter f = Filter::Or(
        {Filter::And({Filter::Compare(Op::kEq, "name", "Client"), Filter::Not(Filter::Unary(Op::kTruthy, "trusted"))}),
         Filter::Compare(Op::kLt, "days-valid", "31")});
    EXPECT_TRUE(f.Matches(r));
    EXPECT_FALSE(Filter::Not(f).Matches(r));
    EXPECT_TRUE(Filter::And({}).Matches(r));
    EXPECT_FALSE(Filter::Or({}).Matches(r));
}

TEST(FilterTest, NormalizeUsesPropertyTypes) {
    PropertySpec trusted;
    trusted.name = "trusted";
    trusted.type = ValueType::kBool;
    Filter f = Filter::Compare(Op::kEq, "trusted", "yes");
    f.Normalize({trusted});
    EXPECT_EQ(f.value, "true");
    EXPECT_TRUE(f.Matches(Item("x", "1", "true")));
}

}  // namespace
}  // namespace certos::menu
