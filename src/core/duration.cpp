#include "core/duration.hpp"

#include <cctype>
#include <charconv>
#include <cstdint>

#include "core/error.hpp"

namespace certos::core {
namespace {

Error InvalidTime(std::string_view text) { return ArgumentError("invalid time value: " + std::string(text)); }

// ReadNumber consumes leading digits of `rest`; false when there are none or they overflow.
bool ReadNumber(std::string_view& rest, std::int64_t& out) {
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), out);
    if (ec != std::errc() || ptr == rest.data()) {
        return false;
    }
    rest.remove_prefix(static_cast<std::size_t>(ptr - rest.data()));
    return true;
}

std::int64_t ParseClock(std::string_view text, std::string_view whole) {
    // hh:mm:ss or hh:mm
    std::int64_t parts[3] = {0, 0, 0};
    int count = 0;
    std::string_view rest = text;
    while (true) {
        if (count == 3 || !ReadNumber(rest, parts[count])) {
            throw InvalidTime(whole);
        }
        ++count;
        if (rest.empty()) {
            break;
        }
        if (rest.front() != ':') {
            throw InvalidTime(whole);
        }
        rest.remove_prefix(1);
    }
    if (count < 2 || parts[1] > 59 || parts[2] > 59) {
        throw InvalidTime(whole);
    }
    return parts[0] * 3600 + parts[1] * 60 + parts[2];
}

}  // namespace

std::chrono::seconds ParseDuration(std::string_view text) {
    std::string_view rest = text;
    bool negative = false;
    if (!rest.empty() && rest.front() == '-') {
        negative = true;
        rest.remove_prefix(1);
    }
    if (rest.empty()) {
        throw InvalidTime(text);
    }
    std::int64_t total = 0;
    if (rest.find(':') != std::string_view::npos) {
        std::size_t d = rest.find('d');
        if (d != std::string_view::npos) {
            std::string_view days_part = rest.substr(0, d);
            std::int64_t days = 0;
            if (!ReadNumber(days_part, days) || !days_part.empty()) {
                throw InvalidTime(text);
            }
            total = days * 86400;
            rest.remove_prefix(d + 1);
        }
        total += ParseClock(rest, text);
    } else {
        bool any_unit = false;
        while (!rest.empty()) {
            std::int64_t n = 0;
            if (!ReadNumber(rest, n)) {
                throw InvalidTime(text);
            }
            if (rest.empty()) {
                if (any_unit) {
                    throw InvalidTime(text);
                }
                total += n;  // bare number: seconds
                break;
            }
            any_unit = true;
            if (rest.starts_with("ms")) {
                total += n / 1000;
                rest.remove_prefix(2);
                continue;
            }
            switch (rest.front()) {
                case 'w':
                    total += n * 7 * 86400;
                    break;
                case 'd':
                    total += n * 86400;
                    break;
                case 'h':
                    total += n * 3600;
                    break;
                case 'm':
                    total += n * 60;
                    break;
                case 's':
                    total += n;
                    break;
                default:
                    throw InvalidTime(text);
            }
            rest.remove_prefix(1);
        }
    }
    return std::chrono::seconds(negative ? -total : total);
}

std::string FormatDuration(std::chrono::seconds span) {
    std::int64_t s = span.count();
    std::string out;
    if (s < 0) {
        out = "-";
        s = -s;
    }
    if (s == 0) {
        return "0s";
    }
    struct Unit {
        std::int64_t seconds;
        char letter;
    };
    static constexpr Unit kUnits[] = {{7 * 86400, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    for (const Unit& unit : kUnits) {
        if (s >= unit.seconds) {
            out += std::to_string(s / unit.seconds);
            out += unit.letter;
            s %= unit.seconds;
        }
    }
    return out;
}

}  // namespace certos::core
