// /system script run and /system scheduler's runs with the real interpreter on the real menus: output, policies
// (never more than the owner's), nesting, due entries claimed once per store, startup entries, failures in /log,
// and the /system identity in the prompt.

#include <gtest/gtest.h>

#include <sstream>

#include "console/console.hpp"
#include "core/time_format.hpp"
#include "menu/item_menu.hpp"
#include "menu/system_scripts.hpp"
#include "menu/test_tree.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace certos::console {
namespace {

using std::chrono::hours;

class SystemScriptTest : public ::testing::Test {
protected:
    SystemScriptTest() {
        InstallScriptRunner(tree_.tree());
        menu::Bootstrap(tree_.tree());
        Admin("/user", "add", {{"name", "admin"}, {"group", "full"}, {"password", "a"}});
        Admin("/user", "add", {{"name", "reader"}, {"group", "read"}, {"password", "r"}});
        reader_.user = "reader";
        reader_.policies = menu::UserPolicies(*tree_.tree().store().Begin(store::TxMode::kRead), "reader");
    }

    menu::Result Admin(std::string path, std::string verb, std::vector<std::pair<std::string, std::string>> args = {}) {
        return tree_.Run(std::move(path), std::move(verb), std::move(args));
    }

    menu::Result As(const menu::Session& session, std::string path, std::string verb,
                    std::vector<std::pair<std::string, std::string>> args) {
        return tree_.Run(std::move(path), std::move(verb), std::move(args), session);
    }

    // Line runs one console line as admin and returns what it printed (output, then errors).
    std::string Line(std::string_view line) {
        std::ostringstream out;
        std::ostringstream err;
        Console console(tree_.tree(), menu::Session{}, out, err);
        console.RunLine(line);
        return out.str() + err.str();
    }

    std::string Script(const std::string& name, const std::string& property) {
        return Admin("/system/script", "get", {{"number", name}, {"value-name", property}}).ret.value_or("");
    }

    std::string Entry(const std::string& name, const std::string& property) {
        return Admin("/system/scheduler", "get", {{"number", name}, {"value-name", property}}).ret.value_or("");
    }

    std::vector<std::string> Log(std::string_view topic) {
        std::vector<std::string> lines;
        for (const menu::Record& r : Admin("/log", "print").records) {
            if (r.GetOr("topics").find(topic) != std::string::npos) {
                lines.push_back(r.GetOr("topics") + " " + r.GetOr("message"));
            }
        }
        return lines;
    }

    menu::testing::TreeFixture tree_;
    menu::Session reader_;
};

TEST_F(SystemScriptTest, RunPrintsToTheConsoleAndCountsTheRun) {
    Admin("/system/script", "add", {{"name", "hello"}, {"source", ":local n [:len \"abc\"]\n:put \"hi $n\""}});
    EXPECT_EQ(Script("hello", "owner"), "admin");
    EXPECT_EQ(Script("hello", "run-count"), "0");
    EXPECT_EQ(Line("/system script run hello"), "hi 3\n");
    EXPECT_EQ(Line("/system script run [/system script find name=hello]"), "hi 3\n");
    EXPECT_EQ(Script("hello", "run-count"), "2");
    EXPECT_FALSE(Script("hello", "last-started").empty());
    // Without a console (REST, the API) the output is the verb's value.
    EXPECT_EQ(Admin("/system/script", "run", {{".id", "*1"}}).ret, "hi 3\n");
}

TEST_F(SystemScriptTest, AFailingScriptFailsTheRunWithItsLine) {
    Admin("/system/script", "add", {{"name", "bad"}, {"source", ":put one\n:error \"stop here\"\n:put two"}});
    EXPECT_EQ(Line("/system script run bad"), "one\nstop here (line 2)\n");
}

TEST_F(SystemScriptTest, AScriptNeverGetsMoreThanItsOwner) {
    // Owned by a read-only user: its own policy says write, but the owner cannot write.
    Admin("/system/script", "add",
          {{"name", "grab"}, {"owner", "reader"}, {"source", "/certificate add name=x common-name=x"}});
    EXPECT_EQ(Line("/system script run grab"), "not enough permissions (9) (line 1)\n");
    EXPECT_EQ(Admin("/certificate", "print", {{"count-only", ""}}).ret, "0");
    // The same script owned by admin adds it.
    Admin("/system/script", "set", {{"numbers", "grab"}, {"owner", "admin"}});
    EXPECT_EQ(Line("/system script run grab"), "");
    EXPECT_EQ(Admin("/certificate", "print", {{"count-only", ""}}).ret, "1");
}

TEST_F(SystemScriptTest, ACallerNeedsTheScriptsPoliciesUnlessItSaysOtherwise) {
    Admin("/system/script", "add", {{"name", "w"}, {"policy", "read,write"}, {"source", ":log info \"from w\""}});
    try {
        As(reader_, "/system/script", "run", {{"number", "w"}});
        ADD_FAILURE() << "a read-only caller ran a read,write script";
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()), "not enough permissions (9)");
    }
    EXPECT_TRUE(Log("script,info").empty());
    Admin("/system/script", "set", {{"numbers", "w"}, {"dont-require-permissions", "yes"}});
    As(reader_, "/system/script", "run",
       {{"number", "w"}});  // runs with its owner's (admin's) policies within read,write
    EXPECT_EQ(Log("script,info"), std::vector<std::string>{"script,info from w"});
}

TEST_F(SystemScriptTest, NamingAnotherOwnerNeedsTheirPolicies) {
    menu::Session writer;
    writer.user = "writer";
    Admin("/user", "add", {{"name", "writer"}, {"group", "write"}, {"password", "w"}});
    writer.policies = menu::UserPolicies(*tree_.tree().store().Begin(store::TxMode::kRead), "writer");
    EXPECT_THROW(As(writer, "/system/script", "add", {{"name", "mine"}, {"owner", "admin"}, {"source", ":put x"}}),
                 core::Error);
    As(writer, "/system/script", "add", {{"name", "mine"}, {"source", ":put x"}});
    EXPECT_EQ(Script("mine", "owner"), "writer");
    // A writer who changes what admin's script does becomes its owner: admin's rights are not borrowed.
    Admin("/system/script", "add", {{"name", "admins"}, {"source", ":put y"}});
    As(writer, "/system/script", "set", {{"numbers", "admins"}, {"source", "/user remove reader"}});
    EXPECT_EQ(Script("admins", "owner"), "writer");
}

TEST_F(SystemScriptTest, ScriptsRunningScriptsAreBounded) {
    Admin("/system/script", "add", {{"name", "loop"}, {"source", "/system script run loop"}});
    std::string text = Line("/system script run loop");
    EXPECT_NE(text.find("scripts nested too deeply (more than 10)"), std::string::npos) << text;
}

TEST_F(SystemScriptTest, AGlobalIsSharedByRunsAndSessionsAndListedInTheEnvironment) {
    Admin("/system/script", "add", {{"name", "setter"}, {"source", ":global counter 41; :set counter ($counter + 1)"}});
    Admin("/system/script", "add", {{"name", "getter"}, {"source", ":global counter; :put \"counter=$counter\""}});
    EXPECT_EQ(Line("/system script run setter"), "");
    // Another run, and another console session, see what the first run left.
    EXPECT_EQ(Line("/system script run getter"), "counter=42\n");
    EXPECT_EQ(Line(":put $counter"), "42\n");
    EXPECT_EQ(Line(":global greeting \"hi\""), "");
    EXPECT_EQ(Line("/system script environment print"),
              "Columns: NAME, VALUE\n#  NAME      VALUE\n0  counter   42\n1  greeting  hi\n");
    std::vector<menu::Record> records = Admin("/system/script/environment", "print").records;
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].Get("name"), "counter");
    EXPECT_EQ(records[0].Get("value"), "42");
    Admin("/system/script/environment", "remove", {{"numbers", "counter"}});
    records = Admin("/system/script/environment", "print").records;
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].Get("name"), "greeting");
    // A removed global is gone for every session: using it is the error an undeclared variable gives.
    EXPECT_EQ(Line(":put $counter"), "syntax error (line 1 column 7)\n");
}

TEST_F(SystemScriptTest, RemovingAnUnknownGlobalFails) {
    EXPECT_EQ(Line("/system script environment remove nothere"), "no such item\n");
}

TEST_F(SystemScriptTest, ADueEntryRunsOnceForEveryProcessSharingTheStore) {
    Admin("/system/scheduler", "add",
          {{"name", "tick"},
           {"start-date", "jan/01/2020"},
           {"start-time", "00:00:00"},
           {"interval", "1h"},
           {"on-event", ":local n [:len \"ab\"]; :log warning \"tick $n\""}});
    auto next = core::ParseDateTime(Entry("tick", "next-run"));
    auto now = std::chrono::system_clock::now();
    EXPECT_GT(next, now);
    EXPECT_LE(next, now + hours(1));
    menu::RunDueSchedules(tree_.tree(), now, "process-a");  // not yet due
    EXPECT_EQ(Entry("tick", "run-count"), "0");
    auto later = next + std::chrono::minutes(90);
    // A second process on the same store, with a tree of its own.
    std::unique_ptr<store::Store> other_store = store::OpenSqliteStore(tree_.dir());
    menu::Tree other(*other_store);
    InstallMenus(other);
    InstallScriptRunner(other);
    menu::RunDueSchedules(tree_.tree(), later, "process-a");
    menu::RunDueSchedules(other, later, "process-b");
    EXPECT_EQ(Entry("tick", "run-count"), "1");
    EXPECT_EQ(Log("script,warning"), std::vector<std::string>{"script,warning tick 2"});
    EXPECT_EQ(core::ParseDateTime(Entry("tick", "next-run")), next + hours(2));
    // While another process holds the entry's lease (its run goes on), nobody else runs it.
    {
        auto tx = other_store->Begin(store::TxMode::kWrite);
        ASSERT_TRUE(tx->AcquireLease("system-scheduler:*1", "process-b", later, hours(3)));
        tx->Commit();
    }
    menu::RunDueSchedules(tree_.tree(), next + hours(2), "process-a");
    EXPECT_EQ(Entry("tick", "run-count"), "1");
    menu::RunDueSchedules(other, next + hours(2), "process-b");
    EXPECT_EQ(Entry("tick", "run-count"), "2");
}

TEST_F(SystemScriptTest, AnEntryRunsAScriptByNameAsItsOwnerAndLogsFailures) {
    Admin("/system/script", "add", {{"name", "add-cert"}, {"source", "/certificate add name=c common-name=c"}});
    Admin("/system/scheduler", "add",
          {{"name", "as-reader"}, {"owner", "reader"}, {"interval", "1d"}, {"on-event", "add-cert"}});
    Admin("/system/scheduler", "add", {{"name", "as-admin"}, {"interval", "1d"}, {"on-event", "add-cert"}});
    menu::RunDueSchedules(tree_.tree(), std::chrono::system_clock::now() + hours(25), "p");
    EXPECT_EQ(Entry("as-reader", "run-count"), "1");
    EXPECT_EQ(Script("add-cert", "run-count"), "1");  // the reader's run was refused before it started
    EXPECT_EQ(Admin("/certificate", "print", {{"count-only", ""}}).ret, "1");
    EXPECT_EQ(Log("script,error"),
              (std::vector<std::string>{
                  "script,error executing script add-cert from scheduler (as-reader) failed, please check it manually",
                  "script,error,debug not enough permissions (9)"}));
}

TEST_F(SystemScriptTest, StartupEntriesRunWhenTheDaemonStarts) {
    Admin("/system/scheduler", "add",
          {{"name", "boot"}, {"start-time", "startup"}, {"on-event", ":log info \"booted\""}});
    EXPECT_EQ(Entry("boot", "next-run"), "");
    auto now = std::chrono::system_clock::now();
    menu::RunDueSchedules(tree_.tree(), now + hours(24 * 30), "p");
    EXPECT_EQ(Entry("boot", "run-count"), "0");
    menu::RunStartupSchedules(tree_.tree(), now, "p");
    EXPECT_EQ(Entry("boot", "run-count"), "1");
    EXPECT_EQ(Log("script,info"), std::vector<std::string>{"script,info booted"});
}

TEST_F(SystemScriptTest, TheSeedsSchedulerLineIsAcceptedAsWritten) {
    std::string line =
        "/system scheduler add name=\"weekly-backup\" interval=1w start-time=03:00:00 on-event=\"/system backup save "
        "name=weekly-backup\" policy=ftp,read,reboot,write,policy,test,password,sensitive,romon owner=admin "
        "run-count=0 start-date=may/12/2024 time-zone-autodetect=yes";
    EXPECT_EQ(Line(line), "");
    EXPECT_EQ(Entry("weekly-backup", "start-date"), "2024-05-12");
    EXPECT_EQ(Entry("weekly-backup", "start-time"), "03:00:00");
    EXPECT_EQ(Entry("weekly-backup", "interval"), "1w");
    EXPECT_EQ(Entry("weekly-backup", "policy"), "ftp,reboot,read,write,policy,test,password,sensitive,romon");
    EXPECT_EQ(Entry("weekly-backup", "owner"), "admin");
    std::string next = Entry("weekly-backup", "next-run");
    EXPECT_EQ(next.substr(11), "03:00:00");
    EXPECT_GT(core::ParseDateTime(next), std::chrono::system_clock::now());
    EXPECT_EQ(Line("/system scheduler add name=x interval=1d time-zone-autodetect=no"),
              "failure: certos takes its time zone from the system: only time-zone-autodetect=yes\n");
    EXPECT_EQ(Line("/system scheduler add name=y start-time=25:00:00"), "invalid time value\n");
}

TEST_F(SystemScriptTest, TheIdentityIsThePromptsName) {
    std::ostringstream out;
    std::ostringstream err;
    Console console(tree_.tree(), menu::Session{}, out, err);
    EXPECT_EQ(console.Prompt(), "[admin@certos] > ");
    EXPECT_TRUE(console.RunLine("/system identity set name=edge-ca"));
    EXPECT_EQ(console.Prompt(), "[admin@edge-ca] > ");
    EXPECT_TRUE(console.RunLine(":put [/system identity get name]"));
    EXPECT_EQ(out.str(), "edge-ca\n");
    EXPECT_FALSE(console.RunLine("/system identity set name=\"\""));
}

TEST_F(SystemScriptTest, SettingTheClockKeepsAnOffsetTheSchedulerGoesBy) {
    EXPECT_EQ(Line("/system clock set date=jan/02/2031 time=10:00:00"), "");
    EXPECT_EQ(Line(":put [/system clock get date]"), "2031-01-02\n");
    Admin("/system/scheduler", "add",
          {{"name", "new-year"}, {"start-date", "2031-01-03"}, {"start-time", "00:00:00"}, {"on-event", ":put x"}});
    EXPECT_EQ(Entry("new-year", "next-run"), "2031-01-03 00:00:00");
    auto real = std::chrono::system_clock::now();
    menu::RunDueSchedules(tree_.tree(), real, "p");  // the clock says 2031-01-02
    EXPECT_EQ(Entry("new-year", "run-count"), "0");
    menu::RunDueSchedules(tree_.tree(), real + hours(15), "p");  // 2031-01-03 01:00
    EXPECT_EQ(Entry("new-year", "run-count"), "1");
    EXPECT_EQ(Entry("new-year", "next-run"), "");  // interval 0: once
    EXPECT_EQ(Line("/system clock set time-zone-autodetect=no"),
              "failure: certos takes its time zone from the system: only time-zone-autodetect=yes\n");
}

}  // namespace
}  // namespace certos::console
