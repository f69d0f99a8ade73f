#include "script/value.hpp"

#include <algorithm>
#include <charconv>

#include "core/error.hpp"
#include "script/literal.hpp"

namespace certos::script {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

std::string JoinItems(const Value& array, char separator) {
    std::string out;
    for (std::size_t i = 0; i < array.elements.size(); ++i) {
        const Element& element = array.elements[i];
        if (i > 0) {
            out += separator;
        }
        if (!element.key.empty()) {
            out += element.key + "=";
        }
        out += separator == ',' ? element.value.front().ToArgument() : element.value.front().ToString();
    }
    return out;
}

// Numeric is a value seen as a number or time for arithmetic: strings that read as one count as one.
Value Numeric(const Value& value) {
    if (value.type == Type::kStr) {
        Value literal = ParseLiteral(value.text);
        if (literal.type == Type::kNum || literal.type == Type::kTime) {
            return literal;
        }
    }
    return value;
}

[[noreturn]] void Cannot(char op, const Value& a, const Value& b) {
    throw core::Error(core::ErrorCategory::kScript, std::string("cannot apply ") + op + " to " +
                                                        std::string(TypeName(a.type)) + " and " +
                                                        std::string(TypeName(b.type)));
}

std::int64_t Apply(char op, std::int64_t x, std::int64_t y) {
    std::int64_t out = 0;
    bool overflow = false;
    switch (op) {
        case '+':
            overflow = __builtin_add_overflow(x, y, &out);
            break;
        case '-':
            overflow = __builtin_sub_overflow(x, y, &out);
            break;
        case '*':
            overflow = __builtin_mul_overflow(x, y, &out);
            break;
        default:
            break;
    }
    if (overflow) {
        throw core::Error(core::ErrorCategory::kScript, "number out of range");
    }
    if (op == '+' || op == '-' || op == '*') {
        return out;
    }
    if (y == 0) {
        throw core::Error(core::ErrorCategory::kScript, "division by zero");
    }
    if (x == INT64_MIN && y == -1) {
        throw core::Error(core::ErrorCategory::kScript, "number out of range");
    }
    return op == '/' ? x / y : x % y;
}

}  // namespace

std::string_view TypeName(Type type) {
    switch (type) {
        case Type::kNil:
            return "nil";
        case Type::kStr:
            return "str";
        case Type::kNum:
            return "num";
        case Type::kBool:
            return "bool";
        case Type::kTime:
            return "time";
        case Type::kArray:
            return "array";
        case Type::kId:
            return "id";
        case Type::kIp:
            return "ip";
        case Type::kIpPrefix:
            return "ip-prefix";
        case Type::kCode:
            return "code";
    }
    return "nil";
}

Value Value::Str(std::string text) { return Value{Type::kStr, std::move(text), 0, {}, nullptr}; }

Value Value::Num(std::int64_t number) { return Value{Type::kNum, {}, number, {}, nullptr}; }

Value Value::Bool(bool flag) { return Value{Type::kBool, {}, flag ? 1 : 0, {}, nullptr}; }

Value Value::Time(std::int64_t nanoseconds) { return Value{Type::kTime, {}, nanoseconds, {}, nullptr}; }

Value Value::Id(std::string text) { return Value{Type::kId, std::move(text), 0, {}, nullptr}; }

Value Value::List(std::vector<Value> items) {
    Value value = Array();
    for (Value& item : items) {
        value.Append(std::move(item));
    }
    return value;
}

Value Value::Function(std::shared_ptr<const Code> body) {
    Value value;
    value.type = Type::kCode;
    value.code = std::move(body);
    return value;
}

void Value::Append(Value item) {
    if (elements.empty() || elements.back().key.empty()) {
        elements.push_back(Element{{}, {std::move(item)}});
        return;
    }
    auto first_keyed = std::find_if(elements.begin(), elements.end(), [](const Element& e) { return !e.key.empty(); });
    elements.insert(first_keyed, Element{{}, {std::move(item)}});
}

void Value::Put(const std::string& key, Value item) {
    if (key.empty()) {
        return Append(std::move(item));
    }
    if (elements.empty() || elements.back().key.empty() || elements.back().key < key) {
        elements.push_back(Element{key, {std::move(item)}});
        return;
    }
    auto at = std::find_if(elements.begin(), elements.end(),
                           [&](const Element& e) { return !e.key.empty() && e.key >= key; });
    if (at != elements.end() && at->key == key) {
        at->value.front() = std::move(item);
    } else {
        elements.insert(at, Element{key, {std::move(item)}});
    }
}

const Value* Value::Find(std::string_view key) const {
    for (const Element& element : elements) {
        if (element.key == key && !key.empty()) {
            return &element.value.front();
        }
    }
    std::size_t index = 0;
    auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), index);
    if (error == std::errc() && end == key.data() + key.size() && !key.empty() && index < elements.size()) {
        return &elements[index].value.front();
    }
    return nullptr;
}

Value* Value::Find(std::string_view key) { return const_cast<Value*>(std::as_const(*this).Find(key)); }

std::vector<Value> Value::Items() const {
    std::vector<Value> items;
    for (const Element& element : elements) {
        items.push_back(element.value.front());
    }
    return items;
}

std::string Value::ToString() const {
    switch (type) {
        case Type::kNil:
            return {};
        case Type::kNum:
            return std::to_string(number);
        case Type::kBool:
            return number != 0 ? "true" : "false";
        case Type::kTime:
            return FormatTime(number);
        case Type::kArray:
            return JoinItems(*this, ';');
        case Type::kCode:
            return "(code)";
        default:
            return text;
    }
}

std::string Value::ToArgument() const {
    if (type == Type::kArray) {
        return JoinItems(*this, ',');
    }
    return type == Type::kTime ? FormatUnits(number) : ToString();
}

bool Equal(const Value& a, const Value& b) {
    if (a.type != b.type) {
        if (a.type == Type::kStr && b.type != Type::kArray && b.type != Type::kNil) {
            return Equal(ParseLiteral(a.text), b);
        }
        if (b.type == Type::kStr && a.type != Type::kArray && a.type != Type::kNil) {
            return Equal(a, ParseLiteral(b.text));
        }
        return false;
    }
    switch (a.type) {
        case Type::kNil:
            return true;
        case Type::kNum:
        case Type::kBool:
        case Type::kTime:
            return a.number == b.number;
        case Type::kArray:
            return a.elements.size() == b.elements.size() &&
                   std::equal(a.elements.begin(), a.elements.end(), b.elements.begin(),
                              [](const Element& x, const Element& y) {
                                  return x.key == y.key && Equal(x.value.front(), y.value.front());
                              });
        case Type::kCode:
            return a.code == b.code;
        default:
            return a.text == b.text;
    }
}

Value ToStr(const Value& value) { return Value::Str(value.ToString()); }

Value ToNum(const Value& value) {
    switch (value.type) {
        case Type::kNum:
            return value;
        case Type::kBool:
            return Value::Num(value.number);
        case Type::kTime:
            return Value::Num(value.number / kSecond);
        case Type::kId:
            return Value::Num(static_cast<std::int64_t>(std::stoull(value.text.substr(1), nullptr, 16)));
        case Type::kStr: {
            Value literal = ParseLiteral(value.text);
            return literal.type == Type::kNum ? literal : Value::Nil();
        }
        default:
            return Value::Nil();
    }
}

Value ToBool(const Value& value) {
    switch (value.type) {
        case Type::kBool:
            return value;
        case Type::kNum:
            return Value::Bool(value.number != 0);
        case Type::kStr:
            if (value.text == "true" || value.text == "yes") {
                return Value::Bool(true);
            }
            if (value.text == "false" || value.text == "no") {
                return Value::Bool(false);
            }
            return Value::Nil();
        default:
            return Value::Nil();
    }
}

Value ToTime(const Value& value) {
    if (value.type == Type::kTime) {
        return value;
    }
    if (value.type == Type::kNum) {
        return Value::Time(Apply('*', value.number, kSecond));
    }
    if (value.type == Type::kStr) {
        if (auto time = ParseTime(value.text)) {
            return Value::Time(*time);
        }
        Value literal = ParseLiteral(value.text);
        return literal.type == Type::kNum ? ToTime(literal) : Value::Nil();
    }
    return Value::Nil();
}

Value ToId(const Value& value) {
    if (value.type == Type::kId) {
        return value;
    }
    if (value.type == Type::kNum && value.number >= 0) {
        char buffer[24];
        auto end = std::to_chars(buffer, buffer + sizeof buffer, static_cast<std::uint64_t>(value.number), 16).ptr;
        std::string hex(buffer, end);
        std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
        return Value::Id("*" + hex);
    }
    if (value.type == Type::kStr) {
        Value literal = ParseLiteral(value.text);
        return literal.type == Type::kId ? literal : Value::Nil();
    }
    return Value::Nil();
}

Value ToArray(const Value& value) {
    if (value.type == Type::kArray) {
        return value;
    }
    Value array = Value::Array();
    if (value.type == Type::kStr) {
        std::size_t start = 0;
        while (start <= value.text.size() && !value.text.empty()) {
            std::size_t comma = std::min(value.text.find(',', start), value.text.size());
            array.Append(ParseLiteral(std::string_view(value.text).substr(start, comma - start)));
            start = comma + 1;
        }
    } else if (value.type != Type::kNil) {
        array.Append(value);
    }
    return array;
}

bool Truthy(const Value& value) {
    switch (value.type) {
        case Type::kBool:
        case Type::kNum:
            return value.number != 0;
        case Type::kStr:
            return value.text == "true" || value.text == "yes";
        default:
            return false;
    }
}

Value Arithmetic(char op, const Value& left, const Value& right) {
    Value a = Numeric(left);
    Value b = Numeric(right);
    if (a.type == Type::kNum && b.type == Type::kNum) {
        return Value::Num(Apply(op, a.number, b.number));
    }
    if (a.type == Type::kTime && b.type == Type::kTime && (op == '+' || op == '-')) {
        return Value::Time(Apply(op, a.number, b.number));
    }
    if (a.type == Type::kTime && b.type == Type::kTime && op == '/') {
        return Value::Num(Apply(op, a.number, b.number));
    }
    if (a.type == Type::kTime && b.type == Type::kNum && (op == '*' || op == '/')) {
        return Value::Time(Apply(op, a.number, b.number));
    }
    if (a.type == Type::kNum && b.type == Type::kTime && op == '*') {
        return Value::Time(Apply(op, a.number, b.number));
    }
    if (a.type == Type::kIp && b.type == Type::kNum && (op == '+' || op == '-')) {
        std::int64_t address = Apply(op, Ipv4Number(a.text), b.number);
        if (address < 0 || address > 0xFFFFFFFFLL) {
            throw core::Error(core::ErrorCategory::kScript, "ip address out of range");
        }
        return Value{Type::kIp, FormatIpv4(static_cast<std::uint32_t>(address)), 0, {}, nullptr};
    }
    Cannot(op, left, right);
}

int Compare(const Value& left, const Value& right) {
    Value a = Numeric(left);
    Value b = Numeric(right);
    bool a_magnitude = a.type == Type::kNum || a.type == Type::kTime;
    bool b_magnitude = b.type == Type::kNum || b.type == Type::kTime;
    if (a_magnitude && b_magnitude) {
        if (a.type != b.type) {
            throw core::Error(core::ErrorCategory::kScript, "cannot compare num and time");
        }
        return a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);
    }
    if (a.type == Type::kIp && b.type == Type::kIp) {
        std::int64_t x = Ipv4Number(a.text);
        std::int64_t y = Ipv4Number(b.text);
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    std::string x = left.ToString();
    std::string y = right.ToString();
    return x < y ? -1 : (x > y ? 1 : 0);
}

bool Contains(const Value& needle, const Value& haystack) {
    if (haystack.type == Type::kArray) {
        return std::any_of(haystack.elements.begin(), haystack.elements.end(),
                           [&](const Element& e) { return Equal(needle, e.value.front()); });
    }
    Value prefix = haystack.type == Type::kStr ? ParseLiteral(haystack.text) : haystack;
    Value inner = needle.type == Type::kStr ? ParseLiteral(needle.text) : needle;
    if (prefix.type == Type::kIpPrefix && (inner.type == Type::kIp || inner.type == Type::kIpPrefix)) {
        return PrefixContains(prefix.text, inner.text);
    }
    return Equal(needle, haystack);
}

}  // namespace certos::script
