#include "rest/route.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "menu/test_tree.hpp"

namespace certos::rest {
namespace {

class RouteTest : public ::testing::Test {
protected:
    RestRoute Resolve(std::string_view method, std::string_view path) {
        return ResolveRoute(fixture_.tree(), method, path);
    }

    // ErrorOf returns the error text of a request that must fail (always category kMissingItem: 400).
    std::string ErrorOf(std::string_view method, std::string_view path) {
        try {
            Resolve(method, path);
        } catch (const core::Error& e) {
            EXPECT_EQ(e.category(), core::ErrorCategory::kMissingItem);
            return e.what();
        }
        return "resolved";
    }

    menu::testing::TreeFixture fixture_;
};

TEST_F(RouteTest, GetOnAMenuPrints) {
    RestRoute route = Resolve("GET", "/certificate");
    EXPECT_EQ(route.action, RestAction::kPrint);
    EXPECT_EQ(route.menu->path, "/certificate");
    EXPECT_EQ(Resolve("GET", "/certificate/").menu->path, "/certificate");
    EXPECT_EQ(Resolve("GET", "/ip/service").menu->path, "/ip/service");
}

TEST_F(RouteTest, GetOnAnItemByIdOrName) {
    RestRoute by_id = Resolve("GET", "/certificate/*a");
    EXPECT_EQ(by_id.action, RestAction::kGet);
    EXPECT_EQ(by_id.item, "*A");
    RestRoute by_name = Resolve("GET", "/certificate/Server%20CA");
    EXPECT_EQ(by_name.action, RestAction::kGet);
    EXPECT_EQ(by_name.item, "Server CA");
    EXPECT_EQ(Resolve("GET", "/certificate/a%2Fb").item, "a/b");  // an encoded '/' stays in the name
}

TEST_F(RouteTest, LongestMenuPrefixThenVerb) {
    RestRoute settings = Resolve("GET", "/certificate/settings");
    EXPECT_EQ(settings.action, RestAction::kPrint);
    EXPECT_EQ(settings.menu->path, "/certificate/settings");
    RestRoute set = Resolve("POST", "/certificate/settings/set");
    EXPECT_EQ(set.action, RestAction::kCommand);
    EXPECT_EQ(set.menu->path, "/certificate/settings");
    EXPECT_EQ(set.verb, "set");
    RestRoute sign = Resolve("POST", "/certificate/sign");
    EXPECT_EQ(sign.menu->path, "/certificate");
    EXPECT_EQ(sign.verb, "sign");
}

TEST_F(RouteTest, MethodsMapOntoListVerbs) {
    EXPECT_EQ(Resolve("PUT", "/certificate").action, RestAction::kAdd);
    RestRoute set = Resolve("PATCH", "/certificate/*1");
    EXPECT_EQ(set.action, RestAction::kSet);
    EXPECT_EQ(set.item, "*1");
    RestRoute single = Resolve("PATCH", "/certificate/settings");
    EXPECT_EQ(single.action, RestAction::kSet);
    EXPECT_EQ(single.item, "");
    RestRoute remove = Resolve("DELETE", "/certificate/srv");
    EXPECT_EQ(remove.action, RestAction::kRemove);
    EXPECT_EQ(remove.item, "srv");
}

TEST_F(RouteTest, DirectoryMenuVerbsRouteAsCommands) {
    RestRoute exported = Resolve("POST", "/system/export");  // /system holds menus and its one verb, export
    EXPECT_EQ(exported.menu->path, "/system");
    EXPECT_EQ(exported.action, RestAction::kCommand);
    EXPECT_EQ(exported.verb, "export");
}

TEST_F(RouteTest, RouterOsErrorTexts) {
    EXPECT_EQ(ErrorOf("GET", "/nope"), "no such command or directory (nope)");
    EXPECT_EQ(ErrorOf("GET", "/system/nope"), "no such command or directory (nope)");  // as the API says it
    EXPECT_EQ(ErrorOf("POST", "/system/nope"), "no such command or directory (nope)");
    EXPECT_EQ(ErrorOf("GET", "/certificate/a/b"), "no such command or directory (a)");
    EXPECT_EQ(ErrorOf("GET", "/"), "no such command");
    EXPECT_EQ(ErrorOf("GET", "/certificate/print"), "no such command");     // GET on a command path
    EXPECT_EQ(ErrorOf("GET", "/log/something"), "no such command prefix");  // /log items have no name
    EXPECT_EQ(ErrorOf("PUT", "/certificate/x"), "no such command");
    EXPECT_EQ(ErrorOf("PATCH", "/certificate"), "no such command");
    EXPECT_EQ(ErrorOf("DELETE", "/certificate"), "no such command");
    EXPECT_EQ(ErrorOf("POST", "/certificate"), "no such command");
    EXPECT_EQ(ErrorOf("OPTIONS", "/certificate"), "no such command");
    EXPECT_EQ(ErrorOf("GET", "/certificate/%zz"), "no such command or directory (%zz)");
}

}  // namespace
}  // namespace certos::rest
