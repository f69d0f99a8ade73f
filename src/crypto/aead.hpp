#pragma once
// AES-256-GCM with a caller's key and nonce (the master key's seals, `/system backup` files), and scrypt, the
// password KDF of backups.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certos::crypto {

inline constexpr std::size_t kAeadKeySize = 32;
inline constexpr std::size_t kAeadNonceSize = 12;
inline constexpr std::size_t kAeadTagSize = 16;

// AeadSeal encrypts `plaintext` under `key` (32 bytes) and `nonce` (12 bytes, never used twice with one key),
// binding `aad` into the tag. Returns the ciphertext followed by the 16-byte tag.
std::string AeadSeal(std::string_view key, std::string_view nonce, std::string_view plaintext, std::string_view aad);
// AeadOpen reverses AeadSeal; nullopt when the tag does not verify (another key, nonce or aad, altered data).
std::optional<std::string> AeadOpen(std::string_view key, std::string_view nonce, std::string_view sealed,
                                    std::string_view aad);

// ScryptParams are scrypt's cost parameters (RFC 7914): N (a power of two), r and p.
struct ScryptParams {
    std::uint64_t n = 0;
    std::uint64_t r = 0;
    std::uint64_t p = 0;
};

// DeriveScryptKey derives `length` bytes from `password` and `salt` with OpenSSL's EVP_KDF "SCRYPT". Throws
// core::Error (kFailure) for parameters OpenSSL refuses (N not a power of two, more memory than 1 GiB).
std::string DeriveScryptKey(std::string_view password, std::string_view salt, const ScryptParams& params,
                            std::size_t length);

}  // namespace certos::crypto
