#include "modules/acme.hpp"

#include <gtest/gtest.h>

namespace certos::modules {
namespace {

net::HttpRequest Request(std::string method, std::string path) {
    net::HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.target = request.path;
    return request;
}

AcmeModule Module(std::vector<std::string>* asked) {
    AcmePorts ports;
    ports.challenge = [asked](std::string_view token) -> std::optional<std::string> {
        asked->emplace_back(token);
        if (token == "tok_en-1") {
            return std::string("tok_en-1.thumbprint");
        }
        return std::nullopt;
    };
    ports.renew_due = [](system::TimePoint) { return std::vector<std::string>{}; };
    ports.log = [](std::string_view, std::string_view) {};
    return AcmeModule(std::move(ports));
}

TEST(AcmeModuleTest, AnswersKnownTokensOnly) {
    std::vector<std::string> asked;
    AcmeModule module = Module(&asked);
    net::HttpResponse found = module.Serve(Request("GET", "/.well-known/acme-challenge/tok_en-1"));
    EXPECT_EQ(found.status, 200);
    EXPECT_EQ(found.body, "tok_en-1.thumbprint");
    EXPECT_EQ(found.content_type, "application/octet-stream");
    EXPECT_EQ(module.Serve(Request("GET", "/.well-known/acme-challenge/other")).status, 404);
    // Not base64url: never looked up.
    EXPECT_EQ(module.Serve(Request("GET", "/.well-known/acme-challenge/../etc")).status, 404);
    EXPECT_EQ(module.Serve(Request("GET", "/.well-known/acme-challenge/")).status, 404);
    EXPECT_EQ(asked, (std::vector<std::string>{"tok_en-1", "other"}));
    EXPECT_EQ(module.Serve(Request("POST", "/.well-known/acme-challenge/tok_en-1")).status, 405);
}

TEST(AcmeModuleTest, ContributesTheRouteAndTheRenewalJob) {
    std::vector<std::string> asked;
    AcmeModule module = Module(&asked);
    std::vector<Route> routes = module.Routes();
    ASSERT_EQ(routes.size(), 1u);
    EXPECT_EQ(routes[0].prefix, "/.well-known/acme-challenge/");
    std::vector<system::Job> jobs = module.Jobs();
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].name, "acme-renewal");
    EXPECT_EQ(jobs[0].interval, std::chrono::hours(1));
    EXPECT_TRUE(jobs[0].shared);
}

}  // namespace
}  // namespace certos::modules
