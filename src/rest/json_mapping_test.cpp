#include "rest/json_mapping.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace certos::rest {
namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

std::string ErrorOf(std::string_view body) {
    try {
        ParseBody(body);
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kArgument);
        return e.what();
    }
    return "accepted";
}

TEST(JsonMappingTest, ValuesBecomeArgumentText) {
    BodyArguments body =
        ParseBody(R"({"name":"srv","days-valid":90,"trusted":true,"big":18446744073709551615,"neg":-1,"whole":3.0,)"
                  R"("half":1.5,"none":null,"key-usage":["tls-server","tls-client"],"flags":[true,2]})");
    EXPECT_EQ(body.args, (Args{{"name", "srv"},
                               {"days-valid", "90"},
                               {"trusted", "true"},
                               {"big", "18446744073709551615"},
                               {"neg", "-1"},
                               {"whole", "3"},
                               {"half", "1.5"},
                               {"none", ""},
                               {"key-usage", "tls-server,tls-client"},
                               {"flags", "true,2"}}));
    EXPECT_TRUE(body.proplist.empty());
    EXPECT_FALSE(body.filter.has_value());
}

TEST(JsonMappingTest, EmptyBodyHasNoArguments) {
    EXPECT_TRUE(ParseBody("").args.empty());
    EXPECT_TRUE(ParseBody(" \r\n").args.empty());
    EXPECT_TRUE(ParseBody("{}").args.empty());
}

TEST(JsonMappingTest, ProplistAndQuery) {
    EXPECT_EQ(ParseBody(R"({".proplist":"name,skid"})").proplist, (std::vector<std::string>{"name", "skid"}));
    BodyArguments body = ParseBody(R"({".proplist":["name","skid"],".query":["name=a","name=b","#|"]})");
    EXPECT_EQ(body.proplist, (std::vector<std::string>{"name", "skid"}));
    ASSERT_TRUE(body.filter.has_value());
    menu::Record a;
    a.Set("name", "a");
    menu::Record c;
    c.Set("name", "c");
    EXPECT_TRUE(body.filter->Matches(a));
    EXPECT_FALSE(body.filter->Matches(c));
    EXPECT_TRUE(body.args.empty());
}

TEST(JsonMappingTest, RejectsMalformedBodies) {
    EXPECT_EQ(ErrorOf("{\"name\":").substr(0, 13), "invalid JSON:");
    EXPECT_EQ(ErrorOf("[1,2]"), "invalid JSON: expected an object");
    EXPECT_EQ(ErrorOf("\"x\""), "invalid JSON: expected an object");
    EXPECT_EQ(ErrorOf(R"({"days-valid":{"a":1}})"), "invalid value for argument days-valid");
    EXPECT_EQ(ErrorOf(R"({"key-usage":[["a"]]})"), "invalid value for argument key-usage");
    EXPECT_EQ(ErrorOf(R"({".query":"name=a"})"), "invalid value for argument .query");
    EXPECT_EQ(ErrorOf(R"({".query":[1]})"), "invalid value for argument .query");
    EXPECT_EQ(ErrorOf(R"({".proplist":5})"), "invalid value for argument .proplist");
    EXPECT_EQ(ErrorOf(R"({".query":["#x"]})"), "invalid query word #x");
}

TEST(JsonMappingTest, RendersRecordsAsObjectsOfStrings) {
    menu::Record record;
    record.Set(".id", "*1");
    record.Set("name", "a \"quoted\" name\\");
    record.Set("common-name", "caf\xc3\xa9");
    record.Set("trusted", "true");
    std::string json = RecordJson(record);
    EXPECT_EQ(json, R"({".id":"*1","name":"a \"quoted\" name\\","common-name":"café","trusted":"true"})");
    auto parsed = nlohmann::json::parse(RecordsJson({record, record}));
    ASSERT_TRUE(parsed.is_array());
    EXPECT_EQ(parsed.size(), 2u);
    EXPECT_EQ(parsed[1]["name"], "a \"quoted\" name\\");
    EXPECT_EQ(RecordsJson({}), "[]");
    EXPECT_EQ(RecordJson(menu::Record()), "{}");
    EXPECT_EQ(RetJson("*5"), R"({"ret":"*5"})");
}

TEST(JsonMappingTest, InvalidUtf8IsReplacedNotThrown) {
    menu::Record record;
    record.Set("name", "bad\xff");
    EXPECT_NO_THROW(nlohmann::json::parse(RecordJson(record)));
}

TEST(JsonMappingTest, DeeplyNestedBodiesAndQueryFloodsAreErrors) {
    // nlohmann parses and frees without recursion; the body is then refused as not an object / nested array.
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_EQ(ErrorOf(deep), "invalid JSON: expected an object");
    EXPECT_EQ(ErrorOf("{\"a\":" + deep + "}"), "invalid value for argument a");
    EXPECT_EQ(ErrorOf("{\".query\":" + deep + "}"), "invalid value for argument .query");
    // 20,000 `#!` overflowed the stack in Filter::Normalize; now the query is refused while it is parsed.
    std::string flood = "{\".query\":[";
    for (int i = 0; i < 20000; ++i) {
        flood += std::string(i == 0 ? "" : ",") + "\"#!\"";
    }
    flood += "]}";
    EXPECT_EQ(ErrorOf(flood), "query nested too deeply (more than 100 levels)");
}

}  // namespace
}  // namespace certos::rest
