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

ArgSpec Sensitive(std::string name, std::string help, bool required = false) {
    ArgSpec arg = MakeArg(std::move(name), std::move(help), ValueType::kString, required);
    arg.spec.sensitive = true;
    return arg;
}

Verb ImportVerb() {
    Verb verb;
    verb.name = "import";
    verb.help = "import certificates and private keys from a PEM, DER, CRT or PKCS#12 file in /file";
    verb.policy = kPolicyRead | kPolicyWrite;
    verb.tx = TxNeed::kNone;  // pki::Import decodes first, then writes in its own transaction
    verb.changes = true;
    ArgSpec name = MakeArg("name", "name of the first certificate (the rest get _1, _2 ...); default FILE-NAME_0 ...");
    name.spec.check = [](std::string_view v) { return pki::CheckName(v); };
    ArgSpec trusted = MakeArg("trusted", "mark the imported certificates trusted", ValueType::kBool);
    trusted.spec.default_value = "true";
    ArgSpec trust_store = MakeArg("trust-store", "services that may use them for verification", ValueType::kEnumList);
    trust_store.spec.values = pki::kTrustStores;
    trust_store.spec.default_value = std::string(pki::kDefaultTrustStore);
    // The v6 seed's `import file-name=F certificate="certificate"` names no real RouterOS argument (RouterOS
    // would say "expected end of command"); it is refused by the schema with the arguments to use instead.
    ArgSpec certificate = MakeArg("certificate", "not a RouterOS argument: use file-name= and name=");
    certificate.spec.check = [](std::string_view) -> std::string {
        throw core::ArgumentError(
            "unknown parameter certificate (use file-name= for the file to import and name= "
            "for the certificate's name)");
    };
    verb.args = {
        MakeArg("file-name", "file in /file to import", ValueType::kString, true),
        Sensitive("passphrase", "passphrase of an encrypted key or PKCS#12 file"),
        name,
        trusted,
        trust_store,
        MakeArg("no-key-export", "accepted for compatibility (keys never leave certos unencrypted)", ValueType::kBool),
        MakeArg("as-value", "return the report as a value", ValueType::kFlag),
        certificate};
    verb.handler = [](Call& call) {
        pki::ImportOptions options;
        options.file_name = call.args.GetOr("file-name");
        options.passphrase = call.args.GetOr("passphrase");
        options.name = call.args.GetOr("name");
        options.trusted = call.args.GetOr("trusted", "true") == "true";
        options.trust_store = call.args.GetOr("trust-store", pki::kDefaultTrustStore);
        pki::ImportReport report = pki::Import(call.store, call.tree.files(), options);
        Record record;
        record.Set("certificates-imported", std::to_string(report.certificates_imported));
        record.Set("private-keys-imported", std::to_string(report.private_keys_imported));
        record.Set("files-imported", std::to_string(report.files_imported));
        record.Set("decryption-failures", std::to_string(report.decryption_failures));
        record.Set("keys-with-no-certificate", std::to_string(report.keys_with_no_certificate));
        return Result{{record}, std::nullopt};
    };
    return verb;
}

Verb CreateRequestVerb() {
    Verb verb;
    verb.name = "create-certificate-request";
    verb.help = "write certificate-request.pem and its encrypted key to /file from a template (removes the template)";
    // It writes a private key to /file, as export-certificate does, which needs the sensitive policy.
    verb.policy = kPolicyRead | kPolicyWrite | kPolicySensitive;
    verb.tx = TxNeed::kNone;  // the key is generated outside any transaction
    verb.changes = true;
    verb.slow = true;  // key generation
    ArgSpec key_passphrase = Sensitive("key-passphrase", "passphrase that encrypts certificate-request_key.pem", true);
    key_passphrase.spec.check = [](std::string_view v) {
        if (v.size() < pki::kMinPassphrase) {
            throw core::ArgumentError("key-passphrase must be at least " + std::to_string(pki::kMinPassphrase) +
                                      " characters");
        }
        return std::string(v);
    };
    verb.args = {MakeArg("template", "the template (name or *ID)", ValueType::kString, true), key_passphrase,
                 Sensitive("challenge-passphrase", "challenge password put into the request")};
    AddMonitorArgs(verb);
    verb.handler = [](Call& call) {
        pki::CreateRequestOptions options{call.args.GetOr("template"), call.args.GetOr("key-passphrase"),
                                          call.args.GetOr("challenge-passphrase")};
        pki::CreateCertificateRequest(call.store, call.tree.files(), options,
                                      [&call](std::string_view line) { call.Progress(line); });
        return Result{};
    };
    return verb;
}

Verb SignRequestVerb() {
    Verb verb;
    verb.name = "sign-certificate-request";
    verb.help = "issue a certificate with a local CA for a PKCS#10 request file in /file";
    verb.policy = kPolicyRead | kPolicyWrite;
    verb.tx = TxNeed::kNone;
    verb.changes = true;
    ArgSpec days = MakeArg("days-valid", "days the certificate is valid", ValueType::kInteger);
    days.spec.min = 1;
    days.spec.max = pki::kMaxDaysValid;
    days.spec.default_value = std::string(pki::kDefaultDaysValid);
    ArgSpec digest = MakeArg("digest-algorithm", "signature digest algorithm", ValueType::kEnum);
    digest.spec.values = pki::kDigestValues;
    digest.spec.default_value = std::string(pki::kDefaultDigest);
    verb.args = {MakeArg("file-name", "the request file in /file (PEM or DER)", ValueType::kString, true),
                 MakeArg("ca", "the local CA that signs it (name or *ID)", ValueType::kString, true), days, digest,
                 MakeArg("as-value", "return the new certificate's id as a value", ValueType::kFlag)};
    verb.handler = [](Call& call) {
        pki::SignRequestOptions options;
        options.file_name = call.args.GetOr("file-name");
        options.ca = call.args.GetOr("ca");
        options.days_valid = std::stol(call.args.GetOr("days-valid", pki::kDefaultDaysValid));
        options.digest = call.args.GetOr("digest-algorithm", pki::kDefaultDigest);
        core::ObjectId id = pki::SignCertificateRequest(call.store, call.tree.files(), options);
        return Result{{}, id.ToString()};
    };
    return verb;
}

}  // namespace

void InstallCertificateImportVerbs(Menu& menu) {
    menu.verbs.push_back(ImportVerb());
    menu.verbs.push_back(CreateRequestVerb());
    menu.verbs.push_back(SignRequestVerb());
}

}  // namespace certos::menu
