#pragma once
// The built-in trust store: the public roots of Debian's ca-certificates (RouterOS 7.19+ `/certificate
// builtin`), used only by the services that `/certificate settings builtin-trust-store` names.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.hpp"

namespace certos::trust {

// kBuiltinRootsFile is where Debian's ca-certificates keeps its bundle; CERTOS_BUILTIN_ROOTS overrides it.
inline constexpr std::string_view kBuiltinRootsFile = "/etc/ssl/certs/ca-certificates.crt";

// BuiltinRoot is one built-in anchor with the properties `/certificate builtin print` shows.
struct BuiltinRoot {
    std::string name;  // common-name, or organization, or organizational unit when it has none
    std::string common_name;
    std::string organization;
    std::string skid;         // lowercase hex; "" when the root has no subjectKeyIdentifier
    std::string fingerprint;  // SHA-256, lowercase hex
    crypto::TimePoint invalid_after;
    crypto::Certificate cert;
};

// BuiltinRoots loads the bundle once per process, on first use (thread-safe), and keeps it. A missing or
// unreadable file gives an empty list; a damaged certificate in it is skipped.
const std::vector<BuiltinRoot>& BuiltinRoots();

// kDefaultBuiltinServices is what builtin-trust-store=default means (the seed's "current defaults").
inline constexpr std::array<std::string_view, 9> kDefaultBuiltinServices = {
    "fetch", "mqtt", "email", "netwatch", "container", "lora", "dns", "www", "reverse-proxy"};

// BuiltinTrustedFor tells whether the builtin-trust-store setting (a comma list: all, default, untrusted
// or service names) lets `service` use the built-in roots. An empty `service` asks whether any service
// may. `untrusted` alone (or an empty setting) means none.
bool BuiltinTrustedFor(std::string_view setting, std::string_view service);

}  // namespace certos::trust
