// /system script: the script repository, its `run` verb and /system script environment.

#include <algorithm>
#include <sstream>

#include "core/error.hpp"
#include "core/time_format.hpp"
#include "menu/item_menu.hpp"
#include "menu/policy.hpp"
#include "menu/system_scripts.hpp"

namespace certos::menu {
namespace {

// kScriptPolicies are the policies a script may hold (MT scripting manual), in RouterOS's print order.
constexpr std::string_view kScriptPolicies[] = {"ftp",  "reboot",   "read",  "write",     "policy",
                                                "test", "password", "sniff", "sensitive", "romon"};

std::string Get(const store::ItemRow& row, std::string_view name) {
    auto it = row.props.find(std::string(name));
    return it == row.props.end() ? std::string() : it->second;
}

core::Error NotEnoughPermissions() {
    return core::Error(core::ErrorCategory::kPermission, "not enough permissions (9)");
}

// NestingGuard counts the scripts this thread is running inside one another.
class NestingGuard {
public:
    NestingGuard() {
        if (depth_ >= kMaxScriptNesting) {
            throw core::Failure("scripts nested too deeply (more than " + std::to_string(kMaxScriptNesting) + ")");
        }
        ++depth_;
    }
    ~NestingGuard() { --depth_; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;

private:
    static thread_local int depth_;
};

thread_local int NestingGuard::depth_ = 0;

// TrimmedError is a runner's error output without its final newline.
std::string TrimmedError(std::string text) {
    while (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    return text;
}

Result RunVerb(Call& call) {
    std::vector<Record> scripts;
    {
        auto tx = call.store.Begin(store::TxMode::kRead);
        for (const store::ItemRow& row : tx->ListItems(kScriptKind)) {
            Record record;
            record.Set(".id", row.id.ToString());
            record.Set("name", row.name);
            scripts.push_back(std::move(record));
        }
    }
    std::vector<core::ObjectId> ids = ResolveItems(scripts, call.args.GetOr("number"));
    if (ids.empty()) {
        throw core::NoSuchItem();
    }
    ScriptRun run = RunStoredScript(call.tree, call.session, ids.front());
    Result result;
    if (!run.output.empty()) {
        if (call.session.output) {
            call.session.output(run.output);
        } else {
            result.ret = run.output;
        }
    }
    if (!run.ok) {
        throw core::Error(core::ErrorCategory::kScript, run.error);
    }
    return result;
}

// EnvironmentRecords are the process's globals as records: `.id` is the position in name order (*1, *2, ...),
// so that `remove 0` after a `print`, or `remove NAME`, finds one.
std::vector<Record> EnvironmentRecords(const Call& call) {
    std::vector<Record> records;
    if (call.tree.environment() == nullptr) {
        return records;
    }
    std::uint64_t position = 0;
    for (const auto& [name, value] : call.tree.environment()->List()) {
        Record record;
        record.Set(".id", core::ObjectId(++position).ToString());
        record.Set("name", name);
        record.Set("value", value);
        records.push_back(std::move(record));
    }
    return records;
}

void InstallEnvironment(Menu& script) {
    Menu& menu = script.AddChild("environment", "global variables of this process's scripts");
    menu.properties = {Prop("name"), Prop("value")};
    menu.layout.table_columns = [](const std::vector<Record>&) { return std::vector<std::string>{"name", "value"}; };
    menu.verbs.push_back(Verb{
        .name = "print",
        .help = "print global variables",
        .args = PrintArgs(),
        .tx = TxNeed::kNone,
        .takes_filter = true,
        .handler = [](Call& call) { return ApplyPrint(call, EnvironmentRecords(call)); },
    });
    menu.verbs.push_back(Verb{
        .name = "remove",
        .help = "remove global variables",
        .args = {Arg("numbers", "the variables, by number or name",
                     {.type = ValueType::kItem, .required = true, .unnamed = true})},
        .policy = kPolicyWrite,
        .tx = TxNeed::kNone,
        .changes = false,  // not stored: nothing for the audit trail
        .handler =
            [](Call& call) {
                std::vector<Record> records = EnvironmentRecords(call);
                std::vector<core::ObjectId> ids = ResolveItems(records, call.args.GetOr("numbers"));
                for (std::size_t i = 0; i < records.size(); ++i) {
                    if (std::find(ids.begin(), ids.end(), core::ObjectId(i + 1)) != ids.end()) {
                        call.tree.environment()->Remove(*records[i].Get("name"));
                    }
                }
                return Result{};
            },
    });
}

}  // namespace

PropertySpec ScriptPolicyProperty() {
    std::vector<std::string> names(std::begin(kScriptPolicies), std::end(kScriptPolicies));
    std::string all;
    for (const std::string& name : names) {
        all += (all.empty() ? "" : ",") + name;
    }
    PropertySpec policy =
        Prop("policy", ValueType::kEnumList, all, "what the script may do, within its owner's rights");
    policy.values = std::move(names);
    policy.quoted = false;
    return policy;
}

PolicySet UserPolicies(store::Transaction& tx, std::string_view name) {
    std::optional<store::ItemRow> user = tx.FindItemByName("user", name);
    if (!user || Get(*user, "disabled") == "true") {
        return 0;
    }
    std::optional<store::ItemRow> group = tx.FindItemByName("user-group", Get(*user, "group"));
    return group ? ParsePolicies(Get(*group, "policy")) : 0;
}

void CountRun(store::ItemRow& row) {
    std::uint64_t count = 0;
    try {
        count = std::stoull(Get(row, "run-count"));
    } catch (const std::exception&) {
        count = 0;  // absent: the item was stored before it counted
    }
    row.props["run-count"] = std::to_string(count + 1);
}

void CheckOwner(Call& call, store::ItemRow& row, bool adding) {
    std::optional<std::string> given = call.args.Get("owner");
    if (adding && !given) {
        row.props["owner"] = call.session.user;
        return;
    }
    std::string owner = Get(row, "owner");
    if (given && !call.Tx().FindItemByName("user", owner)) {
        throw core::ArgumentError("input does not match any value of owner");
    }
    bool covered = (UserPolicies(call.Tx(), owner) & ~call.session.policies) == 0;
    if (covered || owner == call.session.user) {
        return;
    }
    if (given) {
        throw NotEnoughPermissions();
    }
    // Changing what a more powerful user's script does must not borrow that user's rights.
    for (const char* what : {"source", "on-event", "policy", "dont-require-permissions"}) {
        if (call.args.Has(what)) {
            row.props["owner"] = call.session.user;
        }
    }
}

ScriptRun RunStoredScript(const Tree& tree, const Session& caller, core::ObjectId id) {
    NestingGuard nesting;
    Session session = caller;
    std::string source;
    {
        auto tx = tree.store().Begin(store::TxMode::kWrite);
        std::optional<store::ItemRow> row = tx->GetItem(kScriptKind, id);
        if (!row) {
            throw core::NoSuchItem();
        }
        PolicySet policy = ParsePolicies(Get(*row, "policy"));
        if (Get(*row, "dont-require-permissions") != "true" && (policy & ~caller.policies) != 0) {
            throw NotEnoughPermissions();
        }
        session.policies = UserPolicies(*tx, Get(*row, "owner")) & policy;
        source = Get(*row, "source");
        CountRun(*row);
        row->props["last-started"] = core::FormatDateTime(ClockNow(*tx, std::chrono::system_clock::now()));
        tx->UpdateItem(kScriptKind, *row);
        tx->Commit();
    }
    std::ostringstream out;
    std::ostringstream err;
    ScriptRun run;
    run.ok = tree.RunScript(session, source, out, err);
    run.output = out.str();
    run.error = TrimmedError(err.str());
    return run;
}

void InstallScriptMenus(Menu& system) {
    Menu& menu = system.AddChild("script", "stored scripts");
    ItemMenuSpec spec;
    spec.kind = std::string(kScriptKind);
    PropertySpec name = Prop("name");
    name.check = [](std::string_view v) {
        if (v.empty()) {
            throw core::ArgumentError("invalid value for argument name");
        }
        return std::string(v);
    };
    PropertySpec owner = Prop("owner", ValueType::kString, {}, "the user whose rights the script runs with");
    owner.quoted = false;
    PropertySpec run_count = Prop("run-count", ValueType::kInteger, "0", "times the script was started");
    PropertySpec last_started = Prop("last-started", ValueType::kString, {}, "when the script last started");
    last_started.quoted = false;
    spec.properties = {name,
                       owner,
                       ScriptPolicyProperty(),
                       Prop("dont-require-permissions", ValueType::kBool, "false",
                            "callers need not have the script's policies to run it"),
                       Prop("comment", ValueType::kString, ""),
                       last_started,
                       run_count,
                       Prop("source", ValueType::kString, "", "the script's text")};
    spec.settable = {"name", "owner", "policy", "dont-require-permissions", "comment", "source"};
    spec.check = [](Call& call, store::ItemRow& row, bool adding) { CheckOwner(call, row, adding); };
    InstallItemMenu(menu, std::move(spec), {"name", "owner", "last-started", "run-count"});
    menu.verbs.push_back(Verb{
        .name = "run",
        .help = "run a script",
        .args = {Arg("number", "the script, by number or name",
                     {.type = ValueType::kItem, .required = true, .unnamed = true})},
        .policy = kPolicyRead,
        // The script's commands open their own transactions; each is audited as itself.
        .tx = TxNeed::kNone,
        .changes = false,
        .handler = RunVerb,
    });
    InstallEnvironment(menu);
}

}  // namespace certos::menu
