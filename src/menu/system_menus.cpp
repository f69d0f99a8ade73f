// /user, /user/group, /ip/service, /log, /system/resource and /certificate/settings; /system/script,
// /system/scheduler, /system/clock and /system/identity come from system_script.cpp, system_scheduler.cpp and
// system_clock.cpp.

#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/time_format.hpp"
#include "core/value.hpp"
#include "core/version.hpp"
#include "crypto/password.hpp"
#include "menu/auth.hpp"
#include "menu/item_menu.hpp"
#include "menu/logging.hpp"
#include "menu/menus.hpp"
#include "menu/policy.hpp"
#include "menu/system_scripts.hpp"
#include "pki/service_credentials.hpp"
#include "pki/template.hpp"

namespace certos::menu {
namespace {

const auto kStart = std::chrono::steady_clock::now();

std::string Get(const store::ItemRow& row, const char* name) {
    auto it = row.props.find(name);
    return it == row.props.end() ? std::string() : it->second;
}

bool IsDefaultGroup(std::string_view name) { return name == "read" || name == "write" || name == "full"; }

// DefaultGroups are the groups of a new store (Bootstrap makes them).
std::vector<store::ItemRow> DefaultGroups() {
    const std::pair<const char*, std::string_view> groups[] = {
        {"read", kReadGroupPolicy}, {"write", kWriteGroupPolicy}, {"full", kFullGroupPolicy}};
    std::vector<store::ItemRow> rows;
    for (const auto& [name, policy] : groups) {
        store::ItemRow& row = rows.emplace_back();
        row.name = name;
        row.props = {{"policy", std::string(policy)}, {"skin", "default"}, {"comment", ""}};
    }
    return rows;
}

void InstallGroups(Menu& user) {
    Menu& menu = user.AddChild("group", "user groups and their policies");
    ItemMenuSpec spec;
    spec.kind = "user-group";
    PropertySpec name = Prop("name");
    name.check = [](std::string_view v) {
        if (v.empty()) {
            throw core::ArgumentError("invalid value for argument name");
        }
        return std::string(v);
    };
    PropertySpec policy = Prop("policy", ValueType::kString, "", "comma list of policies; !name denies");
    policy.quoted = false;
    policy.check = [](std::string_view v) { return FormatPolicies(ParsePolicies(v)); };
    spec.properties = {name, policy, Prop("skin", ValueType::kString, "default"),
                       Prop("comment", ValueType::kString, "")};
    spec.settable = {"name", "policy", "skin", "comment"};
    spec.write_policy = kPolicyWrite | kPolicyPolicy;
    spec.check = [](Call& call, store::ItemRow& row, bool adding) {
        if (!adding) {
            auto old = call.Tx().GetItem("user-group", row.id);
            if (old && IsDefaultGroup(old->name) && old->name != row.name) {
                throw core::Failure("default group can not be renamed");
            }
        }
    };
    spec.before_remove = [](Call& call, const store::ItemRow& row) {
        if (IsDefaultGroup(row.name)) {
            throw core::Failure("default group can not be removed");
        }
        for (const store::ItemRow& u : call.Tx().ListItems("user")) {
            if (Get(u, "group") == row.name) {
                throw core::Failure("group " + row.name + " is used by user " + u.name);
            }
        }
    };
    spec.default_entries = DefaultGroups;
    InstallItemMenu(menu, std::move(spec), {"name", "policy"});
}

void InstallUsers(Tree& tree) {
    Menu& menu = tree.root().AddChild("user", "users who may log in");
    ItemMenuSpec spec;
    spec.kind = "user";
    PropertySpec password = Prop("password", ValueType::kString, {}, "password (never shown)");
    password.sensitive = true;
    spec.properties = {Prop("name"),
                       Prop("group", ValueType::kString, {}, "read, write, full or another group"),
                       Prop("address", ValueType::kString, "", "prefixes the user may log in from"),
                       Prop("disabled", ValueType::kBool, "false"),
                       Prop("comment", ValueType::kString, ""),
                       Prop("last-logged-in", ValueType::kString, {}),
                       password};
    spec.properties[1].quoted = false;
    spec.settable = {"name", "group", "address", "disabled", "comment", "password"};
    spec.write_only = {"password"};
    spec.write_policy = kPolicyWrite | kPolicyPolicy;
    spec.check = [](Call& call, store::ItemRow& row, bool adding) {
        if (row.name.empty()) {
            throw core::ArgumentError("invalid value for argument name");
        }
        if (adding && Get(row, "group").empty()) {
            throw core::ArgumentError("missing value(s) of argument(s) group");
        }
        if (!call.Tx().FindItemByName("user-group", Get(row, "group"))) {
            throw core::ArgumentError("input does not match any value of group");
        }
        for (const std::string& prefix : core::SplitList(Get(row, "address"))) {
            if (!AddressAllowed(prefix, prefix.substr(0, prefix.find('/')))) {
                throw core::ArgumentError("invalid value for argument address");
            }
        }
        auto pw = row.props.find("password");
        if (pw != row.props.end()) {
            row.props["password-hash"] = crypto::HashPassword(pw->second);
            row.props.erase(pw);
        } else if (adding) {
            row.props["password-hash"] = crypto::HashPassword("");
        }
    };
    spec.before_remove = [](Call& call, const store::ItemRow& row) {
        int full_users = 0;
        for (const store::ItemRow& u : call.Tx().ListItems("user")) {
            auto group = call.Tx().FindItemByName("user-group", Get(u, "group"));
            if (group && (ParsePolicies(Get(*group, "policy")) & kPolicyPolicy) != 0 && Get(u, "disabled") != "true") {
                ++full_users;
            }
        }
        auto group = call.Tx().FindItemByName("user-group", Get(row, "group"));
        if (full_users <= 1 && group && (ParsePolicies(Get(*group, "policy")) & kPolicyPolicy) != 0) {
            throw core::Failure("can not remove the last user with full rights");
        }
    };
    spec.default_entries = [] { return std::vector<store::ItemRow>{DefaultAdmin()}; };
    InstallItemMenu(menu, std::move(spec), {"name", "group", "address", "last-logged-in"});
    InstallGroups(menu);
}

// The /ip/service table (facts §5): RouterOS's entries in print order. certos serves www, www-ssl, api and
// api-ssl, with RouterOS's defaults (www-ssl disabled, the others enabled); telnet, ftp, ssh and winbox are
// kept, disabled and flagged I (invalid), so that scripts and api_modify playbooks that set their port or
// address still work, and enabling one is refused (docs/differences.md).
struct DefaultService {
    std::uint64_t id;
    const char* name;
    int port;
    int unprivileged_port;
    bool tls;
    bool disabled;
};
constexpr DefaultService kServices[] = {
    {1, "telnet", 23, 2323, false, true},   {2, "ftp", 21, 2121, false, true},
    {3, "www", 80, 8080, false, false},     {4, "ssh", 22, 2222, false, true},
    {5, "www-ssl", 443, 8443, true, true},  {6, "api", 8728, 8728, false, false},
    {7, "winbox", 8291, 8291, false, true}, {8, "api-ssl", 8729, 8729, true, false},
};

bool IsTlsService(std::string_view name) { return name == "www-ssl" || name == "api-ssl"; }

// DefaultServices are the /ip service entries of a new store, with their ids (Bootstrap makes them).
std::vector<store::ItemRow> DefaultServices() {
    bool root = geteuid() == 0;
    std::vector<store::ItemRow> rows;
    for (const DefaultService& service : kServices) {
        store::ItemRow& row = rows.emplace_back();
        row.id = core::ObjectId(service.id);
        row.name = service.name;
        row.props = {{"port", std::to_string(root ? service.port : service.unprivileged_port)},
                     {"address", ""},
                     {"disabled", core::WireBool(service.disabled)},
                     {"vrf", "main"},
                     {"max-sessions", "20"}};
        if (service.tls) {
            row.props["certificate"] = "none";
            row.props["tls-version"] = "any";
        }
    }
    return rows;
}

// IsServed says whether certos has a listener for service `name`.
bool IsServed(std::string_view name) { return name == "www" || name == "api" || IsTlsService(name); }

void InstallServices(Tree& tree) {
    Menu& ip = tree.root().AddChild("ip", "IP settings");
    Menu& menu = ip.AddChild("service", "network services and their ports");
    ItemMenuSpec spec;
    spec.kind = "ip-service";
    spec.fixed_entries = true;
    PropertySpec port = Prop("port", ValueType::kInteger);
    port.min = 1;
    port.max = 65535;
    PropertySpec sessions = Prop("max-sessions", ValueType::kInteger, "20");
    sessions.min = 1;
    sessions.max = 1000;
    PropertySpec tls = Prop("tls-version", ValueType::kEnum, {}, "any, only-1.2 or only-1.3");
    tls.values = {"any", "only-1.2", "only-1.3"};
    PropertySpec certificate = Prop("certificate", ValueType::kString, {}, "certificate name or none");
    certificate.quoted = false;
    spec.properties = {Prop("name"), port, Prop("address", ValueType::kString, "", "prefixes allowed to connect"),
                       certificate, tls, Prop("vrf", ValueType::kString, "main"), sessions,
                       Prop("disabled", ValueType::kBool, "false"), Prop("proto", ValueType::kString, "tcp"),
                       Prop("invalid", ValueType::kBool, "false"), Prop("dynamic", ValueType::kBool, "false"),
                       // certos-specific (docs/api.md): RouterOS 7.18+ sends `!empty` before `!done` when a
                       // print finds nothing, but node-routeros 1.6.9 fails on that reply; off by default.
                       Prop("api-empty-reply", ValueType::kBool, "false",
                            "api, api-ssl: send !empty when a print returns no items (RouterOS 7.18+ behaviour)")};
    spec.properties[5].quoted = false;
    spec.settable = {"port", "address",      "certificate", "tls-version",
                     "vrf",  "max-sessions", "disabled",    "api-empty-reply"};
    spec.enable_disable = true;
    spec.decorate = [](Record& r, const store::ItemRow& row) {
        if (!IsServed(row.name)) {
            r.Set("invalid", "true");
        }
    };
    spec.check = [](Call& call, store::ItemRow& row, bool) {
        if (!IsServed(row.name) && Get(row, "disabled") == "false") {
            throw core::Failure("certos does not serve " + row.name +
                                ": only www, www-ssl, api and api-ssl can be enabled");
        }
        auto cert = row.props.find("certificate");
        if (cert != row.props.end()) {
            if (!IsTlsService(row.name)) {
                if (!cert->second.empty() && cert->second != "none") {
                    throw core::Failure("service " + row.name + " does not use a certificate");
                }
                row.props.erase(cert);
            } else if (cert->second.empty() || cert->second == "none") {
                cert->second = "none";
            } else {
                auto found = call.Tx().FindCertificateByName(cert->second);
                if (!found) {
                    throw core::ArgumentError("input does not match any value of certificate");
                }
                if (found->der.empty() || !found->has_key) {
                    throw core::Failure("certificate " + cert->second + " is not signed or has no private key");
                }
                // Refused now rather than silently not used by the listener: the TLS layer's own check.
                std::optional<store::ItemRow> before = call.Tx().GetItem("ip-service", row.id);
                if (!before || before->props["certificate"] != cert->second) {
                    pki::CheckTlsCredentials(call.Tx(), cert->second);
                }
            }
        }
        if (!IsTlsService(row.name)) {
            row.props.erase("tls-version");
        }
        for (const std::string& prefix : core::SplitList(Get(row, "address"))) {
            if (!AddressAllowed(prefix, prefix.substr(0, prefix.find('/')))) {
                throw core::ArgumentError("invalid value for argument address");
            }
        }
    };
    spec.default_entries = DefaultServices;
    // The v6 seed calls www-ssl by WebFig's name: `/ip service set [find name=webfig-ssl] certificate=...`.
    spec.name_aliases = {{"webfig-ssl", "www-ssl"}};
    InstallItemMenu(menu, std::move(spec), {"name", "port", "certificate", "vrf", "max-sessions"});
    // One flag column, as RouterOS's legend `Flags: X - DISABLED, I - INVALID` shows (facts §5): a service
    // certos cannot serve shows I.
    menu.layout.flags = {{.letter = 'X', .legend = "DISABLED", .property = "disabled"},
                         {.letter = 'I', .legend = "INVALID", .property = "invalid", .shares_previous_column = true}};
}

Result PrintLog(Call& call) {
    std::vector<Record> records;
    auto now = std::chrono::system_clock::now();
    std::vector<store::LogEntry> entries = call.Tx().ListLog();
    // The memory actions keep memory-lines lines (the store keeps at most kLogCapacity).
    std::size_t shown = MemoryLines(call.Tx());
    if (entries.size() > shown) {
        entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(shown));
    }
    for (const store::LogEntry& entry : entries) {
        Record r;
        r.Set(".id", core::ObjectId(entry.seq).ToString());
        r.Set("time", core::FormatLogTime(entry.time, now));
        r.Set("topics", entry.topics);
        r.Set("message", entry.message);
        records.push_back(std::move(r));
    }
    return ApplyPrint(call, std::move(records));
}

void InstallLog(Tree& tree) {
    Menu& menu = tree.root().AddChild("log", "the system log");
    menu.properties = {Prop("time"), Prop("topics"), Prop("message")};
    for (PropertySpec& spec : menu.properties) {
        spec.quoted = spec.name == "message";
    }
    menu.layout.table_columns = [](const std::vector<Record>&) {
        return std::vector<std::string>{"time", "topics", "message"};
    };
    menu.verbs.push_back(Verb{
        .name = "print",
        .help = "print the log",
        .args = PrintArgs(),
        .tx = TxNeed::kRead,
        .takes_filter = true,
        .handler = PrintLog,
    });
    for (const char* level : {"info", "warning", "error", "debug"}) {
        std::string topics = std::string("script,") + level;
        menu.verbs.push_back(Verb{
            .name = level,
            .help = std::string("log a ") + level + " message",
            .args = {Arg("message", "the message", {.required = true, .unnamed = true})},
            .policy = kPolicyWrite,
            .tx = TxNeed::kWrite,
            .changes = false,  // the entry is its own record: no audit line
            .handler =
                [topics](Call& call) {
                    AppendLog(call.tree, call.Tx(), topics, call.args.GetOr("message"));
                    return Result{};
                },
        });
    }
}

std::uint64_t MemInfo(const char* key) {
    std::ifstream in("/proc/meminfo");
    std::string name;
    std::uint64_t kb = 0;
    std::string unit;
    while (in >> name >> kb >> unit) {
        if (name == std::string(key) + ":") {
            return kb * 1024;
        }
    }
    return 0;
}

Record ReadResource(Call& call) {
    Record r;
    auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - kStart);
    r.Set("uptime", core::FormatDuration(up));
    r.Set("version", std::string(core::kRouterOsVersion));
    r.Set("build-time", __DATE__ " " __TIME__);
    r.Set("factory-software", std::string(core::kRouterOsVersion.substr(0, 4)));
    r.Set("free-memory", std::to_string(MemInfo("MemAvailable")));
    r.Set("total-memory", std::to_string(MemInfo("MemTotal")));
    r.Set("cpu", "certos");
    r.Set("cpu-count", std::to_string(std::thread::hardware_concurrency()));
    double load = 0;
    std::ifstream("/proc/loadavg") >> load;
    unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    r.Set("cpu-load", std::to_string(std::min(100, static_cast<int>(load * 100 / cpus))));
    struct statvfs fs {};
    if (statvfs(call.tree.files().root().c_str(), &fs) == 0) {
        r.Set("free-hdd-space", std::to_string(std::uint64_t(fs.f_bavail) * fs.f_frsize));
        r.Set("total-hdd-space", std::to_string(std::uint64_t(fs.f_blocks) * fs.f_frsize));
    }
    r.Set("architecture-name", "x86_64");
    r.Set("board-name", "certos");
    r.Set("platform", "certos");
    return r;
}

Result PrintResource(Call& call) { return ApplyPrint(call, {ReadResource(call)}); }

void InstallSystemResource(Tree& tree) {
    Menu& system = tree.root().AddChild("system", "system");
    Menu& menu = system.AddChild("resource", "version, uptime, memory and CPU");
    for (const char* name :
         {"uptime", "version", "build-time", "factory-software", "free-memory", "total-memory", "cpu", "cpu-count",
          "cpu-load", "free-hdd-space", "total-hdd-space", "architecture-name", "board-name", "platform"}) {
        menu.properties.push_back(Prop(name));
        menu.properties.back().quoted = false;
    }
    menu.layout.single_entry = true;
    menu.verbs.push_back(Verb{
        .name = "print",
        .help = "print system resources",
        .args = PrintArgs(),
        .tx = TxNeed::kNone,
        .takes_filter = true,
        .handler = PrintResource,
    });
    AddSingleEntryGet(menu, ReadResource, TxNeed::kNone);
    InstallScriptMenus(system);
    InstallSchedulerMenu(system);
    InstallClockMenus(system);
    InstallLoggingMenus(system);
}

// /certificate/settings (facts §1.10; CR `single_value`): crl-download, crl-use, crl-store, builtin-trust-store.
void InstallCertificateSettings(Tree& tree) {
    Menu* certificate = nullptr;
    for (auto& child : tree.root().children) {
        if (child->name == "certificate") {
            certificate = child.get();
        }
    }
    if (certificate == nullptr) {
        return;
    }
    Menu& menu = certificate->AddChild("settings", "CRL use and built-in trust store");
    PropertySpec store = Prop("crl-store", ValueType::kEnum, "ram", "where downloaded CRLs are kept");
    store.values = {"ram", "system"};
    PropertySpec builtin = Prop("builtin-trust-store", ValueType::kEnumList, "default",
                                "services that may use the built-in trust anchors");
    builtin.values = {"all", "default", "untrusted"};
    for (const std::string& service : pki::TrustStores()) {
        if (service != "all") {
            builtin.values.push_back(service);
        }
    }
    menu.properties = {Prop("crl-download", ValueType::kBool, "false", "download CRLs of trusted certificates"),
                       Prop("crl-use", ValueType::kBool, "false", "check certificates against CRLs"), store, builtin};
    menu.layout.single_entry = true;
    menu.export_lines = [&menu](store::Transaction& tx, const ExportOptions& options) {
        return ExportSettings(menu, "certificate", tx, options);
    };
    auto read = [](store::Transaction& tx, const Menu& m) {
        Record r;
        for (const PropertySpec& spec : m.properties) {
            r.Set(spec.name, tx.GetSetting("certificate", spec.name).value_or(*spec.default_value));
        }
        return r;
    };
    menu.verbs.push_back(Verb{
        .name = "print",
        .help = "print the settings",
        .args = PrintArgs(),
        .tx = TxNeed::kRead,
        .takes_filter = true,
        .handler = [read](Call& call) { return ApplyPrint(call, {read(call.Tx(), call.menu)}); },
    });
    AddSingleEntryGet(
        menu, [read](Call& call) { return read(call.Tx(), call.menu); }, TxNeed::kRead);
    std::vector<ArgSpec> set_args;
    for (PropertySpec spec : menu.properties) {
        spec.default_value.reset();  // `set` changes only what it names
        set_args.push_back(ArgSpec{.spec = spec});
    }
    menu.verbs.push_back(Verb{
        .name = "set",
        .help = "change the settings",
        .args = set_args,
        .policy = kPolicyWrite,
        .tx = TxNeed::kWrite,
        .log_form = LogForm::kChanged,
        .handler =
            [](Call& call) {
                for (const auto& [name, value] : call.args.values()) {
                    call.Tx().SetSetting("certificate", name, value);
                }
                return Result{};
            },
    });
    menu.verbs.push_back(Verb{
        .name = "reset",
        .help = "return every setting to its default",
        .policy = kPolicyWrite,
        .tx = TxNeed::kWrite,
        .log_form = LogForm::kChanged,
        .handler =
            [](Call& call) {
                for (const PropertySpec& spec : call.menu.properties) {
                    call.Tx().SetSetting("certificate", spec.name, *spec.default_value);
                }
                return Result{};
            },
    });
}

}  // namespace

void InstallSystemMenus(Tree& tree) {
    InstallCertificateSettings(tree);
    InstallUsers(tree);
    InstallServices(tree);
    InstallLog(tree);
    InstallSystemResource(tree);
}

void Bootstrap(const Tree& tree) {
    auto missing = [&](store::Transaction& tx) {
        return tx.ListItems("user-group").size() < 3 || tx.ListItems("ip-service").size() < std::size(kServices) ||
               LoggingMissing(tx);
    };
    {
        auto tx = tree.store().Begin(store::TxMode::kRead);
        if (!missing(*tx)) {
            return;
        }
    }
    auto tx = tree.store().Begin(store::TxMode::kWrite);
    for (const store::ItemRow& group : DefaultGroups()) {
        if (!tx->FindItemByName("user-group", group.name)) {
            tx->InsertItem("user-group", group);
        }
    }
    for (const store::ItemRow& service : DefaultServices()) {
        if (!tx->FindItemByName("ip-service", service.name)) {
            tx->InsertItem("ip-service", service, true);
        }
    }
    if (LoggingMissing(*tx)) {
        BootstrapLogging(*tx);
    }
    tx->Commit();
}

}  // namespace certos::menu
