#pragma once
// PKCS#7 (RFC 2315) messages as SCEP (RFC 8894) exchanges them: SignedData carrying authenticated
// attributes, EnvelopedData to one recipient and degenerate certificates-only SignedData. Everything goes
// through OpenSSL's PKCS7_* API; this layer knows nothing of SCEP's attribute meanings (scep/message.hpp).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/digest.hpp"
#include "crypto/key.hpp"

namespace certos::crypto {

// Pkcs7Attribute is one authenticated attribute: a dotted OID and its single value, a PrintableString or
// (when `octets`) an OCTET STRING. Values of any other ASN.1 type are read as "" with octets false.
struct Pkcs7Attribute {
    std::string oid;
    std::string value;
    bool octets = false;
};

// Pkcs7Signed is a decoded SignedData with one signer.
struct Pkcs7Signed {
    Certificate signer;        // the signer's certificate, carried in the message
    std::string content = {};  // the encapsulated data
    bool signature_ok = false;
    std::string digest = {};  // the signer's digest algorithm, OpenSSL's short name in lower case ("sha256")
    std::vector<Pkcs7Attribute> attributes = {};
};

// ReadSignedData decodes DER SignedData with exactly one signer whose certificate it carries, and checks the
// signature over the authenticated attributes (not the signer's chain: SCEP requesters sign with
// self-signed certificates). A signature that does not verify is reported in `signature_ok`, so that the
// caller can still answer the transaction; a message that does not decode throws core::Error (kFailure).
Pkcs7Signed ReadSignedData(std::string_view der);

// SignData makes DER SignedData over `content` signed by `signer`/`key` with `digest`, carrying the
// signer's certificate and `attributes` next to contentType, signingTime and messageDigest.
std::string SignData(std::string_view content, const Certificate& signer, const PrivateKey& key, DigestAlgorithm digest,
                     const std::vector<Pkcs7Attribute>& attributes);

// Pkcs7Opened is the content of an EnvelopedData and the cipher it was encrypted with (OpenSSL's short
// name, "DES-CBC", "DES-EDE3-CBC", "AES-128-CBC", ...).
struct Pkcs7Opened {
    std::string content;
    std::string cipher;
};

// OpenEnvelope decrypts DER EnvelopedData meant for `recipient` with its key. Throws core::Error
// (kFailure) when it does not decode, has no recipient info for `recipient`, or does not decrypt. Single DES
// and RC2 need OpenSSL's legacy provider, which is loaded for them.
Pkcs7Opened OpenEnvelope(std::string_view der, const Certificate& recipient, const PrivateKey& key);

// SealEnvelope encrypts `content` for `recipient` (RSA key transport) with `cipher` (a name OpenSSL knows:
// "AES-128-CBC", "DES-EDE3-CBC", "DES-CBC").
std::string SealEnvelope(std::string_view content, const Certificate& recipient, std::string_view cipher);

// CertificatesOnly is a degenerate SignedData (no signers) carrying `certs` and the DER CRLs `crls`, as
// GetCACert and CertRep send.
std::string CertificatesOnly(const std::vector<Certificate>& certs, const std::vector<std::string>& crls = {});

// ReadCertificatesOnly returns the certificates a SignedData carries (signed or degenerate).
std::vector<Certificate> ReadCertificatesOnly(std::string_view der);
// ReadCrlsOnly returns the DER CRLs a SignedData carries.
std::vector<std::string> ReadCrlsOnly(std::string_view der);

// IssuerAndSubject is the DER of RFC 8894 §3.3.3's IssuerAndSubject (SEQUENCE { issuer Name, subject Name })
// that a CertPoll carries: `issuer`'s subject and `subject`'s subject.
std::string IssuerAndSubject(const Certificate& issuer, const Certificate& subject);

}  // namespace certos::crypto
