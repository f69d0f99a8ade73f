#include "crypto/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <charconv>
#include <vector>

#include "core/value.hpp"
#include "crypto/digest.hpp"
#include "crypto/ossl.hpp"
#include "crypto/random.hpp"

namespace certos::crypto {
namespace {

constexpr int kIterations = 600000;  // OWASP 2023 guidance for PBKDF2-HMAC-SHA256
constexpr std::size_t kHashSize = 32;

std::string Derive(std::string_view password, std::string_view salt, int iterations) {
    std::string out(kHashSize, '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                          iterations, EVP_sha256(), static_cast<int>(kHashSize),
                          reinterpret_cast<unsigned char*>(out.data())) != 1) {
        ThrowOpenSsl("deriving password hash");
    }
    return out;
}

}  // namespace

std::string HashPassword(std::string_view password) {
    std::string salt = RandomBytes(16);
    return "pbkdf2-sha256$" + std::to_string(kIterations) + "$" + HexLower(salt) + "$" +
           HexLower(Derive(password, salt, kIterations));
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
    std::vector<std::string> parts = core::SplitList(encoded, '$');
    if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") {
        return false;
    }
    int iterations = 0;
    auto [ptr, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
    if (ec != std::errc() || iterations < 1 || iterations > 10000000) {
        return false;
    }
    std::optional<std::string> salt = FromHex(parts[2]);
    std::optional<std::string> expected = FromHex(parts[3]);
    if (!salt || !expected || expected->size() != kHashSize) {
        return false;
    }
    std::string actual = Derive(password, *salt, iterations);
    return CRYPTO_memcmp(actual.data(), expected->data(), kHashSize) == 0;
}

}  // namespace certos::crypto
