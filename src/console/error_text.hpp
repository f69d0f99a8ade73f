#pragma once
// The console's one table from core::ErrorCategory to what it prints.

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace certos::console {

// ConsoleErrorRule says how the console prints errors of one category.
struct ConsoleErrorRule {
    core::ErrorCategory category;
    // fixed_text, when not empty, replaces the message (internal errors never show their details);
    // otherwise the message is printed as is, or fallback_text when the message is empty.
    std::string_view fixed_text;
    std::string_view fallback_text;
    // prefix goes before the message ("failure: " for kFailure, as RouterOS prints it).
    std::string_view prefix = {};
};

// kConsoleErrorRules has one rule per category of core::kAllErrorCategories.
extern const ConsoleErrorRule kConsoleErrorRules[11];

// FindConsoleErrorRule returns the rule of `category`, or nullptr when the table lacks it.
const ConsoleErrorRule* FindConsoleErrorRule(core::ErrorCategory category);

// ConsoleErrorText is the line the console prints for `error` (without '\n').
std::string ConsoleErrorText(const core::Error& error);

}  // namespace certos::console
