#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

struct evp_pkey_st;

namespace certos::crypto {

// KeyAlgorithm is the family of a key certos generates.
enum class KeyAlgorithm { kRsa, kEc };

// KeySpec says which key to generate: RSA with a modulus of `rsa_bits`, or EC on the named curve `curve`
// (OpenSSL's short name, "prime256v1"). It is a plain value: pki::ParseKeySize makes one from a RouterOS
// key-size value, and crypto never sees that vocabulary.
struct KeySpec {
    KeyAlgorithm algorithm = KeyAlgorithm::kRsa;
    unsigned rsa_bits = 0;  // kRsa
    std::string curve;      // kEc

    // Rsa / Ec build the two kinds.
    static KeySpec Rsa(unsigned bits) { return KeySpec{KeyAlgorithm::kRsa, bits, {}}; }
    static KeySpec Ec(std::string curve) { return KeySpec{KeyAlgorithm::kEc, 0, std::move(curve)}; }
    // Name is "rsa 2048" or "ec prime256v1", for messages.
    std::string Name() const;
    bool operator==(const KeySpec&) const = default;
};

// DecryptionFailed is the error of a passphrase that opens nothing ("decryption failed"), thrown by
// PrivateKey::FromPem/FromDer and ParsePkcs12, so that callers can tell it from damaged data by its type.
class DecryptionFailed : public core::Error {
public:
    DecryptionFailed() : core::Error(core::ErrorCategory::kFailure, "decryption failed") {}
};

// UnsupportedKeyType is the error of a well-formed key that is neither RSA nor EC (RouterOS has no others).
class UnsupportedKeyType : public core::Error {
public:
    explicit UnsupportedKeyType(const std::string& type)
        : core::Error(core::ErrorCategory::kFailure,
                      "unsupported private key type " + type + " (RouterOS keys are RSA or EC)") {}
};

// PrivateKey is an RSA or EC private key (immutable, cheap to copy: shared ownership of the EVP_PKEY).
class PrivateKey {
public:
    // Generate makes a new key of `spec`. Throws core::Error (kFailure) "generating rsa 100 key: ..." when
    // OpenSSL refuses it (an RSA size outside 512..16384, a curve it does not know). When `cancel` is given
    // and becomes true while an RSA key is being made (OpenSSL's keygen callback checks it at every prime
    // candidate), generation stops within milliseconds and throws core::Error (kInterrupted) "interrupted".
    static PrivateKey Generate(const KeySpec& spec, const std::atomic<bool>* cancel = nullptr);
    // FromPkcs8Der decodes an unencrypted PKCS#8 DER key; throws core::Error saying why.
    static PrivateKey FromPkcs8Der(std::string_view der);
    // FromPem decodes the first private key in PEM text: PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 or
    // traditional encrypted PEM ("Proc-Type: 4,ENCRYPTED"). A wrong passphrase throws DecryptionFailed.
    static PrivateKey FromPem(std::string_view pem, std::string_view passphrase = {});
    // FromDer decodes DER in any of PKCS#8, encrypted PKCS#8 (with passphrase), PKCS#1 RSA, SEC1 EC.
    static PrivateKey FromDer(std::string_view der, std::string_view passphrase = {});

    std::string ToPkcs8Der() const;
    // ToPem writes unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
    std::string ToPem() const;
    // ToEncryptedPem writes PKCS#8 PEM encrypted with AES-256-CBC under PBKDF2 ("ENCRYPTED PRIVATE KEY").
    std::string ToEncryptedPem(std::string_view passphrase) const;
    // PublicKeyDer is the DER SubjectPublicKeyInfo.
    std::string PublicKeyDer() const;
    // KeyType is "rsa" or "ec"; KeySize is the RouterOS key-size value ("2048", "prime256v1", ...).
    std::string KeyType() const;
    std::string KeySize() const;

    evp_pkey_st* native() const { return pkey_.get(); }
    // Adopt takes ownership of an EVP_PKEY (crypto/ internal use).
    static PrivateKey Adopt(evp_pkey_st* pkey);

private:
    explicit PrivateKey(std::shared_ptr<evp_pkey_st> pkey) : pkey_(std::move(pkey)) {}
    std::shared_ptr<evp_pkey_st> pkey_;
};

}  // namespace certos::crypto
