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

}  // namespace
}  // namespace certos::menu
