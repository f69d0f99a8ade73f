#include "rest/error_table.hpp"

#include <array>

namespace certos::rest {
namespace {

using core::ErrorCategory;

// RouterOS answers every command failure with 400 and the console's text as `detail` (facts §2: "no such
// command or directory (x)", "unknown parameter x", "failure: ..."). Two categories are ours:
// - kPermission: RouterOS's status for a policy failure is not public; certos answers 403 Forbidden with
//   the API protocol's text "not enough permissions (9)" as detail (the "403-style" error clients expect).
// - kAuthentication: 401 {"error":401,"message":"Unauthorized"} without detail (facts §2, LAB).
// kInternal is a certos bug: 500, and the message goes to the log only.
constexpr std::array kTable = {
    RestErrorMapping{ErrorCategory::kMissingItem, 400, DetailKind::kMessage},
    RestErrorMapping{ErrorCategory::kArgument, 400, DetailKind::kMessage},
    RestErrorMapping{ErrorCategory::kInterrupted, 400, DetailKind::kMessage},
    RestErrorMapping{ErrorCategory::kScript, 400, DetailKind::kMessage},
    RestErrorMapping{ErrorCategory::kFailure, 400, DetailKind::kFailure},
    RestErrorMapping{ErrorCategory::kApi, 400, DetailKind::kMessage},
    RestErrorMapping{ErrorCategory::kTty, 400, DetailKind::kMessage},
    RestErrorMapping{ErrorCategory::kReturn, 400, DetailKind::kMessage},
    RestErrorMapping{ErrorCategory::kPermission, 403, DetailKind::kMessage},
    RestErrorMapping{ErrorCategory::kAuthentication, 401, DetailKind::kNone},
    RestErrorMapping{ErrorCategory::kInternal, 500, DetailKind::kInternal},
};

}  // namespace

std::optional<RestErrorMapping> FindRestError(core::ErrorCategory category) {
    for (const RestErrorMapping& mapping : kTable) {
        if (mapping.category == category) {
            return mapping;
        }
    }
    return std::nullopt;
}

net::HttpResponse StatusResponse(int status, std::string_view detail) {
    net::HttpResponse response;
    response.status = status;
    response.body = net::ErrorBody(status, detail);
    return response;
}

net::HttpResponse ErrorResponse(const core::Error& error) {
    RestErrorMapping mapping =
        FindRestError(error.category()).value_or(RestErrorMapping{error.category(), 500, DetailKind::kInternal});
    std::string detail;
    switch (mapping.detail) {
        case DetailKind::kMessage:
            detail = error.what();
            break;
        case DetailKind::kFailure:
            detail = std::string(core::kFailurePrefix) + error.what();
            break;
        case DetailKind::kNone:
            break;
        case DetailKind::kInternal:
            detail = "failure: internal error";
            break;
    }
    net::HttpResponse response = StatusResponse(mapping.status, detail);
    if (mapping.status == 401) {
        // RFC 7235 §3.1: a 401 response carries a challenge.
        response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"certos\"");
    }
    return response;
}

}  // namespace certos::rest
