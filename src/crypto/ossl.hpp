#pragma once
// Internal to crypto/: the one header that owns OpenSSL objects. Every OpenSSL object lives in a
// UniquePtr from the line that allocates it (the way BoringSSL's bssl::UniquePtr works), and every failed
// call reports through ThrowOpenSsl, which drains the error queue into the exception text.
// Layers above crypto/ never include this file.

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

namespace certos::crypto {

template <typename T>
struct Deleter;

// FreeWith is a deleter that calls OpenSSL's `Free` for the type.
template <typename T, auto Free>
struct FreeWith {
    void operator()(T* p) const { Free(p); }
};

#define CERTOS_OSSL_DELETER(type, fn) \
    template <>                       \
    struct Deleter<type> : FreeWith<type, fn> {}

CERTOS_OSSL_DELETER(BIO, BIO_free_all);
CERTOS_OSSL_DELETER(EVP_PKEY, EVP_PKEY_free);
CERTOS_OSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
CERTOS_OSSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free);
CERTOS_OSSL_DELETER(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free);
CERTOS_OSSL_DELETER(EVP_KDF, EVP_KDF_free);
CERTOS_OSSL_DELETER(EVP_KDF_CTX, EVP_KDF_CTX_free);
CERTOS_OSSL_DELETER(X509, X509_free);
CERTOS_OSSL_DELETER(X509_REQ, X509_REQ_free);
CERTOS_OSSL_DELETER(X509_CRL, X509_CRL_free);
CERTOS_OSSL_DELETER(X509_REVOKED, X509_REVOKED_free);
CERTOS_OSSL_DELETER(X509_NAME, X509_NAME_free);
CERTOS_OSSL_DELETER(X509_PUBKEY, X509_PUBKEY_free);
CERTOS_OSSL_DELETER(X509_EXTENSION, X509_EXTENSION_free);
CERTOS_OSSL_DELETER(X509_ATTRIBUTE, X509_ATTRIBUTE_free);
CERTOS_OSSL_DELETER(ASN1_OBJECT, ASN1_OBJECT_free);
CERTOS_OSSL_DELETER(X509_STORE, X509_STORE_free);
CERTOS_OSSL_DELETER(X509_STORE_CTX, X509_STORE_CTX_free);
CERTOS_OSSL_DELETER(PKCS12, PKCS12_free);
CERTOS_OSSL_DELETER(PKCS7, PKCS7_free);
CERTOS_OSSL_DELETER(CMS_ContentInfo, CMS_ContentInfo_free);
CERTOS_OSSL_DELETER(PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free);
CERTOS_OSSL_DELETER(X509_SIG, X509_SIG_free);  // an EncryptedPrivateKeyInfo
CERTOS_OSSL_DELETER(PBEPARAM, PBEPARAM_free);
CERTOS_OSSL_DELETER(PBE2PARAM, PBE2PARAM_free);
CERTOS_OSSL_DELETER(PBKDF2PARAM, PBKDF2PARAM_free);
#ifndef OPENSSL_NO_SCRYPT
CERTOS_OSSL_DELETER(SCRYPT_PARAMS, SCRYPT_PARAMS_free);
#endif
CERTOS_OSSL_DELETER(BIGNUM, BN_free);
CERTOS_OSSL_DELETER(GENERAL_NAMES, GENERAL_NAMES_free);
CERTOS_OSSL_DELETER(GENERAL_NAME, GENERAL_NAME_free);
CERTOS_OSSL_DELETER(BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free);
CERTOS_OSSL_DELETER(EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free);
CERTOS_OSSL_DELETER(AUTHORITY_KEYID, AUTHORITY_KEYID_free);
CERTOS_OSSL_DELETER(CRL_DIST_POINTS, CRL_DIST_POINTS_free);
CERTOS_OSSL_DELETER(DIST_POINT, DIST_POINT_free);
CERTOS_OSSL_DELETER(DIST_POINT_NAME, DIST_POINT_NAME_free);
// ASN1_INTEGER, ASN1_TIME, ASN1_OCTET_STRING and ASN1_BIT_STRING are all ASN1_STRING.
CERTOS_OSSL_DELETER(ASN1_STRING, ASN1_STRING_free);
CERTOS_OSSL_DELETER(OSSL_DECODER_CTX, OSSL_DECODER_CTX_free);
CERTOS_OSSL_DELETER(OSSL_ENCODER_CTX, OSSL_ENCODER_CTX_free);
CERTOS_OSSL_DELETER(OSSL_PROVIDER, OSSL_PROVIDER_unload);
CERTOS_OSSL_DELETER(SSL_CTX, SSL_CTX_free);
CERTOS_OSSL_DELETER(ECDSA_SIG, ECDSA_SIG_free);

// A STACK_OF(X509_EXTENSION) owns its extensions (X509_REQ_get_extensions returns such a copy).
inline void FreeExtensionStack(STACK_OF(X509_EXTENSION) * stack) {
    sk_X509_EXTENSION_pop_free(stack, X509_EXTENSION_free);
}
CERTOS_OSSL_DELETER(STACK_OF(X509_EXTENSION), FreeExtensionStack);

// PKCS#12 authenticated safes and safe bags come as stacks that own their elements.
inline void FreePkcs7Stack(STACK_OF(PKCS7) * stack) { sk_PKCS7_pop_free(stack, PKCS7_free); }
CERTOS_OSSL_DELETER(STACK_OF(PKCS7), FreePkcs7Stack);
inline void FreeSafeBagStack(STACK_OF(PKCS12_SAFEBAG) * stack) {
    sk_PKCS12_SAFEBAG_pop_free(stack, PKCS12_SAFEBAG_free);
}
CERTOS_OSSL_DELETER(STACK_OF(PKCS12_SAFEBAG), FreeSafeBagStack);

// A STACK_OF(X509) owns its certificates: each pushed one holds a reference (X509_up_ref when shared).
inline void FreeX509Stack(STACK_OF(X509) * stack) { sk_X509_pop_free(stack, X509_free); }
CERTOS_OSSL_DELETER(STACK_OF(X509), FreeX509Stack);

#undef CERTOS_OSSL_DELETER

template <typename T>
using UniquePtr = std::unique_ptr<T, Deleter<T>>;

// OpenSslFree releases memory that OpenSSL allocated for the caller (ASN1_STRING_to_UTF8, i2d with a null
// buffer); OpenSslBytes owns such a buffer.
struct OpenSslFree {
    void operator()(void* p) const { OPENSSL_free(p); }
};
using OpenSslBytes = std::unique_ptr<unsigned char, OpenSslFree>;

// OpenSslErrors drains OpenSSL's error queue into "error:1E08010C:DECODER routines::unsupported; ...".
std::string OpenSslErrors();

// ThrowOpenSsl throws core::Error (kFailure) "failure: <context>: <drained errors>".
[[noreturn]] void ThrowOpenSsl(std::string_view context);

// MemBio wraps bytes in a read-only memory BIO.
UniquePtr<BIO> MemBio(std::string_view data);

// BioContents copies everything written to a memory BIO.
std::string BioContents(BIO* bio);

}  // namespace certos::crypto
