#include "net/http.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace certos::net {
namespace {

TEST(HttpTest, PercentDecodesPathsAndQueries) {
    EXPECT_EQ(PercentDecode("a%20b%2Fc").value(), "a b/c");
    EXPECT_EQ(PercentDecode("a+b").value(), "a+b");
    EXPECT_EQ(PercentDecode("a+b", true).value(), "a b");
    EXPECT_FALSE(PercentDecode("a%2").has_value());
    EXPECT_FALSE(PercentDecode("a%zz").has_value());
    EXPECT_FALSE(PercentDecode("%").has_value());
}

TEST(HttpTest, PercentEncodesAllButUnreserved) {
    EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
    EXPECT_EQ(PercentEncode("MII+/w=="), "MII%2B%2Fw%3D%3D");
    EXPECT_EQ(PercentEncode(std::string("\x00\xff", 2)), "%00%FF");
    EXPECT_EQ(PercentDecode(PercentEncode("a b+c/d=")).value(), "a b+c/d=");
}

TEST(HttpTest, ParsesQueryStrings) {
    auto query = ParseQuery("name=a%20b&trusted=true&.proplist=name,skid&flag").value();
    ASSERT_EQ(query.size(), 4u);
    EXPECT_EQ(query[0], (std::pair<std::string, std::string>{"name", "a b"}));
    EXPECT_EQ(query[1], (std::pair<std::string, std::string>{"trusted", "true"}));
    EXPECT_EQ(query[2], (std::pair<std::string, std::string>{".proplist", "name,skid"}));
    EXPECT_EQ(query[3], (std::pair<std::string, std::string>{"flag", ""}));
    EXPECT_TRUE(ParseQuery("").value().empty());
    EXPECT_FALSE(ParseQuery("a=%G0").has_value());
}

TEST(HttpTest, ParsesBasicCredentials) {
    // "admin:s3cret:x" and "admin:" in base64, made with `printf ... | base64`.
    auto both = ParseBasicAuth("Basic YWRtaW46czNjcmV0Ong=").value();
    EXPECT_EQ(both.user, "admin");
    EXPECT_EQ(both.password, "s3cret:x");  // only the first ':' separates (RFC 7617 §2)
    auto empty = ParseBasicAuth("basic YWRtaW46").value();
    EXPECT_EQ(empty.user, "admin");
    EXPECT_EQ(empty.password, "");
    EXPECT_FALSE(ParseBasicAuth("Bearer YWRtaW46").has_value());
    EXPECT_FALSE(ParseBasicAuth("Basic !!!!").has_value());
    EXPECT_FALSE(ParseBasicAuth("Basic YWRtaW4=").has_value());  // "admin": no colon
    EXPECT_FALSE(ParseBasicAuth("Basic YWRt").has_value());      // "adm"
    EXPECT_FALSE(ParseBasicAuth("Basic").has_value());
}

TEST(HttpTest, FindsHeadersCaseInsensitively) {
    HttpRequest request;
    request.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}};
    EXPECT_EQ(request.Header("content-type").value(), "application/json");
    EXPECT_FALSE(request.Header("authorization").has_value());
}

TEST(HttpTest, ErrorBodiesAreRouterOsShaped) {
    auto body = nlohmann::json::parse(ErrorBody(400, "no such item"));
    EXPECT_EQ(body["error"], 400);
    EXPECT_EQ(body["message"], "Bad Request");
    EXPECT_EQ(body["detail"], "no such item");
    auto unauthorized = nlohmann::json::parse(ErrorBody(401));
    EXPECT_EQ(unauthorized.dump(), R"({"error":401,"message":"Unauthorized"})");
    EXPECT_EQ(ReasonPhrase(413), "Payload Too Large");
    EXPECT_EQ(ReasonPhrase(404), "Not Found");
}

}  // namespace
}  // namespace certos::net
