#include "scep/client.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "crypto/base64.hpp"
#include "crypto/pkcs7_message.hpp"
#include "net/http.hpp"

namespace certos::scep {
namespace {

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view Trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
        text.remove_suffix(1);
    }
    return text;
}

bool HasUsage(const crypto::Certificate& cert, std::string_view usage) {
    std::vector<std::string> usages = cert.KeyUsage();
    // RFC 5280 §4.2.1.3: a certificate without keyUsage may be used for anything.
    return usages.empty() || std::find(usages.begin(), usages.end(), usage) != usages.end();
}

bool SelfIssued(const crypto::Certificate& cert) { return cert.SubjectString() == cert.IssuerString(); }

}  // namespace

Capabilities ParseCapabilities(std::string_view text) {
    Capabilities caps;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string word = Lower(Trim(text.substr(0, end)));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        caps.aes = caps.aes || word == "aes";
        caps.des3 = caps.des3 || word == "des3";
        caps.post = caps.post || word == "postpkioperation";
        caps.renewal = caps.renewal || word == "renewal";
        caps.next_ca = caps.next_ca || word == "getnextcacert";
        caps.sha1 = caps.sha1 || word == "sha-1";
        caps.sha256 = caps.sha256 || word == "sha-256";
        caps.sha512 = caps.sha512 || word == "sha-512";
        caps.scep_standard = caps.scep_standard || word == "scepstandard";
    }
    if (caps.scep_standard) {
        // RFC 8894 §3.5.2: "SCEPStandard ... a CA that advertises it MUST support AES, POSTPKIOperation and SHA-256".
        caps.aes = caps.post = caps.sha256 = true;
    }
    return caps;
}

std::string ChooseCipher(const Capabilities& caps) {
    if (caps.aes) {
        return "AES-128-CBC";
    }
    return caps.des3 ? "DES-EDE3-CBC" : "DES-CBC";
}

crypto::DigestAlgorithm ChooseDigest(const Capabilities& caps) {
    if (caps.sha256) {
        return crypto::DigestAlgorithm::kSha256;
    }
    if (caps.sha512) {
        return crypto::DigestAlgorithm::kSha512;
    }
    return caps.sha1 ? crypto::DigestAlgorithm::kSha1 : crypto::DigestAlgorithm::kMd5;
}

CaChain ParseCaCert(std::string_view body, std::string_view content_type) {
    std::vector<crypto::Certificate> certs;
    if (Lower(content_type).starts_with("application/x-x509-ca-ra-cert")) {
        certs = crypto::ReadCertificatesOnly(body);
    } else {
        try {
            certs = {crypto::Certificate::FromDer(body)};
        } catch (const core::Error&) {
            certs = crypto::ReadCertificatesOnly(body);  // some servers send the chain with the single type
        }
    }
    if (certs.empty()) {
        throw core::Failure("GetCACert answered no certificate");
    }
    if (certs.size() == 1) {
        return CaChain{certs, certs.front(), certs.front(), certs.front()};
    }
    // §4.2.1.1: with an RA, the CA is the certificate the others hang from.
    auto ca = std::find_if(certs.begin(), certs.end(), [&](const crypto::Certificate& cert) {
        return std::all_of(certs.begin(), certs.end(), [&](const crypto::Certificate& other) {
            return other.ToDer() == cert.ToDer() || other.IsSignedBy(cert);
        });
    });
    if (ca == certs.end()) {
        ca = std::find_if(certs.begin(), certs.end(), SelfIssued);
    }
    if (ca == certs.end()) {
        throw core::Failure("GetCACert answered certificates of which none is the CA of the others");
    }
    // §4.2.1.2: a CA with intermediate certificates sends its chain; the issuing CA is then the lowest CA
    // certificate (one that signed none of the other CA certificates; RA certificates are no CAs).
    auto is_ca = [](const crypto::Certificate& cert) { return cert.IsCa() && HasUsage(cert, "key-cert-sign"); };
    auto issuing = std::find_if(certs.begin(), certs.end(), [&](const crypto::Certificate& cert) {
        return is_ca(cert) && std::none_of(certs.begin(), certs.end(), [&](const crypto::Certificate& other) {
                   return other.ToDer() != cert.ToDer() && is_ca(other) && other.IsSignedBy(cert);
               });
    });
    if (issuing != certs.end()) {
        ca = issuing;
    }
    CaChain chain{certs, *ca, *ca, *ca};
    bool recipient = false;
    bool signer = false;
    for (const crypto::Certificate& cert : certs) {
        if (cert.ToDer() == ca->ToDer() || is_ca(cert)) {
            continue;  // the CA itself or one above it: RA certificates are not CAs
        }
        if (!recipient && HasUsage(cert, "key-encipherment")) {
            chain.recipient = cert;
            recipient = true;
        }
        if (!signer && HasUsage(cert, "digital-signature")) {
            chain.signer = cert;
            signer = true;
        }
    }
    return chain;
}

Client::Client(const net::HttpClient& http, std::string url, std::string ca_identity)
    : http_(&http), url_(std::move(url)), ca_identity_(std::move(ca_identity)) {}

std::string Client::OperationUrl(std::string_view operation, std::string_view message) const {
    std::string url = url_;
    url += url_.find('?') == std::string::npos ? '?' : '&';
    url += "operation=";
    url += operation;
    if (!message.empty()) {
        url += "&message=";
        url += net::PercentEncode(message);
    }
    return url;
}

Capabilities Client::GetCaCaps() const {
    net::ClientResponse response = http_->Get(OperationUrl("GetCACaps", ca_identity_));
    return response.ok() ? ParseCapabilities(response.body) : Capabilities{};
}

CaChain Client::GetCaCert() const {
    std::string url = OperationUrl("GetCACert", ca_identity_);
    net::ClientResponse response = net::RequireSuccess(http_->Get(url), url);
    try {
        return ParseCaCert(response.body, response.headers.Get("Content-Type").value_or(""));
    } catch (const core::Error& e) {
        throw core::Failure(std::string("GetCACert: ") + e.what());
    }
}

std::optional<crypto::Certificate> Client::GetNextCaCert(const CaChain& current) const {
    std::string url = OperationUrl("GetNextCACert", ca_identity_);
    net::ClientResponse response = http_->Get(url);
    if (response.status == 404) {
        return std::nullopt;
    }
    response = net::RequireSuccess(std::move(response), url);
    crypto::Pkcs7Signed signed_data = crypto::ReadSignedData(response.body);
    // RFC 8894 §4.7.1: "the current CA signs the response" (or its RA).
    bool by_current =
        signed_data.signer.ToDer() == current.signer.ToDer() || signed_data.signer.ToDer() == current.ca.ToDer();
    if (!signed_data.signature_ok || !by_current) {
        throw core::Failure("GetNextCACert: the answer is not signed by the current CA");
    }
    std::vector<crypto::Certificate> certs = crypto::ReadCertificatesOnly(signed_data.content);
    auto next = std::find_if(certs.begin(), certs.end(), SelfIssued);
    if (next == certs.end()) {
        if (certs.empty()) {
            throw core::Failure("GetNextCACert answered no certificate");
        }
        next = certs.begin();
    }
    return *next;
}

std::string Client::PkiOperation(std::string_view message, bool post) const {
    std::string url;
    net::ClientResponse response;
    if (post) {
        url = OperationUrl("PKIOperation", {});
        response = http_->Post(url, std::string(message), "application/x-pki-message");
    } else {
        url = OperationUrl("PKIOperation", crypto::ToBase64(message));
        response = http_->Get(url);
    }
    return net::RequireSuccess(std::move(response), url).body;
}

}  // namespace certos::scep
