#include "acme/jws.hpp"

#include "crypto/digest.hpp"
#include "crypto/jose.hpp"

namespace certos::acme {
namespace {

using crypto::Base64UrlEncode;

}  // namespace

nlohmann::json Jwk(const crypto::PrivateKey& key) {
    crypto::EcPoint point = crypto::PublicPoint(key);
    return nlohmann::json{
        {"crv", point.curve}, {"kty", "EC"}, {"x", Base64UrlEncode(point.x)}, {"y", Base64UrlEncode(point.y)}};
}

std::string Thumbprint(const crypto::PrivateKey& key) {
    // nlohmann::json keeps object members sorted and dump() writes no whitespace: RFC 7638 §3.3's form.
    return Base64UrlEncode(crypto::Digest(crypto::DigestAlgorithm::kSha256, Jwk(key).dump()));
}

std::string KeyAuthorization(std::string_view token, const crypto::PrivateKey& key) {
    return std::string(token) + "." + Thumbprint(key);
}

std::string JwsAlgorithm(const crypto::PrivateKey& key) {
    std::string curve = crypto::PublicPoint(key).curve;
    return curve == "P-384" ? "ES384" : curve == "P-521" ? "ES512" : "ES256";
}

std::string SignRequest(const crypto::PrivateKey& key, std::string_view url, std::string_view nonce,
                        std::string_view kid, std::string_view payload) {
    nlohmann::json header{{"alg", JwsAlgorithm(key)}, {"nonce", std::string(nonce)}, {"url", std::string(url)}};
    if (kid.empty()) {
        header["jwk"] = Jwk(key);
    } else {
        header["kid"] = std::string(kid);
    }
    std::string protected_b64 = Base64UrlEncode(header.dump());
    std::string payload_b64 = payload.empty() ? std::string() : Base64UrlEncode(payload);
    std::string signature = crypto::SignJwsEc(key, protected_b64 + "." + payload_b64);
    nlohmann::json jws{
        {"protected", protected_b64}, {"payload", payload_b64}, {"signature", Base64UrlEncode(signature)}};
    return jws.dump();
}

nlohmann::json ExternalAccountBinding(std::string_view eab_kid, std::string_view hmac_key,
                                      const crypto::PrivateKey& account_key, std::string_view url) {
    nlohmann::json header{{"alg", "HS256"}, {"kid", std::string(eab_kid)}, {"url", std::string(url)}};
    std::string protected_b64 = Base64UrlEncode(header.dump());
    std::string payload_b64 = Base64UrlEncode(Jwk(account_key).dump());
    std::string mac = crypto::HmacSha256(hmac_key, protected_b64 + "." + payload_b64);
    return nlohmann::json{{"protected", protected_b64}, {"payload", payload_b64}, {"signature", Base64UrlEncode(mac)}};
}

}  // namespace certos::acme
