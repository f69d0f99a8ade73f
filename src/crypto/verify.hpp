#pragma once
// The verification engine: OpenSSL's X509_verify_cert over the trust anchors, untrusted intermediates and
// CRLs that the caller chooses. Problems are results, not exceptions: VerifyChain collects every problem
// of every certificate in the path (the way BoringSSL's CertPathErrors does) and sums them up in one
// status and one message.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/crl.hpp"

struct ssl_ctx_st;

namespace certos::crypto {

// VerifyPurpose is what the leaf must be good for (its extendedKeyUsage, RFC 5280 §4.2.1.12), named with
// RouterOS's key-usage words. kAny checks no purpose.
enum class VerifyPurpose { kAny, kTlsServer, kTlsClient, kEmailProtect, kTimestamp };

// VerifyPurposeNames: any, tls-server, tls-client, email-protect, timestamp (enumerator order).
const std::vector<std::string>& VerifyPurposeNames();
std::optional<VerifyPurpose> ParseVerifyPurpose(std::string_view name);

// CrlPolicy is how revocation is checked.
enum class CrlPolicy {
    kIgnore,        // no revocation check
    kUseAvailable,  // check every certificate against the CRLs given; one without a usable CRL passes
    kRequireAll,    // `crl-use=yes`: every certificate of the chain must have a current CRL (fail closed)
};

// VerifyStatus classifies a problem; kOk means none.
enum class VerifyStatus {
    kOk,
    kExpired,         // a certificate is past notAfter
    kNotYetValid,     // a certificate is before notBefore
    kUntrusted,       // no path to a trust anchor (unknown issuer, untrusted root)
    kInvalidCa,       // an issuer is not a CA, may not sign certificates, or the path is too long
    kWrongPurpose,    // the leaf's extended key usage does not allow the purpose
    kRevoked,         // a CRL lists the certificate
    kCrlMissing,      // kRequireAll and no CRL for a certificate
    kCrlExpired,      // the CRL to use is past its nextUpdate
    kCrlNotYetValid,  // the CRL to use is before its thisUpdate
    kBadSignature,    // a certificate's or CRL's signature does not verify
    kOther,           // anything else OpenSSL reports (text says what)
};

// VerifyStatusName is a short word for a status: ok, expired, not-yet-valid, untrusted, invalid-ca,
// wrong-purpose, revoked, crl-missing, crl-expired, crl-not-yet-valid, bad-signature, error.
std::string_view VerifyStatusName(VerifyStatus status);

// CertProblem is one problem of one certificate: a status, OpenSSL's X509_V_ERR code and a sentence that
// names the certificate by subject ("certificate \"CN=inter\" expired on 2024-01-01 00:00:00").
struct CertProblem {
    VerifyStatus status = VerifyStatus::kOk;
    int code = 0;
    std::string message;
};

// PathCertificate is one certificate of the path that could be built (leaf first) and its problems.
struct PathCertificate {
    Certificate cert;
    std::vector<CertProblem> problems;
};

// VerifyResult is the outcome: `status` and `message` are those of the first problem found ("ok" when
// there is none); `path` holds every problem of every certificate.
struct VerifyResult {
    VerifyStatus status = VerifyStatus::kOk;
    std::string message = "ok";
    std::vector<PathCertificate> path;

    bool ok() const { return status == VerifyStatus::kOk; }
};

// TrustSettings are what a verification trusts: the anchors (only these end a path), the CRLs, how to
// use them, and the purpose the leaf must serve.
struct TrustSettings {
    std::vector<Certificate> anchors;
    std::vector<Crl> crls;
    CrlPolicy crl_policy = CrlPolicy::kIgnore;
    VerifyPurpose purpose = VerifyPurpose::kAny;
};

// VerifyInput is one verification: the leaf, untrusted certificates that may serve as intermediates, the
// trust settings and the moment to verify at (default: now).
struct VerifyInput {
    Certificate leaf;
    std::vector<Certificate> untrusted;
    TrustSettings trust;
    std::optional<TimePoint> at;
};

// VerifyChain builds a path from the leaf to an anchor and checks it: signatures, validity times, CA
// constraints, purpose and revocation per `crl_policy`. It never throws for a bad chain; core::Error is
// thrown only when OpenSSL cannot run at all (out of memory).
VerifyResult VerifyChain(const VerifyInput& input);

// InstallTlsTrust makes an OpenSSL SSL_CTX (the one libcurl's CURLOPT_SSL_CTX_FUNCTION hands over) verify
// peers with `trust` alone: its certificate store is replaced by one that holds the anchors and CRLs,
// with the same CRL policy. The SSL_CTX takes ownership of the new store. Throws core::Error on failure.
void InstallTlsTrust(ssl_ctx_st* ctx, const TrustSettings& trust);

// DescribeVerifyCode turns an X509_V_ERR code reported by a TLS library (CURLINFO_SSL_VERIFYRESULT) into
// a status and text without the certificate at hand ("certificate has expired").
CertProblem DescribeVerifyCode(long code);

}  // namespace certos::crypto
