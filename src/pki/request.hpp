#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/id.hpp"
#include "crypto/csr.hpp"
#include "pki/sign.hpp"
#include "store/files.hpp"
#include "store/store.hpp"

namespace certos::pki {

// The files create-certificate-request writes to /file (facts §7 question 2: RouterOS's names are believed
// to be these; they are overwritten by the next request).
inline constexpr std::string_view kRequestFile = "certificate-request.pem";
inline constexpr std::string_view kRequestKeyFile = "certificate-request_key.pem";

// kMaxRequestBytes bounds the CSR file sign-certificate-request reads (real ones are a few KiB).
inline constexpr std::uint64_t kMaxRequestBytes = 1ull << 20;

// CreateRequestOptions are the arguments of `/certificate create-certificate-request`.
struct CreateRequestOptions {
    std::string template_item;         // name or *ID of a template
    std::string key_passphrase;        // encrypts the written key; at least kMinPassphrase characters
    std::string challenge_passphrase;  // PKCS#9 challengePassword; "" for none
};

// CreateCertificateRequest generates a key for template `template_item` (its key-size), makes a PKCS#10
// request from the template's subject, subject-alt-name and key-usage (basicConstraints cA when key-usage
// has key-cert-sign) and writes kRequestFile (PEM) and kRequestKeyFile (PKCS#8 PEM encrypted with
// AES-256-CBC under key_passphrase, file mode 0600). As in RouterOS ("The Certificate template is deleted
// right after a certificate is signed or a certificate request command is executed", MT-CERT), the
// template is removed in the same transaction. Returns the names of the files written. Throws core::Error
// (changing nothing) when the item does not exist, is not a template, or the passphrase is too short.
std::vector<std::string> CreateCertificateRequest(store::Store& store, const store::FileArea& files,
                                                  const CreateRequestOptions& options, const ProgressFn& progress);

// SignRequestOptions are the arguments of `/certificate sign-certificate-request`.
struct SignRequestOptions {
    std::string file_name;  // a PEM or DER PKCS#10 request in /file
    std::string ca;         // name or *ID of a local CA with a private key
    long days_valid = 365;
    std::string digest = "sha256";
};

// DefaultRequestKeyUsage is what a certificate issued for a request that asks for no key usage gets.
const std::vector<std::string>& DefaultRequestKeyUsage();

// SignCertificateRequest issues a certificate for a request made elsewhere (e.g. `openssl req -new`):
// the request's signature must verify (proof of possession, RFC 2986 §3); subject, subject-alt-name (DNS,
// IP, email) and key usage come from the request (key usage DefaultRequestKeyUsage() when it asks for
// none); it is a CA only when it requests basicConstraints cA=TRUE and key-cert-sign (RFC 5280 §4.2.1.3:
// "If the keyCertSign bit is asserted, then the cA bit in the basic constraints extension MUST also be
// asserted", so key-cert-sign is dropped otherwise). The certificate is stored without a key, issued by
// `ca` (I flag), not trusted, named after the request's common-name (suffixed _1, _2 ... when taken).
// Returns its id. Throws core::Error and stores nothing when the file is missing or not a request, the
// signature does not verify, or the CA cannot sign (missing, no key, no key-cert-sign, expired).
core::ObjectId SignCertificateRequest(store::Store& store, const store::FileArea& files,
                                      const SignRequestOptions& options);

// IssueForRequest issues a certificate for `csr` (whose signature the caller checked) as
// sign-certificate-request does, by `ca` (loaded in `tx` with LoadSigningCa), valid for `days_valid` days
// from `now`, and stores it in `tx` under the request's common-name (or `fallback_name`). Returns its id.
// SCEP's server issues this way, inside the transaction that also uses up the challenge.
core::ObjectId IssueForRequest(store::Transaction& tx, const SigningCa& ca, const crypto::CertificateRequest& csr,
                               long days_valid, std::chrono::system_clock::time_point now,
                               const std::string& fallback_name);

}  // namespace certos::pki
