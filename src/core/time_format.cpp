#include "core/time_format.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "core/error.hpp"

namespace certos::core {
namespace {

constexpr std::array<const char*, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};

std::tm LocalTm(TimePoint when) {
    std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm;
}

Error InvalidDate(std::string_view text) { return ArgumentError("invalid date/time value: " + std::string(text)); }

}  // namespace

std::string FormatDateTime(TimePoint when) {
    std::tm tm = LocalTm(when);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string FormatLogTime(TimePoint when, TimePoint now) {
    std::tm a = LocalTm(when);
    std::tm b = LocalTm(now);
    if (a.tm_year == b.tm_year && a.tm_yday == b.tm_yday) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", a.tm_hour, a.tm_min, a.tm_sec);
        return buf;
    }
    return FormatDateTime(when);
}

TimePoint ParseDateTime(std::string_view text) {
    std::tm tm{};
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    std::string s(text);
    char mon[4] = {};
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second, &consumed) ==
            6 &&
        consumed == static_cast<int>(s.size())) {
        // ok
    } else if (std::sscanf(s.c_str(), "%3c/%2d/%4d %2d:%2d:%2d%n", mon, &day, &year, &hour, &minute, &second,
                           &consumed) == 6 &&
               consumed == static_cast<int>(s.size())) {
        month = 0;
        for (std::size_t i = 0; i < kMonths.size(); ++i) {
            std::string m = {static_cast<char>(std::tolower(mon[0])), static_cast<char>(std::tolower(mon[1])),
                             static_cast<char>(std::tolower(mon[2]))};
            if (m == kMonths[i]) {
                month = static_cast<int>(i) + 1;
            }
        }
    } else {
        throw InvalidDate(text);
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
        throw InvalidDate(text);
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;
    std::time_t t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1)) {
        throw InvalidDate(text);
    }
    return std::chrono::system_clock::from_time_t(t);
}

}  // namespace certos::core
