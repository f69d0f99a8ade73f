#include "pki/expiry.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
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
    long long now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    // What is due is found in a read transaction (which never keeps a writer waiting): only the rows within the
    // largest threshold, through the store's not_after index, one at a time, in no particular order. The
    // marks are then written in short write transactions of kBatch rows each, every mark read again under the
    // write lock, so that a threshold is logged once even when two processes check at the same moment, and
    // the commands of the daemon's front ends get their turn between the batches.
    struct Expiring {
        core::ObjectId id;
        std::string name;
        long long not_after = 0;
        long long level = 0;
    };
    std::vector<Expiring> expiring;
    std::map<std::string, store::ItemRow> stale;  // marks whose certificate was not seen (removed, renewed)
    {
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
        for (store::ItemRow& item : tx->ListItems(kExpiryWarningKind)) {
            stale.emplace(item.name, std::move(item));
        }
        auto within = store::CertificateCondition::Compare(
            store::CertificateCondition::Op::kLe, store::CertificateField::kNotAfter,
            static_cast<std::int64_t>(now_s + kThresholdDays[0] * 86400));
        tx->ScanCertificates(
            within,
            [&](store::CertificateRow&& row) {
                stale.erase(row.id.ToString());
                auto revoked = row.props.find("revoked");
                std::optional<long long> not_after = EpochSeconds(row.props, "not-after");
                if (row.der.empty() || !not_after || (revoked != row.props.end() && !revoked->second.empty())) {
                    return true;
                }
                if (std::optional<long long> level = Level(*not_after - now_s)) {
                    expiring.push_back(Expiring{row.id, std::move(row.name), *not_after, *level});
                }
                return true;
            },
            store::ScanOrder::kAny);
    }
    std::vector<std::string> lines;
    constexpr std::size_t kBatch = 256;
    for (std::size_t first = 0; first < expiring.size(); first += kBatch) {
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
        std::vector<std::string> batch_lines;
        for (std::size_t i = first; i < std::min(expiring.size(), first + kBatch); ++i) {
            const Expiring& row = expiring[i];
            std::string key = row.id.ToString();
            std::optional<store::ItemRow> warned = tx->FindItemByName(kExpiryWarningKind, key);
            if (warned && EpochSeconds(warned->props, "not-after") == row.not_after &&
                EpochSeconds(warned->props, "days").value_or(-1) <= row.level) {
                continue;  // this threshold (or a nearer one) was logged for this certificate already
            }
            std::string until =
                core::FormatDateTime(std::chrono::system_clock::time_point(std::chrono::seconds(row.not_after)));
            batch_lines.push_back(row.level == 0
                                      ? "certificate " + row.name + " has expired (invalid-after " + until + ")"
                                      : "certificate " + row.name + " expires in " +
                                            core::FormatDuration(std::chrono::seconds(row.not_after - now_s)) +
                                            " (invalid-after " + until + ")");
            store::ItemRow mark;
            mark.name = key;
            mark.props = {{"days", std::to_string(row.level)}, {"not-after", std::to_string(row.not_after)}};
            if (!warned) {
                tx->InsertItem(kExpiryWarningKind, mark);
            } else {
                mark.id = warned->id;
                tx->UpdateItem(kExpiryWarningKind, mark);
            }
        }
        tx->Commit();
        lines.insert(lines.end(), std::make_move_iterator(batch_lines.begin()),
                     std::make_move_iterator(batch_lines.end()));
    }
    // A mark of a row outside the threshold (renewed, removed) is let go: its next warning starts afresh. It is
    // deleted only while it is still the mark that was read (a mark written meanwhile is another warning's).
    std::vector<store::ItemRow> to_delete;
    to_delete.reserve(stale.size());
    for (auto& [key, item] : stale) {
        to_delete.push_back(std::move(item));
    }
    for (std::size_t first = 0; first < to_delete.size(); first += kBatch) {
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
        for (std::size_t i = first; i < std::min(to_delete.size(), first + kBatch); ++i) {
            std::optional<store::ItemRow> now_mark = tx->GetItem(kExpiryWarningKind, to_delete[i].id);
            if (now_mark && now_mark->props == to_delete[i].props) {
                tx->DeleteItem(kExpiryWarningKind, to_delete[i].id);
            }
        }
        tx->Commit();
    }
    return lines;
}

}  // namespace certos::pki
