#pragma once
// The RouterOS scripting language's values: str, num, bool, time, array, id, ip, ip-prefix, code and nil, with
// the conversions (`:tostr`, `:tonum`, ...) and the arithmetic the language defines on them.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certos::script {

// Code is a function body (`do={ ... }`, `:parse`); the interpreter defines it, values only carry it.
struct Code;

// Type is a value's type, named by TypeName as `:typeof` prints it.
enum class Type { kNil, kStr, kNum, kBool, kTime, kArray, kId, kIp, kIpPrefix, kCode };

// TypeName is `:typeof`'s word for `type`: "nil", "str", "num", "bool", "time", "array", "id", "ip",
// "ip-prefix", "code".
std::string_view TypeName(Type type);

struct Value;

// Element is one array element: `key` is empty for a list element.
struct Element {
    std::string key;
    std::vector<Value> value;  // exactly one value (a vector, so that Value may be incomplete here)
};

// Value is one script value. Arrays hold their list elements first, in order, then their keyed elements
// sorted by key, as RouterOS keeps them.
struct Value {
    Type type = Type::kNil;
    std::string text;                  // kStr, kId ("*1A"), kIp, kIpPrefix
    std::int64_t number = 0;           // kNum; kBool (0 or 1); kTime (nanoseconds)
    std::vector<Element> elements;     // kArray
    std::shared_ptr<const Code> code;  // kCode

    static Value Nil() { return {}; }
    static Value Str(std::string text);
    static Value Num(std::int64_t number);
    static Value Bool(bool value);
    // Time is a span of `nanoseconds` (negative allowed).
    static Value Time(std::int64_t nanoseconds);
    static Value Id(std::string text);
    // List is an array of list elements.
    static Value List(std::vector<Value> items);
    static Value Array() {
        Value value;
        value.type = Type::kArray;
        return value;
    }
    static Value Function(std::shared_ptr<const Code> code);

    bool IsArray() const { return type == Type::kArray; }
    bool IsNil() const { return type == Type::kNil; }

    // Append adds a list element; Put sets keyed element `key` (a list element when `key` is empty).
    void Append(Value item);
    void Put(const std::string& key, Value item);
    // Find returns the element under `key` (a list position when `key` is a decimal number), else nullptr.
    const Value* Find(std::string_view key) const;
    Value* Find(std::string_view key);
    // Items are the element values in order.
    std::vector<Value> Items() const;

    // ToString is the value as `:put` prints it: arrays joined with ';' (`key=value` for keyed elements),
    // time as `1w2d03:04:05`, nil as "".
    std::string ToString() const;
    // ToArgument is the value as a command argument: arrays become comma lists (`remove [find]`), time the
    // unit form `1d2h`.
    std::string ToArgument() const;
};

// Equal compares two values as the language's `=` does (type and value; strings byte for byte).
bool Equal(const Value& a, const Value& b);

// ParseLiteral types an unquoted word: a number (decimal, or hexadecimal `0x..`), `true`/`false`, a time
// (`1d2h`, `1500ms`, `02:03:04`, `1w2d03:04:05.5`), an id (`*1A`), an IPv4 address or prefix; anything else is
// a string.
Value ParseLiteral(std::string_view text);

// ParseTime reads a time value in any form ParseLiteral accepts (and a leading '-'); nullopt when it is not one.
std::optional<std::int64_t> ParseTime(std::string_view text);

// FormatTime prints nanoseconds as RouterOS prints a time: `[-][Nw][Nd]HH:MM:SS[.fraction]`.
std::string FormatTime(std::int64_t nanoseconds);

// Conversions, as `:tostr`, `:tonum`, `:tobool`, `:totime`, `:toid` and `:toarray` do them: nil when the value
// does not convert (`:tonum "abc"` is nil), never an error.
Value ToStr(const Value& value);
Value ToNum(const Value& value);
Value ToBool(const Value& value);
Value ToTime(const Value& value);
Value ToId(const Value& value);
// ToArray keeps an array, splits a string at commas into a list, and makes a one-element list of any other value
// (nil: an empty array).
Value ToArray(const Value& value);

// Truthy is true for bool true, for the strings "true" and "yes" and for a non-zero number.
bool Truthy(const Value& value);

// Arithmetic applies `op` ('+', '-', '*', '/', '%') as the language defines it on numbers and times (`1d - 2h`,
// `2 * 1h`, `1h / 2`), strings that read as numbers or times counting as those. Throws core::Error (kScript)
// for other operands and for division by zero.
Value Arithmetic(char op, const Value& a, const Value& b);

// Compare orders two values for `<` `>` `<=` `>=`: numbers and times by magnitude, anything else as strings.
// Throws core::Error (kScript) when a number is compared with a time.
int Compare(const Value& a, const Value& b);

// Contains is the `in` operator: an IPv4 address (or prefix) inside a prefix, or a value among an array's
// elements.
bool Contains(const Value& needle, const Value& haystack);

}  // namespace certos::script
