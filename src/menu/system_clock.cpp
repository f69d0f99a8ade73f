// /system clock (the time certos's scheduler goes by, with an offset from the machine's clock that `set`
// keeps) and /system identity (the name the console's prompt shows).

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/time_format.hpp"
#include "menu/item_menu.hpp"
#include "menu/list_menu.hpp"
#include "menu/system_scripts.hpp"

namespace certos::menu {
namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

constexpr std::string_view kDefaultIdentity = "certos";
constexpr std::size_t kMaxIdentity = 255;

// ZoneName is the process's time zone: TZ when set, else what /etc/localtime links to, else UTC.
std::string ZoneName() {
    if (const char* tz = std::getenv("TZ"); tz != nullptr && *tz != '\0') {
        return std::string(tz[0] == ':' ? tz + 1 : tz);
    }
    std::error_code error;
    std::string target = std::filesystem::read_symlink("/etc/localtime", error).string();
    if (std::size_t at = target.find("zoneinfo/"); !error && at != std::string::npos) {
        return target.substr(at + 9);
    }
    return "UTC";
}

std::tm LocalTm(TimePoint when) {
    std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm;
}

std::string GmtOffset(TimePoint when) {
    long offset = LocalTm(when).tm_gmtoff;
    int minutes = static_cast<int>(std::labs(offset) / 60 % (24 * 60));  // a zone is less than a day off
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
    return buf;
}

Record ReadClock(store::Transaction& tx) {
    TimePoint now = ClockNow(tx, std::chrono::system_clock::now());
    std::string text = core::FormatDateTime(now);
    Record r;
    r.Set("time", text.substr(11));
    r.Set("date", text.substr(0, 10));
    r.Set("time-zone-autodetect", "true");
    r.Set("time-zone-name", ZoneName());
    r.Set("gmt-offset", GmtOffset(now));
    r.Set("dst-active", LocalTm(now).tm_isdst > 0 ? "true" : "false");
    return r;
}

Result SetClock(Call& call) {
    store::Transaction& tx = call.Tx();
    if (auto zone = call.args.Get("time-zone-name"); zone && *zone != ZoneName()) {
        throw core::Failure("certos uses the time zone of its process (" + ZoneName() + "): set TZ in its environment");
    }
    if (auto autodetect = call.args.Get("time-zone-autodetect"); autodetect && *autodetect != "true") {
        throw core::Failure("certos takes its time zone from the system: only time-zone-autodetect=yes");
    }
    if (!call.args.Has("time") && !call.args.Has("date")) {
        return Result{};
    }
    TimePoint real = std::chrono::system_clock::now();
    std::string current = core::FormatDateTime(ClockNow(tx, real));
    std::string date = call.args.GetOr("date", current.substr(0, 10));
    std::string time = call.args.GetOr("time", current.substr(11));
    auto offset = std::chrono::duration_cast<milliseconds>(core::ParseDateTime(date + " " + time) - real);
    tx.SetSetting("clock", "offset-ms", std::to_string(offset.count()));
    return Result{};
}

void InstallClock(Menu& system) {
    Menu& menu = system.AddChild("clock", "the date and time the scheduler goes by");
    PropertySpec time = UnquotedProp("time", ValueType::kString, {}, "HH:MM:SS");
    time.check = CanonicalTimeOfDay;
    PropertySpec date = UnquotedProp("date", ValueType::kString, {}, "yyyy-mm-dd or mmm/dd/yyyy");
    date.check = CanonicalDate;
    menu.properties = {time,
                       date,
                       UnquotedProp("time-zone-autodetect", ValueType::kBool, {}, "the time zone is the system's"),
                       UnquotedProp("time-zone-name", ValueType::kString, {}, "the process's time zone (TZ)"),
                       UnquotedProp("gmt-offset"),
                       UnquotedProp("dst-active", ValueType::kBool)};
    menu.layout.single_entry = true;
    menu.verbs.push_back(Verb{
        .name = "print",
        .help = "print the date and time",
        .args = PrintArgs(),
        .tx = TxNeed::kRead,
        .takes_filter = true,
        .handler = [](Call& call) { return ApplyPrint(call, {ReadClock(call.Tx())}); },
    });
    AddSingleEntryGet(
        menu, [](Call& call) { return ReadClock(call.Tx()); }, TxNeed::kRead);
    std::vector<ArgSpec> set_args;
    for (const PropertySpec& spec : menu.properties) {
        if (spec.name != "gmt-offset" && spec.name != "dst-active") {
            set_args.push_back(ArgSpec{.spec = spec});
        }
    }
    menu.verbs.push_back(Verb{
        .name = "set",
        .help = "set the date and time (kept as an offset from the machine's clock)",
        .args = set_args,
        .policy = kPolicyWrite,
        .tx = TxNeed::kWrite,
        .log_form = LogForm::kChanged,
        .handler = SetClock,
    });
}

Record ReadIdentity(store::Transaction& tx) {
    Record r;
    r.Set("name", tx.GetSetting("system", "identity").value_or(std::string(kDefaultIdentity)));
    return r;
}

void InstallIdentity(Menu& system) {
    Menu& menu = system.AddChild("identity", "the name of this certos");
    PropertySpec name = UnquotedProp("name", ValueType::kString, {}, "the name the console's prompt shows");
    name.default_value = std::string(kDefaultIdentity);
    name.check = [](std::string_view v) {
        if (v.empty() || v.size() > kMaxIdentity) {
            throw core::ArgumentError("invalid value for argument name");
        }
        return std::string(v);
    };
    menu.properties = {name};
    menu.layout.single_entry = true;
    menu.verbs.push_back(Verb{
        .name = "print",
        .help = "print the identity",
        .args = PrintArgs(),
        .tx = TxNeed::kRead,
        .takes_filter = true,
        .handler = [](Call& call) { return ApplyPrint(call, {ReadIdentity(call.Tx())}); },
    });
    AddSingleEntryGet(
        menu, [](Call& call) { return ReadIdentity(call.Tx()); }, TxNeed::kRead);
    PropertySpec set_name = name;
    set_name.default_value.reset();
    menu.verbs.push_back(Verb{
        .name = "set",
        .help = "change the identity",
        .args = {ArgSpec{.spec = set_name, .required = true, .unnamed = true}},
        .policy = kPolicyWrite,
        .tx = TxNeed::kWrite,
        .log_form = LogForm::kChanged,
        .handler =
            [](Call& call) {
                call.Tx().SetSetting("system", "identity", call.args.GetOr("name"));
                return Result{};
            },
    });
}

}  // namespace

std::string CanonicalDate(std::string_view text) {
    try {
        return core::FormatDateTime(core::ParseDateTime(std::string(text) + " 00:00:00")).substr(0, 10);
    } catch (const core::Error&) {
        throw core::ArgumentError("invalid date value: " + std::string(text));
    }
}

std::string CanonicalTimeOfDay(std::string_view text) {
    std::chrono::seconds at{};
    try {
        at = core::ParseDuration(text);
    } catch (const core::Error&) {
        throw core::ArgumentError("invalid time value");
    }
    if (at.count() < 0 || at >= std::chrono::hours(24)) {
        throw core::ArgumentError("invalid time value");
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(at.count() / 3600),
                  static_cast<int>(at.count() / 60 % 60), static_cast<int>(at.count() % 60));
    return buf;
}

TimePoint ClockNow(store::Transaction& tx, TimePoint real) {
    std::optional<std::string> offset = tx.GetSetting("clock", "offset-ms");
    if (!offset || offset->empty()) {
        return real;
    }
    try {
        return real + milliseconds(std::stoll(*offset));
    } catch (const std::exception&) {
        return real;  // not written by certos: the machine's clock
    }
}

void InstallClockMenus(Menu& system) {
    InstallClock(system);
    InstallIdentity(system);
}

}  // namespace certos::menu
