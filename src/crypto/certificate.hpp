#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct x509_st;

namespace certos::crypto {

using TimePoint = std::chrono::system_clock::time_point;

// Certificate is a parsed X.509 certificate, valid by construction (immutable, cheap to copy).
class Certificate {
public:
    // FromDer / FromPem throw core::Error (kFailure) saying why decoding failed.
    static Certificate FromDer(std::string_view der);
    static Certificate FromPem(std::string_view pem);  // the first certificate in the text

    std::string ToDer() const;
    std::string ToPem() const;

    // FingerprintSha256 is SHA-256 of the DER, 64 lowercase hex (RouterOS `fingerprint`).
    std::string FingerprintSha256() const;
    // SerialHex is the serial in upper-case hex, DER leading zero stripped (RouterOS `serial-number`).
    std::string SerialHex() const;
    // SubjectFields / IssuerFields list the DN as (short name, value) pairs in DER order: ("C","LV"), ("CN","x").
    std::vector<std::pair<std::string, std::string>> SubjectFields() const;
    std::vector<std::pair<std::string, std::string>> IssuerFields() const;
    // IssuerString is RouterOS's `issuer`: "C=LV,O=x,CN=y" in DER order.
    std::string IssuerString() const;
    std::string SubjectString() const;
    TimePoint NotBefore() const;
    TimePoint NotAfter() const;
    // SkidHex / AkidHex: the key identifiers as lowercase hex; "" when absent.
    std::string SkidHex() const;
    std::string AkidHex() const;
    // IsCa: basicConstraints cA=TRUE.
    bool IsCa() const;
    // KeyUsage: RouterOS key-usage names from keyUsage and extendedKeyUsage, in RouterOS order
    // (digital-signature ... decipher-only, then tls-server, tls-client, code-sign, email-protect,
    // timestamp, ocsp-sign, dvcs).
    std::vector<std::string> KeyUsage() const;
    // SubjectAltNames in RouterOS syntax: "DNS:x", "IP:1.2.3.4", "email:a@b", "URI:..." .
    std::vector<std::string> SubjectAltNames() const;
    // CrlDistributionPoints: the URIs of the CDP extension.
    std::vector<std::string> CrlDistributionPoints() const;
    // Public key facts.
    std::string PublicKeyDer() const;
    std::string KeyType() const;  // "rsa" | "ec"
    std::string KeySize() const;  // "2048" | "prime256v1" ...
    // SignatureDigest is the digest of the signature algorithm: "sha256", "sha1", ...
    std::string SignatureDigest() const;
    bool IsSelfIssued() const;
    // IsSignedBy: the signature verifies under `issuer`'s public key.
    bool IsSignedBy(const Certificate& issuer) const;

    x509_st* native() const { return cert_.get(); }
    static Certificate Adopt(x509_st* cert);

private:
    explicit Certificate(std::shared_ptr<x509_st> cert) : cert_(std::move(cert)) {}
    std::shared_ptr<x509_st> cert_;
};

// CertificatesFromPem returns every certificate in a PEM text, in order; throws core::Error on a
// damaged block.
std::vector<Certificate> CertificatesFromPem(std::string_view pem);

}  // namespace certos::crypto
