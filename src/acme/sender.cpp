#include "acme/sender.hpp"

#include "acme/jws.hpp"
#include "acme/problem.hpp"
#include "core/error.hpp"

namespace certos::acme {
namespace {

constexpr std::string_view kJoseJson = "application/jose+json";

nlohmann::json ParseJson(const std::string& body) {
    nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
    return json.is_discarded() ? nlohmann::json() : json;
}

std::string Text(const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Problem ProblemFromJson(const nlohmann::json& json, long status) {
    Problem problem;
    problem.status = status;
    if (json.is_object()) {
        problem.type = Text(json, "type");
        problem.detail = Text(json, "detail");
        if (auto sub = json.find("subproblems"); sub != json.end() && sub->is_array()) {
            for (const nlohmann::json& item : *sub) {
                if (item.is_object()) {
                    problem.subproblems.push_back(Text(item, "detail"));
                }
            }
        }
    }
    return problem;
}

Problem ProblemOf(const net::ClientResponse& response) {
    Problem problem = ProblemFromJson(ParseJson(response.body), response.status);
    if (problem.type.empty()) {
        problem.type = "about:blank";
        problem.detail = "HTTP " + std::to_string(response.status) + " from " + response.effective_url;
    }
    problem.retry_after = ParseRetryAfter(response.headers.Get("Retry-After"), std::chrono::system_clock::now());
    return problem;
}

Sender::Sender(const net::HttpClient& http, std::string directory_url)
    : http_(&http), directory_url_(std::move(directory_url)) {}

const Directory& Sender::GetDirectory() {
    if (directory_) {
        return *directory_;
    }
    net::ClientResponse response;
    try {
        response = Get(directory_url_);
    } catch (const core::Error& e) {
        throw core::Failure("ACME directory " + directory_url_ + " does not answer: " + e.what());
    }
    nlohmann::json json = ParseJson(response.body);
    if (!response.ok() || !json.is_object() || Text(json, "newNonce").empty() || Text(json, "newOrder").empty()) {
        throw core::Failure("ACME directory " + directory_url_ + " is not an ACME directory (HTTP " +
                            std::to_string(response.status) + ")");
    }
    Directory directory;
    directory.new_nonce = Text(json, "newNonce");
    directory.new_account = Text(json, "newAccount");
    directory.new_order = Text(json, "newOrder");
    directory.revoke_cert = Text(json, "revokeCert");
    directory.renewal_info = Text(json, "renewalInfo");
    if (auto meta = json.find("meta"); meta != json.end() && meta->is_object()) {
        directory.external_account_required = meta->value("externalAccountRequired", false);
    }
    directory_ = std::move(directory);
    return *directory_;
}

net::ClientResponse Sender::Get(const std::string& url) {
    ++requests_;
    net::ClientResponse response = http_->Get(url);
    KeepNonce(response.headers);
    return response;
}

void Sender::KeepNonce(const net::HttpHeaders& headers) {
    if (std::optional<std::string> nonce = headers.Get("Replay-Nonce"); nonce && !nonce->empty()) {
        std::lock_guard lock(mutex_);
        nonces_.push_back(std::move(*nonce));
    }
}

std::string Sender::TakeNonce() {
    {
        std::lock_guard lock(mutex_);
        if (!nonces_.empty()) {
            std::string nonce = std::move(nonces_.back());
            nonces_.pop_back();
            return nonce;
        }
    }
    // §7.2: "the client sends a HEAD request to the newNonce resource".
    ++requests_;
    net::ClientResponse response = http_->Head(GetDirectory().new_nonce);
    std::optional<std::string> nonce = response.headers.Get("Replay-Nonce");
    if (!nonce || nonce->empty()) {
        throw core::Failure("ACME server gave no nonce (HTTP " + std::to_string(response.status) + ")");
    }
    return *nonce;
}

Reply Sender::Post(const std::string& url, const std::string& payload, const crypto::PrivateKey& key,
                   const std::string& kid) {
    for (int attempt = 0;; ++attempt) {
        std::string body = SignRequest(key, url, TakeNonce(), kid, payload);
        ++requests_;
        net::ClientResponse response = http_->Post(url, std::move(body), kJoseJson);
        KeepNonce(response.headers);
        if (response.ok()) {
            Reply reply{response.status, std::move(response.headers), std::move(response.body), {}};
            reply.json = ParseJson(reply.body);
            return reply;
        }
        Problem problem = ProblemOf(response);
        if (problem.ShortType() == "badNonce" && attempt < kMaxBadNonceRetries) {
            ++bad_nonces_;
            continue;  // the refusal's Replay-Nonce is in the pool now
        }
        throw AcmeError(std::move(problem));
    }
}

}  // namespace certos::acme
