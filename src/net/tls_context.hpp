#pragma once
// Internal to net/: builds the OpenSSL server contexts of TLS listeners. Includes Boost.Asio SSL.

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "net/listener.hpp"

namespace certos::net {

// MakeServerContext builds a server context for `settings`: TLS 1.2+ only (1.3 only for kOnly13, 1.2 only
// for kOnly12), forward-secret AEAD ciphers only (ECDHE with AES-GCM or ChaCha20-Poly1305), no compression,
// no renegotiation, and the given certificate chain and key, loaded and checked by
// crypto::UseServerCredentials. Throws std::runtime_error (core::Error for the credentials) saying what was
// wrong with them (too small a key, too weak a digest, the key and certificate do not match, bad PEM).
std::shared_ptr<boost::asio::ssl::context> MakeServerContext(const TlsSettings& settings);

}  // namespace certos::net
