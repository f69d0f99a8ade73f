#include "rest/rest_api.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <mutex>

#include "core/error.hpp"
#include "menu/auth.hpp"
#include "menu/item_menu.hpp"
#include "menu/policy.hpp"
#include "menu/test_tree.hpp"

namespace certos::rest {
namespace {

using nlohmann::json;

// Credentials of the fake authenticator: "admin:pw" (full), "reader:pw" (read group). The real one
// (menu::Logins, with the rest-api policy check and logins remembered across connections) is tested in menu.
constexpr const char* kAdmin = "Basic YWRtaW46cHc=";   // admin:pw
constexpr const char* kReader = "Basic cmVhZGVyOnB3";  // reader:pw
constexpr const char* kWrong = "Basic YWRtaW46eHg=";   // admin:xx

class RestApiTest : public ::testing::Test {
protected:
    RestApiTest() {
        RestOptions options;
        options.authenticate = [this](std::string_view user, std::string_view password, std::string_view) {
            ++logins_;
            menu::Session session;
            session.user = std::string(user);
            if (password == "pw" && user == "admin") {
                session.policies = menu::ParsePolicies(menu::kFullGroupPolicy);
            } else if (password == "pw" && user == "reader") {
                session.policies = menu::ParsePolicies(menu::kReadGroupPolicy);
            } else {
                throw core::Error(core::ErrorCategory::kAuthentication, "invalid user name or password (6)");
            }
            session.grant = std::make_shared<menu::Grant>();
            return session;
        };
        options.refresh = [this](menu::Session& session) {
            ++refreshes_;
            if (refreshed_policies_) {
                session.policies = *refreshed_policies_;
                session.grant = std::make_shared<menu::Grant>();
            }
            return refresh_valid_;
        };
        options.log = [this](std::string_view, std::string_view message) {
            std::lock_guard lock(mutex_);
            log_.emplace_back(message);
        };
        api_ = std::make_unique<RestApi>(fixture_.tree(), options);
    }

    net::HttpResponse Call(std::string method, std::string target, std::string body = {},
                           const char* authorization = kAdmin) {
        net::HttpRequest request;
        request.method = std::move(method);
        request.target = target;
        std::size_t question = target.find('?');
        request.path = target.substr(0, question);
        request.query = question == std::string::npos ? "" : target.substr(question + 1);
        if (authorization != nullptr) {
            request.headers.emplace_back("Authorization", authorization);
        }
        request.body = std::move(body);
        request.connection = connection_;
        net::HttpResponse response = net::Collected(api_->Handle(request));
        EXPECT_EQ(response.body.find("PRIVATE KEY"), std::string::npos) << "a private key in a response";
        return response;
    }

    json Ok(std::string method, std::string target, std::string body = {}) {
        net::HttpResponse response = Call(method, target, body);
        EXPECT_EQ(response.status, 200) << method << " " << target << ": " << response.body;
        return response.body.empty() ? json() : json::parse(response.body);
    }

    std::string Detail(const net::HttpResponse& response) { return json::parse(response.body).value("detail", ""); }

    menu::testing::TreeFixture fixture_;
    std::unique_ptr<RestApi> api_;
    std::shared_ptr<net::Connection> connection_ = std::make_shared<net::Connection>(1, "127.0.0.1", "www", false);
    int logins_ = 0;
    int refreshes_ = 0;
    bool refresh_valid_ = true;
    std::optional<menu::PolicySet> refreshed_policies_;
    std::mutex mutex_;
    std::vector<std::string> log_;
};

TEST_F(RestApiTest, MissingOrWrongCredentialsAre401) {
    net::HttpResponse none = Call("GET", "/rest/certificate", {}, nullptr);
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.body, R"({"error":401,"message":"Unauthorized"})");
    EXPECT_EQ(Call("GET", "/rest/certificate", {}, kWrong).status, 401);
    EXPECT_EQ(Call("GET", "/rest/certificate", {}, "Basic !!").status, 401);
    EXPECT_EQ(Call("GET", "/rest/nope", {}, nullptr).status, 401);  // authentication comes before the path
}

TEST_F(RestApiTest, ALoginIsRememberedOnItsConnection) {
    Ok("GET", "/rest/certificate");
    Ok("GET", "/rest/certificate");
    EXPECT_EQ(logins_, 1);
    EXPECT_EQ(Call("GET", "/rest/certificate", {}, kWrong).status, 401);  // other credentials are checked
    EXPECT_EQ(logins_, 2);
    Ok("GET", "/rest/certificate");  // and do not disturb the connection's login
    EXPECT_EQ(logins_, 2);
    // A new connection logs in again (menu::Logins remembers it across connections).
    connection_ = std::make_shared<net::Connection>(2, "127.0.0.1", "www", false);
    Ok("GET", "/rest/certificate");
    EXPECT_EQ(logins_, 3);
}

// Issue 12: a remembered login is refreshed before every request; a login no longer valid is checked again.
TEST_F(RestApiTest, ARememberedLoginIsRefreshedBeforeEveryRequest) {
    Ok("GET", "/rest/certificate");
    Ok("GET", "/rest/certificate");
    EXPECT_EQ(refreshes_, 1);
    refresh_valid_ = false;
    Ok("GET", "/rest/certificate");
    EXPECT_EQ(logins_, 2);  // the credentials were checked again
    refresh_valid_ = true;
    refreshed_policies_ = menu::ParsePolicies(menu::kReadGroupPolicy);  // the user's group lost `write`
    net::HttpResponse put = Call("PUT", "/rest/certificate", R"({"name":"a","common-name":"a"})");
    EXPECT_EQ(put.status, 403) << put.body;
    refreshed_policies_.reset();
    EXPECT_EQ(Call("PUT", "/rest/certificate", R"({"name":"a","common-name":"a"})").status, 403)
        << "the refreshed rights are what the connection keeps";
    EXPECT_EQ(logins_, 2);
}

TEST_F(RestApiTest, CrudOnCertificateTemplates) {
    EXPECT_EQ(Ok("GET", "/rest/certificate"), json::array());
    json created = Ok("PUT", "/rest/certificate", R"({"name":"srv","common-name":"server","days-valid":90,
        "key-usage":["tls-server","digital-signature"]})");
    EXPECT_EQ(created[".id"], "*1");
    EXPECT_EQ(created["name"], "srv");
    EXPECT_EQ(created["days-valid"], "90");
    EXPECT_EQ(created["key-usage"], "digital-signature,tls-server");
    for (const auto& [key, value] : created.items()) {
        EXPECT_TRUE(value.is_string()) << key;
    }
    EXPECT_EQ(Ok("GET", "/rest/certificate/*1")["name"], "srv");
    EXPECT_EQ(Ok("GET", "/rest/certificate/srv")[".id"], "*1");
    json updated = Ok("PATCH", "/rest/certificate/*1", R"({"common-name":"other","trusted":true})");
    EXPECT_EQ(updated["common-name"], "other");
    EXPECT_EQ(updated["trusted"], "true");
    EXPECT_EQ(Ok("GET", "/rest/certificate")[0]["common-name"], "other");

    net::HttpResponse removed = Call("DELETE", "/rest/certificate/*1");
    EXPECT_EQ(removed.status, 200);
    EXPECT_EQ(removed.body, "");
    net::HttpResponse again = Call("DELETE", "/rest/certificate/*1");
    EXPECT_EQ(again.status, 404);
    EXPECT_EQ(again.body, R"({"error":404,"message":"Not Found"})");
    EXPECT_EQ(Call("GET", "/rest/certificate/*1").status, 404);
    EXPECT_EQ(Call("GET", "/rest/certificate/srv").status, 404);
    EXPECT_EQ(Call("PATCH", "/rest/certificate/srv", R"({"trusted":"yes"})").status, 404);
}

TEST_F(RestApiTest, GetFiltersAndProplist) {
    Ok("PUT", "/rest/certificate", R"({"name":"a","common-name":"x"})");
    Ok("PUT", "/rest/certificate", R"({"name":"b","common-name":"x","days-valid":"30"})");
    Ok("PUT", "/rest/certificate", R"({"name":"c","common-name":"y"})");
    json list = Ok("GET", "/rest/certificate?common-name=x&days-valid=30&.proplist=name");
    EXPECT_EQ(list, json::parse(R"([{".id":"*2","name":"b"}])"));
    EXPECT_EQ(Ok("GET", "/rest/certificate/*3?.proplist=common-name"),
              json::parse(R"({".id":"*3","common-name":"y"})"));
    EXPECT_EQ(Ok("GET", "/rest/certificate?name=zzz"), json::array());
}

TEST_F(RestApiTest, PostPrintWithProplistAndQuery) {
    for (const char* name : {"a", "b", "c"}) {
        Ok("PUT", "/rest/certificate", std::string(R"({"name":")") + name + R"("})");
    }
    json both = Ok("POST", "/rest/certificate/print", R"({".proplist":["name"],".query":["name=a","name=c","#|"]})");
    EXPECT_EQ(both, json::parse(R"([{"name":"a"},{"name":"c"}])"));
    json not_b = Ok("POST", "/rest/certificate/print", R"({".proplist":"name,.id",".query":["name=b","#!"]})");
    EXPECT_EQ(not_b.size(), 2u);
    EXPECT_EQ(Ok("POST", "/rest/certificate/print", R"({"count-only":""})"), json::parse(R"({"ret":"3"})"));
    EXPECT_EQ(Ok("POST", "/rest/certificate/print"), Ok("GET", "/rest/certificate"));
}

TEST_F(RestApiTest, PostRunsVerbsWithTheirArguments) {
    json template_ = Ok("PUT", "/rest/certificate", R"({"name":"ca","common-name":"ca","key-size":"prime256v1"})");
    // sign answers its final status, as RouterOS's monitor commands do (docs/rest.md).
    EXPECT_EQ(Ok("POST", "/rest/certificate/sign", R"({"number":"ca"})"), json::parse(R"([{"progress":"done"}])"));
    json signed_ = Ok("GET", "/rest/certificate/ca");
    EXPECT_EQ(signed_["private-key"], "true");
    EXPECT_EQ(signed_["authority"], "true");
    EXPECT_EQ(signed_[".id"], template_[".id"]);
    Ok("POST", "/rest/certificate/export-certificate", R"({"numbers":"ca","type":"pkcs12"})");
    json files = Ok("GET", "/rest/file");
    EXPECT_GE(files.size(), 1u);  // Call() checks that no response carries a key
    EXPECT_EQ(Ok("POST", "/rest/certificate/find", R"({"name":"ca"})"), json::parse(R"({"ret":"*1"})"));
}

TEST_F(RestApiTest, SingleEntryMenusAreObjects) {
    json settings = Ok("GET", "/rest/certificate/settings");
    ASSERT_TRUE(settings.is_object());
    EXPECT_EQ(settings["crl-use"], "false");
    Ok("POST", "/rest/certificate/settings/set", R"({"crl-use":"yes"})");
    EXPECT_EQ(Ok("GET", "/rest/certificate/settings")["crl-use"], "true");
    EXPECT_EQ(Ok("PATCH", "/rest/certificate/settings", R"({"crl-use":false})")["crl-use"], "false");
}

TEST_F(RestApiTest, BadInputIsA400WithTheTreeText) {
    net::HttpResponse unknown = Call("PUT", "/rest/certificate", R"({"name":"x","colour":"red"})");
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(Detail(unknown), "unknown parameter colour");
    net::HttpResponse malformed = Call("PUT", "/rest/certificate", R"({"name":)");
    EXPECT_EQ(malformed.status, 400);
    EXPECT_EQ(Detail(malformed).substr(0, 13), "invalid JSON:");
    net::HttpResponse wrong_type = Call("PUT", "/rest/certificate", R"({"name":"x","days-valid":"soon"})");
    EXPECT_EQ(wrong_type.status, 400);
    EXPECT_NE(Detail(wrong_type).find("days-valid"), std::string::npos);
    net::HttpResponse nested = Call("PUT", "/rest/certificate", R"({"name":{"a":1}})");
    EXPECT_EQ(nested.status, 400);
    EXPECT_EQ(Detail(nested), "invalid value for argument name");
    EXPECT_EQ(Detail(Call("GET", "/rest/nope")), "no such command or directory (nope)");
    EXPECT_EQ(Detail(Call("POST", "/rest/certificate/fly")), "no such command or directory (fly)");
    EXPECT_EQ(Ok("GET", "/rest/certificate"), json::array());  // nothing was created
}

TEST_F(RestApiTest, PoliciesAreEnforcedByTheTree) {
    net::HttpResponse denied = Call("PUT", "/rest/certificate", R"({"name":"x"})", kReader);
    EXPECT_EQ(denied.status, 403);
    EXPECT_EQ(Detail(denied), "not enough permissions (9)");
    EXPECT_EQ(Call("GET", "/rest/certificate", {}, kReader).status, 200);
}

TEST_F(RestApiTest, DeleteWithoutRemoveIsNotAcceptable) {
    Ok("POST", "/rest/log/info", R"({"message":"hello"})");
    json log = Ok("GET", "/rest/log");
    ASSERT_FALSE(log.empty());
    std::string id = log.back()[".id"];
    net::HttpResponse response = Call("DELETE", "/rest/log/" + id);
    EXPECT_EQ(response.status, 406);
    EXPECT_EQ(Detail(response), "no such command or directory (remove)");
    // A single-entry menu has nothing to remove either (issue 16).
    response = Call("DELETE", "/rest/certificate/settings");
    EXPECT_EQ(response.status, 406);
    EXPECT_EQ(Detail(response), "no such command or directory (remove)");
}

// Issue 11: the tree audits each change (menu/audit.hpp); REST only makes the requests.
TEST_F(RestApiTest, ChangesAreAuditedOnceWithoutArgumentValues) {
    Ok("PUT", "/rest/certificate", R"({"name":"ca","common-name":"ca","key-size":"prime256v1"})");
    Ok("POST", "/rest/certificate/sign", R"({"number":"ca"})");
    Ok("PATCH", "/rest/certificate/ca", R"({"trusted":"no"})");
    Ok("POST", "/rest/certificate/export-certificate", R"({"numbers":"ca","export-passphrase":"s3cret-phrase"})");
    Ok("GET", "/rest/certificate");
    Ok("POST", "/rest/certificate/print", "{}");
    Call("DELETE", "/rest/certificate/ca");
    std::vector<std::string> audit;
    for (const menu::Record& r : fixture_.Run("/log", "print").records) {
        audit.push_back(r.GetOr("message"));
    }
    EXPECT_EQ(audit, (std::vector<std::string>{
                         "certificate ca added by admin (rest-api 127.0.0.1)",
                         "certificate sign ca by admin (rest-api 127.0.0.1)",
                         "certificate ca changed by admin (rest-api 127.0.0.1)",
                         "certificate export-certificate ca by admin (rest-api 127.0.0.1)",
                         "certificate ca removed by admin (rest-api 127.0.0.1)",
                     }));
    EXPECT_TRUE(log_.empty());  // REST writes no audit of its own
}

TEST_F(RestApiTest, HeadIsNotImplemented) { EXPECT_EQ(Call("HEAD", "/rest/certificate").status, 501); }

}  // namespace
}  // namespace certos::rest
