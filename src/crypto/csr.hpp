#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/digest.hpp"
#include "crypto/key.hpp"

struct X509_req_st;

namespace certos::crypto {

// CsrParams is what goes into a PKCS#10 certification request (RFC 2986) that certos makes.
struct CsrParams {
    std::vector<std::pair<std::string, std::string>> subject;  // ("C","LV") ... ("CN","x"); empty values skipped
    std::vector<std::string> subject_alt_names;                // "DNS:x", "IP:10.0.0.1", "email:a@b"
    std::vector<std::string> key_usage;                        // RouterOS names (see Certificate::KeyUsage)
    bool is_ca = false;                                        // request basicConstraints cA=TRUE
    std::string challenge_password;                            // PKCS#9 challengePassword; "" for none
    DigestAlgorithm digest = DigestAlgorithm::kSha256;
};

// MakeCertificateRequest builds a request for `key`'s public key, signed with `key`, and returns it as PEM
// ("-----BEGIN CERTIFICATE REQUEST-----"). SAN, key usage and basic constraints travel as requested
// extensions (PKCS#9 extensionRequest). Throws core::Error (kArgument) for a malformed SAN or key usage.
std::string MakeCertificateRequest(const CsrParams& params, const PrivateKey& key);

// CertificateRequest is a parsed PKCS#10 request made elsewhere (immutable, cheap to copy). Parsing does not
// check the signature: call SignatureVerifies before trusting anything in it.
class CertificateRequest {
public:
    // Parse reads PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER; throws core::Error (kFailure)
    // saying why decoding failed.
    static CertificateRequest Parse(std::string_view data);

    // SignatureVerifies: the request is signed by the private key of the public key it carries (proof of
    // possession, RFC 2986 §3).
    bool SignatureVerifies() const;
    std::vector<std::pair<std::string, std::string>> SubjectFields() const;  // DER order, short names
    std::string SubjectString() const;                                       // "C=LV,O=x,CN=y"
    std::string CommonName() const;                                          // the last CN; "" if none
    std::string PublicKeyDer() const;                                        // SubjectPublicKeyInfo
    std::string KeyType() const;                                             // "rsa" | "ec" | ...
    std::string KeySize() const;
    std::string ChallengePassword() const;  // "" when absent
    // The requested extensions, nullopt when the request does not ask for that extension.
    // SubjectAltNames lists the DNS, IP and email names in RouterOS syntax; other kinds (URI, directory
    // names) are dropped because RouterOS's subject-alt-name cannot express them.
    std::optional<std::vector<std::string>> SubjectAltNames() const;
    // KeyUsage merges keyUsage and extendedKeyUsage into RouterOS names, in RouterOS order.
    std::optional<std::vector<std::string>> KeyUsage() const;
    // RequestsCa: basicConstraints with cA=TRUE was requested.
    bool RequestsCa() const;

    std::string ToPem() const;
    std::string ToDer() const;

private:
    explicit CertificateRequest(std::shared_ptr<X509_req_st> req) : req_(std::move(req)) {}
    std::shared_ptr<X509_req_st> req_;
};

}  // namespace certos::crypto
