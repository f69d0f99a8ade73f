#include "acme/problem.hpp"

#include <array>
#include <ctime>

namespace certos::acme {
namespace {

constexpr std::string_view kPrefix = "urn:ietf:params:acme:error:";

// RFC 8555 §6.7, Table "Error Types"; RFC 9773 §7.4 for alreadyReplaced.
constexpr std::array kProblemTypes = {
    ProblemType{"accountDoesNotExist", "the request specified an account that does not exist"},
    ProblemType{"alreadyRevoked", "the certificate is already revoked"},
    ProblemType{"alreadyReplaced", "the certificate was already replaced (ARI)"},
    ProblemType{"badCSR", "the CSR is unacceptable"},
    ProblemType{"badNonce", "the client sent an unacceptable anti-replay nonce"},
    ProblemType{"badPublicKey", "the JWS was signed by a public key the server does not support"},
    ProblemType{"badRevocationReason", "the revocation reason is not allowed"},
    ProblemType{"badSignatureAlgorithm", "the JWS was signed with an algorithm the server does not support"},
    ProblemType{"caa", "CAA records forbid the CA from issuing a certificate"},
    ProblemType{"compound", "specific error conditions are indicated in the subproblems"},
    ProblemType{"connection", "the server could not connect to the validation target"},
    ProblemType{"dns", "there was a problem with a DNS query during validation"},
    ProblemType{"externalAccountRequired", "the request must include a value for the externalAccountBinding field"},
    ProblemType{"incorrectResponse", "the response received did not match the challenge's requirements"},
    ProblemType{"invalidContact", "a contact URL for an account was invalid"},
    ProblemType{"malformed", "the request message was malformed"},
    ProblemType{"orderNotReady", "the request attempted to finalize an order that is not ready"},
    ProblemType{"rateLimited", "the request exceeds a rate limit"},
    ProblemType{"rejectedIdentifier", "the server will not issue certificates for the identifier"},
    ProblemType{"serverInternal", "the server experienced an internal error"},
    ProblemType{"tls", "the server received a TLS error during validation"},
    ProblemType{"unauthorized", "the client lacks sufficient authorization"},
    ProblemType{"unsupportedContact", "a contact URL for an account used an unsupported protocol scheme"},
    ProblemType{"unsupportedIdentifier", "an identifier is of an unsupported type"},
    ProblemType{"userActionRequired", "visit the instance URL and take the actions specified there"},
};

}  // namespace

std::span<const ProblemType> ProblemTypes() { return kProblemTypes; }

std::string_view MeaningOf(std::string_view short_type) {
    for (const ProblemType& row : kProblemTypes) {
        if (row.type == short_type) {
            return row.meaning;
        }
    }
    return {};
}

std::string Problem::ShortType() const {
    std::string_view view(type);
    if (view.starts_with(kPrefix)) {
        view.remove_prefix(kPrefix.size());
    }
    return std::string(view.empty() ? "unknown" : view);
}

std::string Problem::Text() const {
    std::string out = ShortType();
    std::string text = detail.empty() ? std::string(MeaningOf(out)) : detail;
    if (!text.empty()) {
        out += ": " + text;
    }
    for (const std::string& sub : subproblems) {
        out += "; " + sub;
    }
    if (retry_after) {
        out += " (retry after " + std::to_string(retry_after->count()) + "s)";
    }
    return out;
}

AcmeError::AcmeError(Problem problem)
    : core::Error(core::ErrorCategory::kFailure, "ACME server: " + problem.Text()), problem_(std::move(problem)) {}

std::optional<std::chrono::seconds> ParseRetryAfter(const std::optional<std::string>& value,
                                                    std::chrono::system_clock::time_point now) {
    if (!value || value->empty()) {
        return std::nullopt;
    }
    if (value->find_first_not_of("0123456789") == std::string::npos) {
        return std::chrono::seconds(std::stoll(value->substr(0, 9)));
    }
    std::tm tm{};
    if (strptime(value->c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) {
        return std::nullopt;
    }
    auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
    auto left = std::chrono::duration_cast<std::chrono::seconds>(when - now);
    return left.count() < 0 ? std::chrono::seconds(0) : left;
}

}  // namespace certos::acme
