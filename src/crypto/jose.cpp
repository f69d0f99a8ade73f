#include "crypto/jose.hpp"

#include <openssl/core_names.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "core/error.hpp"
#include "crypto/base64.hpp"
#include "crypto/ossl.hpp"

namespace certos::crypto {
namespace {

struct CurveInfo {
    const char* group;  // OpenSSL's name
    const char* jwk;    // RFC 7518 §6.2.1.1
    std::size_t size;   // bytes of one coordinate
    const char* digest;
};

constexpr CurveInfo kCurves[] = {
    {"prime256v1", "P-256", 32, "SHA256"},
    {"secp384r1", "P-384", 48, "SHA384"},
    {"secp521r1", "P-521", 66, "SHA512"},
};

const CurveInfo& CurveOf(const PrivateKey& key) {
    char group[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key.native(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) != 1) {
        throw core::Failure("JWS: not an EC key on a named curve");
    }
    for (const CurveInfo& curve : kCurves) {
        if (std::string_view(group) == curve.group) {
            return curve;
        }
    }
    throw core::Failure("JWS: unsupported curve " + std::string(group));
}

std::string Padded(const BIGNUM* number, std::size_t size) {
    std::string out(size, '\0');
    if (BN_bn2binpad(number, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) < 0) {
        ThrowOpenSsl("JWS: number too large");
    }
    return out;
}

UniquePtr<BIGNUM> Bignum(std::string_view bytes) {
    UniquePtr<BIGNUM> out(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
    if (!out) {
        ThrowOpenSsl("JWS: number");
    }
    return out;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
    std::string out = ToBase64(bytes);
    while (!out.empty() && out.back() == '=') {
        out.pop_back();
    }
    std::replace(out.begin(), out.end(), '+', '-');
    std::replace(out.begin(), out.end(), '/', '_');
    return out;
}

std::string Base64UrlDecode(std::string_view text) {
    std::string standard(text);
    std::replace(standard.begin(), standard.end(), '-', '+');
    std::replace(standard.begin(), standard.end(), '_', '/');
    while (!standard.empty() && standard.back() == '=') {
        standard.pop_back();
    }
    if (standard.empty()) {
        return standard;
    }
    if (standard.size() % 4 == 1) {
        throw core::ArgumentError("invalid base64url");  // no padding makes one character whole
    }
    standard.append((4 - standard.size() % 4) % 4, '=');
    std::optional<std::string> out = FromBase64(standard);
    if (!out) {
        throw core::ArgumentError("invalid base64url");
    }
    return std::move(*out);
}

EcPoint PublicPoint(const PrivateKey& key) {
    const CurveInfo& curve = CurveOf(key);
    // The uncompressed point 04 || X || Y (SEC 1 §2.3.3); EVP_PKEY_get1_encoded_public_key serves keys made
    // through EC_KEY (crypto/ec_fast.cpp) as well as provider keys.
    unsigned char* raw = nullptr;
    std::size_t length = EVP_PKEY_get1_encoded_public_key(key.native(), &raw);
    OpenSslBytes encoded(raw);
    if (length != 1 + 2 * curve.size || raw == nullptr || raw[0] != 0x04) {
        ThrowOpenSsl("JWS: reading the public point");
    }
    std::string point(reinterpret_cast<const char*>(raw) + 1, 2 * curve.size);
    return EcPoint{curve.jwk, point.substr(0, curve.size), point.substr(curve.size)};
}

std::string SignJwsEc(const PrivateKey& key, std::string_view data) {
    const CurveInfo& curve = CurveOf(key);
    UniquePtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, curve.digest, nullptr, nullptr, key.native(), nullptr) != 1) {
        ThrowOpenSsl("JWS: signing");
    }
    std::size_t length = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(data.data());
    if (EVP_DigestSign(ctx.get(), nullptr, &length, in, data.size()) != 1) {
        ThrowOpenSsl("JWS: signing");
    }
    std::string der(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &length, in, data.size()) != 1) {
        ThrowOpenSsl("JWS: signing");
    }
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    UniquePtr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(length)));
    if (!sig) {
        ThrowOpenSsl("JWS: decoding the signature");
    }
    return Padded(ECDSA_SIG_get0_r(sig.get()), curve.size) + Padded(ECDSA_SIG_get0_s(sig.get()), curve.size);
}

bool VerifyJwsEc(const PrivateKey& key, std::string_view data, std::string_view signature) {
    const CurveInfo& curve = CurveOf(key);
    if (signature.size() != 2 * curve.size) {
        return false;
    }
    UniquePtr<ECDSA_SIG> sig(ECDSA_SIG_new());
    UniquePtr<BIGNUM> r = Bignum(signature.substr(0, curve.size));
    UniquePtr<BIGNUM> s = Bignum(signature.substr(curve.size));
    if (!sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
        ThrowOpenSsl("JWS: signature");
    }
    (void)r.release();  // owned by sig now
    (void)s.release();
    unsigned char* der_raw = nullptr;
    int der_length = i2d_ECDSA_SIG(sig.get(), &der_raw);
    OpenSslBytes der(der_raw);
    UniquePtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (der_length <= 0 || !ctx ||
        EVP_DigestVerifyInit_ex(ctx.get(), nullptr, curve.digest, nullptr, nullptr, key.native(), nullptr) != 1) {
        ThrowOpenSsl("JWS: verifying");
    }
    int ok = EVP_DigestVerify(ctx.get(), der.get(), static_cast<std::size_t>(der_length),
                              reinterpret_cast<const unsigned char*>(data.data()), data.size());
    ERR_clear_error();
    return ok == 1;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length) == nullptr) {
        ThrowOpenSsl("HMAC-SHA-256");
    }
    return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace certos::crypto
