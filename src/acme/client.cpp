#include "acme/client.hpp"

#include <ctime>
#include <thread>

#include "acme/jws.hpp"
#include "core/error.hpp"
#include "crypto/digest.hpp"
#include "crypto/jose.hpp"

namespace certos::acme {
namespace {

using crypto::Base64UrlEncode;

std::string Text(const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Contains(const std::vector<std::string>& values, const std::string& value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

// ParseRfc3339 reads "2026-01-01T00:00:00Z" (fractions of a second and the zone "Z" are dropped; ARI times
// are UTC). nullopt for anything else.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text) {
    std::tm tm{};
    if (strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
        return std::nullopt;
    }
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// FailedAuthorization is the error of an authorisation that became invalid: the failed challenge's problem.
AcmeError FailedAuthorization(const nlohmann::json& authz) {
    std::string domain = authz.contains("identifier") ? Text(authz["identifier"], "value") : std::string();
    for (const nlohmann::json& challenge : authz.value("challenges", nlohmann::json::array())) {
        if (challenge.contains("error")) {
            Problem problem = ProblemFromJson(challenge["error"], 403);
            problem.detail = domain + " (" + Text(challenge, "type") + "): " + problem.detail;
            return AcmeError(std::move(problem));
        }
    }
    return AcmeError(Problem{
        "urn:ietf:params:acme:error:unauthorized", "authorization of " + domain + " failed", 403, std::nullopt, {}});
}

// A challenge in progress: what was presented, so that it is cleaned up whatever happens.
struct Pending {
    std::string authz_url;
    std::string type;
    std::string domain;
    std::string token;
};

}  // namespace

std::string DnsChallengeValue(std::string_view key_authorization) {
    return Base64UrlEncode(crypto::Digest(crypto::DigestAlgorithm::kSha256, key_authorization));
}

std::string AriCertId(std::string_view akid_hex, std::string_view serial_hex) {
    auto bytes = [](std::string_view hex) {
        std::string clean;
        for (char c : hex) {
            if (std::isxdigit(static_cast<unsigned char>(c))) {
                clean += c;
            }
        }
        if (clean.size() % 2 != 0) {
            clean.insert(clean.begin(), '0');
        }
        return crypto::FromHex(clean).value_or("");
    };
    std::string serial = bytes(serial_hex);
    // The serial's DER INTEGER content: a leading zero byte when the high bit is set (RFC 9773 §4.1).
    if (!serial.empty() && (static_cast<unsigned char>(serial[0]) & 0x80) != 0) {
        serial.insert(serial.begin(), '\0');
    }
    return Base64UrlEncode(bytes(akid_hex)) + "." + Base64UrlEncode(serial);
}

Client::Client(Sender& sender, crypto::PrivateKey account_key, Pacing pacing)
    : sender_(&sender), key_(std::move(account_key)), pacing_(std::move(pacing)) {
    if (!pacing_.sleep) {
        pacing_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    }
}

std::string Client::Register(const std::optional<ExternalAccount>& eab) {
    const Directory& directory = sender_->GetDirectory();
    if (directory.external_account_required && !eab) {
        throw core::Failure("the ACME server requires External Account Binding (give eab-kid= and eab-hmac-key=)");
    }
    // §7.3: "termsOfServiceAgreed"; an existing account for this key is returned with 200 (§7.3.1).
    nlohmann::json payload{{"termsOfServiceAgreed", true}};
    if (eab) {
        payload["externalAccountBinding"] =
            ExternalAccountBinding(eab->kid, eab->hmac_key, key_, directory.new_account);
    }
    Reply reply = sender_->Post(directory.new_account, payload.dump(), key_, "");
    kid_ = reply.Location();
    if (kid_.empty()) {
        throw core::Failure("ACME server gave no account URL");
    }
    return kid_;
}

Reply Client::PostAsGet(const std::string& url) { return sender_->Post(url, "", key_, kid_); }

void Client::Wait(std::chrono::milliseconds& delay, const Reply& reply) {
    std::chrono::milliseconds wait = delay;
    if (auto after = ParseRetryAfter(reply.headers.Get("Retry-After"), std::chrono::system_clock::now())) {
        // §7.5.1: "the server MAY include a Retry-After header field"; honoured up to max_retry_after.
        wait = std::min<std::chrono::milliseconds>(std::max<std::chrono::milliseconds>(*after, delay),
                                                   pacing_.max_retry_after);
    }
    pacing_.sleep(wait);
    delay = std::min(delay * 2, pacing_.max);
}

nlohmann::json Client::Poll(const std::string& url, const std::vector<std::string>& pending,
                            std::chrono::steady_clock::time_point deadline) {
    std::chrono::milliseconds delay = pacing_.first;
    while (true) {
        Reply reply = PostAsGet(url);
        if (!Contains(pending, Text(reply.json, "status"))) {
            return reply.json;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw core::Failure("ACME server did not finish " + url + " in time (status " + Text(reply.json, "status") +
                                ")");
        }
        Wait(delay, reply);
    }
}

Issued Client::Obtain(const std::vector<std::string>& domains, const std::string& csr_der, ChallengeSolver& solver,
                      const std::string& replaces) {
    auto deadline = std::chrono::steady_clock::now() + pacing_.timeout;
    const Directory& directory = sender_->GetDirectory();
    nlohmann::json identifiers = nlohmann::json::array();
    for (const std::string& domain : domains) {
        identifiers.push_back({{"type", "dns"}, {"value", domain}});
    }
    nlohmann::json payload{{"identifiers", identifiers}};
    if (!replaces.empty() && !directory.renewal_info.empty()) {
        payload["replaces"] = replaces;  // RFC 9773 §5
    }
    Reply created = sender_->Post(directory.new_order, payload.dump(), key_, kid_);
    Issued issued;
    issued.order_url = created.Location();
    nlohmann::json order = created.json;

    // Every challenge is presented and answered first, then the authorisations are polled together: the
    // server validates them in parallel.
    std::vector<Pending> pending;
    auto clean_up = [&] {
        for (const Pending& p : pending) {
            try {
                solver.CleanUp(p.type, p.domain, p.token);
            } catch (const std::exception&) {
                // a challenge left behind is harmless; the order's outcome matters
            }
        }
    };
    try {
        for (const nlohmann::json& url : order.value("authorizations", nlohmann::json::array())) {
            nlohmann::json authz = PostAsGet(url.get<std::string>()).json;
            if (Text(authz, "status") == "valid") {
                continue;  // §7.1.4: authorisations may be reused
            }
            std::string domain = Text(authz.value("identifier", nlohmann::json::object()), "value");
            const nlohmann::json challenges = authz.value("challenges", nlohmann::json::array());
            const nlohmann::json* chosen = nullptr;
            for (const char* type : {"http-01", "dns-01"}) {
                for (const nlohmann::json& challenge : challenges) {
                    if (chosen == nullptr && Text(challenge, "type") == type && solver.Supports(type)) {
                        chosen = &challenge;
                    }
                }
            }
            if (chosen == nullptr) {
                throw core::Failure("no challenge for " + domain + " that certos can answer" +
                                    (authz.value("wildcard", false) ? " (a wildcard needs dns-hook=)" : ""));
            }
            Pending p{url.get<std::string>(), Text(*chosen, "type"), domain, Text(*chosen, "token")};
            pending.push_back(p);  // first: a Present that fails halfway (the DNS check) is cleaned up as well
            solver.Present(p.type, p.domain, p.token, KeyAuthorization(p.token, key_));
            // §7.5.1: "The client indicates to the server that it is ready for the challenge validation by
            // sending an empty JSON body ("{}")".
            sender_->Post(Text(*chosen, "url"), "{}", key_, kid_);
        }
        for (const Pending& p : pending) {
            nlohmann::json authz = Poll(p.authz_url, {"pending"}, deadline);
            if (Text(authz, "status") != "valid") {
                throw FailedAuthorization(authz);
            }
        }
    } catch (...) {
        clean_up();
        throw;
    }
    clean_up();

    order = Poll(issued.order_url, {"pending"}, deadline);
    if (Text(order, "status") != "ready") {
        throw core::Failure("ACME order is " + Text(order, "status") + ", not ready");
    }
    nlohmann::json finalize{{"csr", Base64UrlEncode(csr_der)}};
    order = sender_->Post(Text(order, "finalize"), finalize.dump(), key_, kid_).json;
    if (Text(order, "status") != "valid") {
        order = Poll(issued.order_url, {"ready", "processing"}, deadline);
    }
    if (Text(order, "status") != "valid" || Text(order, "certificate").empty()) {
        throw core::Failure("ACME order is " + Text(order, "status") + " after finalize");
    }
    issued.chain_pem = PostAsGet(Text(order, "certificate")).body;
    return issued;
}

std::optional<RenewalWindow> Client::Renewal(const std::string& cert_id) {
    const Directory& directory = sender_->GetDirectory();
    if (directory.renewal_info.empty() || cert_id.empty()) {
        return std::nullopt;
    }
    try {
        net::ClientResponse response = sender_->Get(directory.renewal_info + "/" + cert_id);
        nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
        if (!response.ok() || !json.is_object() || !json.contains("suggestedWindow")) {
            return std::nullopt;
        }
        auto start = ParseRfc3339(Text(json["suggestedWindow"], "start"));
        auto end = ParseRfc3339(Text(json["suggestedWindow"], "end"));
        if (!start || !end) {
            return std::nullopt;
        }
        return RenewalWindow{*start, *end};
    } catch (const core::Error&) {
        return std::nullopt;  // ARI is advice: without it the 80 % rule applies
    }
}

void Client::Revoke(const std::string& cert_der, int reason) {
    nlohmann::json payload{{"certificate", Base64UrlEncode(cert_der)}, {"reason", reason}};
    sender_->Post(sender_->GetDirectory().revoke_cert, payload.dump(), key_, kid_);
}

}  // namespace certos::acme
