#pragma once

#include <string>
#include <string_view>

namespace certos::crypto {

// KeyIdentifier computes the key identifier of a DER SubjectPublicKeyInfo the way certos puts it in
// subjectKeyIdentifier: "the 160-bit SHA-1 hash of the value of the BIT STRING subjectPublicKey
// (excluding the tag, length, and number of unused bits)" (RFC 5280 §4.2.1.2, method 1).
// Returns the 20 raw bytes; throws core::Error when the DER is not a public key.
std::string KeyIdentifier(std::string_view spki_der);

}  // namespace certos::crypto
