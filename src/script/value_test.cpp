#include "script/value.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::script {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

TEST(ScriptLiteralTest, TypesUnquotedWords) {
    EXPECT_EQ(ParseLiteral("42").type, Type::kNum);
    EXPECT_EQ(ParseLiteral("-7").number, -7);
    EXPECT_EQ(ParseLiteral("0x1F").number, 31);
    EXPECT_EQ(ParseLiteral("true").type, Type::kBool);
    EXPECT_EQ(ParseLiteral("1d2h").type, Type::kTime);
    EXPECT_EQ(ParseLiteral("*1a").ToString(), "*1A");
    EXPECT_EQ(ParseLiteral("*1a").type, Type::kId);
    EXPECT_EQ(ParseLiteral("10.0.0.1").type, Type::kIp);
    EXPECT_EQ(ParseLiteral("10.0.0.0/8").type, Type::kIpPrefix);
    EXPECT_EQ(ParseLiteral("10.0.0.256").type, Type::kStr);
    EXPECT_EQ(ParseLiteral("hello").type, Type::kStr);
    EXPECT_EQ(ParseLiteral("99999999999999999999").type, Type::kStr);  // out of range stays text
}

TEST(ScriptLiteralTest, ReadsEveryTimeForm) {
    EXPECT_EQ(ParseTime("1w2d3h4m5s"), ((((7 + 2) * 24 + 3) * 60 + 4) * 60 + 5) * kSecond);
    EXPECT_EQ(ParseTime("1500ms"), 1500 * 1'000'000);
    EXPECT_EQ(ParseTime("02:03:04"), (2 * 3600 + 3 * 60 + 4) * kSecond);
    EXPECT_EQ(ParseTime("1d00:00:01.5"), (86400 + 1) * kSecond + kSecond / 2);
    EXPECT_EQ(ParseTime("-1h"), -3600 * kSecond);
    EXPECT_FALSE(ParseTime("12"));
    EXPECT_FALSE(ParseTime("1x"));
    EXPECT_FALSE(ParseTime("1:60:00"));
    EXPECT_FALSE(ParseTime("999999999999999999w"));
}

TEST(ScriptLiteralTest, PrintsTimeAsRouterOs) {
    EXPECT_EQ(FormatTime(0), "00:00:00");
    EXPECT_EQ(FormatTime(86400 * kSecond), "1d00:00:00");
    EXPECT_EQ(FormatTime((604800 + 90) * kSecond), "1w00:01:30");
    EXPECT_EQ(FormatTime(1500 * 1'000'000), "00:00:01.500");
    EXPECT_EQ(FormatTime(-3600 * kSecond), "-01:00:00");
    EXPECT_EQ(Value::Time(90 * kSecond).ToArgument(), "1m30s");
}

TEST(ScriptValueTest, TimeArithmetic) {
    Value day = ParseLiteral("1d");
    Value two_hours = ParseLiteral("2h");
    EXPECT_EQ(Arithmetic('-', day, two_hours).ToString(), "22:00:00");
    EXPECT_EQ(Arithmetic('*', Value::Num(3), two_hours).ToString(), "06:00:00");
    EXPECT_EQ(Arithmetic('/', day, Value::Num(4)).ToString(), "06:00:00");
    EXPECT_EQ(Arithmetic('/', day, two_hours).number, 12);
    EXPECT_LT(Compare(two_hours, day), 0);
    EXPECT_THROW(Compare(two_hours, Value::Num(3)), core::Error);
    EXPECT_THROW(Arithmetic('+', day, Value::Str("abc")), core::Error);
}

TEST(ScriptValueTest, NumberArithmeticIsCheckedAndStringsCount) {
    EXPECT_EQ(Arithmetic('%', Value::Num(7), Value::Num(3)).number, 1);
    EXPECT_EQ(Arithmetic('+', Value::Str("5"), Value::Num(1)).number, 6);
    EXPECT_THROW(Arithmetic('/', Value::Num(1), Value::Num(0)), core::Error);
    EXPECT_THROW(Arithmetic('*', Value::Num(INT64_MAX), Value::Num(2)), core::Error);
    EXPECT_EQ(Arithmetic('+', ParseLiteral("10.0.0.255"), Value::Num(1)).ToString(), "10.0.1.0");
}

TEST(ScriptValueTest, ConversionsGiveNilWhenTheyCannot) {
    EXPECT_EQ(ToNum(Value::Str("12")).number, 12);
    EXPECT_TRUE(ToNum(Value::Str("abc")).IsNil());
    EXPECT_EQ(ToNum(ParseLiteral("1m")).number, 60);
    EXPECT_EQ(ToTime(Value::Num(90)).ToString(), "00:01:30");
    EXPECT_EQ(ToBool(Value::Str("yes")).type, Type::kBool);
    EXPECT_TRUE(ToBool(Value::Str("maybe")).IsNil());
    EXPECT_EQ(ToId(Value::Num(26)).ToString(), "*1A");
    EXPECT_EQ(ToStr(Value::Num(5)).type, Type::kStr);
    Value list = ToArray(Value::Str("1,b,3"));
    ASSERT_EQ(list.elements.size(), 3u);
    EXPECT_EQ(list.elements[0].value.front().type, Type::kNum);
    EXPECT_EQ(list.ToString(), "1;b;3");
}

TEST(ScriptValueTest, ArraysKeepListFirstThenSortedKeys) {
    Value array = Value::Array();
    array.Put("y", Value::Num(2));
    array.Append(Value::Num(5));
    array.Put("aX", Value::Num(1));
    array.Append(Value::Num(6));
    EXPECT_EQ(array.ToString(), "5;6;aX=1;y=2");
    EXPECT_EQ(array.ToArgument(), "5,6,aX=1,y=2");
    ASSERT_NE(array.Find("aX"), nullptr);
    EXPECT_EQ(array.Find("1")->number, 6);
    EXPECT_EQ(array.Find("nope"), nullptr);
    array.Put("y", Value::Str("new"));
    EXPECT_EQ(array.Find("y")->ToString(), "new");
}

TEST(ScriptValueTest, ContainsAndEqual) {
    EXPECT_TRUE(Contains(ParseLiteral("1.1.1.1"), ParseLiteral("1.0.0.0/8")));
    EXPECT_FALSE(Contains(ParseLiteral("2.1.1.1"), ParseLiteral("1.0.0.0/8")));
    EXPECT_TRUE(Contains(Value::Num(2), Value::List({Value::Num(1), Value::Num(2)})));
    EXPECT_TRUE(Equal(Value::Str("5"), Value::Num(5)));
    EXPECT_FALSE(Equal(Value::Num(5), Value::Bool(true)));
    EXPECT_TRUE(Truthy(Value::Str("yes")));
    EXPECT_FALSE(Truthy(Value::Nil()));
}

}  // namespace
}  // namespace certos::script
