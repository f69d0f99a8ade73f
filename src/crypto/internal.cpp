#include "crypto/internal.hpp"

#include <openssl/core_names.h>

#include <cctype>

namespace certos::crypto {

std::string_view Bytes(const ASN1_STRING* str) {
    if (str == nullptr) {
        return {};
    }
    return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(str)),
            static_cast<std::size_t>(ASN1_STRING_length(str))};
}

std::string PkeyType(const EVP_PKEY* pkey) {
    // RSASSA-PSS keys are RSA keys restricted to PSS signatures; RouterOS has one word for both.
    if (EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS")) {
        return "rsa";
    }
    if (EVP_PKEY_is_a(pkey, "EC")) {
        return "ec";
    }
    const char* name = EVP_PKEY_get0_type_name(pkey);
    std::string out = name != nullptr ? name : "unknown";
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string PkeySize(const EVP_PKEY* pkey) {
    if (EVP_PKEY_is_a(pkey, "EC")) {
        char group[80] = {};
        std::size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) == 1) {
            return std::string(group, len);
        }
        ERR_clear_error();  // explicit curve parameters have no name: fall back to the bit count
    }
    return std::to_string(EVP_PKEY_get_bits(pkey));
}

std::string PkeyPublicDer(const EVP_PKEY* pkey) {
    return I2d(i2d_PUBKEY, pkey, "encoding public key");
}

}  // namespace certos::crypto
