// /system logging: rules and actions, the routing of log lines to memory (/log), disk files and echo sinks,
// and log lines that outlive the rollback of the command that wrote them.

#include "menu/logging.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <tuple>

#include "core/error.hpp"
#include "menu/auth.hpp"
#include "menu/item_menu.hpp"
#include "menu/policy.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

using testing::TreeFixture;

class LoggingTest : public ::testing::Test {
protected:
    LoggingTest() { Bootstrap(fixture_.tree()); }

    Result Run(std::string path, std::string verb, std::vector<std::pair<std::string, std::string>> args = {}) {
        return fixture_.Run(std::move(path), std::move(verb), std::move(args));
    }

    std::string Error(std::string path, std::string verb, std::vector<std::pair<std::string, std::string>> args) {
        try {
            Run(std::move(path), std::move(verb), std::move(args));
        } catch (const core::Error& e) {
            return e.what();
        }
        return "(no error)";
    }

    // Messages are the messages /log print shows with topic `topic`.
    std::vector<std::string> Messages(std::string_view topic) {
        std::vector<std::string> out;
        for (const Record& r : Run("/log", "print").records) {
            if (std::string(r.Get("topics").value_or("")).find(topic) != std::string::npos) {
                out.emplace_back(r.Get("message").value_or(""));
            }
        }
        return out;
    }

    std::string File(const std::string& name) {
        std::ifstream in(fixture_.files().Resolve(name));
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

    TreeFixture fixture_;
};

TEST_F(LoggingTest, NewStoreHasRouterOsDefaults) {
    std::vector<Record> rules = Run("/system/logging", "print").records;
    ASSERT_EQ(rules.size(), 4u);
    std::vector<std::pair<std::string, std::string>> seen;
    for (const Record& r : rules) {
        seen.emplace_back(r.Get("topics").value_or(""), r.Get("action").value_or(""));
        EXPECT_EQ(r.Get("default"), "true");
    }
    std::vector<std::pair<std::string, std::string>> expected = {
        {"info", "memory"}, {"error", "memory"}, {"warning", "memory"}, {"critical", "echo"}};
    EXPECT_EQ(seen, expected);
    std::vector<Record> actions = Run("/system/logging/action", "print").records;
    ASSERT_EQ(actions.size(), 3u);
    EXPECT_EQ(actions[0].Get("name"), "memory");
    EXPECT_EQ(actions[0].Get("memory-lines"), "1000");
    EXPECT_EQ(actions[1].Get("name"), "disk");
    EXPECT_EQ(actions[1].Get("disk-file-name"), "log");
    EXPECT_EQ(actions[1].Get("disk-file-count"), "2");
    EXPECT_EQ(actions[2].Get("target"), "echo");
}

TEST_F(LoggingTest, OnlyLinesARuleSendsToMemoryReachTheLog) {
    Run("/log", "info", {{"message", "shown"}});
    Run("/log", "debug", {{"message", "not shown"}});  // no default rule takes debug
    EXPECT_EQ(Messages("script"), std::vector<std::string>{"shown"});
    Run("/system/logging", "add", {{"topics", "debug"}, {"action", "memory"}, {"prefix", "DBG"}});
    Run("/log", "debug", {{"message", "now shown"}});
    EXPECT_EQ(Messages("script"), (std::vector<std::string>{"shown", "DBG now shown"}));
    // Disabling the info rule stops info lines.
    Run("/system/logging", "disable", {{"numbers", "*1"}});
    Run("/log", "info", {{"message", "dropped"}});
    EXPECT_EQ(Messages("script").size(), 2u);
}

TEST_F(LoggingTest, NegatedTopicsExcludeLines) {
    Run("/system/logging", "remove", {{"numbers", "*1,*2,*3,*4"}});
    Run("/system/logging", "add", {{"topics", "script,!warning"}, {"action", "memory"}});
    Run("/log", "info", {{"message", "kept"}});
    Run("/log", "warning", {{"message", "refused"}});
    EXPECT_EQ(Messages("script"), std::vector<std::string>{"kept"});
    // Every topic a rule names must be there: an audit line (system,info) is not a script line.
    Run("/user/group", "add", {{"name", "ops"}, {"policy", "read"}});
    EXPECT_TRUE(Messages("system").empty());
}

TEST_F(LoggingTest, DiskActionWritesRotatingFiles) {
    Run("/system/logging/action", "add",
        {{"name", "scripts"},
         {"target", "disk"},
         {"disk-file-name", "logs/scripts"},
         {"disk-lines-per-file", "2"},
         {"disk-file-count", "2"}});
    Run("/system/logging", "add", {{"topics", "script"}, {"action", "scripts"}});
    for (int i = 1; i <= 5; ++i) {
        Run("/log", "info", {{"message", "line " + std::to_string(i)}});
    }
    std::string newest = File("logs/scripts.0.txt");
    std::string older = File("logs/scripts.1.txt");
    EXPECT_NE(newest.find(" script,info line 5\n"), std::string::npos) << newest;
    EXPECT_EQ(std::count(newest.begin(), newest.end(), '\n'), 1);
    EXPECT_NE(older.find("line 3\n"), std::string::npos) << older;
    EXPECT_NE(older.find("line 4\n"), std::string::npos) << older;
    EXPECT_FALSE(fixture_.files().Exists("logs/scripts.2.txt"));
    // The files are in /file.
    bool listed = false;
    for (const Record& r : Run("/file", "print").records) {
        listed = listed || r.Get("name") == "logs/scripts.0.txt";
    }
    EXPECT_TRUE(listed);
}

TEST_F(LoggingTest, DiskStopOnFullKeepsTheFirstLines) {
    Run("/system/logging/action", "add",
        {{"name", "capped"},
         {"target", "disk"},
         {"disk-file-name", "capped"},
         {"disk-lines-per-file", "1"},
         {"disk-file-count", "2"},
         {"disk-stop-on-full", "yes"}});
    Run("/system/logging", "add", {{"topics", "script"}, {"action", "capped"}});
    for (int i = 1; i <= 4; ++i) {
        Run("/log", "info", {{"message", "line " + std::to_string(i)}});
    }
    EXPECT_NE(File("capped.1.txt").find("line 1"), std::string::npos);
    EXPECT_NE(File("capped.0.txt").find("line 2"), std::string::npos);
    EXPECT_EQ(File("capped.0.txt").find("line 3"), std::string::npos);
}

TEST_F(LoggingTest, EchoReachesEverySink) {
    std::vector<std::string> first;
    std::vector<std::string> second;
    {
        EchoRegistration a = AddEchoSink([&](std::string_view line) { first.emplace_back(line); });
        EchoRegistration b = AddEchoSink([&](std::string_view line) { second.emplace_back(line); });
        WriteLog(fixture_.tree(), "system,error,critical", "login failure for user eve");  // default: critical
        Run("/log", "info", {{"message", "not echoed"}});
    }
    WriteLog(fixture_.tree(), "system,error,critical", "after the sinks went");
    ASSERT_EQ(first.size(), 1u);
    EXPECT_TRUE(first[0].ends_with(" system,error,critical login failure for user eve")) << first[0];
    EXPECT_EQ(second, first);
    // critical goes to echo only; the line above reached /log by its `error` topic (RouterOS's default rules).
    WriteLog(fixture_.tree(), "system,critical", "echo only");
    EXPECT_EQ(Messages("critical").size(), 2u);
    EXPECT_EQ(Messages("critical").back(), "after the sinks went");
}

TEST_F(LoggingTest, MemoryLinesBoundsWhatLogPrintShows) {
    Run("/system/logging/action", "set", {{"numbers", "memory"}, {"memory-lines", "3"}});
    for (int i = 1; i <= 5; ++i) {
        Run("/log", "info", {{"message", "line " + std::to_string(i)}});
    }
    EXPECT_EQ(Messages("script"), (std::vector<std::string>{"line 3", "line 4", "line 5"}));
}

TEST_F(LoggingTest, BadRulesAndActionsAreRefusedAndChangeNothing) {
    EXPECT_EQ(Error("/system/logging", "add", {{"topics", "gossip"}, {"action", "memory"}}),
              "input does not match any value of topics");
    EXPECT_EQ(Error("/system/logging", "add", {{"topics", "script"}, {"action", "nowhere"}}),
              "input does not match any value of action");
    EXPECT_EQ(Error("/system/logging", "add", {{"topics", "script"}, {"regex", "(("}}),
              "invalid value for argument regex");
    EXPECT_EQ(Error("/system/logging/action", "add", {{"name", "r"}, {"target", "remote"}}),
              "input does not match any value of target");
    EXPECT_EQ(
        Error("/system/logging/action", "add", {{"name", "d"}, {"target", "disk"}, {"disk-file-name", "../x"}}).empty(),
        false);
    EXPECT_EQ(Error("/system/logging/action", "remove", {{"numbers", "memory"}}), "can not remove default action");
    Run("/system/logging/action", "add", {{"name", "mine"}, {"target", "memory"}});
    Run("/system/logging", "add", {{"topics", "script"}, {"action", "mine"}});
    EXPECT_EQ(Error("/system/logging/action", "remove", {{"numbers", "mine"}}),
              "action mine is used by a logging rule");
    EXPECT_EQ(Run("/system/logging", "print").records.size(), 5u);
    EXPECT_EQ(Run("/system/logging/action", "print").records.size(), 4u);
}

TEST_F(LoggingTest, ExportWritesActionsAndRulesThatDifferFromTheDefaults) {
    std::string before = Run("/system/logging", "export").ret.value_or("");
    EXPECT_EQ(before.find("/system logging"), std::string::npos) << before;
    Run("/system/logging/action", "add", {{"name", "scripts"}, {"target", "disk"}, {"disk-file-name", "scripts"}});
    Run("/system/logging", "add", {{"topics", "script,!debug"}, {"action", "scripts"}});
    std::string text = Run("/system/logging", "export").ret.value_or("");
    EXPECT_NE(text.find("/system logging action\nadd disk-file-name=scripts name=scripts target=disk\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("/system logging\nremove [ find ]\nadd action=memory topics=info\nadd action=memory "
                        "topics=error\nadd action=memory topics=warning\nadd action=echo topics=critical\nadd "
                        "action=scripts topics=\"script,!debug\"\n"),
              std::string::npos)
        << text;
}

TEST_F(LoggingTest, ChangingWhereLinesGoNeedsThePolicyPolicy) {
    Session writer;
    writer.user = "writer";
    writer.policies = kAllPolicies & ~kPolicyPolicy;
    for (const auto& [path, verb, args] :
         std::vector<std::tuple<std::string, std::string, std::vector<std::pair<std::string, std::string>>>>{
             {"/system/logging", "disable", {{"numbers", "*1"}}},
             {"/system/logging", "add", {{"topics", "script"}}},
             {"/system/logging/action", "set", {{"numbers", "memory"}, {"memory-lines", "1"}}}}) {
        try {
            fixture_.Run(path, verb, args, writer);
            ADD_FAILURE() << path << " " << verb << " was allowed without the policy policy";
        } catch (const core::Error& e) {
            EXPECT_EQ(std::string(e.what()), "not enough permissions (9)");
        }
    }
    EXPECT_EQ(Run("/system/logging", "print").records.size(), 4u);
    EXPECT_EQ(Run("/system/logging", "print").records[0].Get("disabled"), "false");
}

// A test verb that logs and then fails: its transaction rolls back, the line must stay.
void AddFailingVerb(Tree& tree) {
    Menu& menu = tree.root().AddChild("test-log", "test");
    menu.verbs.push_back(Verb{
        .name = "fail",
        .tx = TxNeed::kWrite,
        .changes = false,
        .handler = [](Call& call) -> Result {
            AppendLog(call.tree, call.Tx(), "script,error", "logged before failing");
            store::ItemRow row;
            row.name = "rolled-back";
            call.Tx().InsertItem("user-group", row);
            throw core::Failure("the command failed");
        },
    });
}

TEST_F(LoggingTest, ALineLoggedByAFailedCommandSurvivesItsRollback) {
    AddFailingVerb(fixture_.tree());
    EXPECT_EQ(Error("/test-log", "fail", {}), "the command failed");
    EXPECT_EQ(Messages("script"), std::vector<std::string>{"logged before failing"});
    // The command's own change is rolled back.
    EXPECT_FALSE(fixture_.tree().store().Begin(store::TxMode::kRead)->FindItemByName("user-group", "rolled-back"));
    // A command that succeeds logs its line once.
    Run("/log", "info", {{"message", "once"}});
    EXPECT_EQ(Messages("script"), (std::vector<std::string>{"logged before failing", "once"}));
}

}  // namespace
}  // namespace certos::menu
