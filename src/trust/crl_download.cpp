#include "trust/crl_download.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "core/error.hpp"
#include "core/time_format.hpp"
#include "core/value.hpp"
#include "crypto/crl.hpp"
#include "trust/trust_store.hpp"

namespace certos::trust {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

constexpr std::uint64_t kDownloadOwnerBit = std::uint64_t{1} << 62;

std::string Get(const store::ItemRow& row, const char* name) {
    auto it = row.props.find(name);
    return it == row.props.end() ? std::string() : it->second;
}

using store::Prop;

std::string Epoch(TimePoint t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

std::optional<TimePoint> FromEpoch(const std::string& text) {
    if (text.empty() || text.find_first_not_of("-0123456789") != std::string::npos) {
        return std::nullopt;
    }
    return TimePoint(std::chrono::seconds(std::stoll(text)));
}

bool IsHttpUrl(std::string_view url) {
    std::string lower = core::ToLowerAscii(url);
    return lower.starts_with("http://") || lower.starts_with("https://");
}

// NumberLess compares two decimal CRL numbers of any length.
bool NumberLess(const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

// KnownCa is a store certificate that may have issued a downloaded CRL.
struct KnownCa {
    core::ObjectId id;
    std::string name;
    crypto::Certificate cert;
};

// Job is one entry to fetch, as read before fetching.
struct Job {
    core::ObjectId id;
    std::string url;
    std::string number;       // the stored CRL's number ("" for none)
    std::string last_update;  // epoch of the stored CRL ("" for none)
};

// Accepted is a downloaded CRL that passed the checks, with what the entry will show.
struct Accepted {
    crypto::Crl crl;
    std::optional<KnownCa> issuer;
};

Accepted Check(const std::string& body, const Job& job, const std::vector<KnownCa>& cas) {
    std::optional<crypto::Crl> crl;
    try {
        crl = crypto::Crl::FromDerOrPem(body);
    } catch (const core::Error& e) {
        throw core::Failure("the response is not a CRL (" + std::to_string(body.size()) +
                            " bytes): " + std::string(e.what()));
    }
    Accepted accepted{*crl, std::nullopt};
    bool name_matched = false;
    for (const KnownCa& ca : cas) {
        if (crl->IssuerString() != ca.cert.SubjectString()) {
            continue;
        }
        name_matched = true;
        if (crl->IsSignedBy(ca.cert)) {
            accepted.issuer = ca;
            break;
        }
    }
    if (name_matched && !accepted.issuer) {
        throw core::Failure("the CRL of \"" + crl->IssuerString() + "\" is not signed by that CA's key");
    }
    std::string number = crl->NumberText();
    if (!job.number.empty() && !number.empty() && NumberLess(number, job.number)) {
        throw core::Failure("the CRL is older than the stored one (number " + number + " < " + job.number + ")");
    }
    return accepted;
}

void StoreAccepted(store::Transaction& tx, store::ItemRow& item, const Accepted& accepted, TimePoint now) {
    const crypto::Crl& crl = accepted.crl;
    tx.PutBlob(store::BlobRow{std::string(kDownloadedCrlKind), DownloadedCrlOwner(item.id), 0, crl.ToDer(), now});
    auto& p = item.props;
    p["last-update"] = Epoch(now);
    p["last-attempt"] = Epoch(now);
    p["this-update"] = Epoch(crl.ThisUpdate());
    p["next-update"] = crl.NextUpdate() ? Epoch(*crl.NextUpdate()) : "";
    p["fingerprint"] = crl.FingerprintSha256();
    p["akid"] = crl.AkidHex();
    p["issuer"] = crl.IssuerString();
    p["num"] = crl.NumberText();
    p["signature"] = crl.SignatureDigest();
    p["revoked"] = std::to_string(crl.RevokedCount());
    p["cert"] = accepted.issuer ? accepted.issuer->name : "";
    p["cert-id"] = accepted.issuer ? accepted.issuer->id.ToString() : "";
    p["invalid"] = core::WireBool(!accepted.issuer);
    p["last-error"] = accepted.issuer ? "" : "the issuer of this CRL is not in the store: its signature is not checked";
    tx.UpdateItem(kCrlItemKind, item);
}

std::vector<Job> DueJobs(store::Transaction& tx, const DownloadOptions& options) {
    std::vector<Job> jobs;
    for (const store::ItemRow& item : tx.ListItems(kCrlItemKind)) {
        if (!options.only.empty() &&
            std::find(options.only.begin(), options.only.end(), item.id) == options.only.end()) {
            continue;
        }
        std::optional<TimePoint> tried = FromEpoch(Get(item, "last-attempt"));
        if (!options.force && tried && *tried + kDownloadInterval > options.now) {
            continue;
        }
        jobs.push_back(Job{item.id, Get(item, "url"), Get(item, "num"), Get(item, "last-update")});
    }
    return jobs;
}

std::string Fetch(store::Store& store, const Job& job, const net::HttpClient& client, const std::vector<KnownCa>& cas,
                  const DownloadOptions& options) {
    try {
        net::ClientResponse response = net::RequireSuccess(client.Get(job.url), job.url);
        Accepted accepted = Check(response.body, job, cas);
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
        std::optional<store::ItemRow> item = tx->GetItem(kCrlItemKind, job.id);
        if (!item || Get(*item, "url") != job.url) {
            return "CRL download from " + job.url + " discarded: the entry was changed meanwhile";
        }
        StoreAccepted(*tx, *item, accepted, options.now);
        tx->Commit();
        std::string number = accepted.crl.NumberText();
        return "CRL downloaded from " + job.url + " (issuer " + accepted.crl.IssuerString() +
               (number.empty() ? "" : ", number " + number) + ", " + std::to_string(accepted.crl.RevokedCount()) +
               " revoked)";
    } catch (const core::Error& e) {
        std::string reason = std::string(e.what());
        std::optional<TimePoint> kept = FromEpoch(job.last_update);
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
        if (std::optional<store::ItemRow> item = tx->GetItem(kCrlItemKind, job.id)) {
            item->props["last-error"] = reason;
            item->props["last-attempt"] = Epoch(options.now);
            if (!kept) {
                item->props["invalid"] = "true";
            }
            tx->UpdateItem(kCrlItemKind, *item);
            tx->Commit();
        }
        return "CRL download failed: " + reason + "; " +
               (kept ? "keeping the CRL downloaded " + core::FormatDateTime(*kept) : std::string("no CRL yet"));
    }
}

}  // namespace

core::ObjectId DownloadedCrlOwner(core::ObjectId item) { return core::ObjectId(item.value() | kDownloadOwnerBit); }

std::string CheckCrlUrl(std::string_view url) {
    std::string text(url);
    std::size_t scheme_end = text.find("://");
    bool control = std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20; });
    if (!IsHttpUrl(text) || control || text.size() > 2048 || scheme_end + 3 >= text.size() ||
        text[scheme_end + 3] == '/') {
        throw core::ArgumentError("invalid value for argument url (expected http://host/path or https://host/path)");
    }
    return text;
}

int SyncDynamicCrls(store::Transaction& tx) {
    std::map<std::string, std::vector<std::string>> wanted;  // url -> ids of trusted certificates naming it
    for (const store::CertificateRow& row : tx.ListCertificates()) {
        if (row.der.empty() || Prop(row, "trusted") != "true") {
            continue;
        }
        for (const std::string& url : crypto::Certificate::FromDer(row.der).CrlDistributionPoints()) {
            if (IsHttpUrl(url)) {
                wanted[url].push_back(row.id.ToString());
            }
        }
    }
    int changes = 0;
    for (store::ItemRow& item : tx.ListItems(kCrlItemKind)) {
        auto it = wanted.find(Get(item, "url"));
        if (it == wanted.end() && Get(item, "dynamic") == "true") {
            RemoveDownloadedCrl(tx, item.id);
            ++changes;
            continue;
        }
        std::string ids = it == wanted.end() ? std::string() : core::JoinList(it->second);
        if (Get(item, "for-ids") != ids) {
            item.props["for-ids"] = ids;
            tx.UpdateItem(kCrlItemKind, item);
        }
        if (it != wanted.end()) {
            wanted.erase(it);
        }
    }
    for (const auto& [url, ids] : wanted) {
        store::ItemRow item;
        item.name = url;
        item.props = {{"url", url}, {"dynamic", "true"}, {"invalid", "true"}, {"for-ids", core::JoinList(ids)}};
        tx.InsertItem(kCrlItemKind, item);
        ++changes;
    }
    return changes;
}

std::vector<std::string> DownloadCrls(store::Store& store, const DownloadOptions& options) {
    {
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
        bool enabled = tx->GetSetting("certificate", "crl-download").value_or("false") == "true";
        if (!enabled && !options.force) {
            return {};
        }
        if (enabled) {
            tx.reset();
            std::unique_ptr<store::Transaction> write = store.Begin(store::TxMode::kWrite);
            if (SyncDynamicCrls(*write) > 0) {
                write->Commit();
            }
        }
    }
    std::vector<Job> jobs;
    std::vector<KnownCa> cas;
    {
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
        jobs = DueJobs(*tx, options);
        if (jobs.empty()) {
            return {};
        }
        // The CAs, through the store's authority index (not every certificate).
        tx->ScanCertificates(
            store::CertificateCondition::Compare(store::CertificateCondition::Op::kEq,
                                                 store::CertificateField::kAuthority, "true"),
            [&](store::CertificateRow&& row) {
                if (!row.der.empty()) {
                    cas.push_back(KnownCa{row.id, row.name, crypto::Certificate::FromDer(row.der)});
                }
                return true;
            },
            store::ScanOrder::kAny);
    }
    StoreTrust trust(store);
    net::HttpClient client("fetch", trust, net::ClientOptions{options.limits, {}});
    std::vector<std::string> lines;
    lines.reserve(jobs.size());
    for (const Job& job : jobs) {
        lines.push_back(Fetch(store, job, client, cas, options));
    }
    return lines;
}

std::vector<std::string> DownloadedCrlDers(store::Transaction& tx) {
    std::vector<std::string> out;
    for (const store::ItemRow& item : tx.ListItems(kCrlItemKind)) {
        if (std::optional<store::BlobRow> blob = tx.GetBlob(kDownloadedCrlKind, DownloadedCrlOwner(item.id))) {
            out.push_back(std::move(blob->data));
        }
    }
    return out;
}

std::set<core::ObjectId> CertificatesWithDownloadedCrl(store::Transaction& tx) {
    std::set<core::ObjectId> out;
    for (const store::ItemRow& item : tx.ListItems(kCrlItemKind)) {
        if (Get(item, "last-update").empty() || Get(item, "invalid") == "true") {
            continue;
        }
        std::vector<std::string> ids = core::SplitList(Get(item, "for-ids"));
        ids.push_back(Get(item, "cert-id"));
        for (const std::string& text : ids) {
            if (auto id = core::ObjectId::Parse(text)) {
                out.insert(*id);
            }
        }
    }
    return out;
}

void RemoveDownloadedCrl(store::Transaction& tx, core::ObjectId item) {
    tx.DeleteBlobs(DownloadedCrlOwner(item));
    tx.DeleteItem(kCrlItemKind, item);
}

}  // namespace certos::trust
