#include "modules/scep.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace certos::modules {
namespace {

net::HttpRequest Request(std::string method, std::string query, std::string body = {}) {
    net::HttpRequest request;
    request.method = std::move(method);
    request.path = "/scep/test";
    request.query = std::move(query);
    request.target = request.path + "?" + request.query;
    request.body = std::move(body);
    return request;
}

// Module answers every query with 200 and records what the server port was asked.
ScepModule Module(std::vector<ScepQuery>* asked) {
    return ScepModule(ScepPorts{[asked](const ScepQuery& query) {
        asked->push_back(query);
        return ScepAnswer{200, "application/x-pki-message", "reply"};
    }});
}

TEST(ScepModuleTest, DecodesOperationsAndMessages) {
    std::vector<ScepQuery> asked;
    ScepModule module = Module(&asked);
    EXPECT_EQ(module.Serve(Request("GET", "operation=GetCACert&message=ca")).status, 200);
    // GET: base64 in the query, '+' arriving as a space when a client did not percent-encode it.
    EXPECT_EQ(module.Serve(Request("GET", "operation=PKIOperation&message=AAE+")).status, 200);
    EXPECT_EQ(module.Serve(Request("GET", "operation=PKIOperation&message=AAE%2B")).status, 200);
    net::HttpResponse posted = module.Serve(Request("POST", "operation=PKIOperation", std::string("\x30\x00", 2)));
    EXPECT_EQ(posted.status, 200);
    EXPECT_EQ(posted.body, "reply");
    EXPECT_EQ(posted.content_type, "application/x-pki-message");
    ASSERT_EQ(asked.size(), 4u);
    EXPECT_EQ(asked[0].path, "/scep/test");
    EXPECT_EQ(asked[0].operation, "GetCACert");
    EXPECT_EQ(asked[0].message, "ca");
    EXPECT_EQ(asked[1].message, std::string("\x00\x01\x3e", 3));
    EXPECT_EQ(asked[2].message, std::string("\x00\x01\x3e", 3));
    EXPECT_EQ(asked[3].message, std::string("\x30\x00", 2));
}

TEST(ScepModuleTest, RefusesWhatIsNoScepRequestWithoutAskingTheServer) {
    std::vector<ScepQuery> asked;
    ScepModule module = Module(&asked);
    EXPECT_EQ(module.Serve(Request("GET", "")).status, 400);
    EXPECT_EQ(module.Serve(Request("GET", "operation=PKIOperation&message=!!")).status, 400);
    EXPECT_EQ(module.Serve(Request("GET", "operation=PKIOperation&message=%zz")).status, 400);
    EXPECT_EQ(module.Serve(Request("POST", "operation=GetCACert")).status, 405);
    EXPECT_EQ(module.Serve(Request("PUT", "operation=PKIOperation")).status, 405);
    EXPECT_TRUE(asked.empty());
}

TEST(ScepModuleTest, OnlyPkiOperationIsSlow) {
    std::vector<ScepQuery> asked;
    ScepModule module = Module(&asked);
    std::vector<Route> routes = module.Routes();
    ASSERT_EQ(routes.size(), 1u);
    EXPECT_EQ(routes[0].prefix, "/scep/");
    EXPECT_TRUE(routes[0].slow(Request("POST", "operation=PKIOperation")));
    EXPECT_FALSE(routes[0].slow(Request("GET", "operation=GetCACaps")));
}

}  // namespace
}  // namespace certos::modules
