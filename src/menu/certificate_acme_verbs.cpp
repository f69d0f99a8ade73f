// The /certificate verbs of the ACME client (RouterOS 7.22+): add-acme, acme-renew and
// enable-ssl-certificate. They run where they are called — a console, `certos -c`, REST or the API — and
// leave the HTTP-01 tokens in the store, where the daemon's www listener answers them (acme/solver.hpp).

#include "acme/service.hpp"
#include "core/error.hpp"
#include "core/value.hpp"
#include "menu/auth.hpp"
#include "menu/certificate_menu.hpp"
#include "pki/template.hpp"
#include "trust/trust_store.hpp"

namespace certos::menu {
namespace {

// Environment is the ACME service's view of this call: the call's store, its trust for service "acme" and
// /log through the tree.
acme::Environment EnvironmentFor(const Call& call, const trust::StoreTrust& trust) {
    acme::Environment env{call.store, trust};
    const Tree* tree = &call.tree;
    env.log = [tree](std::string_view topics, std::string_view message) { TryWriteLog(*tree, topics, message); };
    return env;
}

acme::AcmeRequest RequestFrom(const Call& call, const std::string& domains) {
    acme::AcmeRequest request;
    request.name = call.args.GetOr("name");
    request.directory_url = call.args.GetOr("directory-url");
    request.domains = core::SplitList(domains);
    request.eab_kid = call.args.GetOr("eab-kid");
    request.eab_hmac_key = call.args.GetOr("eab-hmac-key", call.args.GetOr("eab-key-b64"));
    request.key_size = call.args.GetOr("key-size", "prime256v1");
    request.dns_hook = call.args.GetOr("dns-hook");
    request.dns_server = call.args.GetOr("dns-server");
    request.dns_resolver = call.args.GetOr("dns-resolver");
    request.reset_private_key = call.args.GetOr("reset-private-key", "true") == "true";
    return request;
}

std::vector<ArgSpec> CommonArgs() {
    return {
        Arg("directory-url", "ACME directory (default: Let's Encrypt)"),
        Arg("eab-kid", "External Account Binding key identifier"),
        Arg("eab-hmac-key", "External Account Binding HMAC key (base64url)", {.sensitive = true}),
        Arg("eab-key-b64", "RouterOS's name of eab-hmac-key", {.sensitive = true}),
        Arg("key-size", "key of the certificate (default prime256v1)",
            {.type = ValueType::kEnum, .values = pki::KeySizeValues()}),
        Arg("dns-hook", "program that adds and removes the DNS-01 TXT record (present|cleanup FQDN VALUE)"),
        Arg("dns-server", "the one DNS server (IPv4[:port]) where the TXT record must show first; none: no check"),
        Arg("dns-resolver", "resolver (IPv4[:port]) that finds the zone's authoritative servers (default: system)"),
    };
}

// AcmeVerb is a verb of this file: read and write policy, no transaction of the dispatcher (network round trips
// happen outside transactions), slow, and `common` arguments after its own when asked.
Verb AcmeVerb(std::string name, std::string help, std::vector<ArgSpec> args, Handler handler, bool common) {
    if (common) {
        for (ArgSpec& arg : CommonArgs()) {
            args.push_back(std::move(arg));
        }
    }
    return NetworkVerb(std::move(name), std::move(help), std::move(args), std::move(handler));
}

// ObtainFor runs the ACME order of `request` for this call and returns the certificate's name.
std::string ObtainFor(const Call& call, const acme::AcmeRequest& request) {
    trust::StoreTrust trust(call.store);
    acme::Environment env = EnvironmentFor(call, trust);
    return acme::Obtain(env, request);
}

Result AddAcme(Call& call) {
    acme::AcmeRequest request = RequestFrom(call, call.args.GetOr("domain-names"));
    call.Progress("obtaining a certificate for " + call.args.GetOr("domain-names"));
    Result result;
    result.ret = ObtainFor(call, request);
    return result;
}

Verb AddAcmeVerb() {
    return AcmeVerb("add-acme", "obtain a certificate over ACME (RFC 8555) and renew it automatically",
                    {Arg("name", "certificate name (default: the first domain name)", {.check = pki::CheckName}),
                     Arg("domain-names", "domain names, comma separated", {.required = true}),
                     Arg("as-value", "accepted", {.type = ValueType::kFlag})},
                    AddAcme, true);
}

Result AcmeRenew(Call& call) {
    std::vector<std::string> names;
    {
        auto tx = call.store.Begin(store::TxMode::kRead);
        for (core::ObjectId id : ResolveNamed(CertificateModel(), *tx, call.args.GetOr("numbers"))) {
            names.push_back(id.ToString());
        }
    }
    trust::StoreTrust trust(call.store);
    acme::Environment env = EnvironmentFor(call, trust);
    for (const std::string& id : names) {
        acme::Renew(env, id, call.args.GetOr("retire-superseded") == "true");
    }
    return Result{};
}

Verb AcmeRenewVerb() {
    return AcmeVerb(
        "acme-renew", "renew ACME-managed certificates now",
        {Arg("numbers", "certificates to renew", {.type = ValueType::kItem, .required = true, .unnamed = true}),
         Arg("retire-superseded", "revoke the replaced certificate (reason superseded)", {.type = ValueType::kBool})},
        AcmeRenew, false);
}

Result EnableSsl(Call& call) {
    if (call.args.Has("duration")) {
        throw core::ArgumentError(
            "duration= is not supported by enable-ssl-certificate: an ACME order cannot be "
            "stopped half-way");
    }
    Monitor monitor(call, "enable-ssl-certificate");  // checks the other monitor arguments before anything runs
    std::string dns_name = call.args.GetOr("dns-name");
    if (dns_name.empty()) {
        throw core::Failure("dns-name= is needed (certos has no cloud DNS name of its own)");
    }
    acme::AcmeRequest request = RequestFrom(call, dns_name);
    if (request.name.empty()) {
        request.name = "acme-" + request.domains.front();
    }
    monitor.Reporter()("progress: obtaining a certificate for " + dns_name);
    std::string name = ObtainFor(call, request);
    Request bind;
    bind.path = "/ip/service";
    bind.verb = "set";
    bind.args = {{"numbers", "www-ssl"}, {"certificate", name}, {"disabled", "no"}};
    call.tree.Execute(bind, call.session);
    Result result = monitor.Finish();  // the final status, progress=done (the statuses go to file= when given)
    result.ret = name;                 // and, as before, the certificate's name as the value
    return result;
}

Verb EnableSslVerb() {
    Verb verb = AcmeVerb("enable-ssl-certificate", "obtain a certificate over ACME and serve www-ssl with it",
                         {Arg("dns-name", "the name to obtain the certificate for"),
                          Arg("name", "certificate name (default acme-DNS-NAME)", {.check = pki::CheckName}),
                          Arg("reset-private-key", "make a new key (default yes)", {.type = ValueType::kBool})},
                         EnableSsl, true);
    AddMonitorArgs(verb);  // RouterOS's enable-ssl-certificate is a monitor command (facts §1.2)
    return verb;
}

}  // namespace

Verb NetworkVerb(std::string name, std::string help, std::vector<ArgSpec> args, Handler handler) {
    return Verb{
        .name = std::move(name),
        .help = std::move(help),
        .args = std::move(args),
        .policy = kPolicyRead | kPolicyWrite,
        .tx = TxNeed::kNone,
        .changes = true,
        .slow = true,
        .handler = std::move(handler),
    };
}

void InstallCertificateAcmeVerbs(Menu& menu) {
    menu.verbs.push_back(AddAcmeVerb());
    menu.verbs.push_back(AcmeRenewVerb());
    menu.verbs.push_back(EnableSslVerb());
}

}  // namespace certos::menu
