#include "menu/certificate_menu.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <set>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/time_format.hpp"
#include "core/value.hpp"
#include "menu/menus.hpp"
#include "pki/sign.hpp"
#include "pki/template.hpp"
#include "trust/crl_download.hpp"

namespace certos::menu {
namespace {

PropertySpec Text(std::string name, std::string help, std::string (*check)(std::string_view) = nullptr) {
    PropertySpec spec;
    spec.name = std::move(name);
    spec.help = std::move(help);
    if (check != nullptr) {
        spec.check = [check](std::string_view v) { return check(v); };
    }
    return spec;
}

PropertySpec Choice(std::string name, const std::vector<std::string>& values, std::string_view fallback,
                    std::string help, ValueType type = ValueType::kEnum) {
    PropertySpec spec;
    spec.name = std::move(name);
    spec.type = type;
    spec.values = values;
    spec.default_value = std::string(fallback);
    spec.help = std::move(help);
    return spec;
}

PropertySpec ReadOnly(std::string name, std::string help, ValueType type = ValueType::kString, bool quoted = true) {
    PropertySpec spec;
    spec.name = std::move(name);
    spec.type = type;
    spec.help = std::move(help);
    spec.quoted = quoted;
    return spec;
}

std::vector<PropertySpec> BuildTemplateProperties() {
    PropertySpec days;
    days.name = "days-valid";
    days.type = ValueType::kInteger;
    days.min = 1;
    days.max = pki::kMaxDaysValid;
    days.default_value = std::string(pki::kDefaultDaysValid);
    days.help = "days the certificate will be valid after signing";
    PropertySpec trusted;
    trusted.name = "trusted";
    trusted.type = ValueType::kBool;
    trusted.default_value = "false";
    trusted.help = "use the certificate for host certificate verification";
    return {
        Text("common-name", "certificate common name", pki::CheckSubjectText),
        Text("country", "subject country (two letters)", pki::CheckCountry),
        days,
        Choice("digest-algorithm", pki::DigestValues(), pki::kDefaultDigest, "signature digest algorithm"),
        Choice("key-size", pki::KeySizeValues(), pki::kDefaultKeySize, "RSA key size or EC curve"),
        Choice("key-usage", pki::KeyUsages(), pki::kDefaultKeyUsage, "certificate usage", ValueType::kEnumList),
        Text("locality", "subject locality", pki::CheckSubjectText),
        Text("name", "certificate name", pki::CheckName),
        Text("organization", "subject organization", pki::CheckSubjectText),
        Text("state", "subject state", pki::CheckSubjectText),
        Text("subject-alt-name", "DNS:name, IP:address or email:address, comma separated", pki::CheckSubjectAltName),
        trusted,
        Choice("trust-store", pki::TrustStores(), pki::kDefaultTrustStore,
               "services that may use this certificate for verification", ValueType::kEnumList),
        Text("unit", "subject organizational unit", pki::CheckSubjectText),
    };
}

// The fields copy-from carries over: everything of the template but its name.
bool IsCopied(std::string_view property) { return property != "name"; }

std::vector<PropertySpec> BuildAllProperties() {
    std::vector<PropertySpec> all = TemplateProperties();
    for (const PropertySpec& spec : {
             ReadOnly("key-type", "rsa or ec", ValueType::kString, false),
             ReadOnly("issuer", "issuer distinguished name", ValueType::kString, false),
             ReadOnly("ca", "the local CA that signed it"),
             ReadOnly("serial-number", "serial number (hex)"),
             ReadOnly("fingerprint", "SHA-256 of the certificate"),
             ReadOnly("akid", "authority key identifier"),
             ReadOnly("skid", "subject key identifier", ValueType::kString, false),
             ReadOnly("invalid-before", "start of validity", ValueType::kString, false),
             ReadOnly("invalid-after", "end of validity", ValueType::kString, false),
             ReadOnly("expires-after", "time left until expiry", ValueType::kDuration, false),
             ReadOnly("ca-crl-host", "CRL host of a local CA"),
             ReadOnly("revoked", "revocation time", ValueType::kString, false),
             ReadOnly("private-key", "has a private key", ValueType::kBool),
             ReadOnly("crl", "has a CRL", ValueType::kBool),
             ReadOnly("smart-card-key", "key on a smart card", ValueType::kBool),
             ReadOnly("authority", "is a certificate authority", ValueType::kBool),
             ReadOnly("issued", "issued by a local CA", ValueType::kBool),
             ReadOnly("expired", "past invalid-after", ValueType::kBool),
             ReadOnly("acme-managed", "obtained and renewed over ACME", ValueType::kBool),
             ReadOnly("acme-status", "state of the last ACME order"),
             ReadOnly("directory-url", "ACME directory"),
             ReadOnly("domain-names", "domain names of the ACME certificate"),
             ReadOnly("scep-url", "SCEP server of a SCEP-managed certificate"),
             ReadOnly("ca-identity", "CA identity sent to the SCEP server"),
             ReadOnly("ca-fingerprint", "SHA-256 of the SCEP CA's certificate"),
             ReadOnly("status", "state of the SCEP enrolment"),
             ReadOnly("refresh", "renewed over SCEP at 3/4 of the lifetime", ValueType::kBool),
         }) {
        all.push_back(spec);
    }
    // The SCEP challenge is a secret: printed only to a session with the sensitive policy (Tree strips it).
    PropertySpec challenge = ReadOnly("challenge-password", "challenge sent to the SCEP server");
    challenge.sensitive = true;
    all.push_back(challenge);
    return all;
}

bool IsSigned(const Record& record) { return record.Has("fingerprint"); }

std::vector<std::string> TableColumns(const std::vector<Record>& records) {
    std::vector<std::string> columns = {"name", "common-name"};
    bool san = std::any_of(records.begin(), records.end(),
                           [](const Record& r) { return !r.GetOr("subject-alt-name").empty(); });
    bool fingerprint = std::any_of(records.begin(), records.end(), IsSigned);
    if (san) {
        columns.emplace_back("subject-alt-name");
    }
    if (fingerprint) {
        columns.emplace_back("fingerprint");
    }
    return columns;
}

std::vector<std::string> DetailProperties(const Record& record) {
    auto non_empty = [&](std::string_view name) { return !record.GetOr(name).empty(); };
    std::vector<std::string> out;
    // An ACME-managed entry ends with its order's state, before its first certificate as well.
    auto acme = [&]() {
        if (record.IsTrue("acme-managed")) {
            out.insert(out.end(), {"acme-status", "directory-url", "domain-names"});
        }
        if (non_empty("scep-url")) {
            out.insert(out.end(), {"scep-url", "ca-fingerprint", "status", "challenge-password"});
        }
    };
    auto subject = [&]() {
        out.emplace_back("common-name");
        for (const char* name : {"country", "state", "locality", "organization", "unit"}) {
            if (non_empty(name)) {
                out.emplace_back(name);
            }
        }
    };
    if (!IsSigned(record)) {
        // A template shows what the seed shows; newer properties only when they differ from the default.
        out.emplace_back("name");
        out.emplace_back("key-type");
        subject();
        for (const char* name : {"key-size", "subject-alt-name", "days-valid", "key-usage"}) {
            out.emplace_back(name);
        }
        if (record.GetOr("digest-algorithm") != pki::kDefaultDigest) {
            out.emplace_back("digest-algorithm");
        }
        if (record.IsTrue("trusted")) {
            out.emplace_back("trusted");
        }
        if (record.GetOr("trust-store") != pki::kDefaultTrustStore) {
            out.emplace_back("trust-store");
        }
        acme();
        return out;
    }
    // The order of a signed certificate's `print detail` on RouterOS 7.23 (facts §1.6, T7233).
    for (const char* name : {"name", "trust-store", "digest-algorithm", "trusted"}) {
        out.emplace_back(name);
    }
    subject();
    for (const char* name :
         {"subject-alt-name", "issuer", "ca", "key-type", "key-size", "key-usage", "days-valid", "invalid-before",
          "invalid-after", "serial-number", "akid", "skid", "fingerprint", "expires-after", "ca-crl-host", "revoked"}) {
        if (std::string_view(name) == "ca" || std::string_view(name) == "ca-crl-host" ||
            std::string_view(name) == "revoked") {
            if (!non_empty(name)) {
                continue;
            }
        }
        out.emplace_back(name);
    }
    acme();
    return out;
}

}  // namespace

const std::vector<PropertySpec>& TemplateProperties() {
    static const std::vector<PropertySpec> properties = BuildTemplateProperties();
    return properties;
}

store::CertificateRow FindRowByItem(store::Transaction& tx, std::string_view item) {
    std::optional<store::CertificateRow> row = pki::FindCertificate(tx, item);
    if (!row) {
        throw core::NoSuchItem();
    }
    return *row;
}

void EnsureUniqueName(store::Transaction& tx, std::string_view name, std::optional<core::ObjectId> self) {
    std::optional<core::ObjectId> existing = tx.FindCertificateId(name);
    if (existing && (!self || *existing != *self)) {
        throw core::Failure("certificate with the same name already exists");
    }
}

namespace {

// StoredTime reads not-before or not-after: seconds since the epoch, stored at signing and import.
core::TimePoint StoredTime(const store::CertificateRow& row, const char* name) {
    auto it = row.props.find(name);
    return core::TimePoint(
        std::chrono::seconds(it == row.props.end() || it->second.empty() ? 0 : std::stoll(it->second)));
}

// ExpiresAfter is the time left until `not_after`; nullopt once it has passed.
std::optional<std::chrono::seconds> ExpiresAfter(core::TimePoint not_after, core::TimePoint now) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(not_after - now);
    return left.count() <= 0 ? std::nullopt : std::optional(left);
}

std::string ExpiresAfterText(core::TimePoint not_after, core::TimePoint now) {
    return core::FormatDuration(ExpiresAfter(not_after, now).value_or(std::chrono::seconds(0)));
}

}  // namespace

// List is the rendered list: for each row (in id order) its record, the revision it was rendered from and
// the end of its validity (nullopt for a template), the base of expires-after and expired, which change with
// the clock rather than with the store.
struct CertificateModel::List {
    struct Entry {
        core::ObjectId id;
        std::uint64_t revision = 0;
        std::shared_ptr<const Record> record;
        std::optional<core::TimePoint> not_after;
    };
    std::vector<Entry> entries;
    std::map<core::ObjectId, std::string> names;  // what the `ca` properties were rendered with
};

class CertificateModel::ListCache {
public:
    using Key = std::pair<std::uint64_t, std::uint64_t>;  // generations of certificates and downloaded CRLs

    std::pair<Key, std::shared_ptr<const List>> Latest() {
        std::lock_guard lock(mutex_);
        return {key_, list_};
    }
    void Put(const Key& key, std::shared_ptr<const List> list) {
        std::lock_guard lock(mutex_);
        key_ = key;
        list_ = std::move(list);
    }

private:
    std::mutex mutex_;
    Key key_;
    std::shared_ptr<const List> list_;
};

CertificateModel::CertificateModel() : cache_(std::make_shared<ListCache>()) {}

namespace {

// RenderRow is ToRecord; from a row it may consume (kTake), it moves the property values into the record
// instead of copying them (a streamed listing renders each row once and drops it).
template <bool kTake, typename Row>
Record RenderRow(Row& row, const std::map<core::ObjectId, std::string>& names) {
    auto& p = row.props;
    auto prop = [&](const char* name, std::string_view fallback = {}) -> std::string {
        auto it = p.find(name);
        if (it == p.end()) {
            return std::string(fallback);
        }
        if constexpr (kTake) {
            return std::move(it->second);
        } else {
            return it->second;
        }
    };
    // is tells whether a property has this value, without taking it.
    auto is = [&](const char* name, std::string_view value) {
        auto it = p.find(name);
        return it == p.end() ? value.empty() : it->second == value;
    };
    Record r;
    r.Reserve(32);
    r.Append(".id", row.id.ToString());
    if constexpr (kTake) {
        r.Append("name", std::move(row.name));
    } else {
        r.Append("name", row.name);
    }
    r.Append("common-name", prop("common-name"));
    for (const char* name : {"country", "state", "locality", "organization", "unit"}) {
        r.Append(name, prop(name));
    }
    r.Append("subject-alt-name", prop("subject-alt-name"));
    std::string key_size = prop("key-size", pki::kDefaultKeySize);
    r.Append("key-type", prop("key-type", pki::KeyTypeOf(key_size)));
    r.Append("key-size", std::move(key_size));
    r.Append("key-usage", prop("key-usage", pki::kDefaultKeyUsage));
    r.Append("days-valid", prop("days-valid", pki::kDefaultDaysValid));
    r.Append("digest-algorithm", prop("digest-algorithm", pki::kDefaultDigest));
    r.Append("trusted", prop("trusted", "false"));
    r.Append("trust-store", prop("trust-store", pki::kDefaultTrustStore));
    bool expired = false;
    if (!row.der.empty()) {
        r.Append("issuer", prop("issuer"));
        if (row.issuer_id) {
            auto it = names.find(*row.issuer_id);
            r.Append("ca", it == names.end() ? "" : it->second);
        }
        for (const char* name : {"serial-number", "fingerprint", "akid", "skid"}) {
            r.Append(name, prop(name));
        }
        core::TimePoint not_after = StoredTime(row, "not-after");
        core::TimePoint now = std::chrono::system_clock::now();
        r.Append("invalid-before", core::FormatDateTime(StoredTime(row, "not-before")));
        r.Append("invalid-after", core::FormatDateTime(not_after));
        expired = !ExpiresAfter(not_after, now);
        r.Append("expires-after", ExpiresAfterText(not_after, now));
        if (!is("ca-crl-host", "")) {
            r.Append("ca-crl-host", prop("ca-crl-host"));
        }
        if (!is("revoked", "")) {
            r.Append("revoked", prop("revoked"));
        }
    }
    r.Append("private-key", core::WireBool(row.has_key));
    r.Append("crl", prop("crl", "false"));
    r.Append("smart-card-key", "false");
    // A (authority) is a CA certificate whose key is here, one that can sign: the seed's import shows a
    // keyless `ca` with T only, and so does 7.23.3's imported `mikroview-ca.crt_0` (facts §1.6).
    r.Append("authority", core::WireBool(is("authority", "true") && row.has_key));
    r.Append("issued", core::WireBool(row.issuer_id.has_value()));
    r.Append("expired", core::WireBool(expired));
    if (is("acme-managed", "true")) {
        // ACME-managed certificates (facts §1.6): the a flag and these three; the EAB key is never a property.
        r.Append("acme-managed", "true");
        r.Append("acme-status", prop("acme-status"));
        r.Append("directory-url", prop("directory-url"));
        r.Append("domain-names", prop("domain-names"));
    }
    if (is("scep-managed", "true")) {
        // SCEP-managed certificates (facts §1.6 names scep-url, ca-fingerprint, status, challenge-password).
        for (const char* name : {"scep-url", "ca-identity", "ca-fingerprint", "status", "refresh"}) {
            r.Append(name, prop(name));
        }
        r.Append("challenge-password", prop("challenge-password"));
    }
    return r;
}

}  // namespace

Record CertificateModel::ToRecord(const store::CertificateRow& row,
                                  const std::map<core::ObjectId, std::string>& names) {
    return RenderRow<false>(row, names);
}

Record CertificateModel::ToRecord(store::CertificateRow&& row, const std::map<core::ObjectId, std::string>& names) {
    return RenderRow<true>(row, names);
}

std::shared_ptr<const CertificateModel::List> CertificateModel::BuildList(store::Transaction& tx,
                                                                          const List* previous) {
    std::vector<store::CertificateStamp> stamps = tx.ListCertificateStamps();
    auto list = std::make_shared<List>();
    for (const store::CertificateStamp& stamp : stamps) {
        list->names.emplace(stamp.id, stamp.name);
    }
    // A row's record can be reused when its revision is the one it was rendered from and its issuer (the
    // `ca` property) kept its name; the rest are read and rendered again.
    std::map<core::ObjectId, const List::Entry*> reusable;
    if (previous != nullptr) {
        for (const List::Entry& entry : previous->entries) {
            reusable.emplace(entry.id, &entry);
        }
    }
    auto reuse = [&](const store::CertificateStamp& stamp) -> const List::Entry* {
        auto it = reusable.find(stamp.id);
        if (it == reusable.end() || it->second->revision != stamp.revision) {
            return nullptr;
        }
        if (stamp.issuer_id) {
            auto was = previous->names.find(*stamp.issuer_id);
            auto is = list->names.find(*stamp.issuer_id);
            if (was == previous->names.end() || is == list->names.end() || was->second != is->second) {
                return nullptr;
            }
        }
        return it->second;
    };
    std::vector<const List::Entry*> kept;  // per stamp: the record to reuse, or null
    std::vector<core::ObjectId> stale;
    kept.reserve(stamps.size());
    for (const store::CertificateStamp& stamp : stamps) {
        kept.push_back(reuse(stamp));
        if (kept.back() == nullptr) {
            stale.push_back(stamp.id);
        }
    }
    // Few changed rows are read one by one; many (the first listing) in one scan.
    std::map<core::ObjectId, store::CertificateRow> rows;
    if (stale.size() > stamps.size() / 8) {
        for (store::CertificateRow& row : tx.ListCertificates()) {
            rows.emplace(row.id, std::move(row));
        }
    } else {
        for (core::ObjectId id : stale) {
            if (std::optional<store::CertificateRow> row = tx.GetCertificate(id)) {
                rows.emplace(id, std::move(*row));
            }
        }
    }
    // The L flag also marks certificates a downloaded CRL belongs to (trust/crl_download.hpp).
    std::set<core::ObjectId> with_crl =
        stale.empty() ? std::set<core::ObjectId>() : trust::CertificatesWithDownloadedCrl(tx);
    list->entries.reserve(stamps.size());
    for (std::size_t i = 0; i < stamps.size(); ++i) {
        const store::CertificateStamp& stamp = stamps[i];
        if (kept[i] != nullptr) {
            list->entries.push_back(*kept[i]);
            continue;
        }
        auto row = rows.find(stamp.id);
        if (row == rows.end()) {
            throw core::Error(core::ErrorCategory::kInternal,
                              "certificate " + stamp.id.ToString() + " vanished within one transaction");
        }
        auto record = std::make_shared<Record>(ToRecord(row->second, list->names));
        if (with_crl.contains(stamp.id)) {
            record->Set("crl", "true");
        }
        std::optional<core::TimePoint> not_after;
        if (!row->second.der.empty()) {
            not_after = StoredTime(row->second, "not-after");
        }
        list->entries.push_back(List::Entry{stamp.id, stamp.revision, std::move(record), not_after});
    }
    return list;
}

std::vector<Record> CertificateModel::Items(store::Transaction& tx) const {
    ListCache::Key key{tx.Generation("certificate"), tx.Generation("item." + std::string(trust::kCrlItemKind))};
    auto [cached_key, list] = cache_->Latest();
    std::vector<Record> records;
    if (!list || cached_key != key) {
        if (tx.CountCertificates(store::CertificateCondition::True()) > kMaxCachedRows) {
            // Too many to keep: rendered for this call only, and a list cached before is let go.
            cache_->Put({}, nullptr);
            ScanRecords(tx, store::CertificateCondition::True(),
                        [&](Record&& record) { records.push_back(std::move(record)); });
            return records;
        }
        // A change of the downloaded CRLs may move L flags anywhere: render every row again then.
        list = BuildList(tx, list && cached_key.second == key.second ? list.get() : nullptr);
        cache_->Put(key, list);
    }
    records.reserve(list->entries.size());
    core::TimePoint now = std::chrono::system_clock::now();
    for (const List::Entry& entry : list->entries) {
        Record& record = records.emplace_back(*entry.record);
        if (entry.not_after) {
            record.Set("expires-after", ExpiresAfterText(*entry.not_after, now));
            record.Set("expired", core::WireBool(!ExpiresAfter(*entry.not_after, now)));
        }
    }
    return records;
}

std::optional<Record> CertificateModel::Item(store::Transaction& tx, core::ObjectId id) const {
    std::optional<store::CertificateRow> row = tx.GetCertificate(id);
    if (!row) {
        return std::nullopt;
    }
    std::map<core::ObjectId, std::string> names = {{row->id, row->name}};
    if (row->issuer_id) {
        if (auto issuer = tx.GetCertificate(*row->issuer_id)) {
            names.emplace(issuer->id, issuer->name);
        }
    }
    return ToRecord(*row, names);
}

core::ObjectId CertificateModel::Add(Call& call) const {
    store::Transaction& tx = call.Tx();
    std::string name = call.args.GetOr("name");
    EnsureUniqueName(tx, name);
    store::CertificateRow row;
    row.name = name;
    for (const PropertySpec& spec : TemplateProperties()) {
        if (spec.default_value && spec.name != "name") {
            row.props[spec.name] = *spec.default_value;
        }
    }
    if (auto source_name = call.args.Get("copy-from")) {
        store::CertificateRow source = FindRowByItem(tx, *source_name);
        for (const PropertySpec& spec : TemplateProperties()) {
            auto it = source.props.find(spec.name);
            if (IsCopied(spec.name) && it != source.props.end()) {
                row.props[spec.name] = it->second;
            }
        }
    }
    for (const auto& [key, value] : call.args.values()) {
        if (key != "name" && key != "copy-from") {
            row.props[key] = value;
        }
    }
    row.props["key-type"] = pki::KeyTypeOf(row.props["key-size"]);
    return tx.InsertCertificate(row);
}

void CertificateModel::Set(Call& call, core::ObjectId id) const {
    store::Transaction& tx = call.Tx();
    std::optional<store::CertificateRow> row = tx.GetCertificate(id);
    if (!row) {
        throw core::NoSuchItem();
    }
    for (const auto& [key, value] : call.args.values()) {
        if (key == "numbers") {
            continue;
        }
        bool allowed = row->der.empty() || std::find(kSettableAfterSigning.begin(), kSettableAfterSigning.end(), key) !=
                                               kSettableAfterSigning.end();
        if (!allowed) {
            throw core::Failure("can not change " + key +
                                " of a signed certificate (only name, trusted and "
                                "trust-store can be changed)");
        }
        if (key == "name") {
            EnsureUniqueName(tx, value, id);
            row->name = value;
        } else {
            row->props[key] = value;
        }
    }
    row->props["key-type"] = row->der.empty() ? pki::KeyTypeOf(row->props["key-size"]) : row->props["key-type"];
    tx.UpdateCertificate(*row);
}

void CertificateModel::Unset(Call& call, core::ObjectId id, const std::vector<std::string>& properties) const {
    store::Transaction& tx = call.Tx();
    std::optional<store::CertificateRow> row = tx.GetCertificate(id);
    if (!row) {
        throw core::NoSuchItem();
    }
    for (const std::string& name : properties) {
        bool allowed = row->der.empty() || name == "trusted" || name == "trust-store";
        if (!allowed) {
            throw core::Failure("can not change " + name +
                                " of a signed certificate (only name, trusted and "
                                "trust-store can be changed)");
        }
        const PropertySpec* spec = nullptr;
        for (const PropertySpec& candidate : TemplateProperties()) {
            if (candidate.name == name) {
                spec = &candidate;
            }
        }
        if (spec != nullptr && spec->default_value) {
            row->props[name] = *spec->default_value;
        } else {
            row->props.erase(name);
        }
    }
    if (row->der.empty()) {
        row->props["key-type"] = pki::KeyTypeOf(row->props["key-size"]);
    }
    tx.UpdateCertificate(*row);
}

void CertificateModel::Remove(Call& call, core::ObjectId id) const {
    // "If the CA certificate is removed, all issued certificates in the chain are also removed" (MT-CERT):
    // collect the issued subtree first, then delete it in this one transaction.
    store::Transaction& tx = call.Tx();
    if (!tx.GetCertificate(id)) {
        return;  // already removed as part of an earlier item's subtree
    }
    std::vector<store::CertificateRow> rows = tx.ListCertificates();
    std::set<core::ObjectId> doomed = {id};
    bool grew = true;
    while (grew) {
        grew = false;
        for (const auto& row : rows) {
            if (row.issuer_id && doomed.contains(*row.issuer_id) && !doomed.contains(row.id) &&
                row.id != *row.issuer_id) {
                doomed.insert(row.id);
                grew = true;
            }
        }
    }
    for (core::ObjectId victim : doomed) {
        tx.DeleteBlobs(victim);  // a CA's CRL and revocation register (pki/crl.hpp)
        tx.DeleteCertificate(victim);
    }
}

void InstallCertificateMenu(Tree& tree) {
    Menu& menu = tree.root().AddChild("certificate", "certificates, templates and the local CA");
    menu.properties = BuildAllProperties();
    menu.layout.flags = {
        {.letter = 'K', .legend = "PRIVATE-KEY", .property = "private-key"},
        {.letter = 'L', .legend = "CRL", .property = "crl"},
        {.letter = 'C', .legend = "SMART-CARD-KEY", .property = "smart-card-key"},
        {.letter = 'A', .legend = "AUTHORITY", .property = "authority"},
        {.letter = 'I', .legend = "ISSUED", .property = "issued"},
        {.letter = 'R', .legend = "REVOKED", .property = "revoked", .shares_previous_column = true},
        {.letter = 'E', .legend = "EXPIRED", .property = "expired"},
        {.letter = 'T', .legend = "TRUSTED", .property = "trusted"},
        {.letter = 'a', .legend = "ACME-MANAGED", .property = "acme-managed"},
        {.letter = 'D', .legend = "DYNAMIC", .property = "dynamic"},
    };
    menu.layout.table_columns = TableColumns;
    menu.layout.detail_properties = DetailProperties;

    ListVerbs verbs;
    for (const PropertySpec& spec : TemplateProperties()) {
        ArgSpec arg{.spec = spec, .required = spec.name == "name"};
        arg.spec.default_value.reset();  // defaults are applied by Add, so `set` never resets a property
        verbs.add_args.push_back(arg);
        verbs.set_args.push_back(ArgSpec{.spec = arg.spec});
        if (spec.name != "name") {
            verbs.unset_properties.push_back(spec.name);
        }
    }
    verbs.add_args.push_back(
        Arg("copy-from", "certificate to copy the template settings from", {.type = ValueType::kItem}));
    InstallListVerbs(menu, std::make_shared<CertificateModel>(), verbs);
    InstallCertificateCaVerbs(menu);
    InstallCertificateImportVerbs(menu);
    InstallCertificateTrustVerbs(menu);
    InstallCertificateAcmeVerbs(menu);
    InstallCertificateScepClientVerbs(menu);
    InstallCertificateScepMenus(menu);
}

}  // namespace certos::menu
