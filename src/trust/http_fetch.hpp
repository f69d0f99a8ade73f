#pragma once
// HttpGet: certos's bounded HTTP(S) client (libcurl), for CRL downloads now and ACME/SCEP later. Every TLS
// peer is verified by certos's own verification engine and trust anchors, never by the system's CA files.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "crypto/verify.hpp"

namespace certos::trust {

// FetchLimits bound one request, so a slow, hanging or huge endpoint costs at most this much.
struct FetchLimits {
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds total_timeout{10000};
    std::size_t max_body_bytes = 10u << 20;  // 10 MiB
    long max_redirects = 3;
};

// FetchResult is a successful (2xx) response.
struct FetchResult {
    long status = 0;
    std::string body;
    std::string content_type;
    std::string effective_url;  // after redirects
};

// HttpGet fetches `url` (http:// or https:// only, also across redirects). For https the server's chain
// is verified with `trust` (anchors, CRLs, CRL policy; purpose tls-server is always checked) and its name
// with the URL's host. Proxies from the environment (http_proxy, https_proxy, no_proxy) apply.
// Throws core::Error (kFailure) "failure: fetching URL: <reason>" on a bad URL, a connection or TLS
// failure (with the verification engine's reason), a timeout, a body over max_body_bytes, too many
// redirects, or a status that is not 2xx.
FetchResult HttpGet(std::string_view url, const crypto::TrustSettings& trust, const FetchLimits& limits = {});

}  // namespace certos::trust
