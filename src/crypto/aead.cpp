#include "crypto/aead.hpp"

#include <openssl/core_names.h>

#include "core/error.hpp"
#include "crypto/ossl.hpp"

namespace certos::crypto {
namespace {

// kScryptMaxMemory bounds what a backup's recorded parameters may make scrypt allocate (128 * N * r bytes).
constexpr std::uint64_t kScryptMaxMemory = std::uint64_t{1} << 30;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

void RequireSizes(std::string_view key, std::string_view nonce) {
    if (key.size() != kAeadKeySize || nonce.size() != kAeadNonceSize) {
        throw core::Error(core::ErrorCategory::kInternal, "AES-256-GCM needs a 32-byte key and a 12-byte nonce");
    }
}

}  // namespace

std::string AeadSeal(std::string_view key, std::string_view nonce, std::string_view plaintext, std::string_view aad) {
    RequireSizes(key, nonce);
    UniquePtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(nonce)) != 1 ||
        (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1)) {
        ThrowOpenSsl("encrypting");
    }
    std::string out(plaintext.size() + kAeadTagSize, '\0');
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    if (EVP_EncryptUpdate(ctx.get(), dst, &len, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), dst + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAeadTagSize, dst + plaintext.size()) != 1) {
        ThrowOpenSsl("encrypting");
    }
    return out;
}

std::optional<std::string> AeadOpen(std::string_view key, std::string_view nonce, std::string_view sealed,
                                    std::string_view aad) {
    RequireSizes(key, nonce);
    if (sealed.size() < kAeadTagSize) {
        return std::nullopt;
    }
    std::string_view body = sealed.substr(0, sealed.size() - kAeadTagSize);
    std::string tag(sealed.substr(body.size()));
    UniquePtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    std::string out(body.size(), '\0');
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(nonce)) != 1 ||
        (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1) ||
        EVP_DecryptUpdate(ctx.get(), dst, &len, Bytes(body), static_cast<int>(body.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAeadTagSize, tag.data()) != 1) {
        ThrowOpenSsl("decrypting");
    }
    if (EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    return out;
}

std::string DeriveScryptKey(std::string_view password, std::string_view salt, const ScryptParams& params,
                            std::size_t length) {
    UniquePtr<EVP_KDF> kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_SCRYPT, nullptr));
    UniquePtr<EVP_KDF_CTX> ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    if (!ctx) {
        ThrowOpenSsl("scrypt");
    }
    std::uint64_t n = params.n;
    auto r = static_cast<std::uint32_t>(params.r);
    auto p = static_cast<std::uint32_t>(params.p);
    std::uint64_t maxmem = kScryptMaxMemory;
    std::string pass(password);
    std::string salt_copy(salt);
    OSSL_PARAM list[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, pass.data(), pass.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_copy.data(), salt_copy.size()),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    std::string out(length, '\0');
    if (params.r > UINT32_MAX || params.p > UINT32_MAX ||
        EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), out.size(), list) != 1) {
        ThrowOpenSsl("scrypt");
    }
    return out;
}

}  // namespace certos::crypto
