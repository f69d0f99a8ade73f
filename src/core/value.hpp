#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certos::core {

// Property values are strings on every wire. Booleans travel as "true"/"false" (REST, API) and are
// printed as yes/no by the console; these helpers are the one place that knows both spellings.

// ParseBool accepts yes/no/true/false (any case); nullopt for anything else.
std::optional<bool> ParseBool(std::string_view text);

// WireBool is the canonical stored/wire form: "true" or "false".
inline std::string WireBool(bool value) { return value ? "true" : "false"; }

// ConsoleBool is how the console prints a boolean: "yes" or "no".
inline std::string ConsoleBool(bool value) { return value ? "yes" : "no"; }

// SplitList splits a RouterOS comma list ("a,b,c"); empty text gives an empty list.
std::vector<std::string> SplitList(std::string_view text, char separator = ',');

// JoinList joins with commas.
std::string JoinList(const std::vector<std::string>& items, char separator = ',');

// ToLowerAscii / ToUpperAscii without locale surprises.
std::string ToLowerAscii(std::string_view text);

// QuoteValue writes a string as a RouterOS script literal: "..." with \" \\ \$ \n \r \t escaped and other
// control characters as \XX (the console's `:put` of arrays, `/export`).
std::string QuoteValue(std::string_view text);
std::string ToUpperAscii(std::string_view text);

}  // namespace certos::core
