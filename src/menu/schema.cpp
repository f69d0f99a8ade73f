#include "menu/schema.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/value.hpp"

namespace certos::menu {
namespace {

core::Error NoMatch(const PropertySpec& spec) {
    return core::ArgumentError("input does not match any value of " + spec.name);
}

std::string CanonicalInteger(const PropertySpec& spec, std::string_view raw) {
    std::string text(raw);
    int base = 10;
    std::size_t skip = 0;
    if (text.starts_with("0x") || text.starts_with("0X")) {
        base = 16;
        skip = 2;
    }
    if (text.size() <= skip || text.size() > 24 ||
        !std::all_of(text.begin() + static_cast<long>(skip), text.end(), [&](char c) {
            return base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : (c >= '0' && c <= '9') || c == '-';
        })) {
        throw core::ArgumentError("invalid value for argument " + spec.name);
    }
    errno = 0;
    char* end = nullptr;
    long long value = std::strtoll(text.c_str() + skip, &end, base);
    if (errno != 0 || *end != '\0' || value < spec.min || value > spec.max) {
        throw core::ArgumentError("value of " + spec.name + " out of range (" + std::to_string(spec.min) + ".." +
                                  std::to_string(spec.max) + ")");
    }
    return std::to_string(value);
}

std::string CanonicalEnumList(const PropertySpec& spec, std::string_view raw) {
    std::vector<std::string> given = core::SplitList(raw);
    std::vector<bool> chosen(spec.values.size(), false);
    for (const std::string& item : given) {
        auto it = std::find(spec.values.begin(), spec.values.end(), item);
        if (it == spec.values.end()) {
            throw NoMatch(spec);
        }
        chosen[static_cast<std::size_t>(it - spec.values.begin())] = true;
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < spec.values.size(); ++i) {
        if (chosen[i]) {
            out.push_back(spec.values[i]);
        }
    }
    return core::JoinList(out);
}

}  // namespace

std::string Canonicalize(const PropertySpec& spec, std::string_view raw) {
    std::string value;
    switch (spec.type) {
        case ValueType::kString:
        case ValueType::kItem:
            value = std::string(raw);
            break;
        case ValueType::kInteger:
            value = CanonicalInteger(spec, raw);
            break;
        case ValueType::kBool: {
            auto parsed = core::ParseBool(raw);
            if (!parsed) {
                throw NoMatch(spec);
            }
            value = core::WireBool(*parsed);
            break;
        }
        case ValueType::kFlag: {
            auto parsed = raw.empty() ? std::optional<bool>(true) : core::ParseBool(raw);
            if (!parsed) {
                throw NoMatch(spec);
            }
            value = core::WireBool(*parsed);
            break;
        }
        case ValueType::kEnum:
            if (std::find(spec.values.begin(), spec.values.end(), raw) == spec.values.end()) {
                throw NoMatch(spec);
            }
            value = std::string(raw);
            break;
        case ValueType::kEnumList:
            value = CanonicalEnumList(spec, raw);
            break;
        case ValueType::kDuration:
            value = core::FormatDuration(core::ParseDuration(raw));
            break;
    }
    if (spec.check) {
        value = spec.check(value);
    }
    return value;
}

std::string ConsoleValue(const PropertySpec* spec, std::string_view wire) {
    if (spec != nullptr && (spec->type == ValueType::kBool || spec->type == ValueType::kFlag)) {
        if (auto parsed = core::ParseBool(wire)) {
            return core::ConsoleBool(*parsed);
        }
    }
    return std::string(wire);
}

PropertySpec Prop(std::string name, ValueType type, std::optional<std::string> fallback, std::string help) {
    PropertySpec spec;
    spec.name = std::move(name);
    spec.type = type;
    spec.default_value = std::move(fallback);
    spec.help = std::move(help);
    return spec;
}

PropertySpec UnquotedProp(std::string name, ValueType type, std::optional<std::string> fallback, std::string help) {
    PropertySpec spec = Prop(std::move(name), type, std::move(fallback), std::move(help));
    spec.quoted = false;
    return spec;
}

ArgSpec Arg(std::string name, std::string help, ArgOptions options) {
    ArgSpec arg;
    arg.spec.name = std::move(name);
    arg.spec.help = std::move(help);
    arg.spec.type = options.type;
    arg.spec.values = std::move(options.values);
    arg.spec.sensitive = options.sensitive;
    arg.spec.check = std::move(options.check);
    arg.required = options.required;
    arg.unnamed = options.unnamed;
    arg.property_ref = options.property_ref;
    return arg;
}

}  // namespace certos::menu
