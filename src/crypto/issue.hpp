#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/digest.hpp"
#include "crypto/key.hpp"

namespace certos::crypto {

// IssueRequest is everything that goes into a new certificate. pki/ fills it from a template.
struct IssueRequest {
    std::vector<std::pair<std::string, std::string>>
        subject;                                 // ("C","LV"), ("ST",..), ("L",..), ("O",..), ("OU",..), ("CN",..)
    std::vector<std::string> subject_alt_names;  // "DNS:x", "IP:10.0.0.1", "IP:::1", "email:a@b"
    std::vector<std::string> key_usage;          // RouterOS names (see Certificate::KeyUsage)
    bool is_ca = false;                          // basicConstraints cA=TRUE (critical)
    std::vector<std::string> crl_distribution_points;  // URIs
    std::string serial;                                // big-endian bytes, top bit clear
    TimePoint not_before;
    TimePoint not_after;
    DigestAlgorithm digest = DigestAlgorithm::kSha256;
};

// IssueCertificate builds and signs a certificate for `subject_public_key_der` (SubjectPublicKeyInfo).
// With `issuer` null it is self-signed by `signing_key` (which must then match the subject key).
// Extensions: keyUsage (critical) and extendedKeyUsage from key_usage, basicConstraints,
// subjectKeyIdentifier (SHA-1 of the public key, RFC 5280 §4.2.1.2 method 1), authorityKeyIdentifier
// (issuer's skid), subjectAltName, cRLDistributionPoints. Throws core::Error on bad input.
Certificate IssueCertificate(const IssueRequest& request, std::string_view subject_public_key_der,
                             const PrivateKey& signing_key, const Certificate* issuer);
// The same for the public half of `subject_key`, a key certos just generated: no SubjectPublicKeyInfo
// round trip (OpenSSL 3's key encoders and decoders cost more than an ECDSA signature).
Certificate IssueCertificate(const IssueRequest& request, const PrivateKey& subject_key, const PrivateKey& signing_key,
                             const Certificate* issuer);

}  // namespace certos::crypto
