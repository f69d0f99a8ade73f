#pragma once

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "menu/record.hpp"

namespace certos::menu {

struct PropertySpec;

// Filter is a print/find condition, shared by the console's `where` expressions and the API's `?`
// queries: a small expression tree evaluated against a Record.
struct Filter {
    enum class Op {
        kTrue,    // matches everything
        kTruthy,  // console `where trusted`: property present, not "false" and not empty
        kHas,     // API `?name`: property present
        kLacks,   // API `?-name`
        kEq,      // =
        kNe,      // !=
        kLt,      // <   (numeric when both sides are numbers, durations compared as durations, else text)
        kGt,      // >
        kLe,      // <=
        kGe,      // >=
        kRegex,   // ~  (POSIX extended regex, searched anywhere in the value)
        kIn,      // in  (value is a comma list)
        kAnd,
        kOr,
        kNot,
    };

    Op op = Op::kTrue;
    std::string property;
    std::string value;
    std::vector<Filter> children;
    std::shared_ptr<const std::regex> compiled;  // kRegex, set by Normalize

    static Filter True() { return Filter{}; }
    static Filter Compare(Op op, std::string property, std::string value);
    static Filter Unary(Op op, std::string property);
    static Filter Not(Filter inner);
    static Filter And(std::vector<Filter> children);
    static Filter Or(std::vector<Filter> children);

    // Normalize rewrites comparison values through the menu's property specs (yes -> true for booleans,
    // enum lists in canonical order) so that `trusted=yes` matches a stored "true". Unknown properties
    // are left alone (they simply match nothing). Throws core::Error for an invalid regex.
    void Normalize(const std::vector<PropertySpec>& properties);

    bool Matches(const Record& record) const;
};

}  // namespace certos::menu
