#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace certos::crypto {

// The RouterOS key-size values, in RouterOS's order.
inline constexpr std::string_view kKeySizes[] = {"1024", "1536",       "2048",      "4096",
                                                 "8192", "prime256v1", "secp384r1", "secp521r1"};

// PrivateKey is an RSA or EC private key (immutable, cheap to copy: shared ownership of the EVP_PKEY).
class PrivateKey {
public:
    // Generate makes a new key for a RouterOS key-size value ("2048", "prime256v1", ...).
    // Throws core::Error (kArgument) "input does not match any value of key-size" for anything else.
    static PrivateKey Generate(std::string_view key_size);
    // FromPkcs8Der decodes an unencrypted PKCS#8 DER key; throws core::Error saying why.
    static PrivateKey FromPkcs8Der(std::string_view der);
    // FromPem decodes the first private key in PEM text: PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 or
    // traditional encrypted PEM ("Proc-Type: 4,ENCRYPTED"). A wrong passphrase throws core::Error.
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
