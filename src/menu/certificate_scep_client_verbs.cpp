// The /certificate verbs of the SCEP client (RFC 8894): add-scep and scep-renew. They run where they are
// called — a console, `certos -c`, REST or the API; a request the CA holds is polled by the daemon's SCEP job
// (modules/scep.hpp), which also renews at 3/4 of the lifetime.

#include "core/error.hpp"
#include "menu/auth.hpp"
#include "menu/certificate_menu.hpp"
#include "pki/template.hpp"
#include "scep/enrol.hpp"
#include "trust/trust_store.hpp"

namespace certos::menu {
namespace {

scep::ClientEnvironment EnvironmentFor(const Call& call, const trust::StoreTrust& trust) {
    scep::ClientEnvironment env{call.store, trust};
    const Tree* tree = &call.tree;
    env.log = [tree](std::string_view topics, std::string_view message) { TryWriteLog(*tree, topics, message); };
    return env;
}

Result AddScep(Call& call) {
    scep::EnrolRequest request;
    request.template_item = call.args.GetOr("template");
    request.scep_url = call.args.GetOr("scep-url");
    request.ca_identity = call.args.GetOr("ca-identity");
    request.challenge_password = call.args.GetOr("challenge-password");
    request.name = call.args.GetOr("name");
    request.refresh = call.args.GetOr("refresh", "true") == "true";
    if (call.args.GetOr("on-smart-card") == "true") {
        throw core::Failure("no smart card present");  // as sign ca-on-smart-card=yes says
    }
    call.Progress("enrolling " + request.template_item + " at " + request.scep_url);
    trust::StoreTrust trust(call.store);
    scep::ClientEnvironment env = EnvironmentFor(call, trust);
    Result result;
    result.ret = scep::AddScep(env, request);
    return result;
}

Verb AddScepVerb() {
    return NetworkVerb(
        "add-scep", "enrol a template at a SCEP server (RFC 8894) and renew it automatically",
        {Arg("template", "the template to enrol", {.type = ValueType::kItem, .required = true}),
         Arg("scep-url", "the SCEP server's URL (http://host/scep/x)", {.required = true}),
         Arg("ca-identity", "CA identifier sent with GetCACert (for servers with several CAs)"),
         Arg("challenge-password", "the challenge the CA asks for", {.sensitive = true}),
         Arg("name", "certificate name (default: the template's)", {.check = pki::CheckName}),
         Arg("on-smart-card", "store the key on a smart card (not available)", {.type = ValueType::kBool}),
         Arg("refresh", "renew at 3/4 of the lifetime (default yes)", {.type = ValueType::kBool}),
         Arg("as-value", "accepted", {.type = ValueType::kFlag})},
        AddScep);
}

Result ScepRenew(Call& call) {
    std::vector<std::string> ids;
    {
        auto tx = call.store.Begin(store::TxMode::kRead);
        for (core::ObjectId id : ResolveNamed(CertificateModel(), *tx, call.args.GetOr("numbers"))) {
            ids.push_back(id.ToString());
        }
    }
    trust::StoreTrust trust(call.store);
    scep::ClientEnvironment env = EnvironmentFor(call, trust);
    for (const std::string& id : ids) {
        scep::Renew(env, id);
    }
    return Result{};
}

Verb ScepRenewVerb() {
    return NetworkVerb(
        "scep-renew", "renew SCEP-managed certificates now (RenewalReq signed with the current one)",
        {Arg("numbers", "certificates to renew", {.type = ValueType::kItem, .required = true, .unnamed = true})},
        ScepRenew);
}

}  // namespace

void InstallCertificateScepClientVerbs(Menu& menu) {
    menu.verbs.push_back(AddScepVerb());
    menu.verbs.push_back(ScepRenewVerb());
}

}  // namespace certos::menu
