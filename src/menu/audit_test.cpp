#include "menu/audit.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "menu/item_menu.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

std::vector<std::string> Log(testing::TreeFixture& f) {
    std::vector<std::string> out;
    for (const Record& r : f.Run("/log", "print").records) {
        out.push_back(r.GetOr("message"));
    }
    return out;
}

// Issue 11: the tree writes one audit entry per change, whichever front end made it, never with secrets.
TEST(AuditTest, EachChangeLeavesOneEntryAndReadsNone) {
    testing::TreeFixture f;
    Bootstrap(f.tree());
    Session api;
    api.via = "api";
    api.address = "10.0.0.1";
    f.Run("/certificate", "add", {{"name", "CA-Template"}, {"common-name", "ca"}}, api);
    f.Run("/certificate", "set", {{"numbers", "CA-Template"}, {"days-valid", "30"}});
    f.Run("/certificate", "print");
    f.Run("/user", "add", {{"name", "bob"}, {"group", "read"}, {"password", "t0p-secret"}}, api);
    f.Run("/file", "add", {{"name", "a.txt"}, {"contents", "x"}});                      // a verb without a transaction
    f.Run("/log", "info", {{"message", "hello"}});                                      // its own record, no audit line
    EXPECT_THROW(f.Run("/certificate", "remove", {{"numbers", "nope"}}), core::Error);  // failures change nothing
    f.Run("/certificate/settings", "set", {{"crl-use", "no"}});
    f.Run("/certificate", "remove", {{"numbers", "CA-Template"}});
    EXPECT_EQ(Log(f), (std::vector<std::string>{
                          "certificate CA-Template added by admin (api 10.0.0.1)",
                          "certificate CA-Template changed by admin (console)",
                          "user bob added by admin (api 10.0.0.1)",
                          "file a.txt added by admin (console)",
                          "hello",
                          "certificate settings changed by admin (console)",
                          "certificate CA-Template removed by admin (console)",
                      }));
}

// sign runs its own transactions (TxNeed::kNone): its entry is written in the transaction that stores the
// certificate, once, and a sign that fails leaves none.
TEST(AuditTest, SignIsAuditedOnceInItsOwnTransaction) {
    testing::TreeFixture f;
    Bootstrap(f.tree());
    f.Run("/certificate", "add", {{"name", "a"}, {"common-name", "a"}, {"key-size", "prime256v1"}});
    f.Run("/certificate", "sign", {{"number", "a"}});
    EXPECT_THROW(f.Run("/certificate", "sign", {{"number", "a"}}), core::Error);  // already signed
    EXPECT_EQ(Log(f), (std::vector<std::string>{
                          "certificate a added by admin (console)",
                          "certificate sign a by admin (console)",
                      }));
}

// REST and the API protocol name items by id (`PATCH /rest/certificate/*1`, `=.id=*1`), the console by name: the
// entry names the item by its name either way, as it was before the call (a rename, a removal).
TEST(AuditTest, ItemsAreNamedByTheirNameWhetherTheCallGaveTheIdOrTheName) {
    testing::TreeFixture f;
    Bootstrap(f.tree());
    std::string id = f.Run("/certificate", "add", {{"name", "a"}, {"common-name", "a"}}).ret.value();
    f.Run("/certificate", "set", {{".id", id}, {"common-name", "b"}});
    f.Run("/certificate", "set", {{"numbers", id}, {"name", "renamed"}});
    f.Run("/certificate", "add", {{"name", "other"}, {"common-name", "o"}});
    f.Run("/certificate", "remove", {{"numbers", id + ",other"}});
    EXPECT_EQ(Log(f), (std::vector<std::string>{
                          "certificate a added by admin (console)",
                          "certificate a changed by admin (console)",
                          "certificate a changed by admin (console)",
                          "certificate other added by admin (console)",
                          "certificate renamed,other removed by admin (console)",
                      }));
}

}  // namespace
}  // namespace certos::menu
