// /system script, /system scheduler, /system clock and /system identity as menus: defaults, validation, owners
// and the seams (a tree without a script runner says so). Runs with the interpreter are in
// console/system_script_test.cpp.

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/time_format.hpp"
#include "menu/item_menu.hpp"
#include "menu/system_scripts.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

using testing::TreeFixture;

std::string ErrorText(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const core::Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(SystemScriptMenuTest, AScriptHasRouterOsDefaults) {
    TreeFixture f;
    f.Run("/system/script", "add", {{"name", "s"}, {"source", ":put 1"}});
    Record r = f.Run("/system/script", "get", {{"number", "s"}}).records.at(0);
    EXPECT_EQ(r.GetOr("owner"), "admin");
    EXPECT_EQ(r.GetOr("policy"), "ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon");
    EXPECT_EQ(r.GetOr("dont-require-permissions"), "false");
    EXPECT_EQ(r.GetOr("run-count"), "0");
    EXPECT_EQ(r.GetOr("source"), ":put 1");
    EXPECT_FALSE(r.Has("last-started"));
}

TEST(SystemScriptMenuTest, PoliciesAreScriptPoliciesInRouterOsOrder) {
    TreeFixture f;
    f.Run("/system/script", "add", {{"name", "s"}, {"policy", "write,read,write"}});
    EXPECT_EQ(f.Run("/system/script", "get", {{"number", "s"}, {"value-name", "policy"}}).ret, "read,write");
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/system/script", "add", {{"name", "t"}, {"policy", "read,api"}});
              }),
              "input does not match any value of policy");
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/system/script", "add", {{"name", "s"}});
              }),
              "item with the same name already exists");
    EXPECT_EQ(f.Run("/system/script", "print", {{"count-only", ""}}).ret, "1");
}

TEST(SystemScriptMenuTest, AnOwnerMustBeAUser) {
    TreeFixture f;
    Bootstrap(f.tree());
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/system/script", "add", {{"name", "s"}, {"owner", "nobody"}});
              }),
              "input does not match any value of owner");
    f.Run("/user", "add", {{"name", "reader"}, {"group", "read"}, {"password", "r"}});
    f.Run("/system/script", "add", {{"name", "s"}, {"owner", "reader"}});
    EXPECT_EQ(f.Run("/system/script", "get", {{"number", "s"}, {"value-name", "owner"}}).ret, "reader");
}

TEST(SystemScriptMenuTest, ATreeWithoutARunnerSaysItCannotRunScripts) {
    TreeFixture f;
    f.Run("/system/script", "add", {{"name", "s"}, {"source", ":put 1"}});
    EXPECT_EQ(ErrorText([&] { f.Run("/system/script", "run", {{"number", "s"}}); }), "this process cannot run scripts");
    EXPECT_EQ(ErrorText([&] { f.Run("/system/script", "run", {{"number", "nope"}}); }), "no such item");
}

TEST(SystemSchedulerMenuTest, NextRunFollowsStartAndInterval) {
    TreeFixture f;
    f.Run("/system/scheduler", "add",
          {{"name", "daily"}, {"start-date", "2020-01-01"}, {"start-time", "3:00:00"}, {"interval", "1d"}});
    Record r = f.Run("/system/scheduler", "get", {{"number", "daily"}}).records.at(0);
    EXPECT_EQ(r.GetOr("start-time"), "03:00:00");
    EXPECT_EQ(r.GetOr("interval"), "1d");
    EXPECT_EQ(r.GetOr("run-count"), "0");
    EXPECT_EQ(r.GetOr("disabled"), "false");
    auto next = core::ParseDateTime(r.GetOr("next-run"));
    auto now = std::chrono::system_clock::now();
    EXPECT_GT(next, now);
    EXPECT_LE(next, now + std::chrono::hours(24));
    EXPECT_EQ(r.GetOr("next-run").substr(11), "03:00:00");
    // A one-time entry in the past never runs again: no next run.
    f.Run("/system/scheduler", "add", {{"name", "once"}, {"start-date", "2020-01-01"}, {"start-time", "00:00:00"}});
    EXPECT_EQ(f.Run("/system/scheduler", "get", {{"number", "once"}, {"value-name", "next-run"}}).ret, "");
    f.Run("/system/scheduler", "disable", {{"numbers", "daily"}});
    EXPECT_EQ(f.Run("/system/scheduler", "get", {{"number", "daily"}, {"value-name", "disabled"}}).ret, "true");
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/system/scheduler", "add", {{"name", "x"}, {"start-date", "2020-13-01"}});
              }),
              "invalid date value: 2020-13-01");
}

TEST(SystemIdentityMenuTest, DefaultsToCertosAndRefusesAnEmptyName) {
    TreeFixture f;
    EXPECT_EQ(f.Run("/system/identity", "get", {{"value-name", "name"}}).ret, "certos");
    f.Run("/system/identity", "set", {{"name", "ca-1"}});
    EXPECT_EQ(f.Run("/system/identity", "print").records.at(0).GetOr("name"), "ca-1");
    EXPECT_EQ(ErrorText([&] { f.Run("/system/identity", "set", {{"name", ""}}); }), "invalid value for argument name");
}

TEST(SystemClockMenuTest, SetDateKeepsAnOffsetAndTheZoneIsTheProcesss) {
    TreeFixture f;
    f.Run("/system/clock", "set", {{"date", "may/12/2024"}});
    EXPECT_EQ(f.Run("/system/clock", "get", {{"value-name", "date"}}).ret, "2024-05-12");
    auto now = std::chrono::system_clock::now();
    auto clock = ClockNow(*f.tree().store().Begin(store::TxMode::kRead), now);
    EXPECT_LT(clock, now - std::chrono::hours(24 * 365));
    Record r = f.Run("/system/clock", "print").records.at(0);
    EXPECT_FALSE(r.GetOr("time-zone-name").empty());
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/system/clock", "set", {{"time-zone-name", "Mars/Olympus"}});
              }).substr(0, 36),
              "certos uses the time zone of its pro");
    EXPECT_EQ(ErrorText([&] { f.Run("/system/clock", "set", {{"time", "24:00:00"}}); }), "invalid time value");
}

}  // namespace
}  // namespace certos::menu
