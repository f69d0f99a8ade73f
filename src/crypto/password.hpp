#pragma once

#include <string>
#include <string_view>

namespace certos::crypto {

// HashPassword derives a salted PBKDF2-HMAC-SHA256 hash (600,000 iterations, 16-byte random salt) and
// returns it in the self-describing form "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>".
std::string HashPassword(std::string_view password);

// VerifyPassword checks `password` against a HashPassword result in constant time; false for a
// malformed hash.
bool VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace certos::crypto
