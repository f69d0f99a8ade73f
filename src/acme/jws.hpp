#pragma once
// JWS for ACME (RFC 8555 §6.2): flattened JSON serialisation, ES256 account keys, "jwk" for newAccount and
// "kid" afterwards, the key authorisation of challenges (§8.1) and External Account Binding (§7.3.4).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crypto/key.hpp"

namespace certos::acme {

// Jwk is the public JWK of an EC account key (RFC 7518 §6.2.1): crv, kty, x, y.
nlohmann::json Jwk(const crypto::PrivateKey& key);

// Thumbprint is the RFC 7638 thumbprint: base64url(SHA-256(JWK with its required members in lexicographic
// order, no whitespace)).
std::string Thumbprint(const crypto::PrivateKey& key);

// KeyAuthorization is "token || '.' || base64url(Thumbprint(accountKey))" (RFC 8555 §8.1).
std::string KeyAuthorization(std::string_view token, const crypto::PrivateKey& key);

// JwsAlgorithm is the "alg" of an EC key: ES256, ES384 or ES512 by curve.
std::string JwsAlgorithm(const crypto::PrivateKey& key);

// SignRequest makes the body of one ACME POST: the protected header {alg, nonce, url, kid | jwk} (jwk when
// `kid` is empty), `payload` (an empty string is POST-as-GET, §6.3), signed with `key`.
std::string SignRequest(const crypto::PrivateKey& key, std::string_view url, std::string_view nonce,
                        std::string_view kid, std::string_view payload);

// ExternalAccountBinding is the externalAccountBinding member of a newAccount payload (§7.3.4): a JWS with
// {alg: HS256, kid: eab_kid, url: newAccount URL} over the account's JWK, MACed with `hmac_key` (raw bytes).
nlohmann::json ExternalAccountBinding(std::string_view eab_kid, std::string_view hmac_key,
                                      const crypto::PrivateKey& account_key, std::string_view url);

}  // namespace certos::acme
