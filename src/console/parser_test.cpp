// Tests of the console's lexer, path resolution, request building and `where` expressions.

#include <gtest/gtest.h>

#include "console/command.hpp"
#include "console/lexer.hpp"
#include "console/test_support.hpp"
#include "console/where.hpp"

namespace certos::console {
namespace {

using Kind = Piece::Kind;
using Op = menu::Filter::Op;

Statement One(std::string_view source) {
    Lexer lexer(source);
    auto statement = lexer.Next();
    EXPECT_TRUE(statement.has_value()) << source;
    EXPECT_FALSE(lexer.Next().has_value()) << source;
    return statement.value_or(Statement{});
}

ParseError::Kind ErrorKind(std::string_view source) {
    try {
        Lexer(source).ParseAll();
    } catch (const ParseError& error) {
        return error.kind();
    }
    ADD_FAILURE() << "no error for " << source;
    return ParseError::Kind::kSyntax;
}

// Plain evaluates text and quotes as themselves and variables as "$name" (no substitution in these tests).
Value Plain(std::span<const Piece> pieces) {
    std::string text;
    for (const Piece& piece : pieces) {
        text += piece.kind == Kind::kVariable ? "$" + piece.text : piece.text;
    }
    return Value::Str(text);
}

TEST(LexerTest, SplitsWordsAndNamedValues) {
    Statement s = One("add name=x common-name=\"a b\"");
    ASSERT_EQ(s.words.size(), 3u);
    EXPECT_EQ(s.words[0].Text(), "add");
    EXPECT_TRUE(s.words[1].IsText());
    EXPECT_EQ(s.words[1].Text(), "name=x");
    ASSERT_EQ(s.words[2].pieces.size(), 2u);
    EXPECT_EQ(s.words[2].pieces[0].text, "common-name=");
    EXPECT_EQ(s.words[2].pieces[1].kind, Kind::kQuoted);
    EXPECT_EQ(s.words[2].pieces[1].text, "a b");
    EXPECT_EQ(s.words[2].offset, 11u);
}

TEST(LexerTest, AppliesEscapesInQuotesAndText) {
    Statement s = One(R"(:put "q\"b\\s\n\t\_d\$\?\41\4a" x\_y)");
    ASSERT_EQ(s.words.size(), 3u);
    EXPECT_EQ(s.words[1].pieces[0].text, "q\"b\\s\n\t d$?A4a");  // \4a is no hex pair (lower case)
    EXPECT_EQ(s.words[2].Text(), "x y");
}

TEST(LexerTest, SeparatesStatementsBySemicolonAndLineEnd) {
    Lexer lexer("add name=a; add name=b\nprint\n\n  ; ;\nprint detail");
    std::vector<Statement> all = lexer.ParseAll();
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[1].words[1].Text(), "name=b");
    EXPECT_EQ(all[3].words[1].Text(), "detail");
}

TEST(LexerTest, ContinuesLinesEndingInBackslash) {
    Statement s = One("add \\\n   name=x \\\r\n kind=large");
    ASSERT_EQ(s.words.size(), 3u);
    EXPECT_EQ(s.words[2].Text(), "kind=large");
    Statement quoted = One("add comment=\"a\\\nb\"");
    EXPECT_EQ(quoted.words[1].pieces[1].text, "ab");
}

TEST(LexerTest, SkipsCommentsAtStatementStart) {
    Lexer lexer("# a comment; with a semicolon\n  # another\nprint # not a comment here\n");
    std::vector<Statement> all = lexer.ParseAll();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].words.size(), 6u);  // print # not a comment here
}

TEST(LexerTest, NestsSubstitutionsAndBlocks) {
    Statement s = One(":put [/widget get [find name=x] kind]");
    ASSERT_EQ(s.words.size(), 2u);
    const Piece& outer = s.words[1].pieces[0];
    ASSERT_EQ(outer.kind, Kind::kSubstitution);
    ASSERT_EQ(outer.body.size(), 1u);
    const Statement& inner = outer.body[0];
    ASSERT_EQ(inner.words.size(), 4u);
    EXPECT_EQ(inner.words[2].pieces[0].kind, Kind::kSubstitution);
    EXPECT_EQ(inner.words[2].pieces[0].body[0].words[1].Text(), "name=x");

    Statement block = One(":if ($a=1) do={:put yes; :put more\n:put third} else={}");
    ASSERT_EQ(block.words.size(), 6u);
    EXPECT_EQ(block.words[1].pieces[0].kind, Kind::kOpen);
    EXPECT_EQ(block.words[2].pieces[0].kind, Kind::kVariable);
    EXPECT_EQ(block.words[2].pieces[1].text, "=1");
    EXPECT_EQ(block.words[3].pieces[0].kind, Kind::kClose);
    ASSERT_EQ(block.words[4].pieces[1].kind, Kind::kBlock);
    EXPECT_EQ(block.words[4].pieces[1].body.size(), 3u);
    EXPECT_TRUE(block.words[5].pieces[1].body.empty());
}

TEST(LexerTest, ReadsVariables) {
    Statement s = One(":put $x$\"my var\"");
    ASSERT_EQ(s.words[1].pieces.size(), 2u);
    EXPECT_EQ(s.words[1].pieces[0].text, "x");
    EXPECT_EQ(s.words[1].pieces[1].text, "my var");
}

TEST(LexerTest, ReportsUnterminatedAndStrayBrackets) {
    EXPECT_EQ(ErrorKind("add name=\"abc"), ParseError::Kind::kIncomplete);
    EXPECT_EQ(ErrorKind(":put [find"), ParseError::Kind::kIncomplete);
    EXPECT_EQ(ErrorKind(":if (1) do={"), ParseError::Kind::kIncomplete);
    EXPECT_EQ(ErrorKind("print \\"), ParseError::Kind::kIncomplete);
    EXPECT_EQ(ErrorKind("print ]"), ParseError::Kind::kSyntax);
    EXPECT_EQ(ErrorKind(":put [find }"), ParseError::Kind::kSyntax);
    EXPECT_EQ(ErrorKind(":put $"), ParseError::Kind::kSyntax);
}

TEST(LexerTest, NestingIsBoundedNotAStackOverflow) {
    // 50,000 nested [ ] in a script overflowed the stack of the lexer (and of every walk over its tree).
    std::string deep = ":put " + std::string(50000, '[') + std::string(50000, ']');
    EXPECT_EQ(ErrorKind(deep), ParseError::Kind::kTooDeep);
    EXPECT_EQ(ErrorKind(":do " + std::string(50000, '{') + std::string(50000, '}')), ParseError::Kind::kTooDeep);
    std::string at_bound = ":put " + std::string(kMaxNesting, '[') + std::string(kMaxNesting, ']');
    EXPECT_NO_THROW(Lexer(at_bound).ParseAll());
    try {
        Lexer(":put " + std::string(kMaxNesting + 1, '[')).ParseAll();
        ADD_FAILURE() << "no error";
    } catch (const ParseError& error) {
        EXPECT_EQ(std::string(error.what()), "nesting too deep");
        EXPECT_EQ(error.offset(), 5u + kMaxNesting);  // the first bracket too many
    }
}

TEST(LexerTest, PositionsAreOneBasedLinesAndColumns) {
    std::string source = "a\nbc d\n";
    EXPECT_EQ(PositionOf(source, 0).line, 1);
    EXPECT_EQ(PositionOf(source, 0).column, 1);
    EXPECT_EQ(PositionOf(source, 5).line, 2);
    EXPECT_EQ(PositionOf(source, 5).column, 4);
}

class TargetTest : public ::testing::Test {
protected:
    Target Resolve(std::string_view source, std::string_view from = "/") {
        return ResolveTarget(fixture_.tree(), *fixture_.tree().FindMenu(from), One(source));
    }
    std::string BadCommand(std::string_view source, std::string_view from = "/") {
        try {
            Resolve(source, from);
        } catch (const ParseError& error) {
            return std::string(error.what()) + " @" + std::to_string(error.offset());
        }
        return "no error";
    }
    testing::ConsoleFixture fixture_;
};

TEST_F(TargetTest, ResolvesAbsoluteSlashAndSpaceForms) {
    Target spaced = Resolve("/widget print detail");
    EXPECT_EQ(spaced.menu->path, "/widget");
    EXPECT_EQ(spaced.verb->name, "print");
    EXPECT_EQ(spaced.first_argument, 2u);

    Target slashed = Resolve("/widget/print detail", "/widget/settings");
    EXPECT_EQ(slashed.menu->path, "/widget");
    EXPECT_EQ(slashed.first_argument, 1u);

    EXPECT_EQ(Resolve("/widget/settings/set mode=slow").menu->path, "/widget/settings");
    EXPECT_EQ(Resolve("/ widget settings print").menu->path, "/widget/settings");
}

TEST_F(TargetTest, ResolvesRelativePathsAndParent) {
    EXPECT_EQ(Resolve("settings print", "/widget").menu->path, "/widget/settings");
    EXPECT_EQ(Resolve("print", "/widget").menu->path, "/widget");
    Target up = Resolve(".. add name=x", "/widget/settings");
    EXPECT_EQ(up.menu->path, "/widget");
    EXPECT_EQ(up.verb->name, "add");
    EXPECT_EQ(Resolve("..", "/widget").menu->path, "/");
    EXPECT_EQ(Resolve("..", "/").menu->path, "/");
}

TEST_F(TargetTest, BareMenuChangesMenuWithoutVerb) {
    Target change = Resolve("/widget/settings");
    EXPECT_EQ(change.verb, nullptr);
    EXPECT_EQ(change.menu->path, "/widget/settings");
    EXPECT_EQ(Resolve("/", "/widget").menu->path, "/");
}

TEST_F(TargetTest, AcceptsUniquePrefixes) {
    EXPECT_EQ(Resolve("/wid pr").verb->name, "print");
    EXPECT_EQ(Resolve("sett print", "/widget").menu->path, "/widget/settings");
    EXPECT_EQ(Resolve("set 0", "/widget").verb->name, "set");  // exact beats the prefix of `settings`
}

TEST_F(TargetTest, UnknownNamesAreBadCommands) {
    EXPECT_EQ(BadCommand("/widget foo"), "bad command name foo @8");
    EXPECT_EQ(BadCommand("/widget/foo/print"), "bad command name foo @8");
    EXPECT_EQ(BadCommand("/nothing"), "bad command name nothing @1");
    EXPECT_EQ(BadCommand("/widget/print/more"), "bad command name more @14");
    EXPECT_EQ(BadCommand("s", "/widget"), "bad command name s @0");  // set, settings, sign
}

class BuildTest : public TargetTest {
protected:
    Command Build(std::string_view source, std::string_view from = "/widget") {
        Statement statement = One(source);
        Target target = ResolveTarget(fixture_.tree(), *fixture_.tree().FindMenu(from), statement);
        return BuildCommand(target, statement, Plain, &numbers_);
    }
    std::string ExpectedEnd(std::string_view source) {
        try {
            Build(source);
        } catch (const ParseError& error) {
            return std::string(error.what()) + " @" + std::to_string(error.offset());
        }
        return "no error";
    }
    using Args = std::vector<std::pair<std::string, std::string>>;
    ItemNumbers numbers_;
};

TEST_F(BuildTest, BindsUnnamedValuesAndConvertsNumbers) {
    numbers_.Remember("/widget", {"*4", "*7", "*9"});
    Command set = Build("set 1 name=x");
    EXPECT_EQ(set.request.path, "/widget");
    EXPECT_EQ(set.request.verb, "set");
    EXPECT_EQ(set.request.args, (Args{{"name", "x"}, {"numbers", "*7"}}));
    EXPECT_EQ(Build("remove 0,2").request.args, (Args{{"numbers", "*4,*9"}}));
    EXPECT_EQ(Build("remove *5,foo,1").request.args, (Args{{"numbers", "*5,foo,*7"}}));
    EXPECT_EQ(Build("get 2 kind").request.args, (Args{{"number", "*9"}, {"value-name", "kind"}}));
    EXPECT_EQ(Build("set .id=0 comment=\"a b\"").request.args, (Args{{"numbers", "*4"}, {"comment", "a b"}}));
}

TEST_F(BuildTest, NumberNotInLastPrintIsNoSuchItem) {
    numbers_.Remember("/widget", {"*4"});
    EXPECT_THROW(
        {
            try {
                Build("remove 1");
            } catch (const core::Error& error) {
                EXPECT_STREQ(error.what(), "no such item");
                EXPECT_EQ(error.category(), core::ErrorCategory::kMissingItem);
                throw;
            }
        },
        core::Error);
    ItemNumbers none;
    numbers_ = none;
    EXPECT_THROW(Build("remove 0"), core::Error);
}

TEST_F(BuildTest, FlagsAndPrefixedArgumentNames) {
    Command print = Build("print detail count-only without-paging");
    EXPECT_EQ(print.flags, (std::set<std::string>{"detail", "count-only", "without-paging"}));
    EXPECT_EQ(print.request.args, (Args{{"detail", ""}, {"count-only", ""}, {"without-paging", ""}}));
    EXPECT_EQ(Build("print det").flags, (std::set<std::string>{"detail"}));
    EXPECT_EQ(Build("add na=x ki=large").request.args, (Args{{"name", "x"}, {"kind", "large"}}));
    EXPECT_EQ(Build("print detail=yes").flags, (std::set<std::string>{"detail"}));
}

TEST_F(BuildTest, ProplistAlwaysAsksForIds) {
    Command print = Build("print proplist=name,size");
    EXPECT_EQ(print.proplist, (std::vector<std::string>{"name", "size"}));
    EXPECT_EQ(print.request.args, (Args{{"proplist", ".id,name,size"}}));
}

TEST_F(BuildTest, UnknownArgumentsAndExtraValuesAreExpectedEnd) {
    EXPECT_EQ(ExpectedEnd("add name=x colour=red"), "expected end of command @11");
    EXPECT_EQ(ExpectedEnd("remove 0 1"), "expected end of command @9");
    EXPECT_EQ(ExpectedEnd("print foo"), "expected end of command @6");
    EXPECT_EQ(ExpectedEnd("print where foo=1"), "expected end of command @12");
}

TEST_F(BuildTest, WhereTakesTheRestOfTheStatement) {
    Command print = Build("print detail where name=a");
    ASSERT_TRUE(print.request.filter.has_value());
    EXPECT_EQ(print.request.filter->op, Op::kEq);
    EXPECT_EQ(print.request.filter->property, "name");
    EXPECT_EQ(print.request.filter->value, "a");
    EXPECT_TRUE(print.flags.contains("detail"));
    Command find = Build("find where enabled");
    EXPECT_EQ(find.request.filter->op, Op::kTruthy);
    Command shorthand = Build("find name=x");
    EXPECT_EQ(shorthand.request.args, (Args{{"name", "x"}}));
}

class WhereTest : public TargetTest {
protected:
    menu::Filter Where(std::string_view expression) {
        Statement statement = One(expression);
        const menu::Menu& menu = *fixture_.tree().FindMenu("/widget");
        return ParseWhere(menu, statement.words, Plain, expression.size());
    }
    std::string Error(std::string_view expression) {
        try {
            Where(expression);
        } catch (const ParseError& error) {
            return std::string(error.what()) + " @" + std::to_string(error.offset());
        }
        return "no error";
    }
    // Show writes a filter as a prefix expression: and(eq(name,a),not(truthy(locked))).
    static std::string Show(const menu::Filter& f) {
        static const char* kNames[] = {"true", "truthy", "has", "lacks", "eq",  "ne", "lt", "gt",
                                       "le",   "ge",     "re",  "in",    "and", "or", "not"};
        std::string out = kNames[static_cast<int>(f.op)];
        out += "(";
        if (!f.property.empty()) {
            out += f.property;
            if (f.op != Op::kTruthy) {
                out += "," + f.value;
            }
        }
        for (std::size_t i = 0; i < f.children.size(); ++i) {
            out += (i > 0 ? "," : "") + Show(f.children[i]);
        }
        return out + ")";
    }
};

TEST_F(WhereTest, ComparisonsAndOperatorsTouchingOperands) {
    EXPECT_EQ(Show(Where("name=a")), "eq(name,a)");
    EXPECT_EQ(Show(Where("name!=a")), "ne(name,a)");
    EXPECT_EQ(Show(Where("size<3")), "lt(size,3)");
    EXPECT_EQ(Show(Where("size>3")), "gt(size,3)");
    EXPECT_EQ(Show(Where("size<=3")), "le(size,3)");
    EXPECT_EQ(Show(Where("size >= 3")), "ge(size,3)");
    EXPECT_EQ(Show(Where("name~\"^w[0-9]\"")), "re(name,^w[0-9])");
    EXPECT_EQ(Show(Where("kind in small,medium")), "in(kind,small,medium)");
    EXPECT_EQ(Show(Where("comment=a=b,c=d")), "eq(comment,a=b,c=d)");
    EXPECT_EQ(Show(Where("comment=\"\"")), "eq(comment,)");
    EXPECT_EQ(Show(Where("name=$n")), "eq(name,$n)");
    EXPECT_EQ(Show(Where(".id=*1")), "eq(.id,*1)");
}

TEST_F(WhereTest, NotBindsTighterThanAndTighterThanOr) {
    EXPECT_EQ(Show(Where("locked")), "truthy(locked)");
    EXPECT_EQ(Show(Where("!locked")), "not(truthy(locked))");
    EXPECT_EQ(Show(Where("not locked and active or name=x")), "or(and(not(truthy(locked)),truthy(active)),eq(name,x))");
    EXPECT_EQ(Show(Where("name=x or active and !locked")), "or(eq(name,x),and(truthy(active),not(truthy(locked))))");
    EXPECT_EQ(Show(Where("name=1 || name=2 && size=3")), "or(eq(name,1),and(eq(name,2),eq(size,3)))");
}

TEST_F(WhereTest, ParenthesesGroup) {
    EXPECT_EQ(Show(Where("(name=a or name=b) and active")), "and(or(eq(name,a),eq(name,b)),truthy(active))");
    EXPECT_EQ(Show(Where("not (locked or active)")), "not(or(truthy(locked),truthy(active)))");
    EXPECT_EQ(Show(Where("((size>1))")), "gt(size,1)");
}

TEST_F(WhereTest, ErrorsPointAtTheOffendingWord) {
    EXPECT_EQ(Error("colour=red"), "expected end of command @0");
    EXPECT_EQ(Error("name=a colour"), "expected end of command @7");
    EXPECT_EQ(Error("(name=a"), "expected end of command @7");
    EXPECT_EQ(Error("name=a and"), "expected end of command @10");
    EXPECT_EQ(Error("name= and active"), "expected end of command @6");
    EXPECT_EQ(Error("\"name\"=a"), "expected end of command @0");
}

}  // namespace
}  // namespace certos::console
