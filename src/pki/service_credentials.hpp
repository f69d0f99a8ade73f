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
TlsCredentials LoadTlsCredentials(store::Transaction& tx, std::string_view certificate_name);

// CheckTlsCredentials loads the credentials of the named certificate and checks them with the rules the TLS
// listeners apply (crypto::CheckServerCredentials): a certificate it accepts, www-ssl and api-ssl can use.
// Throws core::Error saying why not ("certificate X: key too small for TLS: rsa 1024 (security level 2
// needs ...)").
void CheckTlsCredentials(store::Transaction& tx, std::string_view certificate_name);

}  // namespace certos::pki
