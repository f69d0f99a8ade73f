#include "crypto/pkcs12.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "crypto/internal.hpp"

namespace certos::crypto {
namespace {

// MacVerifies checks the integrity MAC. PKCS#12 has two spellings of "no password" (an empty BMPString and
// none at all) and tools disagree on which they write, so an empty passphrase tries both, as PKCS12_parse does.
bool MacVerifies(PKCS12* p12, const std::string& passphrase) {
    if (passphrase.empty()) {
        return PKCS12_verify_mac(p12, nullptr, 0) == 1 || PKCS12_verify_mac(p12, "", 0) == 1;
    }
    return PKCS12_verify_mac(p12, passphrase.c_str(), -1) == 1;
}

[[noreturn]] void ThrowDecryptionFailed() {
    ERR_clear_error();
    throw DecryptionFailed();
}

}  // namespace

std::string MakePkcs12(const Certificate& cert, const PrivateKey* key, const std::vector<Certificate>& chain,
                       std::string_view passphrase, std::string_view friendly_name) {
    UniquePtr<STACK_OF(X509)> ca(sk_X509_new_null());
    if (!ca) {
        ThrowOpenSsl("allocating PKCS#12 chain");
    }
    for (const Certificate& c : chain) {
        if (X509_up_ref(c.native()) != 1) {
            ThrowOpenSsl("building PKCS#12 chain");
        }
        if (sk_X509_push(ca.get(), c.native()) == 0) {
            X509_free(c.native());
            ThrowOpenSsl("building PKCS#12 chain");
        }
    }
    std::string pass(passphrase);
    std::string name(friendly_name);
    // Key and certificates are encrypted with PBES2 (PBKDF2 with HMAC-SHA-256, AES-256-CBC); the MAC is added
    // separately below because PKCS12_create would use SHA-1 for it.
    UniquePtr<PKCS12> p12(PKCS12_create_ex(
        pass.c_str(), name.empty() ? nullptr : name.c_str(), key != nullptr ? key->native() : nullptr, cert.native(),
        ca.get(), NID_aes_256_cbc, NID_aes_256_cbc, PKCS12_DEFAULT_ITER, -1, 0, nullptr, nullptr));
    if (!p12) {
        ThrowOpenSsl("creating PKCS#12");
    }
    if (PKCS12_set_mac(p12.get(), pass.c_str(), -1, nullptr, 0, PKCS12_DEFAULT_ITER, EVP_sha256()) != 1) {
        ThrowOpenSsl("adding PKCS#12 MAC");
    }
    return I2d(i2d_PKCS12, p12.get(), "encoding PKCS#12");
}

Pkcs12Contents ParsePkcs12(std::string_view der, std::string_view passphrase) {
    LoadLegacyProvider();
    const unsigned char* p = Uchar(der);
    UniquePtr<PKCS12> p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
    if (!p12) {
        ThrowOpenSsl("decoding PKCS#12");
    }
    std::string pass(passphrase);
    bool has_mac = PKCS12_mac_present(p12.get()) == 1;
    if (has_mac && !MacVerifies(p12.get(), pass)) {
        ThrowDecryptionFailed();
    }
    EVP_PKEY* raw_key = nullptr;
    X509* raw_cert = nullptr;
    STACK_OF(X509)* raw_ca = nullptr;
    int ok = PKCS12_parse(p12.get(), pass.c_str(), &raw_key, &raw_cert, &raw_ca);
    UniquePtr<EVP_PKEY> key(raw_key);
    UniquePtr<X509> cert(raw_cert);
    UniquePtr<STACK_OF(X509)> ca(raw_ca);
    if (ok != 1) {
        if (!has_mac) {
            ThrowDecryptionFailed();  // without a MAC, a wrong passphrase first shows as undecryptable bags
        }
        ThrowOpenSsl("reading PKCS#12");
    }
    Pkcs12Contents contents;
    bool paired = cert != nullptr;
    if (cert) {
        contents.certificates.push_back(Certificate::Adopt(cert.release()));
    }
    while (ca && sk_X509_num(ca.get()) > 0) {
        contents.certificates.push_back(Certificate::Adopt(sk_X509_shift(ca.get())));
    }
    if (key) {
        // PKCS12_parse pairs key and certificate by localKeyID; files without one still hold the key's
        // certificate somewhere, and it belongs first.
        if (!paired) {
            for (std::size_t i = 0; i < contents.certificates.size(); ++i) {
                if (X509_check_private_key(contents.certificates[i].native(), key.get()) == 1) {
                    std::rotate(contents.certificates.begin(), contents.certificates.begin() + static_cast<long>(i),
                                contents.certificates.begin() + static_cast<long>(i) + 1);
                    break;
                }
            }
            ERR_clear_error();
        }
        contents.key = PrivateKey::Adopt(key.release());
    }
    return contents;
}

}  // namespace certos::crypto
