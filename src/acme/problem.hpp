#pragma once
// ACME problem documents (RFC 8555 §6.7, RFC 7807) and the one table of their types: what certos shows in
// acme-status and /log when a server refuses something.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace certos::acme {

// Problem is one problem document: its type URN ("urn:ietf:params:acme:error:badNonce"), detail, HTTP
// status, the server's Retry-After (rateLimited, RFC 8555 §6.6) and its subproblems' details.
struct Problem {
    std::string type;
    std::string detail;
    long status = 0;
    std::optional<std::chrono::seconds> retry_after;
    std::vector<std::string> subproblems;

    // ShortType is the type without "urn:ietf:params:acme:error:" ("badNonce").
    std::string ShortType() const;
    // Text is "<short type>: <detail>" plus the subproblems and "retry after Ns" when the server said so.
    std::string Text() const;
};

// ProblemType is one row of the catalogue: the short type and what it means to a user.
struct ProblemType {
    std::string_view type;
    std::string_view meaning;
};

// ProblemTypes is the catalogue of RFC 8555 §6.7 (and RFC 9773's alreadyReplaced).
std::span<const ProblemType> ProblemTypes();

// MeaningOf returns the catalogue's text for a short type, or "" for a type it does not list.
std::string_view MeaningOf(std::string_view short_type);

// AcmeError is a failure the server reported: a core::Error (kFailure) whose text is "ACME server: <Text>",
// with the problem document kept for callers that act on it (badNonce retried, rateLimited backed off).
class AcmeError : public core::Error {
public:
    explicit AcmeError(Problem problem);
    const Problem& problem() const { return problem_; }

private:
    Problem problem_;
};

// ParseRetryAfter reads a Retry-After value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, relative to
// `now`. nullopt when absent or unreadable.
std::optional<std::chrono::seconds> ParseRetryAfter(const std::optional<std::string>& value,
                                                    std::chrono::system_clock::time_point now);

}  // namespace certos::acme
