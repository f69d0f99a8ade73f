#pragma once

#include <string_view>

namespace certos::core {

// kRouterOsVersion is the RouterOS release whose /certificate feature set certos implements and reports
// (`/system/resource print` version): 7.21 added trust-store and builtin-trust-store. Clients such as
// community.routeros gate fields on it. Keep it in this one place.
inline constexpr std::string_view kRouterOsVersion = "7.21 (stable)";

// kCertosVersion is certos's own version.
inline constexpr std::string_view kCertosVersion = "0.1.0";

}  // namespace certos::core
