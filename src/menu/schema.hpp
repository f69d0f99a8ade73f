#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certos::menu {

// Policy bits, as in RouterOS `/user group` policies (MT-USER).
enum Policy : std::uint32_t {
    kPolicyLocal = 1u << 0,
    kPolicyTelnet = 1u << 1,
    kPolicySsh = 1u << 2,
    kPolicyFtp = 1u << 3,
    kPolicyReboot = 1u << 4,
    kPolicyRead = 1u << 5,
    kPolicyWrite = 1u << 6,
    kPolicyPolicy = 1u << 7,
    kPolicyTest = 1u << 8,
    kPolicyWinbox = 1u << 9,
    kPolicyPassword = 1u << 10,
    kPolicyWeb = 1u << 11,
    kPolicySniff = 1u << 12,
    kPolicySensitive = 1u << 13,
    kPolicyApi = 1u << 14,
    kPolicyRomon = 1u << 15,
    kPolicyRestApi = 1u << 16,
};
using PolicySet = std::uint32_t;
inline constexpr PolicySet kAllPolicies = (1u << 17) - 1;

// ValueType is how a property or argument value is checked and canonicalised.
enum class ValueType {
    kString,    // any text
    kInteger,   // decimal (0x.. hex accepted), within [min, max]
    kBool,      // yes/no/true/false -> "true"/"false"
    kEnum,      // one of `values`
    kEnumList,  // comma list of `values`, stored in `values` order without duplicates
    kDuration,  // RouterOS time interval -> canonical "1w2d3h"
    kItem,      // an item of this menu: `*ID` or name (comma list for `numbers`)
    kFlag,      // a word that takes no value (print's `detail`, `count-only`): "" or "true"
};

// PropertySpec describes one property or argument: its type, allowed values, default and help. It is
// what validation, console completion, `?` help and generated web forms all read.
struct PropertySpec {
    std::string name;
    ValueType type = ValueType::kString;
    std::vector<std::string> values;           // kEnum / kEnumList
    std::optional<std::string> default_value;  // canonical form
    std::int64_t min = 0;                      // kInteger
    std::int64_t max = 4294967295;
    bool sensitive = false;  // hidden from logs; printing needs the sensitive policy
    bool quoted = true;      // console `print detail` quotes it (kString only)
    std::string help;
    // Check, when set, validates/normalises the already type-checked value; throws core::Error.
    std::function<std::string(std::string_view)> check;
};

// PropertyRef says whether an argument of a reading verb names item properties, so that the tree can refuse
// sensitive ones to a session without the sensitive policy (Tree::Execute).
enum class PropertyRef {
    kNone,
    kNames,  // the value is a comma list of property names (print's `proplist`, get's `value-name`)
    kSelf,   // the argument is a condition on the property of its own name (`find name=x`)
};

// ArgSpec is a verb argument: a PropertySpec plus how it is passed.
struct ArgSpec {
    PropertySpec spec = {};
    bool required = false;
    bool unnamed = false;  // may be given without `name=` (first unnamed value binds to it)
    PropertyRef property_ref = PropertyRef::kNone;
};

// ArgOptions are the optional parts of a verb argument, set by name (designated initialisers, in this order):
//   Arg("number", "the template to sign", {.type = ValueType::kItem, .required = true, .unnamed = true})
struct ArgOptions {
    ValueType type = ValueType::kString;
    bool required = false;
    bool unnamed = false;
    bool sensitive = false;
    std::vector<std::string> values = {};                     // kEnum / kEnumList
    std::function<std::string(std::string_view)> check = {};  // PropertySpec::check
    PropertyRef property_ref = PropertyRef::kNone;
};

// Prop is a menu property: its name, type, default (nullopt: none) and help.
PropertySpec Prop(std::string name, ValueType type = ValueType::kString, std::optional<std::string> fallback = {},
                  std::string help = {});
// UnquotedProp is Prop for a string that `print detail` shows without quotes (/system scheduler's dates and
// times, /system clock).
PropertySpec UnquotedProp(std::string name, ValueType type = ValueType::kString,
                          std::optional<std::string> fallback = {}, std::string help = {});

// Arg is an ArgSpec for a verb's argument list.
ArgSpec Arg(std::string name, std::string help, ArgOptions options = {});

// Canonicalize checks `raw` against `spec` and returns the canonical wire string, or throws core::Error
// with RouterOS's text ("input does not match any value of key-size", "value of days-valid out of range
// (1..4294967295)", "invalid value for argument days-valid").
std::string Canonicalize(const PropertySpec& spec, std::string_view raw);

// ConsoleValue renders a canonical wire value for the console (booleans as yes/no).
std::string ConsoleValue(const PropertySpec* spec, std::string_view wire);

}  // namespace certos::menu
