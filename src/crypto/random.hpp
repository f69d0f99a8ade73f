#pragma once

#include <cstddef>
#include <string>

namespace certos::crypto {

// RandomBytes returns `count` bytes from OpenSSL's CSPRNG; throws core::Error if it fails.
std::string RandomBytes(std::size_t count);

}  // namespace certos::crypto
