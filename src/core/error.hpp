#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace certos::core {

// ErrorCategory is RouterOS's own classification of a failed command. The numeric values are the API
// protocol's `!trap =category=` codes (MT-API); kPermission and kNotFound are ours, mapped by each front end.
enum class ErrorCategory : int {
    kMissingItem = 0,  // "no such item", "no such command"
    kArgument = 1,     // "input does not match any value of key-size", "expected end of command"
    kInterrupted = 2,  // "interrupted"
    kScript = 3,       // scripting failure
    kFailure = 4,      // "failure: ..."
    kApi = 5,          // API protocol failure
    kTty = 6,
    kReturn = 7,
    kPermission = 100,      // "not enough permissions": API category 4 (general), REST 403-style
    kAuthentication = 101,  // bad login: REST 401, API "invalid user name or password (6)"
    kInternal = 102,        // a bug: logged, rendered as "failure: internal error"
};

// Error is the one exception type that carries a RouterOS-style message to every front end.
// The message is plain text ("certificate with the same name already exists"): the "failure: " that RouterOS
// shows before a kFailure message on every front end is added by each front end's error table
// (console/error_text, rest/error_table, api/error_table), so that messages nest without prefixes to strip.
class Error : public std::runtime_error {
public:
    Error(ErrorCategory category, const std::string& message) : std::runtime_error(message), category_(category) {}

    ErrorCategory category() const noexcept { return category_; }

private:
    ErrorCategory category_;
};

// Failure builds the common kFailure error; front ends show it as "failure: <text>".
inline Error Failure(std::string_view text) { return Error(ErrorCategory::kFailure, std::string(text)); }

// kFailurePrefix is what every front end puts before the message of a kFailure error.
inline constexpr std::string_view kFailurePrefix = "failure: ";

// ArgumentError builds an argument-value error (category 1) with RouterOS's exact text.
inline Error ArgumentError(const std::string& text) { return Error(ErrorCategory::kArgument, text); }

// NoSuchItem is RouterOS's "no such item" (category 0).
inline Error NoSuchItem() { return Error(ErrorCategory::kMissingItem, "no such item"); }

// Every category, for the tests that check each front end maps all of them.
inline constexpr ErrorCategory kAllErrorCategories[] = {
    ErrorCategory::kMissingItem, ErrorCategory::kArgument,
    ErrorCategory::kInterrupted, ErrorCategory::kScript,
    ErrorCategory::kFailure,     ErrorCategory::kApi,
    ErrorCategory::kTty,         ErrorCategory::kReturn,
    ErrorCategory::kPermission,  ErrorCategory::kAuthentication,
    ErrorCategory::kInternal,
};

}  // namespace certos::core
