// Trust in the /certificate menu: issued-revoke, verify and export-crl (the last two are certos's own;
// RouterOS has neither), /certificate/crl (downloaded and hand-added CRLs) and /certificate/builtin (the
// built-in roots, read-only).

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/time_format.hpp"
#include "core/value.hpp"
#include "crypto/certificate.hpp"
#include "crypto/verify.hpp"
#include "menu/auth.hpp"
#include "menu/certificate_menu.hpp"
#include "menu/item_menu.hpp"
#include "pki/chain.hpp"
#include "pki/crl.hpp"
#include "pki/revoke.hpp"
#include "pki/template.hpp"
#include "trust/builtin.hpp"
#include "trust/crl_download.hpp"
#include "trust/trust_store.hpp"

namespace certos::menu {
namespace {

PropertySpec Property(std::string name, ValueType type = ValueType::kString, std::optional<std::string> fallback = {},
                      std::string help = {}, bool quoted = true) {
    PropertySpec spec;
    spec.name = std::move(name);
    spec.type = type;
    spec.default_value = std::move(fallback);
    spec.help = std::move(help);
    spec.quoted = quoted;
    return spec;
}

void Log(const Tree& tree, store::Transaction& tx, std::string_view topics, const std::string& message) {
    AppendLog(tree, tx, topics, message);
}

std::string FormatEpoch(const std::string& epoch) {
    if (epoch.empty() || epoch.find_first_not_of("-0123456789") != std::string::npos) {
        return epoch;
    }
    return core::FormatDateTime(core::TimePoint(std::chrono::seconds(std::stoll(epoch))));
}

Result Revoke(Call& call) {
    std::vector<core::ObjectId> ids = ResolveNamed(CertificateModel(), call.Tx(), call.args.GetOr("numbers"));
    for (const std::string& warning : pki::RevokeCertificates(call.Tx(), ids, call.args.GetOr("reason"))) {
        Log(call.tree, call.Tx(), "certificate,warning", warning);
    }
    return Result{};
}

Verb RevokeVerb() {
    return Verb{
        .name = "issued-revoke",
        .help = "revoke certificates issued by a local CA and rebuild that CA's CRL",
        .args = {Arg("numbers", "certificates to revoke",
                     {.type = ValueType::kItem, .required = true, .unnamed = true}),
                 Arg("reason", "CRL reason code (certos's own argument; RouterOS takes only numbers)",
                     {.type = ValueType::kEnum, .values = pki::RevocationReasons()})},
        .policy = kPolicyRead | kPolicyWrite,
        .tx = TxNeed::kWrite,
        .handler = Revoke,
    };
}

// VerifyTarget is what `verify` checks: a leaf and the untrusted certificates that came with it.
struct VerifyTarget {
    std::optional<crypto::Certificate> leaf;
    std::vector<crypto::Certificate> extra;
};

VerifyTarget LoadTarget(Call& call) {
    std::string number = call.args.GetOr("number");
    std::string file = call.args.GetOr("file-name");
    if (number.empty() == file.empty()) {
        throw core::ArgumentError("give either a certificate (number) or a file (file-name)");
    }
    VerifyTarget target;
    if (!number.empty()) {
        store::CertificateRow row = FindRowByItem(call.Tx(), number);
        if (row.der.empty()) {
            throw core::Failure("certificate " + row.name + " is not signed yet");
        }
        target.leaf = crypto::Certificate::FromDer(row.der);
        target.extra = pki::LocalIssuerChain(call.Tx(), row);
        return target;
    }
    std::string text = call.tree.files().Read(file);
    std::vector<crypto::Certificate> certs;
    if (text.find("-----BEGIN") != std::string::npos) {
        certs = crypto::CertificatesFromPem(text);
    } else {
        certs.push_back(crypto::Certificate::FromDer(text));
    }
    if (certs.empty()) {
        throw core::Failure("file " + file + " holds no certificate");
    }
    target.leaf = certs.front();
    target.extra.assign(certs.begin() + 1, certs.end());
    return target;
}

Result Verify(Call& call) {
    VerifyTarget target = LoadTarget(call);
    std::string service = call.args.GetOr("trust-store");
    crypto::VerifyPurpose purpose =
        crypto::ParseVerifyPurpose(call.args.GetOr("purpose", "any")).value_or(crypto::VerifyPurpose::kAny);
    crypto::VerifyResult result =
        trust::VerifyWithStore(call.Tx(), *target.leaf, target.extra, service == "all" ? "" : service, purpose);
    std::map<std::string, std::string> builtin;  // fingerprint -> name
    for (const trust::BuiltinRoot& root : trust::BuiltinRoots()) {
        builtin[root.fingerprint] = root.name + " (built-in)";
    }
    // name_of is the name of the (last) stored certificate with this fingerprint, found through the store's
    // fingerprint index, else the built-in root's.
    auto name_of = [&](const std::string& fingerprint) {
        std::optional<std::string> stored;
        call.Tx().ScanCertificates(
            store::CertificateCondition::Compare(store::CertificateCondition::Op::kEq,
                                                 store::CertificateField::kFingerprint, fingerprint),
            [&](store::CertificateRow&& row) {
                stored = std::move(row.name);
                return true;
            },
            store::ScanOrder::kAny);
        auto it = builtin.find(fingerprint);
        return stored ? *stored : it == builtin.end() ? std::string() : it->second;
    };
    Result out;
    for (std::size_t depth = 0; depth < result.path.size(); ++depth) {
        const crypto::PathCertificate& entry = result.path[depth];
        Record r;
        r.Set("depth", std::to_string(depth));
        r.Set("name", name_of(entry.cert.FingerprintSha256()));
        r.Set("subject", entry.cert.SubjectString());
        r.Set("issuer", entry.cert.IssuerString());
        r.Set("invalid-after", core::FormatDateTime(entry.cert.NotAfter()));
        std::vector<std::string> statuses;
        std::vector<std::string> problems;
        for (const crypto::CertProblem& problem : entry.problems) {
            statuses.emplace_back(crypto::VerifyStatusName(problem.status));
            problems.push_back(problem.message);
        }
        r.Set("status", statuses.empty() ? "ok" : core::JoinList(statuses));
        if (!problems.empty()) {
            r.Set("problem", core::JoinList(problems, ';'));
        }
        out.records.push_back(std::move(r));
    }
    Record summary;
    summary.Set("result", result.ok() ? "ok" : "failed");
    if (!result.ok()) {
        summary.Set("reason", result.message);
    }
    out.records.push_back(std::move(summary));
    out.ret = result.message;
    return out;
}

Verb VerifyVerb() {
    return Verb{
        .name = "verify",
        .help = "verify a certificate's chain, validity, purpose and revocation (certos's own; RouterOS lacks it)",
        .args = {Arg("number", "the certificate to verify", {.type = ValueType::kItem, .unnamed = true}),
                 Arg("file-name", "a PEM or DER file in /file to verify (leaf first, then intermediates)"),
                 Arg("trust-store", "verify for this service: its trusted certificates and built-in roots",
                     {.type = ValueType::kEnum, .values = pki::TrustStores()}),
                 Arg("purpose", "what the certificate must be good for",
                     {.type = ValueType::kEnum, .values = crypto::VerifyPurposeNames()})},
        .policy = kPolicyRead,
        .tx = TxNeed::kRead,
        .handler = Verify,
    };
}

Result ExportCrl(Call& call) {
    store::CertificateRow row = FindRowByItem(call.Tx(), call.args.GetOr("number"));
    std::optional<store::BlobRow> blob = call.Tx().GetBlob(pki::kLocalCrlKind, row.id);
    if (!blob) {
        throw core::Failure("certificate " + row.name +
                            " has no CRL (sign it with ca-crl-host, or revoke a "
                            "certificate it issued)");
    }
    call.tree.files().Write(call.args.GetOr("file-name", "crl_" + row.name) + ".crl", blob->data);
    return Result{};
}

Verb ExportCrlVerb() {
    return Verb{
        .name = "export-crl",
        .help = "write a local CA's current CRL (DER) to /file (certos's own)",
        .args = {Arg("number", "the local CA", {.type = ValueType::kItem, .required = true, .unnamed = true}),
                 Arg("file-name", "file name without extension (default crl_NAME)")},
        .policy = kPolicyRead,
        .tx = TxNeed::kRead,
        .changes = true,  // writes a file to /file
        .handler = ExportCrl,
    };
}

// --- /certificate/crl --------------------------------------------------------------------------------

// The CRL properties a new url makes meaningless.
const char* const kDownloadedProperties[] = {"last-update", "this-update", "next-update", "fingerprint", "akid",
                                             "issuer",      "num",         "signature",   "revoked",     "cert",
                                             "cert-id",     "last-error",  "last-attempt"};

void ForgetDownload(store::Transaction& tx, store::ItemRow& row) {
    tx.DeleteBlobs(trust::DownloadedCrlOwner(row.id));
    for (const char* name : kDownloadedProperties) {
        row.props.erase(name);
    }
    row.props["invalid"] = "true";
}

void CheckCrlItem(Call& call, store::ItemRow& row, bool adding) {
    std::string url = row.props["url"];
    if (url.empty()) {
        throw core::ArgumentError("missing value(s) of argument(s) url");
    }
    if (adding) {
        row.props["dynamic"] = "false";
        row.props["invalid"] = "true";
    } else if (std::optional<store::ItemRow> old = call.Tx().GetItem(trust::kCrlItemKind, row.id)) {
        if (old->props["dynamic"] == "true") {
            throw core::Failure(
                "can not change a dynamic CRL entry (it follows a trusted certificate's CRL "
                "distribution point)");
        }
        if (old->props["url"] != url) {
            ForgetDownload(call.Tx(), row);
        }
    }
    std::optional<store::ItemRow> other = call.Tx().FindItemByName(trust::kCrlItemKind, url);
    if (other && other->id != row.id) {
        throw core::Failure("CRL with the same url already exists");
    }
    row.name = url;
}

void DecorateCrlItem(Record& r, const store::ItemRow& row) {
    for (const char* name : {"last-update", "next-update"}) {
        auto it = row.props.find(name);
        if (it != row.props.end() && !it->second.empty()) {
            r.Set(name, FormatEpoch(it->second));
        }
    }
    auto next = row.props.find("next-update");
    bool expired = next != row.props.end() && !next->second.empty() &&
                   core::TimePoint(std::chrono::seconds(std::stoll(next->second))) < std::chrono::system_clock::now();
    r.Set("expired", core::WireBool(expired));
}

// CrlTargets are the entries a call's `numbers` names; none (meaning all) when it names none.
std::vector<core::ObjectId> CrlTargets(const Call& call, store::Transaction& tx, const ItemModel& model) {
    std::string numbers = call.args.GetOr("numbers");
    return numbers.empty() ? std::vector<core::ObjectId>{} : ResolveItems(model.Items(tx), numbers);
}

Result DownloadCrls(Call& call, const ItemModel& model) {
    trust::DownloadOptions options;
    options.force = true;
    options.only = CrlTargets(call, *call.store.Begin(store::TxMode::kRead), model);
    std::vector<std::string> lines = trust::DownloadCrls(call.store, options);
    std::string failures;
    {
        std::unique_ptr<store::Transaction> tx = call.store.Begin(store::TxMode::kWrite);
        for (const std::string& line : lines) {
            bool failed = line.starts_with("CRL download failed");
            Log(call.tree, *tx, failed ? "certificate,error" : "certificate,info", line);
            if (failed) {
                failures += (failures.empty() ? "" : "; ") + line;
            }
        }
        tx->Commit();
    }
    if (!failures.empty()) {
        throw core::Failure(failures);
    }
    return Result{};
}

Result FlushCrls(Call& call, const ItemModel& model) {
    std::vector<core::ObjectId> only = CrlTargets(call, call.Tx(), model);
    for (store::ItemRow& row : call.Tx().ListItems(trust::kCrlItemKind)) {
        if (only.empty() || std::find(only.begin(), only.end(), row.id) != only.end()) {
            ForgetDownload(call.Tx(), row);
            call.Tx().UpdateItem(trust::kCrlItemKind, row);
        }
    }
    return Result{};
}

void InstallCrlMenu(Menu& certificate) {
    Menu& menu = certificate.AddChild("crl",
                                      "certificate revocation lists: downloaded from CRL distribution "
                                      "points, or added by url");
    ItemMenuSpec spec;
    spec.kind = std::string(trust::kCrlItemKind);
    PropertySpec url = Property("url", ValueType::kString, {}, "http:// or https:// URL of the CRL");
    url.check = [](std::string_view v) { return trust::CheckCrlUrl(v); };
    spec.properties = {url,
                       Property("dynamic", ValueType::kBool, "false", "added from a trusted certificate's CDP"),
                       Property("last-update", ValueType::kString, {}, "when it was last downloaded", false),
                       Property("next-update", ValueType::kString, {}, "the CRL's nextUpdate", false),
                       Property("fingerprint", ValueType::kString, {}, "SHA-256 of the CRL"),
                       Property("akid", ValueType::kString, {}, "authority key identifier of the CRL"),
                       Property("issuer", ValueType::kString, {}, "issuer of the CRL", false),
                       Property("cert", ValueType::kString, {}, "the CA certificate that issued it"),
                       Property("num", ValueType::kString, {}, "CRL number", false),
                       Property("revoked", ValueType::kString, {}, "number of revoked certificates", false),
                       Property("signature", ValueType::kString, {}, "signature digest", false),
                       Property("invalid", ValueType::kBool, "true", "no verified CRL is held"),
                       Property("expired", ValueType::kBool, "false", "past next-update"),
                       Property("last-error", ValueType::kString, {}, "why the last download failed")};
    spec.settable = {"url"};
    spec.check = CheckCrlItem;
    spec.before_remove = [](Call& call, const store::ItemRow& row) {
        call.Tx().DeleteBlobs(trust::DownloadedCrlOwner(row.id));
    };
    spec.decorate = DecorateCrlItem;
    auto model = std::make_shared<ItemModel>(spec);
    InstallItemMenu(menu, std::move(spec), {"url", "last-update", "next-update", "num"});
    menu.layout.flags = {{.letter = 'D', .legend = "DYNAMIC", .property = "dynamic"},
                         {.letter = 'I', .legend = "INVALID", .property = "invalid"},
                         {.letter = 'E', .legend = "EXPIRED", .property = "expired"}};

    menu.verbs.push_back(Verb{
        .name = "download",
        .help = "download CRLs now (all, or the given entries)",
        .args = {Arg("numbers", "entries to download (default: all)", {.type = ValueType::kItem, .unnamed = true})},
        .policy = kPolicyRead | kPolicyWrite,
        .tx = TxNeed::kNone,  // the network is never used inside a transaction
        .changes = true,
        .handler = [model](Call& call) { return DownloadCrls(call, *model); },
    });
    menu.verbs.push_back(Verb{
        .name = "flush",
        .help = "forget downloaded CRLs (all, or the given entries); the entries stay",
        .args = {Arg("numbers", "entries to flush (default: all)", {.type = ValueType::kItem, .unnamed = true})},
        .policy = kPolicyRead | kPolicyWrite,
        .tx = TxNeed::kWrite,
        .handler = [model](Call& call) { return FlushCrls(call, *model); },
    });
}

// --- /certificate/builtin ----------------------------------------------------------------------------

Result PrintBuiltin(Call& call) {
    std::vector<Record> records;
    std::uint64_t n = 0;
    for (const trust::BuiltinRoot& root : trust::BuiltinRoots()) {
        Record r;
        r.Set(".id", core::ObjectId(++n).ToString());
        r.Set("name", root.name);
        r.Set("common-name", root.common_name);
        r.Set("organization", root.organization);
        r.Set("skid", root.skid);
        r.Set("fingerprint", root.fingerprint);
        r.Set("invalid-after", core::FormatDateTime(root.invalid_after));
        records.push_back(std::move(r));
    }
    return ApplyPrint(call, std::move(records));
}

void InstallBuiltinMenu(Menu& certificate) {
    Menu& menu = certificate.AddChild("builtin", "built-in trust anchors (Debian's ca-certificates), read-only");
    menu.properties = {Property("name"),
                       Property("common-name"),
                       Property("organization"),
                       Property("skid", ValueType::kString, {}, "subject key identifier", false),
                       Property("fingerprint", ValueType::kString, {}, "SHA-256 of the certificate"),
                       Property("invalid-after", ValueType::kString, {}, "end of validity", false)};
    menu.layout.table_columns = [](const std::vector<Record>&) {
        return std::vector<std::string>{"name", "organization", "invalid-after"};
    };
    menu.verbs.push_back(Verb{
        .name = "print",
        .help = "print the built-in trust anchors",
        .args = PrintArgs(),
        .tx = TxNeed::kNone,
        .takes_filter = true,
        .handler = PrintBuiltin,
    });
}

}  // namespace

void InstallCertificateTrustVerbs(Menu& menu) {
    menu.verbs.push_back(RevokeVerb());
    menu.verbs.push_back(VerifyVerb());
    menu.verbs.push_back(ExportCrlVerb());
    InstallCrlMenu(menu);
    InstallBuiltinMenu(menu);
}

}  // namespace certos::menu
