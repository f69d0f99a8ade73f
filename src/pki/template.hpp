#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/key.hpp"

namespace certos::pki {

// The template vocabulary of RouterOS's /certificate (MT-CERT; facts §1.3), in RouterOS's order. Functions
// (each list built on first use) rather than globals: a global's construction could throw before main.
// KeyUsages are the key-usage values.
const std::vector<std::string>& KeyUsages();
// KeySizeValues are the key-size values: RSA bit sizes, then EC curves.
const std::vector<std::string>& KeySizeValues();
// DigestValues are the digest-algorithm values.
const std::vector<std::string>& DigestValues();
// TrustStores are the trust-store values (the services a trusted certificate may serve).
const std::vector<std::string>& TrustStores();

inline constexpr std::string_view kDefaultKeyUsage =
    "digital-signature,key-encipherment,data-encipherment,key-cert-sign,crl-sign,tls-server,tls-client";
inline constexpr std::string_view kDefaultKeySize = "2048";
inline constexpr std::string_view kDefaultDigest = "sha256";
inline constexpr std::string_view kDefaultDaysValid = "365";
inline constexpr std::string_view kDefaultTrustStore = "all";
inline constexpr long kMaxDaysValid = 36500;

// The subject fields a template carries, as (property, X.509 short name), in DN order.
struct SubjectField {
    std::string_view property;
    std::string_view short_name;
};
inline constexpr SubjectField kSubjectFields[] = {{"country", "C"},      {"state", "ST"}, {"locality", "L"},
                                                  {"organization", "O"}, {"unit", "OU"},  {"common-name", "CN"}};

// CheckSubjectAltName validates a comma list of `DNS:name`, `IP:address` (v4 or v6) and `email:addr`
// entries and returns it with canonical prefixes. Throws core::Error (kArgument) naming the bad entry.
std::string CheckSubjectAltName(std::string_view text);

// CheckCountry accepts "" or two ASCII letters (X.509 countryName is a PrintableString of size 2).
std::string CheckCountry(std::string_view text);

// CheckSubjectText rejects control characters and values longer than X.509's upper bound of 64.
std::string CheckSubjectText(std::string_view text);

// CheckName validates a certificate name: non-empty, no control characters, at most 255 bytes.
std::string CheckName(std::string_view text);

// KeyTypeOf maps a key-size value to RouterOS's key-type: "rsa" for bit sizes, "ec" for curves.
std::string KeyTypeOf(std::string_view key_size);

// ParseKeySize turns a key-size value of the schema (one of KeySizeValues()) into the key it names: "2048" is
// RSA 2048, "prime256v1" the EC curve. Throws core::Error (kArgument) "input does not match any value of
// key-size" for anything else (a stored value the schema never accepted).
crypto::KeySpec ParseKeySize(std::string_view key_size);

}  // namespace certos::pki
