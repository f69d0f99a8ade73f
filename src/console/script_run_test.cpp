// The script runner other parts call (RunScriptText) and the language's bounds: recursion depth, value size,
// Ctrl-C in loops, and commands' values typed by the menu schema.

#include <gtest/gtest.h>

#include <sstream>

#include "console/interpreter.hpp"
#include "console/test_support.hpp"

namespace certos::console {
namespace {

class ScriptRunTest : public ::testing::Test {
protected:
    std::string Run(std::string_view line) { return fixture_.Run(line); }
    testing::ConsoleFixture fixture_;
};

TEST_F(ScriptRunTest, RunScriptTextRunsForASessionAndNamesTheFailingLine) {
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_TRUE(
        RunScriptText(fixture_.tree(), menu::Session{}, "/widget add name=a\n:put [:len [/widget find]]\n", out, err));
    EXPECT_EQ(out.str(), "1\n");
    EXPECT_EQ(err.str(), "");
    std::ostringstream out2;
    EXPECT_FALSE(RunScriptText(fixture_.tree(), menu::Session{}, ":put one\n:error \"two\"\n:put three\n", out2, err));
    EXPECT_EQ(out2.str(), "one\n");
    EXPECT_EQ(err.str(), "two (line 2)\n");
}

TEST_F(ScriptRunTest, RecursionIsBoundedWithAnError) {
    EXPECT_EQ(Run(":global f do={ :global f; :return ([$f] + 1) }; :put [$f]"),
              "function calls nested too deeply (more than 50)\n");
    EXPECT_EQ(Run(":global g do={ :global g; :if ($1 > 0) do={ :return [$g ($1 - 1)] }; :return done }; :put [$g 49]"),
              "done\n");
}

TEST_F(ScriptRunTest, GrowingAValueWithoutEndIsAnError) {
    EXPECT_EQ(Run(":local s \"x\"; :while (true) do={ :set s ($s . $s) }"), "value too large\n");
    EXPECT_EQ(Run(":local a {1}; :while (true) do={ :set a ($a , $a) }"), "value too large\n");
}

TEST_F(ScriptRunTest, InterruptStopsAnEndlessLoop) {
    std::ostringstream out;
    std::ostringstream err;
    Interpreter interpreter(fixture_.tree(), menu::Session{}, out, err);
    int checks = 0;
    interpreter.set_interrupted([&] { return ++checks > 1000; });
    EXPECT_FALSE(interpreter.Run(":local n 0; :while (true) do={ :set n ($n + 1) }", Interpreter::Mode::kLine));
    EXPECT_EQ(err.str(), "interrupted\n");
    EXPECT_GT(checks, 1000);
}

TEST_F(ScriptRunTest, CommandValuesAreTypedBySchema) {
    ASSERT_EQ(Run("/widget add name=a size=10 enabled=no"), "");
    EXPECT_EQ(Run(":put [:typeof [/widget get a size]]"), "num\n");
    EXPECT_EQ(Run(":put ([/widget get a size] * 2)"), "20\n");
    EXPECT_EQ(Run(":put [:typeof [/widget get a enabled]]"), "bool\n");
    EXPECT_EQ(Run(":put [:typeof [/widget get a name]]"), "str\n");
    EXPECT_EQ(Run(":put (([/widget print as-value]->0)->\"size\" + 1)"), "11\n");
    EXPECT_EQ(Run(":put [:typeof ([/widget find]->0)]"), "id\n");
    EXPECT_EQ(Run(":put [:typeof [/widget print count-only]]"), "num\n");
    EXPECT_EQ(Run(":local w [/widget get a]; :put ($w->\"name\")"), "a\n");
    EXPECT_EQ(Run("/widget set ([/widget find]->0) comment=(\"c\" . 1); :put [/widget get a comment]"), "c1\n");
}

TEST_F(ScriptRunTest, CheckingALineLooksIntoCodeBlocksButNotArrayLiterals) {
    EXPECT_EQ(Run(":put 1; :local f do={ /widget frob }"), "bad command name frob (line 1 column 31)\n");
    EXPECT_EQ(Run(":put 1; { /widget frob }"), "bad command name frob (line 1 column 19)\n");
    EXPECT_EQ(Run(":foreach x in={ 1; 2 } do={ :put $x }"), "1\n2\n");
    EXPECT_EQ(Run(":put [:typeof {widget; frob}]"), "array\n");
}

}  // namespace
}  // namespace certos::console
