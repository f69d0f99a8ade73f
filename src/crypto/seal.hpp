#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace certos::crypto {

// MasterKey is the 256-bit key that seals private keys at rest (AES-256-GCM). It lives in one file in the
// data directory, created with mode 0600 on first use.
class MasterKey {
public:
    // LoadOrCreate reads the key file, or creates it (0600, 32 random bytes) when it does not exist.
    // Throws core::Error when the file exists with the wrong size or is readable by group/others.
    static MasterKey LoadOrCreate(const std::filesystem::path& path);
    // FromBytes is for tests: exactly 32 bytes.
    static MasterKey FromBytes(std::string_view key);

    // Seal encrypts `plaintext`, binding `aad` (e.g. the row id) into the tag.
    // Output: version byte 1 | 12-byte nonce | ciphertext | 16-byte tag.
    std::string Seal(std::string_view plaintext, std::string_view aad) const;
    // Open reverses Seal; throws core::Error (kFailure) when the data was altered or the aad differs.
    std::string Open(std::string_view sealed, std::string_view aad) const;

private:
    explicit MasterKey(std::string key) : key_(std::move(key)) {}
    std::string key_;
};

}  // namespace certos::crypto
