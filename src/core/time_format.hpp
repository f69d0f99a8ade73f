#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace certos::core {

using TimePoint = std::chrono::system_clock::time_point;

// FormatDateTime prints a moment as RouterOS 7.10+ does: `yyyy-mm-dd HH:MM:SS` in the local time zone
// (TZ applies; the daemon and tests run with whatever zone the machine has, UTC on CI).
std::string FormatDateTime(TimePoint when);

// FormatLogTime prints a /log time stamp: `HH:MM:SS` for today, `yyyy-mm-dd HH:MM:SS` otherwise.
std::string FormatLogTime(TimePoint when, TimePoint now);

// ParseDateTime reads `yyyy-mm-dd HH:MM:SS` or the pre-7.10 `mmm/dd/yyyy HH:MM:SS` (month in any case),
// in local time. Throws core::Error (kArgument) "invalid date/time value" otherwise.
TimePoint ParseDateTime(std::string_view text);

}  // namespace certos::core
