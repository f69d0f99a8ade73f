#include "rest/error_table.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace certos::rest {
namespace {

using core::ErrorCategory;

TEST(ErrorTableTest, EveryCategoryIsMapped) {
    for (ErrorCategory category : core::kAllErrorCategories) {
        auto mapping = FindRestError(category);
        ASSERT_TRUE(mapping.has_value()) << "category " << static_cast<int>(category) << " has no REST mapping";
        EXPECT_EQ(mapping->category, category);
        EXPECT_GE(mapping->status, 400);
        EXPECT_LT(mapping->status, 600);
    }
}

TEST(ErrorTableTest, CommandFailuresAreBadRequestsWithTheRouterOsText) {
    net::HttpResponse response = ErrorResponse(core::ArgumentError("unknown parameter foo"));
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(response.body, R"({"error":400,"message":"Bad Request","detail":"unknown parameter foo"})");
    EXPECT_EQ(ErrorResponse(core::Failure("x")).status, 400);
    EXPECT_EQ(ErrorResponse(core::NoSuchItem()).status, 400);
}

// The message of a kFailure error is plain; the table puts RouterOS's "failure: " before it, as the console does.
TEST(ErrorTableTest, FailuresGetTheFailurePrefix) {
    net::HttpResponse response = ErrorResponse(core::Failure("certificate with the same name already exists"));
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(
        response.body,
        R"({"error":400,"message":"Bad Request","detail":"failure: certificate with the same name already exists"})");
}

TEST(ErrorTableTest, AuthenticationIs401WithoutDetail) {
    net::HttpResponse response =
        ErrorResponse(core::Error(ErrorCategory::kAuthentication, "invalid user name or password (6)"));
    EXPECT_EQ(response.status, 401);
    EXPECT_EQ(response.body, R"({"error":401,"message":"Unauthorized"})");
    ASSERT_EQ(response.headers.size(), 1u);
    EXPECT_EQ(response.headers[0].first, "WWW-Authenticate");
}

TEST(ErrorTableTest, PermissionIs403WithTheApiText) {
    net::HttpResponse response = ErrorResponse(core::Error(ErrorCategory::kPermission, "not enough permissions (9)"));
    EXPECT_EQ(response.status, 403);
    auto body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["message"], "Forbidden");
    EXPECT_EQ(body["detail"], "not enough permissions (9)");
}

TEST(ErrorTableTest, InternalErrorsDoNotLeakTheirMessage) {
    net::HttpResponse response = ErrorResponse(core::Error(ErrorCategory::kInternal, "sqlite: disk I/O at /secret"));
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.body.find("secret"), std::string::npos);
    EXPECT_NE(response.body.find("failure: internal error"), std::string::npos);
}

TEST(ErrorTableTest, StatusResponsesWithoutDetail) {
    EXPECT_EQ(StatusResponse(404).body, R"({"error":404,"message":"Not Found"})");
    EXPECT_EQ(StatusResponse(406, "no such command or directory (remove)").body,
              R"x({"error":406,"message":"Not Acceptable","detail":"no such command or directory (remove)"})x");
}

}  // namespace
}  // namespace certos::rest
