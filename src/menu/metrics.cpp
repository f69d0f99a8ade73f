#include "menu/metrics.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crypto/crl.hpp"
#include "menu/tree.hpp"
#include "pki/crl.hpp"
#include "pki/describe.hpp"
#include "store/store.hpp"

namespace certos::menu {

namespace {

// Label writes a label value escaped as the exposition format asks: backslash, double quote and newline.
std::string Label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

bool PropSet(const std::map<std::string, std::string>& props, const std::string& key) {
    auto it = props.find(key);
    return it != props.end() && !it->second.empty() && it->second != "false";
}

long long Seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

void Metrics::CountCommand(std::string_view via, std::string_view path, std::string_view verb, bool ok,
                           std::chrono::steady_clock::duration took) {
    double seconds = std::chrono::duration<double>(took).count();
    std::size_t bucket = 0;
    while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) {
        ++bucket;
    }
    std::lock_guard lock(mutex_);
    Command& command = commands_[{std::string(via), std::string(path), std::string(verb)}];
    (ok ? command.ok : command.error) += 1;
    if (bucket < kBuckets.size()) {
        command.buckets[bucket] += 1;
    }
    command.seconds += seconds;
}

void Metrics::CountLoginFailure(std::string_view via) {
    std::lock_guard lock(mutex_);
    auto it = login_failures_.find(via);
    if (it == login_failures_.end()) {
        it = login_failures_.emplace(std::string(via), 0).first;
    }
    it->second += 1;
}

std::string Metrics::Render(const Tree& tree, std::chrono::system_clock::time_point now) const {
    std::string out;
    {
        std::lock_guard lock(mutex_);
        out += "# HELP certos_commands_total Commands run through the command tree, by front end and outcome.\n";
        out += "# TYPE certos_commands_total counter\n";
        for (const auto& [key, command] : commands_) {
            const auto& [via, path, verb] = key;
            for (auto [outcome, count] : {std::pair{"ok", command.ok}, std::pair{"error", command.error}}) {
                out += fmt::format("certos_commands_total{{via=\"{}\",path=\"{}\",verb=\"{}\",outcome=\"{}\"}} {}\n",
                                   Label(via), Label(path), Label(verb), outcome, count);
            }
        }
        out += "# HELP certos_command_duration_seconds Time a command took in the command tree.\n";
        out += "# TYPE certos_command_duration_seconds histogram\n";
        for (const auto& [key, command] : commands_) {
            const auto& [via, path, verb] = key;
            std::string labels =
                fmt::format("via=\"{}\",path=\"{}\",verb=\"{}\"", Label(via), Label(path), Label(verb));
            std::uint64_t cumulative = 0;
            for (std::size_t i = 0; i < kBuckets.size(); ++i) {
                cumulative += command.buckets[i];
                out += fmt::format("certos_command_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBuckets[i],
                                   cumulative);
            }
            std::uint64_t total = command.ok + command.error;
            out += fmt::format("certos_command_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, total);
            out += fmt::format("certos_command_duration_seconds_sum{{{}}} {}\n", labels, command.seconds);
            out += fmt::format("certos_command_duration_seconds_count{{{}}} {}\n", labels, total);
        }
        out += "# HELP certos_login_failures_total Refused logins, by front end.\n";
        out += "# TYPE certos_login_failures_total counter\n";
        for (const auto& [via, count] : login_failures_) {
            out += fmt::format("certos_login_failures_total{{via=\"{}\"}} {}\n", Label(via), count);
        }
    }

    std::unique_ptr<store::Transaction> tx = tree.store().Begin(store::TxMode::kRead);
    std::map<std::string, std::uint64_t> states = {{"template", 0}, {"valid", 0}, {"expired", 0}, {"revoked", 0}};
    std::string expiry;
    std::string crl_age;
    std::string crl_next;
    std::string crl_entries;
    long long now_s = Seconds(now);
    // The rows are scanned one at a time (memory stays bounded at any store size); the CAs whose CRL
    // is read are noted and their CRLs read after the cursor closed (a scan's visitor must not use tx).
    std::vector<std::pair<core::ObjectId, std::string>> crl_issuers;
    tx->ScanCertificates(
        store::CertificateCondition::True(),
        [&](store::CertificateRow&& row) {
            if (row.der.empty()) {
                ++states["template"];
                return true;
            }
            std::optional<long long> not_after = pki::EpochSeconds(row.props, "not-after");
            if (PropSet(row.props, "revoked")) {
                ++states["revoked"];
            } else if (not_after && *not_after < now_s) {
                ++states["expired"];
            } else {
                ++states["valid"];
            }
            if (not_after) {
                expiry += fmt::format("certos_certificate_expiry_seconds{{name=\"{}\"}} {}\n", Label(row.name),
                                      *not_after - now_s);
            }
            if (pki::IssuesCrls(row)) {
                crl_issuers.emplace_back(row.id, std::move(row.name));
            }
            return true;
        },
        store::ScanOrder::kListing);
    for (const auto& [id, name] : crl_issuers) {
        std::optional<store::BlobRow> blob = tx->GetBlob(pki::kLocalCrlKind, id);
        if (!blob) {
            continue;
        }
        crypto::Crl crl = crypto::Crl::FromDer(blob->data);
        crl_age +=
            fmt::format("certos_crl_age_seconds{{ca=\"{}\"}} {}\n", Label(name), now_s - Seconds(crl.ThisUpdate()));
        if (std::optional<crypto::TimePoint> next = crl.NextUpdate()) {
            crl_next +=
                fmt::format("certos_crl_next_update_seconds{{ca=\"{}\"}} {}\n", Label(name), Seconds(*next) - now_s);
        }
        crl_entries += fmt::format("certos_crl_entries{{ca=\"{}\"}} {}\n", Label(name), crl.RevokedCount());
    }
    out += "# HELP certos_certificates Certificates in the store, by state.\n";
    out += "# TYPE certos_certificates gauge\n";
    for (const auto& [state, count] : states) {
        out += fmt::format("certos_certificates{{state=\"{}\"}} {}\n", state, count);
    }
    out += "# HELP certos_certificate_expiry_seconds Seconds until a certificate's notAfter (negative: expired).\n";
    out += "# TYPE certos_certificate_expiry_seconds gauge\n" + expiry;
    out += "# HELP certos_crl_age_seconds Seconds since a local CA's CRL was issued (thisUpdate).\n";
    out += "# TYPE certos_crl_age_seconds gauge\n" + crl_age;
    out += "# HELP certos_crl_next_update_seconds Seconds until a local CA's CRL's nextUpdate.\n";
    out += "# TYPE certos_crl_next_update_seconds gauge\n" + crl_next;
    out += "# HELP certos_crl_entries Revoked entries on a local CA's CRL.\n";
    out += "# TYPE certos_crl_entries gauge\n" + crl_entries;
    return out;
}

}  // namespace certos::menu
