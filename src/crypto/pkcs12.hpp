#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/key.hpp"

namespace certos::crypto {

// MakePkcs12 writes a PKCS#12 file (AES-256-CBC, PBKDF2, SHA-256 MAC) holding `cert`, its `key` when
// given, and `chain`. `friendly_name` becomes the bag's friendlyName.
std::string MakePkcs12(const Certificate& cert, const PrivateKey* key, const std::vector<Certificate>& chain,
                       std::string_view passphrase, std::string_view friendly_name);

// Pkcs12Contents is what a PKCS#12 file held.
struct Pkcs12Contents {
    std::vector<Certificate> certificates;  // the key's certificate first when there is one
    std::optional<PrivateKey> key;
};

// ParsePkcs12 opens modern (AES/PBKDF2) and legacy (RC2/3DES) PKCS#12 files. A wrong passphrase throws
// DecryptionFailed (crypto/key.hpp).
Pkcs12Contents ParsePkcs12(std::string_view der, std::string_view passphrase);

}  // namespace certos::crypto
