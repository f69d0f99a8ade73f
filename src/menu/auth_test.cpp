#include "menu/auth.hpp"

#include <gtest/gtest.h>

#include "menu/item_menu.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

TEST(EscapeLogTextTest, ControlCharactersAndBackslashesAreEscaped) {
    EXPECT_EQ(EscapeLogText("a\nb\r\tc\\d\x1b[2K\x7f"), "a\\nb\\r\\tc\\\\d\\x1b[2K\\x7f");
    EXPECT_EQ(EscapeLogText("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");  // UTF-8 is kept
    EXPECT_EQ(EscapeLogText("\xc2\x9b"
                            "31m"),
              "\\xc2\\x9b31m");                          // a C1 control (CSI) is not
    EXPECT_EQ(EscapeLogText("\xff\xc3"), "\\xff\\xc3");  // nor broken UTF-8
}

TEST(EscapeLogTextTest, LongTextIsCutNeverInsideAnEscapeOrACharacter) {
    EXPECT_EQ(EscapeLogText("abcdef", 6), "abcdef");
    EXPECT_EQ(EscapeLogText("abcdefg", 6), "abc...");
    EXPECT_EQ(EscapeLogText("ab\ncdefg", 6), "ab...");
    EXPECT_EQ(EscapeLogText("ab\xc3\xa9"
                            "cdefg",
                            6),
              "ab...");
    EXPECT_EQ(EscapeLogText(std::string(1 << 20, 'x')).size(), kMaxLogMessage);
    EXPECT_EQ(LogName(std::string(1000, 'x')), std::string(kMaxLogName, 'x') + "...");
}

TEST(WriteLogTest, EveryEntryIsOneBoundedLine) {
    testing::TreeFixture f;
    Bootstrap(f.tree());
    WriteLog(f.tree(), "system,info", "first\nforged " + std::string(5000, 'y'));
    f.Run("/log", "warning", {{"message", "second\r\nforged"}});
    std::vector<Record> log = f.Run("/log", "print").records;
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].GetOr("message").substr(0, 15), "first\\nforged y");
    EXPECT_LE(log[0].GetOr("message").size(), kMaxLogMessage);
    EXPECT_EQ(log[1].GetOr("message"), "second\\r\\nforged");
}

}  // namespace
}  // namespace certos::menu
