#include "crypto/random.hpp"

#include <openssl/rand.h>

#include "crypto/ossl.hpp"

namespace certos::crypto {

std::string RandomBytes(std::size_t count) {
    std::string out(count, '\0');
    if (count > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
        ThrowOpenSsl("generating random bytes");
    }
    return out;
}

}  // namespace certos::crypto
