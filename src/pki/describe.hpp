#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/certificate.hpp"

namespace certos::pki {

// DescribeCertificate returns the /certificate properties a certificate implies, stored with the row at
// signing or import so that listing never re-parses DER: the subject fields, subject-alt-name, key-type,
// key-size, key-usage, digest-algorithm, days-valid (the validity span), issuer, serial-number,
// fingerprint, akid, skid, not-before/not-after (seconds since the epoch) and authority.
std::map<std::string, std::string> DescribeCertificate(const crypto::Certificate& cert);

// AddStoredDefaults adds what a row holds beside DescribeCertificate's properties for a certificate certos did
// not sign from a template (an import, a signed request, an ACME download): `trusted`, `trust-store`, and
// `crl` false (no CRL of its own yet).
void AddStoredDefaults(std::map<std::string, std::string>& props, bool trusted, std::string_view trust_store);

// EpochSeconds reads a property DescribeCertificate writes as seconds since the epoch (`not-before`,
// `not-after`); nullopt when it is absent or not a number (a template).
std::optional<long long> EpochSeconds(const std::map<std::string, std::string>& props, const std::string& key);

}  // namespace certos::pki
