#include "crypto/digest.hpp"

#include <charconv>

#include "crypto/internal.hpp"

namespace certos::crypto {
namespace {

constexpr DigestAlgorithm kDigestValues[] = {DigestAlgorithm::kMd5, DigestAlgorithm::kSha1, DigestAlgorithm::kSha256,
                                             DigestAlgorithm::kSha384, DigestAlgorithm::kSha512};
static_assert(std::size(kDigestValues) == std::size(kDigestNames));

std::string Hex(std::string_view bytes, const char* digits) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 0x0f];
    }
    return out;
}

}  // namespace

std::optional<DigestAlgorithm> ParseDigestAlgorithm(std::string_view name) {
    for (std::size_t i = 0; i < std::size(kDigestNames); ++i) {
        if (kDigestNames[i] == name) {
            return kDigestValues[i];
        }
    }
    return std::nullopt;
}

std::string_view DigestName(DigestAlgorithm alg) { return kDigestNames[static_cast<std::size_t>(alg)]; }

const EVP_MD* EvpMd(DigestAlgorithm alg) {
    switch (alg) {
        case DigestAlgorithm::kMd5:
            return EVP_md5();
        case DigestAlgorithm::kSha1:
            return EVP_sha1();
        case DigestAlgorithm::kSha256:
            return EVP_sha256();
        case DigestAlgorithm::kSha384:
            return EVP_sha384();
        case DigestAlgorithm::kSha512:
            return EVP_sha512();
    }
    return EVP_sha256();  // unreachable: every enumerator is handled above
}

std::string Digest(DigestAlgorithm alg, std::string_view data) {
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, EvpMd(alg), nullptr) !=
        1) {
        ThrowOpenSsl("computing " + std::string(DigestName(alg)) + " digest");
    }
    out.resize(len);
    return out;
}

std::string HexLower(std::string_view bytes) { return Hex(bytes, "0123456789abcdef"); }
std::string HexUpper(std::string_view bytes) { return Hex(bytes, "0123456789ABCDEF"); }

std::optional<std::string> FromHex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        unsigned value = 0;
        auto [ptr, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
        if (ec != std::errc() || ptr != hex.data() + i + 2) {
            return std::nullopt;
        }
        out += static_cast<char>(value);
    }
    return out;
}

}  // namespace certos::crypto
