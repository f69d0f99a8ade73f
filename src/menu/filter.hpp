#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "menu/record.hpp"

namespace certos::menu {

struct PropertySpec;

// Filters are trees built from untrusted text (API queries, REST `.query`, console `where`); every walk over
// them recurses, so every parser bounds what it builds to these limits and Tree::Execute checks them again.
inline constexpr std::size_t kMaxFilterDepth = 100;    // nested and/or/not levels
inline constexpr std::size_t kMaxFilterTerms = 10000;  // nodes in the whole tree
inline constexpr std::size_t kMaxRegexLength = 1000;   // characters of a `~` pattern

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
    // are left alone (they simply match nothing). Throws core::Error for an invalid regex or one longer than
    // kMaxRegexLength.
    void Normalize(const std::vector<PropertySpec>& properties);

    bool Matches(const Record& record) const;

    // CheckBounds throws core::Error (kArgument) when the tree is deeper than kMaxFilterDepth or has more than
    // kMaxFilterTerms nodes. It stops walking at the first excess, so it is safe on any tree a parser let by.
    void CheckBounds() const;

    // ForEachProperty calls `visit` with the property of every comparison in the tree (depth-first).
    void ForEachProperty(const std::function<void(std::string_view)>& visit) const;
};

// ComparableNumber is the number `<`, `>`, `<=` and `>=` read `text` as (numbers as written, RouterOS durations
// in seconds), or nullopt for text they compare as text. Two values compare as numbers when both are numbers.
std::optional<long double> ComparableNumber(std::string_view text);

// FilterTooDeep and FilterTooLarge are the errors of a filter beyond kMaxFilterDepth / kMaxFilterTerms; the
// parsers throw them too, so every front end answers the same text.
core::Error FilterTooDeep();
core::Error FilterTooLarge();

}  // namespace certos::menu
