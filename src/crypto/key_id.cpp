#include "crypto/key_id.hpp"

#include "crypto/digest.hpp"
#include "crypto/ossl.hpp"

namespace certos::crypto {

std::string KeyIdentifier(std::string_view spki_der) {
    const auto* p = reinterpret_cast<const unsigned char*>(spki_der.data());
    UniquePtr<X509_PUBKEY> pubkey(d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size())));
    if (!pubkey) {
        ThrowOpenSsl("decoding public key");
    }
    const unsigned char* bits = nullptr;
    int bits_len = 0;
    if (X509_PUBKEY_get0_param(nullptr, &bits, &bits_len, nullptr, pubkey.get()) != 1) {
        ThrowOpenSsl("reading public key");
    }
    return Digest(DigestAlgorithm::kSha1,
                  std::string_view(reinterpret_cast<const char*>(bits), static_cast<std::size_t>(bits_len)));
}

}  // namespace certos::crypto
