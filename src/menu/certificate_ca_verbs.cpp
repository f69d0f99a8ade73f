// The /certificate verbs of the local CA: sign and export-certificate.

#include "core/error.hpp"
#include "crypto/digest.hpp"
#include "menu/audit.hpp"
#include "menu/certificate_menu.hpp"
#include "pki/export.hpp"
#include "pki/sign.hpp"
#include "pki/template.hpp"

namespace certos::menu {
namespace {

Result Sign(Call& call) {
    Monitor monitor(call, "sign");  // checks the monitor arguments before anything runs
    if (call.args.GetOr("ca-on-smart-card") == "true") {
        throw core::Failure("no smart card present");
    }
    pki::SignOptions options{call.args.GetOr("ca"), call.args.GetOr("name"), call.args.GetOr("ca-crl-host")};
    options.before_commit = [&call](store::Transaction& tx) { AuditIn(call, tx); };
    // The template is found ("*ID" or its name) in the read transaction that also reads the CA.
    pki::SignTemplate(call.store, call.args.GetOr("number"), options, monitor.Reporter());
    return monitor.Finish();
}

Verb SignVerb() {
    Verb verb{
        .name = "sign",
        .help = "sign a template: self-signed, or by a local CA with ca=",
        .args = {Arg("number", "the template to sign", {.type = ValueType::kItem, .required = true, .unnamed = true}),
                 Arg("name", "new name of the certificate", {.check = pki::CheckName}),
                 Arg("ca", "local CA that signs it (none: self-signed)"),
                 Arg("ca-crl-host", "host[:port] of the CRL distribution point", {.check = pki::CheckCrlHost}),
                 Arg("ca-on-smart-card", "CA key on a smart card", {.type = ValueType::kBool})},
        .policy = kPolicyRead | kPolicyWrite,
        .tx = TxNeed::kNone,  // SignTemplate keeps key generation outside transactions
        .changes = true,
        .slow = true,  // key generation: an RSA-4096 key takes seconds
        .handler = Sign,
    };
    AddMonitorArgs(verb);
    return verb;
}

// Files export-certificate wrote are remembered as items of this kind: name = file name, `sha256` = the
// digest of what was written. A later export may replace such a file as long as it is still unchanged; any
// other file (uploaded, made by /file add, edited since) is replaced only with overwrite=yes.
constexpr std::string_view kExportedFileKind = "certificate-export-file";

std::string FileDigest(const store::FileArea& files, const std::string& name) {
    return crypto::HexLower(crypto::Digest(crypto::DigestAlgorithm::kSha256, files.Read(name)));
}

std::string RecordedDigest(store::Transaction& tx, const std::string& name) {
    std::optional<store::ItemRow> made = tx.FindItemByName(kExportedFileKind, name);
    if (!made) {
        return {};
    }
    auto it = made->props.find("sha256");
    return it == made->props.end() ? std::string() : it->second;
}

// RefuseForeignFiles throws when one of `names` exists and was not written, as it is now, by export-certificate.
void RefuseForeignFiles(Call& call, const std::vector<std::string>& names) {
    const store::FileArea& files = call.tree.files();
    for (const std::string& name : names) {
        if (!files.Exists(name)) {
            continue;
        }
        std::string recorded = RecordedDigest(call.Tx(), name);
        if (recorded.empty() || recorded != FileDigest(files, name)) {
            throw core::Failure("file " + name + " already exists (overwrite=yes replaces it)");
        }
    }
}

void RememberExported(Call& call, const std::vector<std::string>& names) {
    for (const std::string& name : names) {
        store::ItemRow row;
        row.name = name;
        row.props["sha256"] = FileDigest(call.tree.files(), name);
        if (std::optional<store::ItemRow> made = call.Tx().FindItemByName(kExportedFileKind, name)) {
            row.id = made->id;
            call.Tx().UpdateItem(kExportedFileKind, row);
        } else {
            call.Tx().InsertItem(kExportedFileKind, row);
        }
    }
}

// ExportFileNames are the files pki::ExportCertificate may write for `row` (a superset: `.key` whenever a
// passphrase is given), so that they can be checked before anything is written.
std::vector<std::string> ExportFileNames(const store::CertificateRow& row, pki::ExportType type,
                                         const std::string& file_name, bool passphrase) {
    std::string base = file_name.empty() ? "cert_export_" + row.name : file_name;
    if (type == pki::ExportType::kPkcs12) {
        return {base + ".p12"};
    }
    if (passphrase) {
        return {base + ".crt", base + ".key"};
    }
    return {base + ".crt"};
}

Result Export(Call& call) {
    pki::ExportType type =
        call.args.GetOr("type", "pem") == "pkcs12" ? pki::ExportType::kPkcs12 : pki::ExportType::kPem;
    std::string file_name = call.args.GetOr("file-name", call.args.GetOr("file"));
    std::string passphrase = call.args.GetOr("export-passphrase");
    bool overwrite = call.args.GetOr("overwrite") == "true";
    for (core::ObjectId id : ResolveNamed(CertificateModel(), call.Tx(), call.args.GetOr("numbers"))) {
        std::optional<store::CertificateRow> row = call.Tx().GetCertificate(id);
        if (!overwrite) {
            RefuseForeignFiles(call, ExportFileNames(*row, type, file_name, !passphrase.empty()));
        }
        RememberExported(call, pki::ExportCertificate(call.Tx(), call.tree.files(), *row, type, passphrase, file_name));
    }
    return Result{};
}

Verb ExportVerb() {
    return Verb{
        .name = "export-certificate",
        .help = "write certificates (and keys, with a passphrase) to /file as PEM or PKCS#12",
        .args = {Arg("numbers", "certificates to export",
                     {.type = ValueType::kItem, .required = true, .unnamed = true}),
                 Arg("export-passphrase", "passphrase that encrypts the exported private key", {.sensitive = true}),
                 Arg("file-name", "file name without extension (default cert_export_NAME)"),
                 Arg("type", "pem or pkcs12", {.type = ValueType::kEnum, .values = {"pem", "pkcs12"}}),
                 Arg("file", "RouterOS v6 spelling of file-name"),
                 Arg("overwrite", "replace existing files that this command did not write",
                     {.type = ValueType::kBool})},
        // "Exporting certificates requires the sensitive user policy" (MT-CERT). The manual says nothing of write,
        // but the command creates and replaces files, so certos requires write as well.
        .policy = kPolicyRead | kPolicyWrite | kPolicySensitive,
        .tx = TxNeed::kWrite,  // it remembers the files it wrote
        .changes = true,       // writes files to /file
        .handler = Export,
    };
}

}  // namespace

// GenerateSelfSigned is the v6 seed's `generate-self-signed` (not a RouterOS command): `add` with the same
// arguments, then a self-signed `sign`, each through the tree so that each is checked and audited as itself.
// A sign that fails removes the template again, so that the alias changes nothing when it fails.
Result GenerateSelfSigned(Call& call) {
    auto run = [&call](std::string verb, std::vector<std::pair<std::string, std::string>> args) {
        Request request;
        request.path = call.menu.path;
        request.verb = std::move(verb);
        request.args = std::move(args);
        call.tree.Execute(request, call.session);
    };
    run("add", call.request.args);
    std::string name = call.args.GetOr("name");
    try {
        run("sign", {{"number", name}});
    } catch (const core::Error&) {
        run("remove", {{"numbers", name}});
        throw;
    }
    return Result{};
}

Verb GenerateSelfSignedVerb(const Menu& menu) {
    const Verb* add = menu.FindVerb("add");
    if (add == nullptr) {
        throw core::Error(core::ErrorCategory::kInternal, "generate-self-signed needs /certificate add");
    }
    return Verb{
        .name = "generate-self-signed",
        .help = "v6 seed alias: add a template with these arguments, then sign it self-signed",
        .args = add->args,
        .policy = kPolicyRead | kPolicyWrite,
        .tx = TxNeed::kNone,
        .changes = false,  // add and sign leave their own audit entries
        .slow = true,
        .handler = GenerateSelfSigned,
    };
}

void InstallCertificateCaVerbs(Menu& menu) {
    menu.verbs.push_back(SignVerb());
    menu.verbs.push_back(ExportVerb());
    menu.verbs.push_back(GenerateSelfSignedVerb(menu));
}

}  // namespace certos::menu
