// What a command is worth as a value (`[/certificate print as-value]`, `[get X]`, `[find]`): typed by the
// menu's property schema, so that `expires-after` is a time, `trusted` a bool and `.id` an id.

#include "console/interpreter.hpp"
#include "core/value.hpp"

namespace certos::console {
namespace {

using script::Type;

// TypedField is `value` of property `name` of `menu` as a script value.
Value TypedField(const menu::Menu& menu, const std::string& name, const std::string& value) {
    if (name == ".id") {
        Value id = script::ParseLiteral(value);
        return id.type == Type::kId ? id : Value::Str(value);
    }
    const menu::PropertySpec* spec = menu.FindProperty(name);
    if (spec == nullptr || value.empty()) {
        return Value::Str(value);
    }
    Value typed = script::ParseLiteral(value);
    switch (spec->type) {
        case menu::ValueType::kBool:
            return value == "true" || value == "yes"
                       ? Value::Bool(true)
                       : (value == "false" || value == "no" ? Value::Bool(false) : Value::Str(value));
        case menu::ValueType::kInteger:
            return typed.type == Type::kNum ? typed : Value::Str(value);
        case menu::ValueType::kDuration:
            return typed.type == Type::kTime || typed.type == Type::kNum ? script::ToTime(typed) : Value::Str(value);
        case menu::ValueType::kItem:
            return typed.type == Type::kId ? typed : Value::Str(value);
        default:
            return Value::Str(value);
    }
}

Value RecordValue(const menu::Menu& menu, const menu::Record& record) {
    Value array = Value::Array();
    for (const auto& [name, value] : record.fields()) {
        array.Put(name, TypedField(menu, name, value));
    }
    return array;
}

}  // namespace

Value Interpreter::ValueOf(const Command& command, const menu::Result& result) {
    const menu::Menu& menu = *command.menu;
    const std::string& verb = command.verb->name;
    if (verb == "find") {
        Value ids = Value::Array();
        for (const std::string& id : core::SplitList(result.ret.value_or(""), ';')) {
            ids.Append(TypedField(menu, ".id", id));
        }
        return ids;
    }
    if (command.flags.contains("count-only")) {
        Value count = script::ParseLiteral(result.ret.value_or(std::to_string(result.records.size())));
        return count.type == Type::kNum ? count : Value::Str(result.ret.value_or(""));
    }
    if (result.ret) {
        for (const auto& [name, value] : command.request.args) {
            if (name == "value-name") {
                return TypedField(menu, value, *result.ret);
            }
        }
        Value id = script::ParseLiteral(*result.ret);
        return id.type == Type::kId ? id : Value::Str(*result.ret);
    }
    if (result.records.empty()) {
        return verb == "print" ? Value::Array() : Value{};
    }
    if (verb == "get" || (result.records.size() == 1 && verb != "print")) {
        return RecordValue(menu, result.records.front());
    }
    Value list = Value::Array();
    for (const menu::Record& record : result.records) {
        list.Append(RecordValue(menu, record));
    }
    return list;
}

}  // namespace certos::console
