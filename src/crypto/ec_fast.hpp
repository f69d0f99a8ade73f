#pragma once
// Internal to crypto/.

#include <string>

#include <openssl/evp.h>

namespace certos::crypto {

// GenerateFastEcKey makes an EC key on the named curve ("prime256v1") that OpenSSL 3.0 encodes without
// searching its encoder registry (see ec_fast.cpp); null when OpenSSL fails (the caller reports it).
EVP_PKEY* GenerateFastEcKey(const std::string& curve);

}  // namespace certos::crypto
