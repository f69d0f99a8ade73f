#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace certos::crypto {

// MasterKey is the 256-bit key that seals private keys at rest (AES-256-GCM). It lives in one file in the
// data directory, created with mode 0600 on first use.
class MasterKey {
public:
    // Load reads the key file; nullopt when it does not exist. Throws core::Error when it cannot be read, has
    // the wrong size or is readable by group/others.
    static std::optional<MasterKey> Load(const std::filesystem::path& path);
    // Create writes a new key file (0600, 32 random bytes, complete or not at all) and returns the key. When
    // another process created the file first, that key is returned instead (so two processes never end up
    // with different keys). Throws core::Error when the file cannot be written.
    static MasterKey Create(const std::filesystem::path& path);
    // LoadOrCreate is Load, or Create when the file does not exist.
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
