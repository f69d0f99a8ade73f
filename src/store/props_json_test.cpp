#include "store/props_json.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::store {
namespace {

TEST(PropsJsonTest, RoundTripsEscapesAndUnicode) {
    std::map<std::string, std::string> props = {
        {"common-name", "ex\"ample\\ \n\t\x01"}, {"organization", "R\xc4\x93zekne"}, {"empty", ""}};
    std::string text = PropsToJson(props);
    EXPECT_EQ(PropsFromJson(text), props);
    EXPECT_EQ(PropsFromJson("{}"), (std::map<std::string, std::string>{}));
}

TEST(PropsJsonTest, RefusesAnythingButAnObjectOfStrings) {
    for (std::string_view bad : {"", "[]", "\"x\"", "{\"a\":1}", "{\"a\":null}", "{\"a\":true}", "{\"a\":[\"b\"]}",
                                 "{\"a\":{\"b\":\"c\"}}", "{\"a\":\"b\"", "{\"a\":\"b\"} x", "{\"a\":\"\\ud800\"}"}) {
        EXPECT_EQ(PropsFromJson(bad), std::nullopt) << bad;
    }
}

TEST(PropsJsonTest, RefusesValuesThatAreNotUtf8) { EXPECT_THROW(PropsToJson({{"name", "\xff"}}), core::Error); }

}  // namespace
}  // namespace certos::store
