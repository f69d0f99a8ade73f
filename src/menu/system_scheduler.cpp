// /system scheduler: entries that run a script or script text at a start date and time, then every interval,
// and the runs of the entries that are due (RunDueSchedules, RunStartupSchedules) for the daemon's module.

#include <sstream>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/time_format.hpp"
#include "menu/auth.hpp"
#include "menu/item_menu.hpp"
#include "menu/policy.hpp"
#include "menu/system_scripts.hpp"

namespace certos::menu {
namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

constexpr std::string_view kStartup = "startup";
// kNextRun is the entry's next run (milliseconds since the epoch), kept by the store and never printed as such.
constexpr const char* kNextRun = "next-run-ms";
// kClaimTtl is how long an entry's lease lasts once claimed: a run that takes longer may overlap the next
// occurrence run by another process.
constexpr std::chrono::hours kClaimTtl{1};

std::string Get(const store::ItemRow& row, std::string_view name) {
    auto it = row.props.find(std::string(name));
    return it == row.props.end() ? std::string() : it->second;
}

// StartTime reads `3:00:00`, `03:00:00` or `startup` and gives `03:00:00` or `startup`.
std::string StartTime(std::string_view text) {
    return text == kStartup ? std::string(kStartup) : CanonicalTimeOfDay(text);
}

milliseconds Interval(const store::ItemRow& row) {
    std::string text = Get(row, "interval");
    return text.empty() ? milliseconds::zero() : milliseconds(core::ParseDuration(text));
}

// NextOccurrence is the first start + k * interval (k >= 0) after `after`; none for a one-time entry that is
// past, and for start-time=startup (which runs when the daemon starts).
std::optional<TimePoint> NextOccurrence(const store::ItemRow& row, TimePoint after) {
    if (Get(row, "start-time") == kStartup) {
        return std::nullopt;
    }
    TimePoint start = core::ParseDateTime(Get(row, "start-date") + " " + Get(row, "start-time"));
    milliseconds interval = Interval(row);
    if (start > after) {
        return start;
    }
    if (interval <= milliseconds::zero()) {
        return std::nullopt;
    }
    auto periods = std::chrono::duration_cast<milliseconds>(after - start) / interval + 1;
    return start + periods * interval;
}

void SetNextRun(store::ItemRow& row, std::optional<TimePoint> next) {
    if (next) {
        row.props[kNextRun] =
            std::to_string(std::chrono::duration_cast<milliseconds>(next->time_since_epoch()).count());
    } else {
        row.props.erase(kNextRun);
    }
}

std::optional<TimePoint> NextRun(const store::ItemRow& row) {
    std::string text = Get(row, kNextRun);
    if (text.empty()) {
        return std::nullopt;
    }
    return TimePoint(milliseconds(std::stoll(text)));
}

void CheckEntry(Call& call, store::ItemRow& row, bool adding) {
    CheckOwner(call, row, adding);
    // The v6 seed's scheduler line carries /system clock's time-zone-autodetect: certos's time zone is always
    // the system's, which is what `yes` asks for.
    if (auto zone = row.props.find("time-zone-autodetect"); zone != row.props.end()) {
        if (zone->second != "true") {
            throw core::Failure("certos takes its time zone from the system: only time-zone-autodetect=yes");
        }
        row.props.erase(zone);
    }
    TimePoint now = ClockNow(call.Tx(), std::chrono::system_clock::now());
    std::string today = core::FormatDateTime(now);
    if (Get(row, "start-date").empty()) {
        row.props["start-date"] = today.substr(0, 10);
    }
    if (Get(row, "start-time").empty()) {
        row.props["start-time"] = today.substr(11);
    }
    SetNextRun(row, NextOccurrence(row, now));
}

// Claim takes entry `id` for a run at `now` in one write transaction: the entry is still enabled and due (or a
// startup run is asked for), its lease is free, and then its run is counted and its next run moved on.
std::optional<store::ItemRow> Claim(const Tree& tree, core::ObjectId id, TimePoint now, std::string_view holder,
                                    bool startup) {
    auto tx = tree.store().Begin(store::TxMode::kWrite);
    std::optional<store::ItemRow> row = tx->GetItem(kSchedulerKind, id);
    if (!row || Get(*row, "disabled") == "true") {
        return std::nullopt;
    }
    std::optional<TimePoint> due = NextRun(*row);
    if (!startup && (!due || *due > now)) {
        return std::nullopt;
    }
    if (!tx->AcquireLease("system-scheduler:" + id.ToString(), holder, now, kClaimTtl)) {
        return std::nullopt;  // another process runs it
    }
    CountRun(*row);
    milliseconds interval = Interval(*row);
    if (Get(*row, "start-time") == kStartup) {
        SetNextRun(*row, interval > milliseconds::zero() ? std::optional<TimePoint>(now + interval) : std::nullopt);
    } else {
        SetNextRun(*row, NextOccurrence(*row, now));
    }
    tx->UpdateItem(kSchedulerKind, *row);
    tx->Commit();
    return row;
}

// RunEntry runs a claimed entry's on-event as its owner, within the entry's policies, and logs a failure.
void RunEntry(const Tree& tree, const store::ItemRow& row, std::string_view holder) {
    Session session;
    session.user = Get(row, "owner");
    session.via = "scheduler";
    std::optional<store::ItemRow> script;
    std::string on_event = Get(row, "on-event");
    {
        auto tx = tree.store().Begin(store::TxMode::kRead);
        session.policies = UserPolicies(*tx, session.user) & ParsePolicies(Get(row, "policy"));
        script = tx->FindItemByName(kScriptKind, on_event);
    }
    ScriptRun run;
    try {
        if (script) {
            run = RunStoredScript(tree, session, script->id);
        } else {
            std::ostringstream out;
            std::ostringstream err;
            run.ok = tree.RunScript(session, on_event, out, err);
            run.error = err.str();
            while (!run.error.empty() && run.error.back() == '\n') {
                run.error.pop_back();
            }
        }
    } catch (const std::exception& e) {
        run.ok = false;
        run.error = e.what();
    }
    if (!run.ok) {
        TryWriteLog(tree, "script,error",
                    "executing script " + (script ? script->name + " " : std::string()) + "from scheduler (" +
                        row.name + ") failed, please check it manually");
        TryWriteLog(tree, "script,error,debug", run.error);
    }
    auto tx = tree.store().Begin(store::TxMode::kWrite);
    tx->ReleaseLease("system-scheduler:" + row.id.ToString(), holder);
    tx->Commit();
}

void RunEntries(const Tree& tree, TimePoint real_now, std::string_view holder, bool startup) {
    std::vector<core::ObjectId> candidates;
    TimePoint now;
    {
        auto tx = tree.store().Begin(store::TxMode::kRead);
        now = ClockNow(*tx, real_now);
        for (const store::ItemRow& row : tx->ListItems(kSchedulerKind)) {
            bool wanted = startup ? Get(row, "start-time") == kStartup : NextRun(row) && *NextRun(row) <= now;
            if (wanted && Get(row, "disabled") != "true") {
                candidates.push_back(row.id);
            }
        }
    }
    for (core::ObjectId id : candidates) {
        if (std::optional<store::ItemRow> row = Claim(tree, id, now, holder, startup)) {
            RunEntry(tree, *row, holder);
        }
    }
}

}  // namespace

void RunDueSchedules(const Tree& tree, TimePoint now, std::string_view holder) { RunEntries(tree, now, holder, false); }

void RunStartupSchedules(const Tree& tree, TimePoint now, std::string_view holder) {
    RunEntries(tree, now, holder, true);
}

void InstallSchedulerMenu(Menu& system) {
    Menu& menu = system.AddChild("scheduler", "scripts run at a time and every interval");
    ItemMenuSpec spec;
    spec.kind = std::string(kSchedulerKind);
    PropertySpec name = UnquotedProp("name");
    name.quoted = true;
    name.check = [](std::string_view v) {
        if (v.empty()) {
            throw core::ArgumentError("invalid value for argument name");
        }
        return std::string(v);
    };
    PropertySpec start_date = UnquotedProp("start-date", ValueType::kString, {}, "date of the first run (yyyy-mm-dd)");
    start_date.check = CanonicalDate;
    PropertySpec start_time = UnquotedProp("start-time", ValueType::kString, {}, "time of the first run, or startup");
    start_time.check = StartTime;
    PropertySpec on_event = UnquotedProp("on-event", ValueType::kString, "", "a script's name or script text");
    on_event.quoted = true;
    spec.properties = {name,
                       start_date,
                       start_time,
                       UnquotedProp("interval", ValueType::kDuration, "0s", "time between runs; 0s: once"),
                       on_event,
                       UnquotedProp("owner", ValueType::kString, {}, "the user whose rights the entry runs with"),
                       ScriptPolicyProperty(),
                       UnquotedProp("run-count", ValueType::kInteger, "0", "times the entry ran"),
                       UnquotedProp("next-run", ValueType::kString, {}, "when it runs next"),
                       UnquotedProp("disabled", ValueType::kBool, "false"),
                       UnquotedProp("comment", ValueType::kString, "")};
    spec.properties.back().quoted = true;
    spec.settable = {"name",  "start-date", "start-time", "interval", "on-event",
                     "owner", "policy",     "disabled",   "comment"};
    spec.enable_disable = true;
    spec.check = CheckEntry;
    spec.decorate = [](Record& record, const store::ItemRow& row) {
        if (std::optional<TimePoint> next = NextRun(row)) {
            record.Set("next-run", core::FormatDateTime(*next));
        }
    };
    InstallItemMenu(menu, std::move(spec),
                    {"name", "start-date", "start-time", "interval", "on-event", "run-count", "next-run"});
    menu.layout.flags = {{.letter = 'X', .legend = "DISABLED", .property = "disabled"}};
    // What `add` takes beyond the settable properties, so that RouterOS's exports and the v6 seed's line
    // (`... owner=admin run-count=0 ... time-zone-autodetect=yes`) are accepted as written.
    for (Verb& verb : menu.verbs) {
        if (verb.name == "add") {
            verb.args.push_back(Arg("run-count", "the run count to start from", {.type = ValueType::kInteger}));
            verb.args.push_back(Arg("time-zone-autodetect", "yes: the system's time zone (the only one certos has)",
                                    {.type = ValueType::kBool}));
        }
    }
}

}  // namespace certos::menu
