// formats_fuzz feeds outside input to the parsers that take it and have no target of their own: certificate
// requests (PEM or DER, from /file), CRLs (PEM or DER, fetched from distribution points), REST request bodies
// (JSON, with `.query` and `.proplist`), query strings and percent-decoding, and Basic authorization headers.
// The first byte picks the parser; the rest is its input. A parser may refuse with core::Error (its only
// failure); anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.hpp"
#include "crypto/crl.hpp"
#include "crypto/csr.hpp"
#include "menu/filter.hpp"
#include "net/http.hpp"
#include "rest/json_mapping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 5) {
            case 0: {
                certos::crypto::CertificateRequest csr = certos::crypto::CertificateRequest::Parse(input);
                (void)csr.ToPem();
                break;
            }
            case 1: {
                certos::crypto::Crl crl = certos::crypto::Crl::FromDerOrPem(input);
                (void)crl.IssuerString();
                (void)crl.NumberText();
                (void)crl.Entries();
                (void)crl.AkidHex();
                break;
            }
            case 2: {
                certos::rest::BodyArguments body = certos::rest::ParseBody(input);
                if (body.filter) {
                    body.filter->CheckBounds();
                }
                break;
            }
            case 3:
                (void)certos::net::ParseQuery(input);
                (void)certos::net::PercentDecode(input, true);
                break;
            default:
                (void)certos::net::ParseBasicAuth(input);
                break;
        }
    } catch (const certos::core::Error&) {
        // a refusal with a reason: what the parsers promise
    }
    return 0;
}
