#include "script/literal.hpp"

#include <algorithm>
#include <charconv>

#include "script/value.hpp"

namespace certos::script {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Digits reads a run of decimal digits at `pos` (at most 18, so that it fits); nullopt when there is none.
std::optional<std::int64_t> Digits(std::string_view text, std::size_t& pos) {
    std::size_t start = pos;
    while (pos < text.size() && IsDigit(text[pos])) {
        ++pos;
    }
    if (pos == start || pos - start > 18) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    std::from_chars(text.data() + start, text.data() + pos, value);
    return value;
}

// Fraction reads up to nine digits after a decimal point as nanoseconds.
std::optional<std::int64_t> Fraction(std::string_view text, std::size_t& pos) {
    std::size_t start = pos;
    std::int64_t value = 0;
    while (pos < text.size() && IsDigit(text[pos]) && pos - start < 9) {
        value = value * 10 + (text[pos++] - '0');
    }
    if (pos == start || (pos < text.size() && IsDigit(text[pos]))) {
        return std::nullopt;
    }
    for (std::size_t i = pos - start; i < 9; ++i) {
        value *= 10;
    }
    return value;
}

std::int64_t UnitOf(std::string_view text, std::size_t& pos) {
    static constexpr std::pair<std::string_view, std::int64_t> kUnits[] = {
        {"ms", 1'000'000},      {"us", 1'000},         {"ns", 1},           {"w", 604800 * kSecond},
        {"d", 86400 * kSecond}, {"h", 3600 * kSecond}, {"m", 60 * kSecond}, {"s", kSecond},
    };
    for (const auto& [name, size] : kUnits) {
        if (text.substr(pos).starts_with(name)) {
            pos += name.size();
            return size;
        }
    }
    return 0;
}

std::string TwoDigits(std::int64_t value) { return (value < 10 ? "0" : "") + std::to_string(value); }

}  // namespace

std::optional<std::int64_t> ParseTime(std::string_view text) {
    bool negative = text.starts_with('-');
    std::size_t pos = negative ? 1 : 0;
    std::int64_t total = 0;
    bool any = false;
    while (pos < text.size()) {
        std::optional<std::int64_t> number = Digits(text, pos);
        if (!number) {
            return std::nullopt;
        }
        if (pos < text.size() && text[pos] == ':') {
            // The clock part ends the text: HH:MM[:SS[.fraction]].
            ++pos;
            std::optional<std::int64_t> minutes = Digits(text, pos);
            std::optional<std::int64_t> seconds = 0;
            std::optional<std::int64_t> fraction = 0;
            if (minutes && pos < text.size() && text[pos] == ':') {
                ++pos;
                seconds = Digits(text, pos);
                if (seconds && pos < text.size() && text[pos] == '.') {
                    ++pos;
                    fraction = Fraction(text, pos);
                }
            }
            if (!minutes || !seconds || !fraction || pos != text.size() || *minutes > 59 || *seconds > 59 ||
                *number > 1'000'000) {
                return std::nullopt;
            }
            total += ((*number * 60 + *minutes) * 60 + *seconds) * kSecond + *fraction;
            any = true;
            break;
        }
        std::int64_t unit = UnitOf(text, pos);
        if (unit == 0 || *number > INT64_MAX / unit || __builtin_add_overflow(total, *number * unit, &total)) {
            return std::nullopt;
        }
        any = true;
    }
    if (!any) {
        return std::nullopt;
    }
    return negative ? -total : total;
}

std::string FormatTime(std::int64_t nanoseconds) {
    std::string out = nanoseconds < 0 ? "-" : "";
    std::uint64_t span = nanoseconds < 0 ? 0 - static_cast<std::uint64_t>(nanoseconds) : nanoseconds;
    std::uint64_t seconds = span / kSecond;
    std::uint64_t fraction = span % kSecond;
    if (seconds >= 604800) {
        out += std::to_string(seconds / 604800) + "w";
    }
    if (seconds % 604800 >= 86400) {
        out += std::to_string(seconds % 604800 / 86400) + "d";
    }
    auto day = static_cast<std::int64_t>(seconds % 86400);
    out += TwoDigits(day / 3600) + ":" + TwoDigits(day % 3600 / 60) + ":" + TwoDigits(day % 60);
    if (fraction != 0) {
        std::string digits = std::to_string(fraction + kSecond).substr(1);  // nine digits, leading zeros kept
        std::size_t keep = fraction % 1'000'000 == 0 ? 3 : (fraction % 1'000 == 0 ? 6 : 9);
        out += "." + digits.substr(0, keep);
    }
    return out;
}

std::string FormatUnits(std::int64_t nanoseconds) {
    if (nanoseconds == 0) {
        return "0s";
    }
    std::string out = nanoseconds < 0 ? "-" : "";
    std::uint64_t span = nanoseconds < 0 ? 0 - static_cast<std::uint64_t>(nanoseconds) : nanoseconds;
    static constexpr std::pair<char const*, std::uint64_t> kUnits[] = {
        {"w", 604800ULL * kSecond},
        {"d", 86400ULL * kSecond},
        {"h", 3600ULL * kSecond},
        {"m", 60ULL * kSecond},
        {"s", kSecond},
        {"ms", 1'000'000},
    };
    for (const auto& [name, size] : kUnits) {
        if (span >= size) {
            out += std::to_string(span / size) + name;
            span %= size;
        }
    }
    return out;
}

std::optional<std::uint32_t> ParseIpv4(std::string_view text) {
    std::uint32_t address = 0;
    std::size_t pos = 0;
    for (int octet = 0; octet < 4; ++octet) {
        if (octet > 0) {
            if (pos >= text.size() || text[pos] != '.') {
                return std::nullopt;
            }
            ++pos;
        }
        std::size_t start = pos;
        std::optional<std::int64_t> value = Digits(text, pos);
        if (!value || *value > 255 || pos - start > 3) {
            return std::nullopt;
        }
        address = (address << 8) | static_cast<std::uint32_t>(*value);
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    return address;
}

std::int64_t Ipv4Number(std::string_view text) { return ParseIpv4(text.substr(0, text.find('/'))).value_or(0); }

std::string FormatIpv4(std::uint32_t address) {
    return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 255) + "." +
           std::to_string((address >> 8) & 255) + "." + std::to_string(address & 255);
}

bool PrefixContains(std::string_view prefix, std::string_view inner) {
    auto bits_of = [](std::string_view text) {
        std::size_t slash = text.find('/');
        return slash == std::string_view::npos ? 32 : std::stoi(std::string(text.substr(slash + 1)));
    };
    int bits = bits_of(prefix);
    if (bits_of(inner) < bits) {
        return false;
    }
    std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (static_cast<std::uint32_t>(Ipv4Number(prefix)) & mask) ==
           (static_cast<std::uint32_t>(Ipv4Number(inner)) & mask);
}

Value ParseLiteral(std::string_view text) {
    if (text == "true" || text == "false") {
        return Value::Bool(text == "true");
    }
    std::size_t start = text.starts_with('-') ? 1 : 0;
    if (text.size() > start) {
        std::int64_t number = 0;
        bool hex = text.substr(start).starts_with("0x") && text.size() > start + 2;
        const char* first = text.data() + start + (hex ? 2 : 0);
        auto [end, error] = std::from_chars(first, text.data() + text.size(), number, hex ? 16 : 10);
        if (error == std::errc() && end == text.data() + text.size()) {
            return Value::Num(start == 1 ? -number : number);
        }
    }
    if (text.size() > 1 && text.size() <= 17 && text.front() == '*' &&
        std::all_of(text.begin() + 1, text.end(), IsHex)) {
        std::string id(text);
        std::transform(id.begin(), id.end(), id.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
        return Value::Id(id);
    }
    std::size_t slash = text.find('/');
    if (ParseIpv4(text.substr(0, slash))) {
        if (slash == std::string_view::npos) {
            return Value{Type::kIp, std::string(text), 0, {}, nullptr};
        }
        std::size_t pos = slash + 1;
        std::optional<std::int64_t> bits = Digits(text, pos);
        if (bits && *bits <= 32 && pos == text.size()) {
            return Value{Type::kIpPrefix, std::string(text), 0, {}, nullptr};
        }
    }
    if (auto time = ParseTime(text)) {
        return Value::Time(*time);
    }
    return Value::Str(std::string(text));
}

}  // namespace certos::script
