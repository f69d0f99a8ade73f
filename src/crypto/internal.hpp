#pragma once
// Internal to crypto/: helpers the .cpp files of this layer share. It includes OpenSSL headers, so layers
// above crypto/ never include it.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <openssl/pem.h>

#include "core/error.hpp"
#include "crypto/digest.hpp"
#include "crypto/ossl.hpp"

namespace certos::crypto {

// EvpMd maps a RouterOS digest-algorithm to OpenSSL's implementation (never null).
const EVP_MD* EvpMd(DigestAlgorithm alg);

// kKeyUsageBitNames are RouterOS's key-usage names for keyUsage bits 0..8 (RFC 5280 §4.2.1.3).
inline constexpr std::string_view kKeyUsageBitNames[] = {"digital-signature", "content-commitment", "key-encipherment",
                                                         "data-encipherment", "key-agreement",      "key-cert-sign",
                                                         "crl-sign",          "encipher-only",      "decipher-only"};

// ExtendedUsage pairs an extendedKeyUsage purpose (RFC 5280 §4.2.1.12) with its RouterOS key-usage name.
struct ExtendedUsage {
    int nid;
    std::string_view name;
};
// kExtendedUsages lists them in RouterOS order, after the keyUsage bits.
inline constexpr ExtendedUsage kExtendedUsages[] = {
    {NID_server_auth, "tls-server"},
    {NID_client_auth, "tls-client"},
    {NID_code_sign, "code-sign"},
    {NID_email_protect, "email-protect"},
    {NID_time_stamp, "timestamp"},
    {NID_OCSP_sign, "ocsp-sign"},
    {NID_dvcs, "dvcs"},  // id-kp-dvcs, 1.3.6.1.5.5.7.3.10
};

// KeyUsageValues are what RouterOS key-usage names stand for: keyUsage bits and extendedKeyUsage purposes.
struct KeyUsageValues {
    UniquePtr<ASN1_STRING> bits;             // a BIT STRING; null when no name is a keyUsage bit
    UniquePtr<EXTENDED_KEY_USAGE> purposes;  // in RouterOS order, each once; null when no name is a purpose
};

// MakeKeyUsage builds the values of `names`, shared by certificates (issue.cpp) and requests (csr.cpp). Throws
// core::Error (kArgument) "unknown key usage X" for a name it does not know.
KeyUsageValues MakeKeyUsage(const std::vector<std::string>& names);

// PkeyType is "rsa" or "ec"; for any other algorithm, OpenSSL's name in lower case ("ed25519").
std::string PkeyType(const EVP_PKEY* pkey);
// PkeySize is the RouterOS key-size value: RSA bits ("2048") or the curve name ("prime256v1"); other
// algorithms give their bit count.
std::string PkeySize(const EVP_PKEY* pkey);
// PkeyPublicDer is the DER SubjectPublicKeyInfo of `pkey`.
std::string PkeyPublicDer(const EVP_PKEY* pkey);

// Bytes views an ASN1_STRING's contents; "" for null.
std::string_view Bytes(const ASN1_STRING* str);
// Uchar gives OpenSSL's `const unsigned char*` view of string bytes.
inline const unsigned char* Uchar(std::string_view bytes) {
    return reinterpret_cast<const unsigned char*>(bytes.data());
}

// DecodeDer runs a d2i_* function over all of `der` and returns what it made. Throws core::Error (kFailure)
// "decoding DER <what>: <OpenSSL's errors>", or "decoding DER <what>: trailing data after the <what>" when bytes
// are left over.
template <typename T>
UniquePtr<T> DecodeDer(T* (*d2i)(T**, const unsigned char**, long), std::string_view der, std::string_view what) {
    const unsigned char* p = Uchar(der);
    UniquePtr<T> object(d2i(nullptr, &p, static_cast<long>(der.size())));
    std::string context = "decoding DER " + std::string(what);
    if (!object) {
        ThrowOpenSsl(context);
    }
    if (p != Uchar(der) + der.size()) {
        throw core::Failure(context + ": trailing data after the " + std::string(what));
    }
    return object;
}

// DecodePem runs a PEM_read_bio_* function over `pem` (which skips blocks of other types until it finds one of
// its own) and returns what it made. Throws core::Error (kFailure) "decoding PEM <what>: <OpenSSL's errors>".
template <typename T>
UniquePtr<T> DecodePem(T* (*read)(BIO*, T**, pem_password_cb*, void*), std::string_view pem, std::string_view what) {
    UniquePtr<BIO> bio = MemBio(pem);
    UniquePtr<T> object(read(bio.get(), nullptr, nullptr, nullptr));
    if (!object) {
        ThrowOpenSsl("decoding PEM " + std::string(what));
    }
    return object;
}

// I2d runs an i2d_* function and returns the DER; throws core::Error (kFailure) with `context` on failure.
template <typename T, typename F>
std::string I2d(F i2d, T* object, std::string_view context) {
    int len = i2d(object, nullptr);
    if (len <= 0) {
        ThrowOpenSsl(context);
    }
    std::string der(static_cast<std::size_t>(len), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d(object, &out) != len) {
        ThrowOpenSsl(context);
    }
    return der;
}

// The readers certificates and certificate requests share.
// NameFields lists a name's attributes in order as (short name or dotted OID, UTF-8 value).
std::vector<std::pair<std::string, std::string>> NameFields(const X509_NAME* name);
// GeneralNamesText renders names in RouterOS's subject-alt-name syntax ("DNS:x", "IP:10.0.0.1", "email:a@b",
// "URI:u"), skipping kinds it has none for; `names` may be null.
std::vector<std::string> GeneralNamesText(const GENERAL_NAMES* names);
// KeyUsageNames turns keyUsage bits and extendedKeyUsage purposes (either may be null) into RouterOS
// key-usage names, bits first, purposes in RouterOS order.
std::vector<std::string> KeyUsageNames(const ASN1_BIT_STRING* bits, const EXTENDED_KEY_USAGE* eku);
// ToTimePoint converts an ASN1_TIME (UTCTime or GeneralizedTime) of certificates and CRLs to a system_clock
// time. system_clock counts nanoseconds in 64 bits (years 1677..2262), so a later time such as RFC 5280
// §4.1.2.5's 99991231235959Z ("no well-defined expiration date") is clamped to the time point's max (and an
// earlier one to its min). Throws core::Error "<context>: ..." for a missing or undecodable time.
std::chrono::system_clock::time_point ToTimePoint(const ASN1_TIME* time, const char* context);

// SubjectFieldError is the argument error for a subject field that X509_NAME refused, with OpenSSL's reasons
// (taken from the error queue): "invalid subject field CN=...: <errors>".
core::Error SubjectFieldError(const std::string& field, const std::string& value);

// LoadLegacyProvider makes OpenSSL's legacy algorithms available: RC2 and 3DES for PKCS#12 files from older
// tools (RouterOS imports "AES or 3DES" files; `openssl pkcs12 -legacy` writes RC2-40), single DES for SCEP
// peers that still use it (micromdm's client encrypts with DES-CBC). Loaded once, on first use.
void LoadLegacyProvider();

}  // namespace certos::crypto
