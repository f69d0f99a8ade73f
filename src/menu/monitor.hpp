#pragma once
// The monitor arguments of RouterOS's long-running verbs (sign, create-certificate-request; facts §1.2), and
// Monitor, which reports such a verb's statuses the way RouterOS's monitor commands do.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "menu/record.hpp"
#include "menu/tree.hpp"

namespace certos::menu {

// AddMonitorArgs adds the monitor arguments RouterOS's long-running verbs accept: once, interval, duration,
// do, file, append, as-value, without-paging, freeze-frame-interval. Monitor reads them; `do` is taken by the
// console (a script block needs its interpreter), `without-paging` changes nothing (certos has no pager) and
// `freeze-frame-interval` is refused (certos prints statuses as lines and never redraws a screen).
void AddMonitorArgs(Verb& verb);

// IsMonitorVerb is true for a verb that has the monitor arguments (AddMonitorArgs).
bool IsMonitorVerb(const Verb& verb);

// ProgressStatus reads a "progress: generating rsa 8192 key (3s)" line (pki's) as the status record
// progress=generating rsa 8192 key (3s).
Record ProgressStatus(std::string_view line);

// Monitor reports the statuses of one call of a long-running verb, each a record (`progress=...`):
//  - while the verb runs, the current status goes to the session (Session::progress) when it first comes and
//    then once every `interval` (1s by default); not with `once` or `as-value` (only the last status counts), nor with
//    `file=`;
//  - `duration=T` stops the verb when it is still running after T: the key generation is cancelled and the
//    call fails, changing nothing;
//  - Finish returns the final status as the verb's one record (console `  progress: done`, API `!re`, REST
//    array, the value of `[... as-value]`); with `file=NAME` the statuses are written to /file NAME.txt
//    instead (appended with `append`) and the call returns no record.
// The constructor checks the arguments and throws a core::Error (category kArgument) for one certos cannot
// honour: `do=` outside the console, `freeze-frame-interval`, a zero interval or duration.
class Monitor {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    // Monitor reads the monitor arguments of `call`, a call of verb `what`; `now` is the clock of interval= and
    // duration= (steady_clock by default; tests give their own).
    Monitor(const Call& call, std::string what, Clock now = {});

    // Reporter is the pki::ProgressFn of the call: a "progress: ..." line is the current status, an empty
    // line asks whether to go on (the session may throw: Ctrl-C; duration= throws core::Failure).
    std::function<void(std::string_view)> Reporter();

    // Finish ends the call with its final status ("done").
    Result Finish(std::string_view progress = "done");

private:
    void Report(std::string_view line);
    void Show(const Record& status);
    void Write(const Record& status);

    const Call& call_;
    std::string what_;  // "sign", in the duration= failure
    bool quiet_ = false;
    std::chrono::seconds interval_{1};
    std::optional<std::chrono::seconds> duration_;
    std::string file_;
    bool append_ = false;
    std::string text_;  // what file= receives
    Clock now_;
    std::chrono::steady_clock::time_point start_;
    std::optional<std::chrono::steady_clock::time_point> shown_;  // when a status was last shown
    std::optional<Record> current_;
};

}  // namespace certos::menu
