#pragma once

#include <string>
#include <string_view>

#include "store/store.hpp"

namespace certos::pki {

// TlsCredentials are what a TLS listener needs: the certificate followed by its local issuer chain, and
// its private key, both PEM.
struct TlsCredentials {
    std::string certificate_chain_pem;
    std::string private_key_pem;
};

// LoadTlsCredentials reads the named certificate (name or *ID), its local issuer chain and its private key.
// Throws core::Error when it does not exist, is a template, or has no private key.
TlsCredentials LoadTlsCredentials(store::Store& store, std::string_view certificate_name);

}  // namespace certos::pki
