#include "console/error_text.hpp"

namespace certos::console {

using core::ErrorCategory;

// RouterOS prints a failed command's message as it is ("no such item", "input does not match any value of
// key-size"), a general failure after "failure: "; only what has no RouterOS text of its own gets one here.
const ConsoleErrorRule kConsoleErrorRules[11] = {
    {ErrorCategory::kMissingItem, {}, "no such item"},
    {ErrorCategory::kArgument, {}, "invalid value"},
    {ErrorCategory::kInterrupted, {}, "interrupted"},
    {ErrorCategory::kScript, {}, "script error"},
    {ErrorCategory::kFailure, {}, "failure", core::kFailurePrefix},
    {ErrorCategory::kApi, {}, "failure"},
    {ErrorCategory::kTty, {}, "failure"},
    {ErrorCategory::kReturn, {}, ""},
    {ErrorCategory::kPermission, {}, "not enough permissions"},
    {ErrorCategory::kAuthentication, {}, "invalid user name or password"},
    {ErrorCategory::kInternal, "failure: internal error", {}},
};

const ConsoleErrorRule* FindConsoleErrorRule(ErrorCategory category) {
    for (const ConsoleErrorRule& rule : kConsoleErrorRules) {
        if (rule.category == category) {
            return &rule;
        }
    }
    return nullptr;
}

std::string ConsoleErrorText(const core::Error& error) {
    const ConsoleErrorRule* rule = FindConsoleErrorRule(error.category());
    if (rule == nullptr) {
        return "failure: internal error";
    }
    if (!rule->fixed_text.empty()) {
        return std::string(rule->fixed_text);
    }
    std::string_view message = error.what();
    if (message.empty()) {
        return std::string(rule->fallback_text);
    }
    return std::string(rule->prefix) + std::string(message);
}

}  // namespace certos::console
