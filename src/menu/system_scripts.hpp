#pragma once
// /system script, /system scheduler, /system clock and /system identity, and what runs their scripts: a stored
// script run by a caller (RunStoredScript, the `run` verb) and the scheduler's entries that are due
// (RunDueSchedules, RunStartupSchedules), which the daemon's scheduler module calls on its clock.
//
// Scripts and schedules are generic store items (kinds "script" and "scheduler"). A script runs with the
// policies of its owner intersected with its own `policy`; a caller that lacks one of the script's policies may
// not run it unless it has dont-require-permissions=yes. Nobody can make a script run with more than its owner
// has: naming another owner needs every policy that owner has.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/id.hpp"
#include "menu/tree.hpp"

namespace certos::menu {

inline constexpr std::string_view kScriptKind = "script";
inline constexpr std::string_view kSchedulerKind = "scheduler";

// kMaxScriptNesting bounds scripts that run scripts (`/system script run` inside a script), each a recursion.
inline constexpr int kMaxScriptNesting = 10;

// InstallScriptMenus adds /system/script (with /system/script/environment) to `system`.
void InstallScriptMenus(Menu& system);
// InstallSchedulerMenu adds /system/scheduler to `system`.
void InstallSchedulerMenu(Menu& system);
// InstallClockMenus adds /system/clock and /system/identity to `system`.
void InstallClockMenus(Menu& system);

// ScriptRun is what a script run did: whether it ran to its end, what it printed and its error ("... (line 3)").
struct ScriptRun {
    bool ok = false;
    std::string output;
    std::string error;
};

// UserPolicies are the policies of the group of user `name`; none for a missing or disabled user.
PolicySet UserPolicies(store::Transaction& tx, std::string_view name);

// ClockNow is the `/system clock` time at real time `real`: `real` plus the offset `/system clock set time=`
// keeps in the store (certos cannot set the machine's clock).
std::chrono::system_clock::time_point ClockNow(store::Transaction& tx, std::chrono::system_clock::time_point real);

// RunStoredScript runs /system script `id` for `caller`: it counts the run (run-count, last-started), then runs
// the source with the owner's policies intersected with the script's. Throws core::NoSuchItem, core::Error
// (permission) when the caller lacks one of the script's policies and the script does not have
// dont-require-permissions, or (failure) when scripts nest more than kMaxScriptNesting deep.
ScriptRun RunStoredScript(const Tree& tree, const Session& caller, core::ObjectId id);

// RunDueSchedules runs, in list order, every enabled /system scheduler entry whose next run is at or before the
// clock time at `now` (ClockNow of it), once: an entry is claimed in one write transaction that takes the store
// lease "system-scheduler:*ID" for `holder` and moves its next run past now, so that several processes sharing
// the store run each due entry once; occurrences missed while no daemon ran are not made up. on-event is a
// script's name (run as RunStoredScript for the entry's session) or script text. A failure is logged as
// script,error "executing script ... from scheduler (NAME) failed, please check it manually" with the reason
// as script,error,debug. Never throws for an entry's failure; store failures propagate.
void RunDueSchedules(const Tree& tree, std::chrono::system_clock::time_point now, std::string_view holder);

// RunStartupSchedules runs every enabled entry with start-time=startup once (the daemon calls it at start); one
// with an interval then runs every interval after it.
void RunStartupSchedules(const Tree& tree, std::chrono::system_clock::time_point now, std::string_view holder);

// Shared by the script and scheduler menus (system_script.cpp).
PropertySpec ScriptPolicyProperty();
// CheckOwner fills in or checks `owner` of a script or entry being stored: a new one belongs to the caller
// unless `owner=` names another user, which needs every policy that user has (else "not enough permissions");
// a caller who changes what an item runs (source, on-event, policy, dont-require-permissions) while its owner
// has policies the caller lacks becomes its owner.
void CheckOwner(Call& call, store::ItemRow& row, bool adding);
// CanonicalDate reads `2024-05-12` or the v6 form `may/12/2024` and gives `2024-05-12`; CanonicalTimeOfDay reads
// `3:00:00` and gives `03:00:00`. Both throw core::Error (argument) for anything else (system_clock.cpp).
std::string CanonicalDate(std::string_view text);
std::string CanonicalTimeOfDay(std::string_view text);
// CountRun adds one to the item's run-count.
void CountRun(store::ItemRow& row);

}  // namespace certos::menu
