#include "crypto/tls_credentials.hpp"

#include <string>
#include <vector>

#include "core/error.hpp"
#include "crypto/certificate.hpp"
#include "crypto/internal.hpp"
#include "crypto/ossl.hpp"

namespace certos::crypto {
namespace {

// MinimumKeys is what a security level asks of keys (OpenSSL's SSL_CTX_set_security_level(3): level 1 is 80
// bits of security, 2 is 112, 3 is 128, 4 is 192, 5 is 256).
std::string MinimumKeys(int level) {
    struct Minimum {
        int rsa;
        int ec;
    };
    constexpr Minimum kMinimums[] = {{0, 0}, {1024, 160}, {2048, 224}, {3072, 256}, {7680, 384}, {15360, 512}};
    if (level <= 0) {
        return "no minimum";
    }
    const Minimum& minimum = kMinimums[level > 5 ? 5 : level];
    return "RSA of " + std::to_string(minimum.rsa) + " bits or more, EC of " + std::to_string(minimum.ec) + " or more";
}

// ThrowRefusal turns the TLS layer's refusal of `cert` into the reason, draining the error queue; `what`
// prefixes it ("" for the certificate itself, "issuer CN=X: " for a chain certificate).
[[noreturn]] void ThrowRefusal(SSL_CTX* ctx, const Certificate& cert, const std::string& what,
                               std::string_view context) {
    unsigned long error = ERR_peek_last_error();
    int level = SSL_CTX_get_security_level(ctx);
    std::string at_level = "security level " + std::to_string(level);
    if (ERR_GET_LIB(error) == ERR_LIB_SSL) {
        int reason = ERR_GET_REASON(error);
        if (reason == SSL_R_EE_KEY_TOO_SMALL || reason == SSL_R_CA_KEY_TOO_SMALL) {
            ERR_clear_error();
            throw core::Failure(what + "key too small for TLS: " + cert.KeyType() + " " + cert.KeySize() + " (" +
                                at_level + " needs " + MinimumKeys(level) + ")");
        }
        if (reason == SSL_R_CA_MD_TOO_WEAK) {
            ERR_clear_error();
            throw core::Failure(what + "signed with a digest too weak for TLS: " + cert.SignatureDigest() + " (" +
                                at_level + " refuses MD5 and SHA-1)");
        }
    }
    ThrowOpenSsl(context);
}

}  // namespace

void UseServerCredentials(SSL_CTX* ctx, std::string_view chain_pem, std::string_view key_pem) {
    ERR_clear_error();
    std::vector<Certificate> chain = CertificatesFromPem(chain_pem);
    if (chain.empty()) {
        throw core::Failure("the certificate chain holds no certificate");
    }
    if (SSL_CTX_use_certificate(ctx, chain[0].native()) != 1) {
        ThrowRefusal(ctx, chain[0], "", "loading the certificate");
    }
    if (SSL_CTX_clear_chain_certs(ctx) != 1) {
        ThrowOpenSsl("loading the certificate chain");
    }
    for (std::size_t i = 1; i < chain.size(); ++i) {
        if (SSL_CTX_add1_chain_cert(ctx, chain[i].native()) != 1) {
            ThrowRefusal(ctx, chain[i], "issuer " + chain[i].SubjectString() + ": ", "loading the certificate chain");
        }
    }
    UniquePtr<BIO> bio = MemBio(key_pem);
    UniquePtr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key || SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
        ThrowOpenSsl("loading the private key");
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ThrowOpenSsl("the private key does not match the certificate");
    }
}

void CheckServerCredentials(std::string_view chain_pem, std::string_view key_pem) {
    UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) {
        ThrowOpenSsl("making a TLS context");
    }
    UseServerCredentials(ctx.get(), chain_pem, key_pem);
}

}  // namespace certos::crypto
