#pragma once
// Reading and printing the literal forms of script values (times, ids, IPv4 addresses); value.hpp declares the
// public ParseLiteral, ParseTime and FormatTime, this header the helpers value.cpp shares with them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certos::script {

// FormatUnits prints nanoseconds in the unit form commands take: `1w2d3h4m5s`, `1500ms` as `1s500ms`, `0s`.
std::string FormatUnits(std::int64_t nanoseconds);

// ParseIpv4 reads a dotted IPv4 address; nullopt when `text` is not one.
std::optional<std::uint32_t> ParseIpv4(std::string_view text);

// Ipv4Number is ParseIpv4 for an address already typed `ip` (0 when it is not one).
std::int64_t Ipv4Number(std::string_view text);

// FormatIpv4 prints an address in dotted form.
std::string FormatIpv4(std::uint32_t address);

// PrefixContains is true when `inner` (an address or prefix) lies inside `prefix` (`10.0.0.0/8`).
bool PrefixContains(std::string_view prefix, std::string_view inner);

}  // namespace certos::script
