#include "menu/filter.hpp"

#include <optional>
#include <regex>
#include <string>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/value.hpp"
#include "menu/schema.hpp"

namespace certos::menu {

std::optional<long double> ComparableNumber(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    try {
        std::size_t used = 0;
        long double value = std::stold(std::string(text), &used);
        if (used == text.size()) {
            return value;
        }
    } catch (const std::exception&) {
    }
    try {
        return static_cast<long double>(core::ParseDuration(text).count());
    } catch (const core::Error&) {
        return std::nullopt;
    }
}

namespace {

int CompareValues(std::string_view a, std::string_view b) {
    auto na = ComparableNumber(a);
    auto nb = ComparableNumber(b);
    if (na && nb) {
        return *na < *nb ? -1 : (*na > *nb ? 1 : 0);
    }
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

// CountNodes adds the nodes of `filter` to `count`, failing as soon as a bound is exceeded.
void CountNodes(const Filter& filter, std::size_t depth, std::size_t& count) {
    if (depth > kMaxFilterDepth) {
        throw FilterTooDeep();
    }
    if (++count > kMaxFilterTerms) {
        throw FilterTooLarge();
    }
    for (const Filter& child : filter.children) {
        CountNodes(child, depth + 1, count);
    }
}

}  // namespace

core::Error FilterTooDeep() {
    return core::ArgumentError("query nested too deeply (more than " + std::to_string(kMaxFilterDepth) + " levels)");
}

core::Error FilterTooLarge() {
    return core::ArgumentError("query too long (more than " + std::to_string(kMaxFilterTerms) + " terms)");
}

void Filter::CheckBounds() const {
    std::size_t count = 0;
    CountNodes(*this, 1, count);
}

void Filter::ForEachProperty(const std::function<void(std::string_view)>& visit) const {
    if (!property.empty()) {
        visit(property);
    }
    for (const Filter& child : children) {
        child.ForEachProperty(visit);
    }
}

Filter Filter::Compare(Op op, std::string property, std::string value) {
    Filter f;
    f.op = op;
    f.property = std::move(property);
    f.value = std::move(value);
    return f;
}

Filter Filter::Unary(Op op, std::string property) {
    Filter f;
    f.op = op;
    f.property = std::move(property);
    return f;
}

Filter Filter::Not(Filter inner) {
    Filter f;
    f.op = Op::kNot;
    f.children.push_back(std::move(inner));
    return f;
}

Filter Filter::And(std::vector<Filter> children) {
    Filter f;
    f.op = Op::kAnd;
    f.children = std::move(children);
    return f;
}

Filter Filter::Or(std::vector<Filter> children) {
    Filter f;
    f.op = Op::kOr;
    f.children = std::move(children);
    return f;
}

void Filter::Normalize(const std::vector<PropertySpec>& properties) {
    for (Filter& child : children) {
        child.Normalize(properties);
    }
    if (op == Op::kRegex) {
        // libstdc++ compiles a pattern by recursion, one level per term: a long pattern overflows the stack.
        if (value.size() > kMaxRegexLength) {
            throw core::ArgumentError("regular expression too long (more than " + std::to_string(kMaxRegexLength) +
                                      " characters)");
        }
        try {
            compiled = std::make_shared<const std::regex>(value, std::regex::extended);
        } catch (const std::regex_error&) {
            throw core::ArgumentError("invalid regular expression: " + value);
        }
        return;
    }
    if (op != Op::kEq && op != Op::kNe) {
        return;
    }
    for (const PropertySpec& spec : properties) {
        if (spec.name != property) {
            continue;
        }
        if (spec.type == ValueType::kBool || spec.type == ValueType::kFlag) {
            if (auto parsed = core::ParseBool(value)) {
                value = core::WireBool(*parsed);
            }
        } else if (spec.type == ValueType::kEnumList || spec.type == ValueType::kDuration ||
                   spec.type == ValueType::kInteger) {
            try {
                value = Canonicalize(spec, value);
            } catch (const core::Error&) {
                // leave as typed: it then matches nothing, as in RouterOS
            }
        }
    }
}

bool Filter::Matches(const Record& record) const {
    switch (op) {
        case Op::kTrue:
            return true;
        case Op::kAnd:
            for (const Filter& child : children) {
                if (!child.Matches(record)) {
                    return false;
                }
            }
            return true;
        case Op::kOr:
            for (const Filter& child : children) {
                if (child.Matches(record)) {
                    return true;
                }
            }
            return false;
        case Op::kNot:
            return children.empty() || !children.front().Matches(record);
        default:
            break;
    }
    auto actual = record.Get(property);
    switch (op) {
        case Op::kHas:
            return actual.has_value();
        case Op::kLacks:
            return !actual.has_value();
        case Op::kTruthy:
            return actual && !actual->empty() && *actual != "false";
        case Op::kEq:
            return actual ? *actual == value : value.empty();
        case Op::kNe:
            return actual ? *actual != value : !value.empty();
        case Op::kLt:
            return actual && CompareValues(*actual, value) < 0;
        case Op::kGt:
            return actual && CompareValues(*actual, value) > 0;
        case Op::kLe:
            return actual && CompareValues(*actual, value) <= 0;
        case Op::kGe:
            return actual && CompareValues(*actual, value) >= 0;
        case Op::kRegex:
            if (!actual) {
                return false;
            }
            if (compiled) {
                return std::regex_search(actual->begin(), actual->end(), *compiled);
            }
            if (value.size() > kMaxRegexLength) {
                return false;  // Normalize refuses it
            }
            return std::regex_search(std::string(*actual), std::regex(value, std::regex::extended));
        case Op::kIn: {
            if (!actual) {
                return false;
            }
            for (const std::string& option : core::SplitList(value)) {
                if (option == *actual) {
                    return true;
                }
            }
            return false;
        }
        default:
            return false;
    }
}

}  // namespace certos::menu
