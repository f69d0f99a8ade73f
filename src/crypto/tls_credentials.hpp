#pragma once

#include <string_view>

struct ssl_ctx_st;

namespace certos::crypto {

// UseServerCredentials loads a PEM certificate chain (the certificate first, then its issuers) and its PEM
// private key into the TLS server context `ctx`, with the checks OpenSSL's TLS layer applies to them at the
// context's security level: key sizes of the certificate and its issuers, signature digests of certificates
// that are not self-signed (MD5 and SHA-1 are refused from level 1 up), and that the key is the certificate's.
// Throws core::Error (kFailure) saying what is refused and why ("key too small for TLS: rsa 1024 (security
// level 2 needs RSA of 2048 bits or more, EC of 224 or more)", "issuer CN=X: key too small ...").
void UseServerCredentials(ssl_ctx_st* ctx, std::string_view chain_pem, std::string_view key_pem);

// CheckServerCredentials runs UseServerCredentials on a new TLS server context with OpenSSL's defaults, which
// are what the TLS listeners (net/tls_context.cpp) run on: a certificate it accepts, they accept.
void CheckServerCredentials(std::string_view chain_pem, std::string_view key_pem);

}  // namespace certos::crypto
