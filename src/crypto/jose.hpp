#pragma once
// The cryptographic parts of JOSE (RFC 7515 JWS, RFC 7517 JWK, RFC 7518 algorithms) that the ACME client
// (RFC 8555 §6.2) needs: base64url, the coordinates of an EC P-256 public key, ES256 signatures in JWS form
// and HS256 MACs. JSON is the caller's (acme/jws.hpp); no OpenSSL header here.

#include <string>
#include <string_view>

#include "crypto/key.hpp"

namespace certos::crypto {

// Base64UrlEncode is base64url without padding (RFC 7515 §2, "Base64url Encoding").
std::string Base64UrlEncode(std::string_view bytes);
// Base64UrlDecode reverses it (padding and the standard alphabet's '+' '/' are accepted too). Throws
// core::Error (kArgument) "invalid base64url" for anything else.
std::string Base64UrlDecode(std::string_view text);

// EcPoint is an EC public key's affine coordinates, big-endian, each padded to the field size (RFC 7518
// §6.2.1.2: "The length of this octet string MUST be the full size of a coordinate for the curve").
struct EcPoint {
    std::string curve;  // "P-256", "P-384", "P-521"
    std::string x;
    std::string y;
};

// PublicPoint returns `key`'s point. Throws core::Error (kFailure) for an RSA key or an unnamed curve.
EcPoint PublicPoint(const PrivateKey& key);

// SignJwsEc signs `data` with an EC key as JWS does (RFC 7518 §3.4): SHA-256/384/512 by curve, and the
// signature as R || S, each padded to the curve's size — not the DER that ECDSA_sign produces.
std::string SignJwsEc(const PrivateKey& key, std::string_view data);

// VerifyJwsEc checks such a signature with the key's public half (for tests and for symmetry).
bool VerifyJwsEc(const PrivateKey& key, std::string_view data, std::string_view signature);

// HmacSha256 is HMAC-SHA-256 (RFC 2104) of `data` under `key` (JWS HS256, RFC 7518 §3.2).
std::string HmacSha256(std::string_view key, std::string_view data);

}  // namespace certos::crypto
