#pragma once
// The API protocol front end's one error table: core::ErrorCategory -> `!trap` (facts §3.3).

#include <optional>
#include <string>

#include "api/codec.hpp"
#include "core/error.hpp"

namespace certos::api {

// TrapText says what goes into `=message=`.
enum class TrapText {
    kMessage,   // the error's RouterOS text
    kFailure,   // the message after "failure: " (kFailure, as the console prints it)
    kInternal,  // "failure: internal error"; the real message only goes to the log
};

// ApiErrorMapping is how one category is answered: `!trap =category=N =message=...`, or without
// `=category=` when category_code is empty (RouterOS sends the login failure that way).
struct ApiErrorMapping {
    core::ErrorCategory category;
    std::optional<int> category_code;
    TrapText text;
};

// FindApiError returns the mapping of `category`, nullopt when the table lacks it (a test checks that every
// category in core::kAllErrorCategories is present).
std::optional<ApiErrorMapping> FindApiError(core::ErrorCategory category);

// TrapSentence renders an error as its `!trap` sentence (without `.tag` and without the `!done` after it).
Sentence TrapSentence(const core::Error& error);

}  // namespace certos::api
