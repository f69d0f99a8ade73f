// The /certificate verbs that bring certificates in from elsewhere: import, create-certificate-request and
// sign-certificate-request.

#include "core/error.hpp"
#include "menu/certificate_menu.hpp"
#include "pki/export.hpp"
#include "pki/import.hpp"
#include "pki/request.hpp"
#include "pki/template.hpp"

namespace certos::menu {
namespace {

// TemplateArg is an argument that takes the value of a template property, with its schema (values, bounds and
// default) from the one template schema.
ArgSpec TemplateArg(std::string_view name, std::string help) {
    for (const PropertySpec& spec : TemplateProperties()) {
        if (spec.name == name) {
            ArgSpec arg{.spec = spec};
            arg.spec.help = std::move(help);
            return arg;
        }
    }
    throw core::Error(core::ErrorCategory::kInternal, "no template property " + std::string(name));
}

Result Import(Call& call) {
    pki::ImportOptions options;
    options.file_name = call.args.GetOr("file-name");
    options.passphrase = call.args.GetOr("passphrase");
    // The v6 seed's `certificate="NAME"` names the certificate, as name= does (docs/certificates.md).
    options.name = call.args.GetOr("name", call.args.GetOr("certificate"));
    if (call.args.Has("name") && call.args.Has("certificate")) {
        throw core::ArgumentError("certificate= is the v6 seed's name for name=: give one of them");
    }
    options.trusted = call.args.GetOr("trusted") == "true";
    options.trust_store = call.args.GetOr("trust-store");
    pki::ImportReport report = pki::Import(call.store, call.tree.files(), options);
    Record record;
    record.Set("certificates-imported", std::to_string(report.certificates_imported));
    record.Set("private-keys-imported", std::to_string(report.private_keys_imported));
    record.Set("files-imported", std::to_string(report.files_imported));
    record.Set("decryption-failures", std::to_string(report.decryption_failures));
    record.Set("keys-with-no-certificate", std::to_string(report.keys_with_no_certificate));
    return Result{{record}, std::nullopt};
}

Verb ImportVerb() {
    ArgSpec trusted = Arg("trusted", "mark the imported certificates trusted", {.type = ValueType::kBool});
    trusted.spec.default_value = "true";  // unlike a template's `trusted`
    return Verb{
        .name = "import",
        .help = "import certificates and private keys from a PEM, DER, CRT or PKCS#12 file in /file",
        .args = {Arg("file-name", "file in /file to import", {.required = true}),
                 Arg("passphrase", "passphrase of an encrypted key or PKCS#12 file", {.sensitive = true}),
                 Arg("name", "name of the first certificate (the rest get _1, _2 ...); default FILE-NAME_0 ...",
                     {.check = pki::CheckName}),
                 trusted, TemplateArg("trust-store", "services that may use them for verification"),
                 Arg("no-key-export", "accepted for compatibility (keys never leave certos unencrypted)",
                     {.type = ValueType::kBool}),
                 Arg("as-value", "return the report as a value", {.type = ValueType::kFlag}),
                 Arg("certificate", "v6 seed alias of name=", {.check = pki::CheckName})},
        .policy = kPolicyRead | kPolicyWrite,
        .tx = TxNeed::kNone,  // pki::Import decodes first, then writes in its own transaction
        .changes = true,
        .handler = Import,
    };
}

std::string CheckKeyPassphrase(std::string_view v) {
    if (v.size() < pki::kMinPassphrase) {
        throw core::ArgumentError("key-passphrase must be at least " + std::to_string(pki::kMinPassphrase) +
                                  " characters");
    }
    return std::string(v);
}

Result CreateRequest(Call& call) {
    Monitor monitor(call, "create-certificate-request");  // checks the monitor arguments before anything runs
    pki::CreateRequestOptions options{call.args.GetOr("template"), call.args.GetOr("key-passphrase"),
                                      call.args.GetOr("challenge-passphrase")};
    pki::CreateCertificateRequest(call.store, call.tree.files(), options, monitor.Reporter());
    return monitor.Finish();
}

Verb CreateRequestVerb() {
    Verb verb{
        .name = "create-certificate-request",
        .help = "write certificate-request.pem and its encrypted key to /file from a template (removes the template)",
        .args = {Arg("template", "the template (name or *ID)", {.required = true}),
                 Arg("key-passphrase", "passphrase that encrypts certificate-request_key.pem",
                     {.required = true, .sensitive = true, .check = CheckKeyPassphrase}),
                 Arg("challenge-passphrase", "challenge password put into the request", {.sensitive = true})},
        // It writes a private key to /file, as export-certificate does, which needs the sensitive policy.
        .policy = kPolicyRead | kPolicyWrite | kPolicySensitive,
        .tx = TxNeed::kNone,  // the key is generated outside any transaction
        .changes = true,
        .slow = true,  // key generation
        .handler = CreateRequest,
    };
    AddMonitorArgs(verb);
    return verb;
}

Result SignRequest(Call& call) {
    pki::SignRequestOptions options;
    options.file_name = call.args.GetOr("file-name");
    options.ca = call.args.GetOr("ca");
    options.days_valid = std::stol(call.args.GetOr("days-valid"));
    options.digest = call.args.GetOr("digest-algorithm");
    core::ObjectId id = pki::SignCertificateRequest(call.store, call.tree.files(), options);
    return Result{{}, id.ToString()};
}

Verb SignRequestVerb() {
    return Verb{
        .name = "sign-certificate-request",
        .help = "issue a certificate with a local CA for a PKCS#10 request file in /file",
        .args = {Arg("file-name", "the request file in /file (PEM or DER)", {.required = true}),
                 Arg("ca", "the local CA that signs it (name or *ID)", {.required = true}),
                 TemplateArg("days-valid", "days the certificate is valid"),
                 TemplateArg("digest-algorithm", "signature digest algorithm"),
                 Arg("as-value", "return the new certificate's id as a value", {.type = ValueType::kFlag})},
        .policy = kPolicyRead | kPolicyWrite,
        .tx = TxNeed::kNone,
        .changes = true,
        .handler = SignRequest,
    };
}

}  // namespace

void InstallCertificateImportVerbs(Menu& menu) {
    menu.verbs.push_back(ImportVerb());
    menu.verbs.push_back(CreateRequestVerb());
    menu.verbs.push_back(SignRequestVerb());
}

}  // namespace certos::menu
