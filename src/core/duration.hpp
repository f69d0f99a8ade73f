#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace certos::core {

// ParseDuration reads a RouterOS time interval: unit form `52w1d3h4m5s` (any subset, in any order,
// `ms` allowed and rounded down), clock form `1d02:03:04` / `02:03:04`, or a bare number of seconds.
// Throws core::Error (category kArgument) with "invalid time value" on anything else.
std::chrono::seconds ParseDuration(std::string_view text);

// FormatDuration prints as RouterOS does: `<w>w<d>d<h>h<m>m<s>s` with zero units omitted, `0s` for zero,
// and a leading `-` for negative spans.
std::string FormatDuration(std::chrono::seconds span);

}  // namespace certos::core
