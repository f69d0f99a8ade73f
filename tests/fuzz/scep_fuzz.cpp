// scep_fuzz feeds PKIOperation bodies to the SCEP server's parser (scep::ReadRequest: PKCS#7 SignedData, its
// authenticated attributes, the EnvelopedData opened with the fuzz CA's key, tests/data/scep) and then to the
// PKCS#10 reader the server runs on the envelope's content; also to the client's CertRep and certificates-only
// readers. The seeds (tests/fuzz/corpus/scep, made by scep_seeds.py) are micromdm scepclient's requests to that
// CA. A parser may refuse with core::Error or scep::Refused (its only failures); anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "crypto/certificate.hpp"
#include "crypto/csr.hpp"
#include "crypto/key.hpp"
#include "crypto/pkcs7_message.hpp"
#include "scep/message.hpp"

namespace {

std::string ReadFile(const std::string& name) {
    std::ifstream in(std::string(SCEP_FUZZ_DATA) + "/" + name, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Ca {
    certos::crypto::Certificate cert = certos::crypto::Certificate::FromPem(ReadFile("ca.crt"));
    certos::crypto::PrivateKey key = certos::crypto::PrivateKey::FromPem(ReadFile("ca.key"));
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Ca ca;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    certos::scep::Request request;
    try {
        certos::scep::ReadRequest(input, ca.cert, ca.key, request);
        certos::crypto::CertificateRequest csr = certos::crypto::CertificateRequest::Parse(request.inner);
        (void)csr.SignatureVerifies();
        (void)csr.ChallengePassword();
    } catch (const certos::scep::Refused&) {
    } catch (const certos::core::Error&) {
    }
    try {
        (void)certos::scep::ReadCertRep(input, ca.cert, ca.cert, ca.key);
    } catch (const certos::core::Error&) {
    }
    try {
        (void)certos::crypto::ReadCertificatesOnly(input);
    } catch (const certos::core::Error&) {
    }
    return 0;
}
