// libFuzzer target for the /certificate import parser: crypto::ParseBundle (PEM blocks, DER, PKCS#12), the
// property extraction that import stores for each certificate (pki::DescribeCertificate), and the PKCS#10
// reader of sign-certificate-request. Pure parsing: no store, no files. Built and run by tests/fuzz/run.sh.
//
// Any core::Error is an expected outcome (a rejected input); a crash, sanitizer report, leak or timeout is a
// finding.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "crypto/bundle.hpp"
#include "crypto/csr.hpp"
#include "pki/describe.hpp"

namespace {

// The seed corpus (tests/data/import) encrypts with this passphrase, so mutated files still reach the
// decrypted contents.
constexpr std::string_view kPassphrase = "import-pass";

void ParseAsImport(std::string_view input) {
    certos::crypto::Bundle bundle = certos::crypto::ParseBundle(input, kPassphrase);
    for (const certos::crypto::Certificate& cert : bundle.certificates) {
        (void)certos::pki::DescribeCertificate(cert);
        (void)cert.CrlDistributionPoints();
        (void)cert.ToPem();
    }
    for (const certos::crypto::PrivateKey& key : bundle.keys) {
        (void)key.ToPkcs8Der();
        for (const certos::crypto::Certificate& cert : bundle.certificates) {
            (void)certos::crypto::IsKeyOf(key, cert);
        }
    }
}

void ParseAsRequest(std::string_view input) {
    certos::crypto::CertificateRequest csr = certos::crypto::CertificateRequest::Parse(input);
    (void)csr.SignatureVerifies();
    (void)csr.SubjectString();
    (void)csr.CommonName();
    (void)csr.SubjectAltNames();
    (void)csr.KeyUsage();
    (void)csr.RequestsCa();
    (void)csr.ChallengePassword();
    (void)csr.KeyType();
    (void)csr.KeySize();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        ParseAsImport(input);
    } catch (const certos::core::Error&) {
    }
    try {
        ParseAsRequest(input);
    } catch (const certos::core::Error&) {
    }
    return 0;
}
