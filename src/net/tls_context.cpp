#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>
#include <string>

#include "crypto/tls_credentials.hpp"

namespace certos::net {
namespace {

namespace ssl = boost::asio::ssl;

// The TLS 1.2 suites: ECDHE key exchange (forward secrecy) with an AEAD cipher, as in Mozilla's
// "intermediate" profile; no CBC, no RSA key exchange, no SHA-1 MACs.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";

std::string OpenSslErrors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text += (text.empty() ? "" : "; ") + std::string(buffer);
    }
    return text;
}

void Check(int ok, const char* what) {
    if (ok != 1) {
        throw std::runtime_error(std::string(what) + ": " + OpenSslErrors());
    }
}

}  // namespace

std::shared_ptr<ssl::context> MakeServerContext(const TlsSettings& settings) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use |
                         ssl::context::no_compression);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
    int min_version = settings.version == TlsVersion::kOnly13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    int max_version = settings.version == TlsVersion::kOnly12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    Check(SSL_CTX_set_min_proto_version(native, min_version), "setting the TLS version");
    Check(SSL_CTX_set_max_proto_version(native, max_version), "setting the TLS version");
    Check(SSL_CTX_set_cipher_list(native, kTls12Ciphers), "setting the ciphers");
    Check(SSL_CTX_set_ciphersuites(native, kTls13Suites), "setting the TLS 1.3 cipher suites");
    Check(SSL_CTX_set1_groups_list(native, kGroups), "setting the key exchange groups");
    // The same loading and checks /ip service applies when a certificate is set (crypto::CheckServerCredentials).
    crypto::UseServerCredentials(native, settings.certificate_chain_pem, settings.private_key_pem);
    ERR_clear_error();
    return context;
}

}  // namespace certos::net
