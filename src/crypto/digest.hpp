#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace certos::crypto {

// DigestAlgorithm is RouterOS's digest-algorithm property.
enum class DigestAlgorithm { kMd5, kSha1, kSha256, kSha384, kSha512 };

inline constexpr std::string_view kDigestNames[] = {"md5", "sha1", "sha256", "sha384", "sha512"};

std::optional<DigestAlgorithm> ParseDigestAlgorithm(std::string_view name);
std::string_view DigestName(DigestAlgorithm alg);

// Digest returns the raw digest bytes of `data`.
std::string Digest(DigestAlgorithm alg, std::string_view data);

// HexLower / HexUpper encode bytes as hex without separators.
std::string HexLower(std::string_view bytes);
std::string HexUpper(std::string_view bytes);
// FromHex decodes hex of either case without separators; nullopt for an odd length or a non-hex digit.
std::optional<std::string> FromHex(std::string_view hex);

}  // namespace certos::crypto
