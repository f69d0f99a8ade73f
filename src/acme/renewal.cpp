// Renewal of ACME-managed certificates by the scheduler: RouterOS's 80 % rule, ARI (RFC 9773) when the
// server offers it, and backoff after failures.

#include <algorithm>

#include "acme/service.hpp"
#include "core/error.hpp"
#include "pki/describe.hpp"

namespace certos::acme {
namespace {

using Clock = std::chrono::system_clock;

constexpr std::chrono::minutes kFirstRetry{5};
constexpr std::chrono::hours kMaxRetry{24};

Clock::time_point Epoch(const std::map<std::string, std::string>& props, const std::string& key) {
    return Clock::time_point(std::chrono::seconds(pki::EpochSeconds(props, key).value_or(0)));
}

bool RetryDue(const store::CertificateRow& row, Clock::time_point now) {
    auto at = pki::EpochSeconds(row.props, "acme-retry-at");
    return !at || Clock::time_point(std::chrono::seconds(*at)) <= now;
}

// Backoff records a failed renewal: the next try after 5 min, doubling per failure, at most a day, or the
// server's Retry-After (recorded by the failed run as acme-retry-at) when it asks for longer (rateLimited).
void Backoff(store::Store& store, const std::string& name, Clock::time_point now) {
    auto tx = store.Begin(store::TxMode::kWrite);
    std::optional<store::CertificateRow> row = tx->FindCertificateByName(name);
    if (!row) {
        return;
    }
    int failures = std::stoi(row->props.contains("acme-failures") ? row->props["acme-failures"] : "0") + 1;
    std::chrono::seconds wait = kFirstRetry;
    for (int i = 1; i < failures && wait < kMaxRetry; ++i) {
        wait *= 2;
    }
    wait = std::min<std::chrono::seconds>(wait, kMaxRetry);
    // The failed run recorded the server's Retry-After (rateLimited) as acme-retry-at: never cut it short.
    Clock::time_point retry_at = std::max(now + wait, Epoch(row->props, "acme-retry-at"));
    row->props["acme-failures"] = std::to_string(failures);
    row->props["acme-retry-at"] =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(retry_at.time_since_epoch()).count());
    tx->UpdateCertificate(*row);
    tx->Commit();
}

}  // namespace

std::vector<std::string> RenewalsDue(store::Store& store, Clock::time_point now, const AriPort& ari) {
    std::vector<store::CertificateRow> entries;
    {
        auto tx = store.Begin(store::TxMode::kRead);
        // The ACME-managed rows, through the store's index (not every certificate).
        tx->ScanCertificates(
            store::CertificateCondition::Compare(store::CertificateCondition::Op::kEq,
                                                 store::CertificateField::kAcmeManaged, "true"),
            [&](store::CertificateRow&& row) {
                entries.push_back(std::move(row));
                return true;
            },
            store::ScanOrder::kAny);
    }
    std::vector<std::string> due;
    for (const store::CertificateRow& row : entries) {
        if (!RetryDue(row, now)) {
            continue;
        }
        if (row.der.empty()) {
            due.push_back(row.name);  // never obtained (a failed add-acme): tried again with backoff
            continue;
        }
        std::optional<RenewalWindow> window = ari ? ari(row) : std::nullopt;
        if (RenewalTime(Epoch(row.props, "not-before"), Epoch(row.props, "not-after"), window) <= now) {
            due.push_back(row.name);
        }
    }
    return due;
}

std::vector<std::string> RenewDue(Environment& env, Clock::time_point now) {
    std::vector<std::string> lines;
    Environment at_now = env;
    at_now.now = [now] { return now; };
    for (const std::string& name : RenewalsDue(env.store, now, StoreAri(env))) {
        try {
            Renew(at_now, name);
            lines.push_back("certificate " + name + " renewed");
        } catch (const core::Error&) {
            Backoff(env.store, name, now);  // Renew has logged it, set acme-status and any Retry-After
        }
    }
    return lines;
}

AriPort StoreAri(Environment& env) {
    return [&env](const store::CertificateRow& row) -> std::optional<RenewalWindow> {
        auto it = row.props.find("directory-url");
        if (it == row.props.end() || row.der.empty()) {
            return std::nullopt;
        }
        try {
            net::HttpClient http("acme", env.trust, env.http);
            Sender sender(http, it->second);
            if (sender.GetDirectory().renewal_info.empty()) {
                return std::nullopt;
            }
            Client client(sender, crypto::PrivateKey::Generate(crypto::KeySpec::Ec("prime256v1")), env.pacing);
            auto prop = [&](const char* key) { return row.props.contains(key) ? row.props.at(key) : std::string(); };
            return client.Renewal(AriCertId(prop("akid"), prop("serial-number")));
        } catch (const core::Error&) {
            return std::nullopt;  // no advice: the 80 % rule
        }
    };
}

}  // namespace certos::acme
