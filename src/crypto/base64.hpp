#pragma once
// Base64 (RFC 4648 §4) over OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock: HTTP Basic credentials (net/http.cpp)
// and, through its url-safe alphabet, JOSE (crypto/jose.hpp). Only OpenSSL's libcrypto is needed.

#include <optional>
#include <string>
#include <string_view>

namespace certos::crypto {

// ToBase64 encodes `bytes` as standard, padded base64.
std::string ToBase64(std::string_view bytes);
// FromBase64 decodes standard, padded base64; nullopt for an empty text, a length that is not a multiple of
// four, or a character outside the alphabet.
std::optional<std::string> FromBase64(std::string_view text);

}  // namespace certos::crypto
