#include "menu/tree.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

using testing::TreeFixture;

core::Error ErrorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const core::Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error";
    return core::Error(core::ErrorCategory::kInternal, "");
}

TEST(TreeTest, FindsMenusByPath) {
    TreeFixture f;
    EXPECT_NE(f.tree().FindMenu("/certificate"), nullptr);
    EXPECT_EQ(f.tree().FindMenu("/certificate")->path, "/certificate");
    EXPECT_EQ(f.tree().FindMenu("/"), &f.tree().root());
    EXPECT_EQ(f.tree().FindMenu("/nope"), nullptr);
}

TEST(TreeTest, UnknownMenuVerbAndParameterAreRouterOsErrors) {
    TreeFixture f;
    core::Error e = ErrorOf([&] { f.Run("/nope", "print"); });
    EXPECT_EQ(std::string(e.what()), "no such command or directory (/nope)");
    EXPECT_EQ(e.category(), core::ErrorCategory::kMissingItem);
    e = ErrorOf([&] { f.Run("/certificate", "frobnicate"); });
    EXPECT_EQ(std::string(e.what()), "no such command or directory (frobnicate)");
    e = ErrorOf([&] { f.Run("/certificate", "add", {{"name", "a"}, {"colour", "red"}}); });
    EXPECT_EQ(std::string(e.what()), "unknown parameter colour");
    EXPECT_EQ(e.category(), core::ErrorCategory::kArgument);
}

TEST(TreeTest, RequiredArgumentsAreChecked) {
    TreeFixture f;
    core::Error e = ErrorOf([&] { f.Run("/certificate", "add", {{"common-name", "x"}}); });
    EXPECT_EQ(std::string(e.what()), "missing value(s) of argument(s) name");
}

TEST(TreeTest, PoliciesAreEnforcedBeforeTheHandler) {
    TreeFixture f;
    Session reader;
    reader.policies = kPolicyRead | kPolicyApi;
    core::Error e = ErrorOf([&] { f.Run("/certificate", "add", {{"name", "a"}}, reader); });
    EXPECT_EQ(e.category(), core::ErrorCategory::kPermission);
    EXPECT_EQ(std::string(e.what()), "not enough permissions (9)");
    EXPECT_EQ(f.Run("/certificate", "print", {{"count-only", ""}}, reader).ret, "0");
}

TEST(TreeTest, IdAliasesNameTheItemArgument) {
    TreeFixture f;
    std::string id = *f.Run("/certificate", "add", {{"name", "a"}}).ret;
    f.Run("/certificate", "set", {{".id", id}, {"common-name", "one"}});
    f.Run("/certificate", "set", {{"number", "a"}, {"organization", "two"}});
    Result got = f.Run("/certificate", "get", {{"numbers", id}, {"value-name", "organization"}});
    EXPECT_EQ(got.ret, "two");
}

TEST(TreeTest, BindUnnamedFollowsSchemaOrder) {
    TreeFixture f;
    const Verb* get = f.tree().FindMenu("/certificate")->FindVerb("get");
    auto bound = BindUnnamed(*get, {"0", "common-name"});
    ASSERT_EQ(bound.size(), 2u);
    EXPECT_EQ(bound[0].first, "number");
    EXPECT_EQ(bound[1].first, "value-name");
    EXPECT_THROW(BindUnnamed(*get, {"0", "x", "y"}), core::Error);
}

}  // namespace
}  // namespace certos::menu
