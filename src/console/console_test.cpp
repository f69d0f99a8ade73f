// End-to-end tests of the console over a small tree with a fake list menu (console/test_support.hpp).

#include "console/console.hpp"

#include <gtest/gtest.h>

#include "console/completion.hpp"
#include "console/error_text.hpp"
#include "console/syntax.hpp"
#include "console/test_support.hpp"

namespace certos::console {
namespace {

class ConsoleTest : public ::testing::Test {
protected:
    std::string Run(std::string_view line) { return fixture_.Run(line); }
    void AddTwo() {
        ASSERT_EQ(Run("/widget add name=a kind=large size=10"), "");
        ASSERT_EQ(Run("/widget add name=b"), "");
    }
    testing::ConsoleFixture fixture_;
};

TEST_F(ConsoleTest, AddThenPrintShowsTable) {
    AddTwo();
    EXPECT_EQ(Run("/widget print"),
              "Columns: NAME, KIND, SIZE\n"
              "#  NAME  KIND   SIZE\n"
              "0  a     large    10\n"
              "1  b     small     1\n");
}

TEST_F(ConsoleTest, PrintShowsOnlyFlagsPresent) {
    AddTwo();
    Run("/widget set a locked=yes");
    EXPECT_EQ(Run("/widget print"),
              "Flags: L - LOCKED\n"
              "Columns: NAME, KIND, SIZE\n"
              "#     NAME  KIND   SIZE\n"
              "0  L  a     large    10\n"
              "1     b     small     1\n");
    EXPECT_EQ(Run("/widget print detail"),
              "Flags: L - LOCKED; A - ACTIVE; I - ISSUED, R - REVOKED \n"
              " 0 L   name=\"a\" kind=large size=10 enabled=yes comment=\"\" locked=yes active=no \n"
              "       issued=no revoked=no \n"
              "\n"
              " 1     name=\"b\" kind=small size=1 enabled=yes comment=\"\" locked=no active=no \n"
              "       issued=no revoked=no \n");  // the fixture's terminal is 80 columns wide
    EXPECT_EQ(Run("/widget print terse where name=a"),
              " 0 L   name=a kind=large size=10 enabled=yes comment= locked=yes active=no issued=no revoked=no\n");
}

TEST_F(ConsoleTest, PrintVariants) {
    AddTwo();
    EXPECT_EQ(Run("/widget print count-only"), "2\n");
    EXPECT_EQ(Run("/widget print count-only where kind=large"), "1\n");
    EXPECT_EQ(Run("/widget print as-value where name=b"),
              ".id=*2;name=b;kind=small;size=1;enabled=true;comment=;locked=false;active=false;issued=false;"
              "revoked=false\n");
    EXPECT_EQ(Run("/widget print proplist=name"), "Columns: NAME\n#  NAME\n0  a\n1  b\n");
    EXPECT_EQ(Run("/widget print where size>5 or !enabled"),
              "Columns: NAME, KIND, SIZE\n#  NAME  KIND   SIZE\n0  a     large    10\n");
    EXPECT_EQ(Run("/widget print where name=nothing"), "");
}

TEST_F(ConsoleTest, MenuPathsAndPrompt) {
    EXPECT_EQ(fixture_.console().Prompt(), "[admin@certos] > ");
    EXPECT_EQ(Run("/widget"), "");
    EXPECT_EQ(fixture_.console().Prompt(), "[admin@certos] /widget> ");
    EXPECT_EQ(Run("settings print"), "     mode: fast\n  verbose: no\n");
    EXPECT_EQ(fixture_.console().Prompt(), "[admin@certos] /widget> ");
    Run("settings");
    EXPECT_EQ(fixture_.console().Prompt(), "[admin@certos] /widget/settings> ");
    Run("set mode=slow verbose=yes");
    Run("..");
    EXPECT_EQ(fixture_.console().Prompt(), "[admin@certos] /widget> ");
    EXPECT_EQ(Run("/widget/settings/print"), "     mode: slow\n  verbose: yes\n");
    Run("/");
    EXPECT_EQ(fixture_.console().Prompt(), "[admin@certos] > ");
    EXPECT_EQ(Run("widget settings print"), "     mode: slow\n  verbose: yes\n");
    EXPECT_EQ(Run("/widget; add name=z; print count-only"), "1\n");
    EXPECT_EQ(fixture_.console().Prompt(), "[admin@certos] /widget> ");
}

TEST_F(ConsoleTest, NumbersComeFromTheLastPrint) {
    AddTwo();
    Run("/widget add name=c");
    EXPECT_EQ(Run("/widget remove 0"), "no such item\n");  // nothing printed yet
    Run("/widget print");
    EXPECT_EQ(Run("/widget remove 1"), "");
    EXPECT_EQ(Run("/widget print"),
              "Columns: NAME, KIND, SIZE\n#  NAME  KIND   SIZE\n0  a     large    10\n1  c     small     1\n");
    EXPECT_EQ(Run("/widget set 1 comment=\"hello world\" size=7"), "");
    EXPECT_EQ(Run(":put [/widget get 1 comment]"), "hello world\n");
    EXPECT_EQ(Run("/widget remove 2"), "no such item\n");
    EXPECT_EQ(Run("/widget remove 0,1"), "");
    EXPECT_EQ(Run("/widget print count-only"), "0\n");
}

TEST_F(ConsoleTest, FindSubstitution) {
    AddTwo();
    EXPECT_EQ(Run(":put [/widget find]"), "*1;*2\n");
    EXPECT_EQ(Run(":put [/widget find name=b]"), "*2\n");
    EXPECT_EQ(Run(":put [/widget find where size>5]"), "*1\n");
    EXPECT_EQ(Run(":put [/widget get [find name=a] kind]"), "large\n");
    EXPECT_EQ(Run("/widget set [find] comment=all"), "");
    EXPECT_EQ(Run(":put [/widget get b comment]"), "all\n");
    EXPECT_EQ(Run("/widget remove [find name=a]"), "");
    EXPECT_EQ(Run(":put [/widget find]"), "*2\n");
    Run("/widget");
    EXPECT_EQ(Run(":put [get [find name=b] size]"), "1\n");
    EXPECT_EQ(Run(":put [find name=nothing]"), "\n");
}

TEST_F(ConsoleTest, ErrorMessages) {
    AddTwo();
    EXPECT_EQ(Run("/widget add name=c colour=red"), "expected end of command (line 1 column 20)\n");
    EXPECT_FALSE(fixture_.console().RunLine("/widget add name=c colour=red"));
    fixture_.Take();
    EXPECT_EQ(Run("/widget frobnicate"), "bad command name frobnicate (line 1 column 9)\n");
    EXPECT_EQ(Run("/gadget print"), "bad command name gadget (line 1 column 2)\n");
    EXPECT_EQ(Run("/widget add kind=huge"), "input does not match any value of kind\n");
    EXPECT_EQ(Run("/widget add name=a"), "failure: widget with the same name already exists\n");
    EXPECT_EQ(Run("/widget add size=5000"), "value of size out of range (1..1000)\n");
    EXPECT_EQ(Run("/widget print where nope=1"), "expected end of command (line 1 column 21)\n");
    EXPECT_EQ(Run("/widget print detail extra"), "expected end of command (line 1 column 22)\n");
    EXPECT_EQ(Run("/widget add name=\"abc"), "syntax error (line 1 column 18)\n");
    EXPECT_EQ(Run("/widget get nothing name"), "no such item\n");
    EXPECT_EQ(Run(":frob 1"), "bad command name frob (line 1 column 2)\n");
    EXPECT_EQ(Run("/widget print count-only; /widget add kind=huge; :put after"),
              "2\ninput does not match any value of kind\n");
}

TEST_F(ConsoleTest, LineIsCheckedBeforeAnythingRuns) {
    EXPECT_EQ(Run("/widget add name=q; /widget add foo=bar"), "expected end of command (line 1 column 33)\n");
    EXPECT_EQ(Run("/widget add name=q; :put [/widget find nope=1]"), "expected end of command (line 1 column 40)\n");
    EXPECT_EQ(Run("/widget add name=q; :if (true) do={/widget frob}"), "bad command name frob (line 1 column 44)\n");
    EXPECT_EQ(Run("/widget add name=q; :nope"), "bad command name nope (line 1 column 22)\n");
    EXPECT_EQ(Run("/widget add name=q; /widget add name=\"open"), "syntax error (line 1 column 38)\n");
    EXPECT_EQ(Run("/widget print count-only"), "0\n");
    EXPECT_EQ(Run("/widget; add name=q; print; remove 0; print count-only"),
              "Columns: NAME, KIND, SIZE\n#  NAME  KIND   SIZE\n0  q     small     1\n0\n");
}

TEST_F(ConsoleTest, ErrorTableCoversEveryCategory) {
    for (core::ErrorCategory category : core::kAllErrorCategories) {
        EXPECT_NE(FindConsoleErrorRule(category), nullptr) << static_cast<int>(category);
        std::string expected = category == core::ErrorCategory::kFailure    ? "failure: boom\n"
                               : category == core::ErrorCategory::kInternal ? "failure: internal error\n"
                                                                            : "boom\n";
        EXPECT_EQ(Run("/widget fail " + std::to_string(static_cast<int>(category))), expected);
    }
    EXPECT_EQ(ConsoleErrorText(core::Error(core::ErrorCategory::kPermission, "")), "not enough permissions");
}

TEST_F(ConsoleTest, PermissionsComeFromTheSession) {
    std::ostringstream out;
    std::ostringstream err;
    menu::Session reader;
    reader.policies = menu::kPolicyRead;
    Console console(fixture_.tree(), reader, out, err);
    EXPECT_FALSE(console.RunLine("/widget add name=x"));
    EXPECT_EQ(err.str(), "not enough permissions (9)\n");
}

TEST_F(ConsoleTest, ProgressLinesAreShown) {
    AddTwo();
    EXPECT_EQ(Run("/widget sign a"), "  progress: done\n");
    EXPECT_EQ(Run(":put [/widget get a active]"), "true\n");
}

TEST_F(ConsoleTest, MonitorVerbShowsEachStatusThenTheFinalOneOrReturnsIt) {
    AddTwo();
    // The widget's statuses come one a second on its own clock: with the default interval=1s each is shown.
    for (const auto& [line, expected] : std::vector<std::pair<std::string, std::string>>{
             {"/widget sign a steps=2", "  progress: step 1\n  progress: step 2\n  progress: done\n"},
             {"/widget sign b steps=4 interval=2s", "  progress: step 1\n  progress: step 3\n  progress: done\n"},
             {"/widget sign a steps=3 once", "  progress: done\n"},
             {"/widget sign a steps=2 as-value", ""},  // as-value prints nothing: the final status is the value
             {":put [/widget sign b steps=2 as-value]", "progress=done\n"},
             {":put ([/widget sign b as-value]->\"progress\")", "done\n"}}) {
        EXPECT_EQ(Run(line), expected) << line;
    }
    EXPECT_EQ(Run(":put [/widget get b active]"), "true\n");
}

TEST_F(ConsoleTest, MonitorVerbRunsDoForEachStatusWithItsValues) {
    AddTwo();
    EXPECT_EQ(Run("/widget sign a steps=1 do={:put (\"got \" . $progress)}"),
              "  progress: step 1\ngot step 1\n  progress: done\ngot done\n");
    // The block runs in the caller's scope: it sees and sets the caller's variables.
    EXPECT_EQ(Run("{:local n 0; /widget sign b steps=2 once do={:set n ($n + 1); :put $progress}; :put $n}"),
              "  progress: done\ndone\n1\n");
    EXPECT_EQ(Run("/widget sign a do=\"x\""), "do= takes a script block: do={...}\n");
    EXPECT_EQ(Run("/widget sign a do={/nowhere print}"), "bad command name nowhere (line 1 column 21)\n");
}

TEST_F(ConsoleTest, MonitorVerbWritesItsStatusesToAFile) {
    AddTwo();
    auto file_after = [this](std::string_view line) {
        EXPECT_EQ(Run(line), "");  // nothing on the terminal
        return fixture_.files().Read("signing.txt");
    };
    EXPECT_EQ(file_after("/widget sign a steps=1 file=signing"), "  progress: step 1\n  progress: done\n");
    EXPECT_EQ(file_after("/widget sign b file=signing.txt append"),
              "  progress: step 1\n  progress: done\n  progress: done\n");
    EXPECT_EQ(file_after("/widget sign b once file=signing"), "  progress: done\n");  // replaced without append
    EXPECT_EQ(Run("/widget sign b append"), "append needs file=\n");
}

TEST_F(ConsoleTest, MonitorVerbStoppedOrRefusedChangesNothing) {
    AddTwo();
    // duration= stops the verb after the status of its first second (the widget's clock); arguments certos cannot
    // honour are refused before it runs.
    for (const auto& [line, expected] : std::vector<std::pair<std::string, std::string>>{
             {"/widget sign a steps=5 duration=2s",
              "  progress: step 1\nfailure: sign stopped after duration=2s before it was done; nothing was changed\n"},
             {"/widget sign a freeze-frame-interval=1s",
              "freeze-frame-interval is not supported: certos prints statuses as lines\n"},
             {"/widget sign a interval=0s", "invalid value for argument interval\n"}}) {
        EXPECT_EQ(Run(line), expected);
        EXPECT_EQ(Run(":put [/widget get a active]"), "false\n");
    }
    EXPECT_EQ(Run("/widget sign a steps=1 duration=5s"), "  progress: step 1\n  progress: done\n");
}

TEST_F(ConsoleTest, ScriptStopsAtFirstErrorWithItsLine) {
    std::string script =
        "# widgets\n"
        "/widget\n"
        "add name=a\n"
        "add name=b \\\n"
        "    kind=large\n"
        "add name=a\n"
        "add name=never\n";
    EXPECT_EQ(fixture_.console().RunScript(script, "test.rsc"), 1);
    EXPECT_EQ(fixture_.TakeErr(), "failure: widget with the same name already exists (line 6)\n");
    EXPECT_EQ(Run(":put [/widget find]"), "*1;*2\n");
    EXPECT_EQ(fixture_.console().Prompt(), "[admin@certos] > ");  // a script's menu changes stay in the script

    EXPECT_EQ(fixture_.console().RunScript("/widget\n\nadd name=c colour=1\n", "bad.rsc"), 1);
    EXPECT_EQ(fixture_.TakeErr(), "expected end of command (line 3 column 12)\n");
    EXPECT_EQ(fixture_.console().RunScript("/widget print count-only\n:put \"done\"\n", "ok.rsc"), 0);
    EXPECT_EQ(fixture_.Take(), "2\ndone\n");
}

TEST_F(ConsoleTest, ScriptingSubset) {
    AddTwo();
    EXPECT_EQ(Run(":local x 5; :put $x"), "5\n");
    EXPECT_EQ(Run(":put $x"), "syntax error (line 1 column 7)\n");  // locals end with the line
    Run(":global g hello");
    EXPECT_EQ(Run(":put $g"), "hello\n");
    EXPECT_EQ(Run(":local n 1; :set n ($n + 1); :put $n"), "2\n");
    EXPECT_EQ(Run(":put (\"a\" . \"b\" . 3)"), "ab3\n");
    EXPECT_EQ(Run(":if (1 < 2) do={:put yes} else={:put no}"), "yes\n");
    EXPECT_EQ(Run(":if ([:len [/widget find]] = 3) do={:put yes} else={:put no}"), "no\n");
    EXPECT_EQ(Run(":foreach i in=[/widget find] do={:put [/widget get $i name]}"), "a\nb\n");
    EXPECT_EQ(Run(":do {/widget remove 99} on-error={:put caught}"), "caught\n");
    EXPECT_EQ(Run(":local c 0; :while ($c < 3) do={:set c ($c + 1)}; :put $c"), "3\n");
    EXPECT_EQ(Run(":delay 10ms"), "");
    // :log writes through the tree's /log menu (tests/script/log.rsc); this tree has none, which is an error.
    EXPECT_EQ(Run(":log info \"text\""), "no such command or directory (log)\n");
    EXPECT_EQ(Run(":error \"stop here\""), "stop here\n");
    EXPECT_EQ(Run(":set undefined 1"), "no such variable undefined\n");
    EXPECT_EQ(Run(":local name b; :put [/widget get [find name=$name] kind]"), "small\n");
    EXPECT_EQ(Run(":put [/widget print count-only where name~\"^[ab]\"]"), "2\n");
    EXPECT_EQ(Run(":put [/widget print as-value where name=a]"),
              ".id=*1;active=false;comment=;enabled=true;issued=false;kind=large;locked=false;name=a;revoked=false;"
              "size=10\n");  // an array's keys are sorted, as RouterOS prints them
    EXPECT_TRUE(fixture_.console().RunLine("/quit"));
}

TEST_F(ConsoleTest, DeepNestingIsAnErrorNotACrash) {
    AddTwo();
    // Each of these overflowed the stack and took the process down.
    std::string parens = "/widget print where " + std::string(10000, '(') + "active" + std::string(10000, ')');
    EXPECT_EQ(Run(parens), "nesting too deep (line 1 column 121)\n");
    EXPECT_EQ(Run("/widget print where " + std::string(100000, '!') + "active"),
              "nesting too deep (line 1 column 121)\n");
    EXPECT_EQ(Run("/widget print where " + std::string(50000, '(') + "not "), "nesting too deep (line 1 column 121)\n");
    EXPECT_EQ(Run(":put " + std::string(50000, '[') + std::string(50000, ']')),
              "nesting too deep (line 1 column 106)\n");
    EXPECT_EQ(Run(":put (" + std::string(10000, '(') + "1" + std::string(10001, ')')),
              "nesting too deep (line 1 column 106)\n");
    EXPECT_EQ(Run(":put (" + std::string(100000, '!') + "true)"), "nesting too deep (line 1 column 106)\n");
    std::string negations;
    for (int i = 0; i < 10000; ++i) {
        negations += "- ";
    }
    EXPECT_EQ(Run(":put (" + negations + "1)"), "nesting too deep (line 1 column 205)\n");
    EXPECT_EQ(
        fixture_.console().RunScript(":put " + std::string(50000, '[') + std::string(50000, ']') + "\n", "deep.rsc"),
        1);
    EXPECT_EQ(fixture_.TakeErr(), "nesting too deep (line 1 column 106)\n");
    // Up to the bound everything works, and the console goes on.
    std::string ok = "/widget print count-only where " + std::string(99, '(') + "name=a" + std::string(99, ')');
    EXPECT_EQ(Run(ok), "1\n");
    EXPECT_EQ(Run(":put (" + std::string(98, '!') + "true)"), "true\n");
    std::string lengths = "abc";
    for (std::size_t i = 0; i < kMaxNesting; ++i) {
        lengths.insert(0, "[:len ").append("]");
    }
    EXPECT_EQ(Run(":put " + lengths), "1\n");
}

class CompletionTest : public ConsoleTest {
protected:
    Completion At(std::string_view line, std::string_view menu = "/") {
        CompletionContext context{fixture_.tree(), *fixture_.tree().FindMenu(menu), [](const menu::Menu&) {
                                      return std::vector<std::string>{"alpha", "beta"};
                                  }};
        return Complete(context, line);
    }
    std::vector<std::string> Help(std::string_view line, std::string_view menu = "/") {
        CompletionContext context{fixture_.tree(), *fixture_.tree().FindMenu(menu), {}};
        return HelpLines(context, line);
    }
    using Words = std::vector<std::string>;
};

TEST_F(CompletionTest, MenusAndVerbs) {
    Completion add = At("/widget ad");
    EXPECT_EQ(add.start, 8u);
    EXPECT_EQ(add.candidates, Words{"add"});
    EXPECT_EQ(At("/wid").candidates, Words{"widget"});
    EXPECT_EQ(At("/wid").start, 1u);
    Completion slash = At("/widget/se");
    EXPECT_EQ(slash.start, 8u);
    EXPECT_EQ(slash.candidates, (Words{"settings", "set"}));
    EXPECT_EQ(At("..", "/widget").candidates, Words{".."});
    EXPECT_EQ(At("sett", "/widget").candidates, Words{"settings"});
    EXPECT_TRUE(At("/nothing pr").candidates.empty());
}

TEST_F(CompletionTest, ArgumentsValuesAndItems) {
    EXPECT_EQ(At("/widget add ki").candidates, Words{"kind="});
    Completion kind = At("/widget add kind=m");
    EXPECT_EQ(kind.start, 17u);
    EXPECT_EQ(kind.candidates, Words{"medium"});
    EXPECT_EQ(At("/widget add enabled=").candidates, (Words{"no", "yes"}));
    EXPECT_EQ(At("/widget print de").candidates, Words{"detail"});
    Words set = At("/widget set ").candidates;
    ASSERT_GE(set.size(), 3u);
    EXPECT_EQ(set[0], "alpha");
    EXPECT_EQ(set[1], "beta");
    EXPECT_EQ(set[2], "numbers=");
    EXPECT_EQ(At("/widget set alpha na").candidates, Words{"name="});
    EXPECT_EQ(At("/widget remove numbers=alpha,b").candidates, Words{"beta"});
    EXPECT_EQ(At("/widget remove numbers=alpha,b").start, 29u);
    EXPECT_EQ(At("/widget print where ki").candidates, Words{"kind"});
    EXPECT_EQ(At("/widget print w").candidates, (Words{"without-paging", "where"}));
    EXPECT_EQ(At(":put [/widget get [find na").candidates, Words{"name="});
    EXPECT_TRUE(At("/widget add name=\"a b").candidates.empty());
    EXPECT_EQ(At("add kind=l", "/widget").candidates, Words{"large"});
    CompletionContext spaced{fixture_.tree(), fixture_.tree().root(), [](const menu::Menu&) {
                                 return std::vector<std::string>{"my cert", "plain"};
                             }};
    EXPECT_EQ(Complete(spaced, "/widget remove ").candidates.front(), "\"my cert\"");
    EXPECT_EQ(Complete(spaced, "/widget remove p").candidates, Words{"plain"});
    Completion quoted = Complete(spaced, "/widget remove \"my");
    EXPECT_EQ(quoted.candidates, Words{"\"my cert\""});
    EXPECT_EQ(quoted.start, 15u);
}

// Issue 16: `?` at the root lists the menus and the global commands; `:p<Tab>` completes them.
TEST_F(CompletionTest, RootOffersGlobalCommands) {
    Words root = At("").candidates;
    EXPECT_NE(std::find(root.begin(), root.end(), "widget"), root.end());
    EXPECT_NE(std::find(root.begin(), root.end(), ":put"), root.end());
    EXPECT_NE(std::find(root.begin(), root.end(), ":local"), root.end());
    EXPECT_EQ(std::find(root.begin(), root.end(), ":beep"), root.end());  // refused by certos, not offered
    EXPECT_EQ(At(":pu").candidates, Words{":put"});
    EXPECT_EQ(At(":pu", "/widget").candidates, Words{":put"});
    EXPECT_TRUE(At(":put ").candidates.empty());
    Words help = Help("");
    EXPECT_NE(std::find_if(help.begin(), help.end(),
                           [](const std::string& line) {
                               return line.starts_with(":put ") && line.ends_with("-- global command");
                           }),
              help.end());
}

TEST_F(CompletionTest, QuestionMarkHelp) {
    Words menu = Help("/widget ");
    ASSERT_FALSE(menu.empty());
    EXPECT_NE(std::find(menu.begin(), menu.end(), "settings -- widget settings"), menu.end());
    EXPECT_NE(std::find(menu.begin(), menu.end(), "add      -- create a new item"), menu.end());
    EXPECT_NE(std::find(menu.begin(), menu.end(), "..       -- go up one level"), menu.end());
    Words add = Help("/widget add ");
    ASSERT_GE(add.size(), 3u);
    EXPECT_EQ(add[0], "add       -- create a new item");
    EXPECT_EQ(add[1], "  name    -- the name");
    Words kind = Help("/widget add kind=");
    EXPECT_EQ(kind, (Words{"kind -- the kind", "  small medium large"}));
    EXPECT_TRUE(InsideQuote("add name=\"a"));
    EXPECT_FALSE(InsideQuote("add name=\"a\\\"\" "));
    EXPECT_EQ(CommonPrefix({"settings", "set"}), "set");
}

}  // namespace
}  // namespace certos::console
