#include "pki/expiry.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "core/duration.hpp"
#include "core/time_format.hpp"
#include "pki/describe.hpp"

namespace certos::pki {

namespace {

// The thresholds, in days, largest first; 0 is "has expired".
constexpr std::array<long long, 4> kThresholdDays = {30, 7, 1, 0};

// Level is the smallest threshold the remaining time is within; nullopt when more than 30 days remain.
std::optional<long long> Level(long long remaining_seconds) {
    std::optional<long long> level;
    for (long long days : kThresholdDays) {
        if (remaining_seconds <= days * 86400) {
            level = days;
        }
    }
    return level;
}

}  // namespace

std::vector<std::string> WarnExpiring(store::Store& store, std::chrono::system_clock::time_point now) {
    std::vector<std::string> lines;
    std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
    std::map<std::string, store::ItemRow> warned;
    for (store::ItemRow& item : tx->ListItems(kExpiryWarningKind)) {
        warned.emplace(item.name, std::move(item));
    }
    long long now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    // Only the rows within the largest threshold are read, through the store's not_after index, one at a time;
    // what is to be written is kept and written after the scan, whose visitor must not use the transaction. A
    // mark of a row outside them (renewed, removed) is let go: its next warning starts afresh.
    struct Expiring {
        core::ObjectId id;
        std::string name;
        long long not_after = 0;
        long long level = 0;
    };
    std::vector<Expiring> expiring;
    auto within =
        store::CertificateCondition::Compare(store::CertificateCondition::Op::kLe, store::CertificateField::kNotAfter,
                                             static_cast<std::int64_t>(now_s + kThresholdDays[0] * 86400));
    tx->ScanCertificates(within, [&](store::CertificateRow&& row) {
        auto mark_of_row = warned.find(row.id.ToString());
        if (mark_of_row != warned.end()) {
            mark_of_row->second.props["seen"] = "yes";
        }
        auto revoked = row.props.find("revoked");
        std::optional<long long> not_after = EpochSeconds(row.props, "not-after");
        if (row.der.empty() || !not_after || (revoked != row.props.end() && !revoked->second.empty())) {
            return true;
        }
        if (std::optional<long long> level = Level(*not_after - now_s)) {
            expiring.push_back(Expiring{row.id, std::move(row.name), *not_after, *level});
        }
        return true;
    });
    for (const Expiring& row : expiring) {
        std::optional<long long> not_after = row.not_after;
        std::optional<long long> level = row.level;
        std::string key = row.id.ToString();
        auto it = warned.find(key);
        if (it != warned.end() && EpochSeconds(it->second.props, "not-after") == not_after &&
            EpochSeconds(it->second.props, "days").value_or(-1) <= *level) {
            continue;  // this threshold (or a nearer one) was logged for this certificate already
        }
        std::string until =
            core::FormatDateTime(std::chrono::system_clock::time_point(std::chrono::seconds(*not_after)));
        lines.push_back(*level == 0 ? "certificate " + row.name + " has expired (invalid-after " + until + ")"
                                    : "certificate " + row.name + " expires in " +
                                          core::FormatDuration(std::chrono::seconds(*not_after - now_s)) +
                                          " (invalid-after " + until + ")");
        store::ItemRow mark;
        mark.name = key;
        mark.props = {{"days", std::to_string(*level)}, {"not-after", std::to_string(*not_after)}};
        if (it == warned.end()) {
            tx->InsertItem(kExpiryWarningKind, mark);
        } else {
            mark.id = it->second.id;
            tx->UpdateItem(kExpiryWarningKind, mark);
        }
    }
    for (const auto& [key, item] : warned) {
        if (!item.props.contains("seen")) {
            tx->DeleteItem(kExpiryWarningKind, item.id);  // its certificate was removed or renewed
        }
    }
    tx->Commit();
    return lines;
}

}  // namespace certos::pki
