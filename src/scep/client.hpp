#pragma once
// certos's SCEP client transport (RFC 8894 §4): GetCACaps, GetCACert, GetNextCACert and PKIOperation over the
// platform's HTTP client (net::HttpClient, service "scep"), and the choices a client makes from the
// capabilities. It knows nothing of the store: scep/enrol.hpp keeps the enrolled certificates. The
// pkiMessages themselves are built and read by scep/message.hpp, the code the server uses too.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/digest.hpp"
#include "net/http_client.hpp"

namespace certos::scep {

// Capabilities is a GetCACaps answer (RFC 8894 §3.5.2), one keyword a line, compared case-insensitively.
struct Capabilities {
    bool aes = false;
    bool des3 = false;
    bool post = false;
    bool renewal = false;
    bool next_ca = false;
    bool sha1 = false;
    bool sha256 = false;
    bool sha512 = false;
    bool scep_standard = false;  // implies AES, POSTPKIOperation and SHA-256 (§3.5.2)
};

// ParseCapabilities reads a GetCACaps body; unknown keywords are ignored.
Capabilities ParseCapabilities(std::string_view text);

// ChooseCipher is the envelope cipher certos sends with: AES-128-CBC when advertised, else DES-EDE3-CBC, else
// single DES-CBC (RFC 8894 §3.5.2: "If the CA supports none of the above, [it] SHOULD support DES"), as the
// RouterOS manual says: "try to use POST, AES, and SHA256 ... If [not] supported, ... 3DES, DES and SHA1, MD5".
std::string ChooseCipher(const Capabilities& caps);
// ChooseDigest is the signing digest: SHA-256, then SHA-512, then SHA-1, then MD5.
crypto::DigestAlgorithm ChooseDigest(const Capabilities& caps);

// CaChain is what GetCACert answered (§4.2.1): the CA certificate alone, or the RA certificate(s) with the CA.
struct CaChain {
    std::vector<crypto::Certificate> certs;  // as received
    crypto::Certificate ca;                  // the issuing CA (self-signed root or the one the RA hangs from)
    crypto::Certificate recipient;           // the certificate requests are encrypted to (RA or CA)
    crypto::Certificate signer;              // the certificate that signs CertReps (RA or CA)
};

// ParseCaCert reads a GetCACert body: application/x-x509-ca-cert (one DER certificate) or
// application/x-x509-ca-ra-cert (a degenerate PKCS#7 with the RA and CA certificates). With an RA, the
// recipient is the RA certificate with keyEncipherment and the signer the one with digitalSignature (§2.2);
// each RA certificate must be issued by the CA. Throws core::Error when the body is neither.
CaChain ParseCaCert(std::string_view body, std::string_view content_type);

// Client talks to one SCEP URL ("http://ca/scep/x", as scep-url= gives it) for one CA identity (the
// `message` of GetCACert, empty for none).
class Client {
public:
    Client(const net::HttpClient& http, std::string url, std::string ca_identity);

    // GetCaCaps asks for the capabilities; a server that does not answer 2xx has none (§3.5.1: the client
    // then assumes the minimum: GET, DES, SHA-1/MD5).
    Capabilities GetCaCaps() const;
    // GetCaCert fetches and parses the CA (and RA) certificates. Throws core::Error saying why.
    CaChain GetCaCert() const;
    // GetNextCaCert fetches the CA's rollover certificate (§4.7), a SignedData that `current.signer` must have
    // signed; nullopt when the server has none (404). Throws core::Error for a reply that does not verify.
    std::optional<crypto::Certificate> GetNextCaCert(const CaChain& current) const;
    // PkiOperation sends a DER pkiMessage (POST when `post`, else GET with the base64 message) and returns the
    // DER CertRep. Throws core::Error for a transport failure or a non-2xx answer.
    std::string PkiOperation(std::string_view message, bool post) const;

    const std::string& url() const { return url_; }

private:
    std::string OperationUrl(std::string_view operation, std::string_view message) const;

    const net::HttpClient* http_;
    std::string url_;
    std::string ca_identity_;
};

}  // namespace certos::scep
