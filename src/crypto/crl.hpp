#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/digest.hpp"
#include "crypto/key.hpp"

struct X509_crl_st;

namespace certos::crypto {

// RevocationReason is a CRLReason (RFC 5280 §5.3.1). removeFromCRL (8) belongs to delta CRLs only, which
// certos does not issue, so it has no enumerator here.
enum class RevocationReason {
    kUnspecified = 0,
    kKeyCompromise = 1,
    kCaCompromise = 2,
    kAffiliationChanged = 3,
    kSuperseded = 4,
    kCessationOfOperation = 5,
    kCertificateHold = 6,
    kPrivilegeWithdrawn = 9,
    kAaCompromise = 10,
};

// RevocationReasonNames are the names the `reason` argument of issued-revoke takes, in code order:
// unspecified, key-compromise, ca-compromise, affiliation-changed, superseded, cessation-of-operation,
// certificate-hold, privilege-withdrawn, aa-compromise.
const std::vector<std::string>& RevocationReasonNames();

// ParseRevocationReason maps a name of RevocationReasonNames() to its reason; nullopt for anything else.
std::optional<RevocationReason> ParseRevocationReason(std::string_view name);
// RevocationReasonName is the name of `reason` ("key-compromise").
std::string RevocationReasonName(RevocationReason reason);

// RevokedEntry is one revokedCertificates entry of a CRL.
struct RevokedEntry {
    std::string serial_hex;  // upper-case hex, as Certificate::SerialHex
    TimePoint revoked_at;    // revocationDate (whole seconds)
    // reason: absent when none was given. RFC 5280 §5.3.1: "the reason code CRL entry extension SHOULD be
    // absent instead of using the unspecified (0) reasonCode value", so kUnspecified is never written.
    std::optional<RevocationReason> reason;
};

// CrlRequest is everything that goes into a CRL that a CA signs.
struct CrlRequest {
    std::uint64_t number = 1;  // cRLNumber: "monotonically increasing" for a CA (RFC 5280 §5.2.3)
    TimePoint this_update;
    TimePoint next_update;
    std::vector<RevokedEntry> revoked;
    DigestAlgorithm digest = DigestAlgorithm::kSha256;
};

// Crl is a parsed X.509 v2 CRL (immutable, cheap to copy).
class Crl {
public:
    // FromDer / FromPem throw core::Error (kFailure) saying why decoding failed.
    static Crl FromDer(std::string_view der);
    static Crl FromPem(std::string_view pem);
    // FromDerOrPem accepts either encoding (a CRL distribution point may serve either).
    static Crl FromDerOrPem(std::string_view data);

    std::string ToDer() const;
    std::string ToPem() const;

    // FingerprintSha256 is SHA-256 of the DER, 64 lowercase hex.
    std::string FingerprintSha256() const;
    // IssuerString is the issuer DN as Certificate::IssuerString prints it ("C=LV,CN=x").
    std::string IssuerString() const;
    // NumberText is the cRLNumber in decimal; "" when the CRL has none.
    std::string NumberText() const;
    TimePoint ThisUpdate() const;
    // NextUpdate is absent when the CRL has none (RFC 5280 §5.1.2.5 requires it of conforming CAs).
    std::optional<TimePoint> NextUpdate() const;
    // AkidHex is the authorityKeyIdentifier's keyIdentifier in lowercase hex; "" when absent.
    std::string AkidHex() const;
    // SignatureDigest is the signature algorithm's digest ("sha256"); "" when there is none (Ed25519).
    std::string SignatureDigest() const;
    // RevokedCount is the number of entries; Entries lists them in the CRL's order.
    std::size_t RevokedCount() const;
    std::vector<RevokedEntry> Entries() const;
    // FindRevoked looks one serial (upper-case hex) up.
    std::optional<RevokedEntry> FindRevoked(std::string_view serial_hex) const;
    // IsSignedBy: `issuer` names this CRL's issuer and its key verifies the signature.
    bool IsSignedBy(const Certificate& issuer) const;

    X509_crl_st* native() const { return crl_.get(); }
    static Crl Adopt(X509_crl_st* crl);

private:
    explicit Crl(std::shared_ptr<X509_crl_st> crl) : crl_(std::move(crl)) {}
    std::shared_ptr<X509_crl_st> crl_;
};

// IssueCrl builds and signs a v2 CRL for `issuer` with `key` (its private key): issuer = the CA's subject,
// thisUpdate/nextUpdate, the cRLNumber and authorityKeyIdentifier extensions (RFC 5280 §5.2.1 and §5.2.3:
// conforming CAs "MUST include" both), and the revoked entries with their reason codes, sorted by serial.
// Throws core::Error when the key does not belong to `issuer`, the CA lacks the cRLSign key usage, the
// times are inverted, or a serial is not hex.
Crl IssueCrl(const CrlRequest& request, const Certificate& issuer, const PrivateKey& key);
// IssueCrlDer is IssueCrl returning the DER alone, without parsing it back (for large CRLs that are only
// stored). The TBSCertList is encoded once.
std::string IssueCrlDer(const CrlRequest& request, const Certificate& issuer, const PrivateKey& key);

}  // namespace certos::crypto
