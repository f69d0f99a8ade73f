#include "acme/problem.hpp"

#include <ctime>

namespace certos::acme {
namespace {

constexpr std::string_view kPrefix = "urn:ietf:params:acme:error:";

}  // namespace

// RFC 8555 §6.7, Table "Error Types"; RFC 9773 §7.4 for alreadyReplaced.
const std::vector<ProblemType> kProblemTypes = {
    {"accountDoesNotExist", "the request specified an account that does not exist"},
    {"alreadyRevoked", "the certificate is already revoked"},
    {"alreadyReplaced", "the certificate was already replaced (ARI)"},
    {"badCSR", "the CSR is unacceptable"},
    {"badNonce", "the client sent an unacceptable anti-replay nonce"},
    {"badPublicKey", "the JWS was signed by a public key the server does not support"},
    {"badRevocationReason", "the revocation reason is not allowed"},
    {"badSignatureAlgorithm", "the JWS was signed with an algorithm the server does not support"},
    {"caa", "CAA records forbid the CA from issuing a certificate"},
    {"compound", "specific error conditions are indicated in the subproblems"},
    {"connection", "the server could not connect to the validation target"},
    {"dns", "there was a problem with a DNS query during validation"},
    {"externalAccountRequired", "the request must include a value for the externalAccountBinding field"},
    {"incorrectResponse", "the response received did not match the challenge's requirements"},
    {"invalidContact", "a contact URL for an account was invalid"},
    {"malformed", "the request message was malformed"},
    {"orderNotReady", "the request attempted to finalize an order that is not ready"},
    {"rateLimited", "the request exceeds a rate limit"},
    {"rejectedIdentifier", "the server will not issue certificates for the identifier"},
    {"serverInternal", "the server experienced an internal error"},
    {"tls", "the server received a TLS error during validation"},
    {"unauthorized", "the client lacks sufficient authorization"},
    {"unsupportedContact", "a contact URL for an account used an unsupported protocol scheme"},
    {"unsupportedIdentifier", "an identifier is of an unsupported type"},
    {"userActionRequired", "visit the instance URL and take the actions specified there"},
};

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
