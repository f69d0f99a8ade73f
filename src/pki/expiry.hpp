#pragma once
// Expiry warnings: the daemon's scheduler calls WarnExpiring every hour, and /log gets one warning per
// certificate when it comes within 30 days, 7 days and 1 day of its notAfter, and one when it has expired.

#include <chrono>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace certos::pki {

// kExpiryWarningKind is the store item kind that remembers, per certificate, the last warning given, so that
// each threshold is logged once however often (and by however many processes) the check runs; a renewed
// certificate (another notAfter) is warned about afresh.
inline constexpr std::string_view kExpiryWarningKind = "expiry-warning";

// WarnExpiring checks every signed, unrevoked certificate within 30 days of its notAfter against the
// thresholds (found in a read transaction through the store's index, the marks written in short write
// transactions, so that writers never wait for the scan) and returns the warnings due now ("certificate www expires in
// 6d23h59m (invalid-after 2026-12-08 ...)").
std::vector<std::string> WarnExpiring(store::Store& store,
                                      std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace certos::pki
