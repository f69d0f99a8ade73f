#include "menu/api_query.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::menu {
namespace {

Record Item(std::string id, std::string name, std::string days, bool with_ca) {
    Record r;
    r.Set(".id", std::move(id));
    r.Set("name", std::move(name));
    r.Set("days-valid", std::move(days));
    if (with_ca) {
        r.Set("ca", "root");
    }
    return r;
}

// Names of the items a query matches, in order.
std::string Matching(const std::vector<std::string>& words) {
    std::vector<Record> items = {Item("*1", "a", "30", false), Item("*A", "b", "365", true),
                                 Item("*B", "c", "3650", true)};
    Filter filter = ParseApiQuery(words);
    std::string out;
    for (const Record& item : items) {
        if (filter.Matches(item)) {
            out += item.GetOr("name");
        }
    }
    return out;
}

TEST(ApiQueryTest, EmptyQueryMatchesEverything) { EXPECT_EQ(Matching({}), "abc"); }

TEST(ApiQueryTest, EqualityInBothSpellings) {
    EXPECT_EQ(Matching({"?name=b"}), "b");
    EXPECT_EQ(Matching({"?=name=b"}), "b");  // librouteros' form
    EXPECT_EQ(Matching({"name=b"}), "b");    // REST `.query` words carry no '?'
}

TEST(ApiQueryTest, WordsWithoutOperationsAreAnded) {
    EXPECT_EQ(Matching({"?ca", "?days-valid=365"}), "b");
    EXPECT_EQ(Matching({"?name=a", "?name=b"}), "");
}

TEST(ApiQueryTest, PresenceAndAbsence) {
    EXPECT_EQ(Matching({"?ca"}), "bc");
    EXPECT_EQ(Matching({"?-ca"}), "a");
}

TEST(ApiQueryTest, OrderingComparesNumbers) {
    EXPECT_EQ(Matching({"?>days-valid=100"}), "bc");
    EXPECT_EQ(Matching({"?<days-valid=365"}), "a");
}

TEST(ApiQueryTest, StackOperations) {
    EXPECT_EQ(Matching({"?name=a", "?name=c", "?#|"}), "ac");
    EXPECT_EQ(Matching({"?=name=a", "?#!"}), "bc");            // librouteros' "not equal"
    EXPECT_EQ(Matching({"?name=a", "?name=b", "?#|!"}), "c");  // MT-API's "not ether or vlan" pattern
    EXPECT_EQ(Matching({"?ca", "?name=c", "?#&"}), "c");
    EXPECT_EQ(Matching({"?name=b", "?#.&"}), "b");             // a copy of the top
    EXPECT_EQ(Matching({"?name=b", "?#0&"}), "b");             // index 0 is the top
    EXPECT_EQ(Matching({"?name=a", "?name=b", "?#1|"}), "a");  // [a, b, a] -> [a, b|a] -> a
    EXPECT_EQ(Matching({"#|"}), "abc");                        // popping an empty stack gives true
}

TEST(ApiQueryTest, CanonicalisesIds) {
    EXPECT_EQ(Matching({"?.id=*a"}), "b");
    EXPECT_EQ(Matching({"?.id=*0000B"}), "c");
}

TEST(ApiQueryTest, RejectsMalformedWords) {
    for (const std::vector<std::string>& words :
         std::vector<std::vector<std::string>>{{"?"}, {""}, {"?#x"}, {"?=name"}, {"?<=x"}, {"?-"}}) {
        try {
            ParseApiQuery(words);
            ADD_FAILURE() << "accepted " << words.front();
        } catch (const core::Error& e) {
            EXPECT_EQ(e.category(), core::ErrorCategory::kArgument);
            EXPECT_NE(std::string(e.what()).find("invalid query word"), std::string::npos);
        }
    }
}

// ErrorText is the message of the error ParseApiQuery throws for `words`, "" when it accepts them.
std::string ErrorText(const std::vector<std::string>& words) {
    try {
        ParseApiQuery(words);
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kArgument);
        return e.what();
    }
    return "";
}

TEST(ApiQueryTest, OperatorFloodsAreErrorsNotStackOverflows) {
    // 20,000 `#!` nested 20,000 NOTs and overflowed the stack in Filter::Normalize (and its destructor).
    EXPECT_EQ(ErrorText(std::vector<std::string>(20000, "?#!")), "query nested too deeply (more than 100 levels)");
    EXPECT_EQ(ErrorText({"?#" + std::string(20000, '!')}), "query nested too deeply (more than 100 levels)");
    EXPECT_EQ(ErrorText(std::vector<std::string>(20000, "?#&")), "query too long (more than 10000 terms)");
    EXPECT_EQ(ErrorText(std::vector<std::string>(20000, "?#|")), "query too long (more than 10000 terms)");
    EXPECT_EQ(ErrorText({"?name=a", "?#" + std::string(20000, '|')}), "query too long (more than 10000 terms)");
    // `#.&` doubles the top: 40 of them would have built 2^40 nodes.
    EXPECT_EQ(ErrorText({"?name=a", "?#.&.&.&.&.&.&.&.&.&.&.&.&.&.&.&.&.&.&.&.&"}),
              "query too long (more than 10000 terms)");
    // Alternating AND and OR nests for real: bounded by depth.
    std::vector<std::string> alternating = {"?name=a"};
    for (int i = 0; i < 200; ++i) {
        alternating.push_back("?name=b");
        alternating.push_back(i % 2 == 0 ? "?#|" : "?#&");
    }
    EXPECT_EQ(ErrorText(alternating), "query nested too deeply (more than 100 levels)");
}

TEST(ApiQueryTest, LongAnyOfChainsStayFlat) {
    // librouteros' Or(...) of many values is `?=name=v1 ?=name=v2 ?#| ?=name=v3 ?#| ...`: one OR, not 999 levels.
    std::vector<std::string> words = {"?=name=x0"};
    for (int i = 1; i < 1000; ++i) {
        words.push_back("?=name=x" + std::to_string(i));
        words.push_back("?#|");
    }
    words.push_back("?=name=b");
    words.push_back("?#|");
    Filter filter = ParseApiQuery(words);
    EXPECT_EQ(filter.op, Filter::Op::kOr);
    EXPECT_EQ(filter.children.size(), 1001u);
    EXPECT_EQ(Matching(words), "b");
    EXPECT_EQ(Matching({"?name=a", "?name=b", "?name=c", "?#||"}), "abc");
    EXPECT_EQ(Matching({"?ca", "?name=b", "?#&", "?name=c", "?#&"}), "");
    EXPECT_EQ(Matching({"?ca", "?name=b", "?#&", "?ca", "?#&"}), "b");
}

}  // namespace
}  // namespace certos::menu
