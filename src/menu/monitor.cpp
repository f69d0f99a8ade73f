#include "menu/monitor.hpp"

#include <utility>
#include <vector>

#include "core/duration.hpp"
#include "core/error.hpp"

namespace certos::menu {
namespace {

// A status shown within this much of its interval counts as on time: the key generation reports once a
// second on its own clock, and a status 999 ms after the last one should not wait for the next tick.
constexpr std::chrono::milliseconds kSlack{50};

std::optional<std::chrono::seconds> PositiveDuration(const Args& args, const char* name) {
    std::optional<std::string> text = args.Get(name);
    if (!text) {
        return std::nullopt;
    }
    std::chrono::seconds span = core::ParseDuration(*text);
    if (span.count() <= 0) {
        throw core::ArgumentError(std::string("invalid value for argument ") + name);
    }
    return span;
}

}  // namespace

void AddMonitorArgs(Verb& verb) {
    auto add = [&verb](const char* name, const char* help, ValueType type) {
        verb.args.push_back(Arg(name, help, {.type = type}));
    };
    add("once", "report only the final status", ValueType::kFlag);
    add("interval", "time between status reports (default 1s)", ValueType::kDuration);
    add("duration", "stop (and change nothing) when still running after this time", ValueType::kDuration);
    add("do", "script block run for each status, with its values as variables (console and scripts)",
        ValueType::kString);
    add("file", "write the statuses to /file NAME.txt instead", ValueType::kString);
    add("append", "with file=: append to the file", ValueType::kFlag);
    add("as-value", "return the final status as a value, print nothing", ValueType::kFlag);
    add("without-paging", "print everything at once (certos has no pager)", ValueType::kFlag);
    add("freeze-frame-interval", "not supported: certos prints statuses as lines", ValueType::kDuration);
}

Record ProgressStatus(std::string_view line) {
    constexpr std::string_view kPrefix = "progress: ";
    if (line.starts_with(kPrefix)) {
        line.remove_prefix(kPrefix.size());
    }
    Record status;
    status.Set("progress", std::string(line));
    return status;
}

bool IsMonitorVerb(const Verb& verb) { return verb.FindArg("once") != nullptr && verb.FindArg("do") != nullptr; }

Monitor::Monitor(const Call& call, std::string what, Clock now)
    : call_(call), what_(std::move(what)), now_(now ? std::move(now) : Clock(std::chrono::steady_clock::now)) {
    const Args& args = call.args;
    if (args.Has("do")) {
        throw core::ArgumentError("do= runs only in the console and in scripts");
    }
    if (args.Has("freeze-frame-interval")) {
        throw core::ArgumentError("freeze-frame-interval is not supported: certos prints statuses as lines");
    }
    interval_ = PositiveDuration(args, "interval").value_or(interval_);
    duration_ = PositiveDuration(args, "duration");
    file_ = args.GetOr("file");
    append_ = args.Has("append");
    if (append_ && file_.empty()) {
        throw core::ArgumentError("append needs file=");
    }
    if (!file_.empty() && !file_.ends_with(".txt")) {
        file_ += ".txt";
    }
    quiet_ = args.Has("once") || args.Has("as-value");
    start_ = now_();
}

std::function<void(std::string_view)> Monitor::Reporter() {
    return [this](std::string_view line) { Report(line); };
}

void Monitor::Report(std::string_view line) {
    auto now = now_();
    if (duration_ && now - start_ >= *duration_) {
        throw core::Failure(what_ + " stopped after duration=" + core::FormatDuration(*duration_) +
                            " before it was done; nothing was changed");
    }
    if (!line.empty()) {
        current_ = ProgressStatus(line);
    }
    if (current_ && !quiet_ && (!shown_ || now - *shown_ + kSlack >= interval_)) {
        shown_ = now;
        Show(*current_);
    }
    if (call_.session.progress) {
        call_.session.progress(Record{});  // the session may stop here (Ctrl-C)
    }
}

void Monitor::Show(const Record& status) {
    if (!file_.empty()) {
        Write(status);
    } else if (call_.session.progress) {
        call_.session.progress(status);
    }
}

void Monitor::Write(const Record& status) {
    // As the console shows a status: right-aligned names, two spaces before the longest.
    std::size_t width = 0;
    for (const auto& [name, value] : status.fields()) {
        width = std::max(width, name.size());
    }
    for (const auto& [name, value] : status.fields()) {
        text_.append(width + 2 - name.size(), ' ').append(name).append(": ").append(value).append("\n");
    }
}

Result Monitor::Finish(std::string_view progress) {
    Record final_status = ProgressStatus(progress);
    if (file_.empty()) {
        return Result{{std::move(final_status)}};
    }
    Write(final_status);
    store::FileArea& files = call_.tree.files();
    std::string before = append_ && files.Exists(file_) ? files.Read(file_) : std::string();
    files.Write(file_, before + text_);
    return Result{};
}

}  // namespace certos::menu
