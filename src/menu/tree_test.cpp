#include "menu/tree.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "menu/list_menu.hpp"
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

TEST(TreeTest, SlowVerbsAreKnownByPathAndName) {
    TreeFixture f;
    EXPECT_TRUE(f.tree().IsSlow("/certificate", "sign"));
    EXPECT_FALSE(f.tree().IsSlow("/certificate", "print"));
    EXPECT_FALSE(f.tree().IsSlow("/certificate", "nope"));
    EXPECT_FALSE(f.tree().IsSlow("/nope", "sign"));
}

TEST(TreeTest, UnknownMenuVerbAndParameterAreRouterOsErrors) {
    TreeFixture f;
    core::Error e = ErrorOf([&] { f.Run("/nope", "print"); });
    EXPECT_EQ(std::string(e.what()), "no such command or directory (nope)");
    EXPECT_EQ(e.category(), core::ErrorCategory::kMissingItem);
    // The first unknown segment, as REST names it (issue 16).
    e = ErrorOf([&] { f.Run("/system/backupx", "print"); });
    EXPECT_EQ(std::string(e.what()), "no such command or directory (backupx)");
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

// SecretModel is a list menu with one item whose `secret` property is sensitive.
class SecretModel : public ListModel {
public:
    std::vector<Record> Items(store::Transaction&) const override {
        Record r;
        r.Set(".id", "*1");
        r.Set("name", "one");
        r.Set("secret", "hunter2");
        return {r};
    }
};

Menu& InstallSecrets(TreeFixture& f) {
    Menu& menu = f.tree().root().AddChild("secrets", "a menu with a sensitive property");
    PropertySpec name;
    name.name = "name";
    PropertySpec secret;
    secret.name = "secret";
    secret.sensitive = true;
    menu.properties = {name, secret};
    InstallListVerbs(menu, std::make_shared<SecretModel>(), ListVerbs{});
    return menu;
}

Result RunWith(TreeFixture& f, Request request, const Session& session) {
    request.path = "/secrets";
    return f.tree().Execute(request, session);
}

TEST(TreeTest, SensitivePropertiesAreNeitherReturnedNorUsableInRequestsWithoutThePolicy) {
    TreeFixture f;
    InstallSecrets(f);
    Session reader;
    reader.policies = kPolicyRead | kPolicyApi;
    auto refused = [&](Request request) {
        core::Error e = ErrorOf([&] { RunWith(f, std::move(request), reader); });
        EXPECT_EQ(e.category(), core::ErrorCategory::kPermission);
        EXPECT_EQ(std::string(e.what()), "not enough permissions (9)");
    };
    // Not returned: print and get (without value-name) leave it out.
    Result printed = RunWith(f, Request{"", "print", {}, std::nullopt, {}}, reader);
    ASSERT_EQ(printed.records.size(), 1u);
    EXPECT_FALSE(printed.records[0].Has("secret"));
    Result got = RunWith(f, Request{"", "get", {{"number", "one"}}, std::nullopt, {}}, reader);
    ASSERT_EQ(got.records.size(), 1u);
    EXPECT_EQ(got.records[0].GetOr("name"), "one");
    EXPECT_FALSE(got.records[0].Has("secret"));
    // Not usable: naming it anywhere in a reading request is refused, so nothing can be learnt from it.
    refused(Request{"", "get", {{"number", "one"}, {"value-name", "secret"}}, std::nullopt, {}});
    refused(Request{"", "print", {}, Filter::Compare(Filter::Op::kRegex, "secret", "^h"), {}});
    refused(Request{"", "print", {}, Filter::Not(Filter::Unary(Filter::Op::kHas, "secret")), {}});
    refused(Request{"", "print", {}, std::nullopt, {"name", "secret"}});
    refused(Request{"", "print", {{"proplist", "name,secret"}}, std::nullopt, {}});
    refused(Request{"", "find", {{"secret", "hunter2"}}, std::nullopt, {}});
    refused(Request{"", "find", {}, Filter::Compare(Filter::Op::kLt, "secret", "i"), {}});
    // With the policy everything works.
    Session admin;
    EXPECT_EQ(
        RunWith(f, Request{"", "get", {{"number", "one"}}, std::nullopt, {}}, admin).records.at(0).GetOr("secret"),
        "hunter2");
    EXPECT_EQ(RunWith(f, Request{"", "find", {{"secret", "hunter2"}}, std::nullopt, {}}, admin).ret, "*1");
    EXPECT_EQ(RunWith(f, Request{"", "print", {}, Filter::Compare(Filter::Op::kRegex, "secret", "^h"), {}}, admin)
                  .records.size(),
              1u);
}

TEST(TreeTest, FiltersBeyondTheBoundsAreRefused) {
    TreeFixture f;
    Filter deep = Filter::Unary(Filter::Op::kHas, "name");
    for (std::size_t i = 1; i < kMaxFilterDepth; ++i) {
        deep = Filter::Not(std::move(deep));
    }
    Request request{"/certificate", "print", {}, deep, {}};
    EXPECT_TRUE(f.tree().Execute(request, Session{}).records.empty());  // exactly at the bound: fine
    request.filter = Filter::Not(std::move(deep));
    EXPECT_EQ(std::string(ErrorOf([&] { f.tree().Execute(request, Session{}); }).what()),
              "query nested too deeply (more than 100 levels)");
    std::vector<Filter> terms(kMaxFilterTerms, Filter::Unary(Filter::Op::kHas, "name"));
    request.filter = Filter::Or(std::move(terms));
    EXPECT_EQ(std::string(ErrorOf([&] { f.tree().Execute(request, Session{}); }).what()),
              "query too long (more than 10000 terms)");
}

}  // namespace
}  // namespace certos::menu
