// /certificate/scep-server and its otp and requests sub-menus (facts §1.10): the SCEP servers certos runs
// (served by the daemon's www and www-ssl listeners under their path, modules/scep.hpp), their one-time
// challenges and the requests held until granted. The data is the SCEP server's (scep/server.hpp).

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/time_format.hpp"
#include "menu/certificate_menu.hpp"
#include "menu/item_menu.hpp"
#include "pki/sign.hpp"
#include "scep/server.hpp"

namespace certos::menu {
namespace {

std::string Value(const store::ItemRow& row, const char* name) {
    auto it = row.props.find(name);
    return it == row.props.end() ? std::string() : it->second;
}

// ShowTime turns a stored expiry (seconds since the epoch) into RouterOS's date format for print.
void ShowTime(Record& record, const store::ItemRow& row, const char* name) {
    std::string stored = Value(row, name);
    if (!stored.empty()) {
        record.Set(name, core::FormatDateTime(std::chrono::system_clock::from_time_t(std::stoll(stored))));
    }
}

std::string CheckPath(std::string_view path) {
    bool ok = path.starts_with(scep::kPathPrefix) && path.size() > scep::kPathPrefix.size() && path.size() <= 128;
    for (char c : path) {
        ok = ok && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '/' || c == '-' || c == '_' || c == '.');
    }
    if (!ok || path.ends_with("/") || path.ends_with("/pkiclient.exe")) {
        throw core::ArgumentError("path must be /scep/NAME (letters, digits, - _ . /)");
    }
    return std::string(path);
}

void CheckServer(Call& call, store::ItemRow& row, bool adding) {
    for (const char* required : {"path", "ca-cert"}) {
        if (adding && Value(row, required).empty()) {
            throw core::ArgumentError(std::string("missing value(s) of argument(s) ") + required);
        }
    }
    row.name = Value(row, "path");
    std::optional<pki::SigningCa> ca;
    try {
        ca = pki::LoadSigningCa(call.Tx(), Value(row, "ca-cert"));
    } catch (const core::Error& e) {
        throw core::Failure(std::string("ca-cert: ") + e.what());
    }
    // RFC 8894 §2.2: the CA signs the replies and receives requests encrypted to it, and clients such as
    // certmonger check both key usages; only RSA keys can receive them (key transport).
    std::vector<std::string> usage = ca->cert.KeyUsage();
    for (const char* needed : {"digital-signature", "key-encipherment"}) {
        if (std::find(usage.begin(), usage.end(), needed) == usage.end()) {
            throw core::Failure("ca-cert: " + ca->row.name + " lacks key-usage " + needed + ", which SCEP needs");
        }
    }
    if (ca->cert.KeyType() != "rsa") {
        throw core::Failure("ca-cert: " + ca->row.name + " has no RSA key, which SCEP needs");
    }
    std::string next = Value(row, "next-ca-cert");
    if (!next.empty() && next != "none" && !pki::FindCertificate(call.Tx(), next)) {
        throw core::Failure("next-ca-cert: no such certificate " + next);
    }
    if (core::ParseDuration(Value(row, "request-lifetime")) < std::chrono::minutes(5)) {
        throw core::ArgumentError("request-lifetime must be at least 5m");
    }
}

void InstallServers(Menu& certificate) {
    Menu& menu = certificate.AddChild("scep-server", "SCEP servers (RFC 8894) of the local CAs");
    ItemMenuSpec spec;
    spec.kind = std::string(scep::kServerKind);
    PropertySpec path = Prop("path", ValueType::kString, {}, "URL path, /scep/NAME");
    path.check = CheckPath;
    PropertySpec days = Prop("days-valid", ValueType::kInteger, "365", "validity of issued certificates, days");
    days.min = 1;
    days.max = 36500;
    PropertySpec lifetime =
        Prop("request-lifetime", ValueType::kDuration, "5m", "how long a held request waits to be granted");
    spec.properties = {Prop("ca-cert", ValueType::kString, {}, "the local CA that issues"),
                       path,
                       days,
                       Prop("next-ca-cert", ValueType::kString, "none", "CA certificate that follows (GetNextCACert)"),
                       lifetime,
                       Prop("disabled", ValueType::kBool, "false", "")};
    spec.settable = {"ca-cert", "path", "days-valid", "next-ca-cert", "request-lifetime", "disabled"};
    spec.enable_disable = true;
    spec.check = CheckServer;
    InstallItemMenu(menu, std::move(spec), {"path", "ca-cert", "days-valid", "disabled"});
}

Result GenerateOtp(Call& call) {
    std::string server = call.args.GetOr("server");
    if (!server.empty() && !call.Tx().FindItemByName(scep::kServerKind, server)) {
        throw core::Failure("no SCEP server with path " + server);
    }
    long minutes = std::stol(call.args.GetOr("minutes-valid"));
    Result result;
    result.ret = scep::GenerateOtp(call.Tx(), server, std::chrono::minutes(minutes), std::chrono::system_clock::now());
    return result;
}

void InstallOtps(Menu& servers) {
    Menu& menu = servers.AddChild("otp", "one-time challenge passwords, each usable once");
    ItemMenuSpec spec;
    spec.kind = std::string(scep::kOtpKind);
    spec.properties = {Prop("name", ValueType::kString, {}, ""),
                       Prop("server", ValueType::kString, "", "SCEP server path; empty: any"),
                       Prop("expires", ValueType::kString, {}, "when it stops being accepted"),
                       Prop("used", ValueType::kBool, "false", "it was used")};
    spec.decorate = [](Record& record, const store::ItemRow& row) { ShowTime(record, row, "expires"); };
    InstallItemMenu(menu, std::move(spec), {"name", "server", "expires", "used"});
    PropertySpec minutes = Prop("minutes-valid", ValueType::kInteger, "60", "minutes the challenge is accepted");
    minutes.min = 1;
    minutes.max = 525600;
    menu.verbs.push_back(Verb{
        .name = "generate",
        .help = "make a one-time challenge password and show it (the only time it is shown)",
        .args = {ArgSpec{.spec = minutes}, Arg("server", "SCEP server path (default: any)")},
        // The challenge is a secret: only a session that may see sensitive values gets it.
        .policy = kPolicyRead | kPolicyWrite | kPolicySensitive,
        .tx = TxNeed::kWrite,
        .handler = GenerateOtp,
    });
}

Result GrantRequests(Call& call) {
    std::vector<Record> items;
    for (const store::ItemRow& row : call.Tx().ListItems(scep::kRequestKind)) {
        Record r;
        r.Set(".id", row.id.ToString());
        r.Set("name", row.name);
        items.push_back(std::move(r));
    }
    Result result;
    std::string names;
    for (core::ObjectId id : ResolveItems(items, call.args.GetOr("numbers"))) {
        names += (names.empty() ? "" : ",") + scep::Grant(call.Tx(), id, std::chrono::system_clock::now());
    }
    result.ret = names;
    return result;
}

void InstallRequests(Menu& servers) {
    Menu& menu = servers.AddChild("requests", "requests without a challenge, held until granted");
    ItemMenuSpec spec;
    spec.kind = std::string(scep::kRequestKind);
    spec.properties = {Prop("name", ValueType::kString, {}, "the transactionID"),
                       Prop("server", ValueType::kString, {}, "SCEP server path"),
                       Prop("subject", ValueType::kString, {}, "subject the request asks for"),
                       Prop("status", ValueType::kString, {}, "pending, issued or expired"),
                       Prop("expires", ValueType::kString, {}, "when a pending request lapses"),
                       Prop("certificate", ValueType::kString, "", "the issued certificate")};
    spec.decorate = [](Record& record, const store::ItemRow& row) {
        ShowTime(record, row, "expires");
        // A pending request past its lifetime can no longer be granted: say so.
        std::string expires = Value(row, "expires");
        if (Value(row, "status") == "pending" && !expires.empty() &&
            std::chrono::system_clock::from_time_t(std::stoll(expires)) <= std::chrono::system_clock::now()) {
            record.Set("status", "expired");
        }
    };
    InstallItemMenu(menu, std::move(spec), {"name", "server", "subject", "status"});
    menu.verbs.push_back(Verb{
        .name = "grant",
        .help = "issue held requests now; the client's next poll receives the certificate",
        .args = {Arg("numbers", "requests, by number or transactionID",
                     {.type = ValueType::kItem, .required = true, .unnamed = true})},
        .policy = kPolicyRead | kPolicyWrite,
        .tx = TxNeed::kWrite,
        .handler = GrantRequests,
    });
}

}  // namespace

void InstallCertificateScepMenus(Menu& certificate) {
    InstallServers(certificate);
    Menu& servers = *certificate.children.back();
    InstallOtps(servers);
    InstallRequests(servers);
}

}  // namespace certos::menu
