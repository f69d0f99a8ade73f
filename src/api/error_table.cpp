#include "api/error_table.hpp"

#include <array>

namespace certos::api {
namespace {

using core::ErrorCategory;

// Categories 0-7 are RouterOS's own trap codes (facts §3.3) and go on the wire as they are. The ones that are
// certos's:
// - kPermission: RouterOS traps a policy failure as a general failure (category 4) with the text
//   "not enough permissions (9)"; the message of the error is that text.
// - kAuthentication: RouterOS sends `!trap =message=invalid user name or password (6)` with no category
//   (facts §3.4; node-routeros matches the text).
// - kInternal: a certos bug; category 4 and "failure: internal error", the real message goes to the log.
constexpr std::array kTable = {
    ApiErrorMapping{ErrorCategory::kMissingItem, 0, TrapText::kMessage},
    ApiErrorMapping{ErrorCategory::kArgument, 1, TrapText::kMessage},
    ApiErrorMapping{ErrorCategory::kInterrupted, 2, TrapText::kMessage},
    ApiErrorMapping{ErrorCategory::kScript, 3, TrapText::kMessage},
    ApiErrorMapping{ErrorCategory::kFailure, 4, TrapText::kFailure},
    ApiErrorMapping{ErrorCategory::kApi, 5, TrapText::kMessage},
    ApiErrorMapping{ErrorCategory::kTty, 6, TrapText::kMessage},
    ApiErrorMapping{ErrorCategory::kReturn, 7, TrapText::kMessage},
    ApiErrorMapping{ErrorCategory::kPermission, 4, TrapText::kMessage},
    ApiErrorMapping{ErrorCategory::kAuthentication, std::nullopt, TrapText::kMessage},
    ApiErrorMapping{ErrorCategory::kInternal, 4, TrapText::kInternal},
};

}  // namespace

std::optional<ApiErrorMapping> FindApiError(core::ErrorCategory category) {
    for (const ApiErrorMapping& mapping : kTable) {
        if (mapping.category == category) {
            return mapping;
        }
    }
    return std::nullopt;
}

Sentence TrapSentence(const core::Error& error) {
    ApiErrorMapping mapping =
        FindApiError(error.category()).value_or(ApiErrorMapping{error.category(), 4, TrapText::kInternal});
    Sentence out{"!trap"};
    if (mapping.category_code) {
        out.push_back("=category=" + std::to_string(*mapping.category_code));
    }
    std::string message;
    switch (mapping.text) {
        case TrapText::kMessage:
            message = error.what();
            break;
        case TrapText::kFailure:
            message = std::string(core::kFailurePrefix) + error.what();
            break;
        case TrapText::kInternal:
            message = "failure: internal error";
            break;
    }
    out.push_back("=message=" + message);
    return out;
}

}  // namespace certos::api
