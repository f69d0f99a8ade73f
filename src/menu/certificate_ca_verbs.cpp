// The /certificate verbs of the local CA: sign and export-certificate.

#include "core/error.hpp"
#include "menu/certificate_menu.hpp"
#include "pki/export.hpp"
#include "pki/sign.hpp"
#include "pki/template.hpp"

namespace certos::menu {
namespace {

Verb SignVerb() {
    Verb verb;
    verb.name = "sign";
    verb.help = "sign a template: self-signed, or by a local CA with ca=";
    verb.policy = kPolicyRead | kPolicyWrite;
    verb.tx = TxNeed::kNone;  // SignTemplate keeps key generation outside transactions
    verb.slow = true;         // key generation: an RSA-4096 key takes seconds
    verb.args = {MakeArg("number", "the template to sign", ValueType::kItem, true, true),
                 MakeArg("name", "new name of the certificate"),
                 MakeArg("ca", "local CA that signs it (none: self-signed)"),
                 MakeArg("ca-crl-host", "host[:port] of the CRL distribution point"),
                 MakeArg("ca-on-smart-card", "CA key on a smart card", ValueType::kBool)};
    verb.args[1].spec.check = [](std::string_view v) { return pki::CheckName(v); };
    verb.args[3].spec.check = [](std::string_view v) { return pki::CheckCrlHost(v); };
    AddMonitorArgs(verb);
    verb.handler = [](Call& call) {
        if (call.args.GetOr("ca-on-smart-card") == "true") {
            throw core::Failure("no smart card present");
        }
        std::string number = call.args.GetOr("number");
        std::optional<core::ObjectId> id = core::ObjectId::Parse(number);  // SignTemplate checks that it exists
        if (!id) {
            id = call.store.Begin(store::TxMode::kRead)->FindCertificateId(number);
        }
        if (!id) {
            throw core::NoSuchItem();
        }
        pki::SignOptions options{call.args.GetOr("ca"), call.args.GetOr("name"), call.args.GetOr("ca-crl-host")};
        pki::SignTemplate(call.store, *id, options, [&call](std::string_view line) { call.Progress(line); });
        return Result{};
    };
    return verb;
}

Verb ExportVerb() {
    Verb verb;
    verb.name = "export-certificate";
    verb.help = "write certificates (and keys, with a passphrase) to /file as PEM or PKCS#12";
    // "Exporting certificates requires the sensitive user policy" (MT-CERT).
    verb.policy = kPolicyRead | kPolicySensitive;
    verb.tx = TxNeed::kRead;
    ArgSpec type = MakeArg("type", "pem or pkcs12", ValueType::kEnum);
    type.spec.values = {"pem", "pkcs12"};
    ArgSpec passphrase = MakeArg("export-passphrase", "passphrase that encrypts the exported private key");
    passphrase.spec.sensitive = true;
    verb.args = {MakeArg("numbers", "certificates to export", ValueType::kItem, true, true), passphrase,
                 MakeArg("file-name", "file name without extension (default cert_export_NAME)"), type,
                 MakeArg("file", "RouterOS v6 spelling of file-name")};
    verb.handler = [](Call& call) {
        pki::ExportType type =
            call.args.GetOr("type", "pem") == "pkcs12" ? pki::ExportType::kPkcs12 : pki::ExportType::kPem;
        std::string file_name = call.args.GetOr("file-name", call.args.GetOr("file"));
        for (core::ObjectId id : ResolveItems(CertificateModel().Items(call.Tx()), call.args.GetOr("numbers"))) {
            std::optional<store::CertificateRow> row = call.Tx().GetCertificate(id);
            pki::ExportCertificate(call.Tx(), call.tree.files(), *row, type, call.args.GetOr("export-passphrase"),
                                   file_name);
        }
        return Result{};
    };
    return verb;
}

}  // namespace

void InstallCertificateCaVerbs(Menu& menu) {
    menu.verbs.push_back(SignVerb());
    menu.verbs.push_back(ExportVerb());
}

}  // namespace certos::menu
