#pragma once
// The REST front end's one error table: core::ErrorCategory -> HTTP status and body (facts §2).

#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "net/http.hpp"

namespace certos::rest {

// DetailKind says what goes into the body's "detail".
enum class DetailKind {
    kMessage,   // the RouterOS text of the error ("no such item", "unknown parameter x")
    kFailure,   // the message after "failure: " (kFailure, as the console prints it)
    kNone,      // no detail (401, like RouterOS)
    kInternal,  // "failure: internal error"; the real message only goes to the log
};

// RestErrorMapping is how one category is answered.
struct RestErrorMapping {
    core::ErrorCategory category;
    int status;
    DetailKind detail;
};

// FindRestError returns the mapping of `category`, nullopt when the table lacks it (a test checks that
// every category in core::kAllErrorCategories is present).
std::optional<RestErrorMapping> FindRestError(core::ErrorCategory category);

// ErrorResponse renders an error as RouterOS does: {"error":400,"message":"Bad Request","detail":"..."}.
// A 401 also carries `WWW-Authenticate: Basic`.
net::HttpResponse ErrorResponse(const core::Error& error);

// StatusResponse is an error response for a status that is not a category: 404 Not Found (no detail),
// 406 Not Acceptable, 413, 501.
net::HttpResponse StatusResponse(int status, std::string_view detail = {});

}  // namespace certos::rest
