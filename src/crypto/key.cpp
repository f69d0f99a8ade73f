#include "crypto/key.hpp"

#include <openssl/pem.h>

#include <cstring>

#include "core/error.hpp"
#include "crypto/ec_fast.hpp"
#include "crypto/internal.hpp"

namespace certos::crypto {
namespace {

// Passphrase feeds a passphrase to OpenSSL's pem_password_cb and remembers whether OpenSSL asked for one:
// a key that needed a passphrase and still failed to load was (almost always) given the wrong one.
struct Passphrase {
    std::string_view text;
    bool asked = false;
};

int PassphraseCallback(char* buf, int size, int /*rwflag*/, void* user) {
    auto* passphrase = static_cast<Passphrase*>(user);
    passphrase->asked = true;
    if (passphrase->text.size() > static_cast<std::size_t>(size)) {
        return -1;
    }
    if (!passphrase->text.empty()) {  // an empty string_view may have a null data()
        std::memcpy(buf, passphrase->text.data(), passphrase->text.size());
    }
    return static_cast<int>(passphrase->text.size());
}

[[noreturn]] void ThrowLoadFailure(const Passphrase& passphrase, std::string_view context) {
    if (passphrase.asked) {
        ERR_clear_error();
        throw DecryptionFailed();
    }
    ThrowOpenSsl(context);
}

// HasPrivatePart tells a key pair from a bare public key, which the DER decoder also accepts.
bool HasPrivatePart(const EVP_PKEY* pkey) {
    BIGNUM* raw = nullptr;
    const char* param = EVP_PKEY_is_a(pkey, "EC") ? "priv" : "d";
    bool ok = EVP_PKEY_get_bn_param(pkey, param, &raw) == 1;
    UniquePtr<BIGNUM> value(raw);
    ERR_clear_error();
    return ok && value != nullptr;
}

// WritePkcs8Pem writes PKCS#8 PEM, encrypted with `cipher` under PBES2 when it is not null.
// PEM_write_bio_PKCS8PrivateKey takes provider keys through OSSL_ENCODER and keys made by GenerateFastEcKey
// through their ASN.1 method.
std::string WritePkcs8Pem(EVP_PKEY* pkey, const EVP_CIPHER* cipher, std::string_view passphrase) {
    UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
    std::string pass(passphrase);
    if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey, cipher, cipher != nullptr ? pass.data() : nullptr,
                                              static_cast<int>(pass.size()), nullptr, nullptr) != 1) {
        ThrowOpenSsl("encoding private key");
    }
    return BioContents(bio.get());
}

// KeygenCallback is OpenSSL's EVP_PKEY_gen_cb: returning 0 stops the generation.
int KeygenCallback(EVP_PKEY_CTX* ctx) {
    const auto* cancel = static_cast<const std::atomic<bool>*>(EVP_PKEY_CTX_get_app_data(ctx));
    return cancel != nullptr && cancel->load(std::memory_order_relaxed) ? 0 : 1;
}

// GenerateRsa makes an RSA key of `bits`; with `cancel`, through the keygen callback so that it can stop.
EVP_PKEY* GenerateRsa(unsigned bits, const std::atomic<bool>* cancel) {
    if (cancel == nullptr) {
        return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
    }
    UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) != 1) {
        return nullptr;
    }
    EVP_PKEY_CTX_set_app_data(ctx.get(), const_cast<std::atomic<bool>*>(cancel));  // NOLINT: read only
    EVP_PKEY_CTX_set_cb(ctx.get(), KeygenCallback);
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &raw) != 1) {
        if (cancel->load()) {
            ERR_clear_error();
            throw core::Error(core::ErrorCategory::kInterrupted, "interrupted");
        }
        return nullptr;
    }
    return raw;
}

}  // namespace

std::string KeySpec::Name() const {
    return algorithm == KeyAlgorithm::kRsa ? "rsa " + std::to_string(rsa_bits) : "ec " + curve;
}

PrivateKey PrivateKey::Generate(const KeySpec& spec, const std::atomic<bool>* cancel) {
    // OpenSSL's own bounds are wider (and 16384+ bits would take minutes): refuse what no peer accepts.
    constexpr unsigned kMinRsaBits = 512;
    constexpr unsigned kMaxRsaBits = 16384;
    EVP_PKEY* raw = nullptr;
    if (spec.algorithm == KeyAlgorithm::kEc) {
        // The key is written with the named-curve encoding (RFC 5480 §2.1.1: "namedCurve ... MUST" be used by
        // conforming CAs); see ec_fast.cpp for why it is made through EC_KEY.
        raw = GenerateFastEcKey(spec.curve);
    } else if (spec.rsa_bits >= kMinRsaBits && spec.rsa_bits <= kMaxRsaBits) {
        raw = GenerateRsa(spec.rsa_bits, cancel);
    } else {
        throw core::Failure("generating " + spec.Name() + " key: RSA size outside " + std::to_string(kMinRsaBits) +
                            ".." + std::to_string(kMaxRsaBits));
    }
    if (raw == nullptr) {
        if (spec.algorithm == KeyAlgorithm::kEc && ERR_peek_error() == 0) {
            throw core::Failure("generating " + spec.Name() + " key: unknown curve");  // OBJ_sn2nid found none
        }
        ThrowOpenSsl("generating " + spec.Name() + " key");
    }
    return Adopt(raw);
}

PrivateKey PrivateKey::FromPkcs8Der(std::string_view der) {
    const unsigned char* p = Uchar(der);
    UniquePtr<PKCS8_PRIV_KEY_INFO> info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
    if (!info) {
        ThrowOpenSsl("loading PKCS#8 private key");
    }
    if (p != Uchar(der) + der.size()) {
        throw core::Failure("loading PKCS#8 private key: trailing data after the key");
    }
    EVP_PKEY* raw = EVP_PKCS82PKEY(info.get());
    if (raw == nullptr) {
        ThrowOpenSsl("loading PKCS#8 private key");
    }
    return Adopt(raw);
}

PrivateKey PrivateKey::FromPem(std::string_view pem, std::string_view passphrase) {
    // Every PEM private key label ends so: PRIVATE KEY, RSA/EC PRIVATE KEY, ENCRYPTED PRIVATE KEY. Checking first
    // gives a clearer error than the decoder's "unsupported".
    if (pem.find("PRIVATE KEY-----") == std::string_view::npos) {
        throw core::Failure("loading PEM private key: the text holds no private key");
    }
    UniquePtr<BIO> bio = MemBio(pem);
    Passphrase pw{passphrase};
    // PEM_read_bio_PrivateKey_ex skips PEM blocks that hold no private key (a certificate before the key)
    // and understands the traditional "Proc-Type: 4,ENCRYPTED" headers as well as PKCS#8.
    EVP_PKEY* raw = PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, PassphraseCallback, &pw, nullptr, nullptr);
    if (raw == nullptr) {
        ThrowLoadFailure(pw, "loading PEM private key");
    }
    return Adopt(raw);
}

PrivateKey PrivateKey::FromDer(std::string_view der, std::string_view passphrase) {
    EVP_PKEY* raw = nullptr;
    UniquePtr<OSSL_DECODER_CTX> ctx(
        OSSL_DECODER_CTX_new_for_pkey(&raw, "DER", nullptr, nullptr, EVP_PKEY_KEYPAIR, nullptr, nullptr));
    Passphrase pw{passphrase};
    if (!ctx || OSSL_DECODER_CTX_set_pem_password_cb(ctx.get(), PassphraseCallback, &pw) != 1) {
        ThrowOpenSsl("loading DER private key");
    }
    const unsigned char* data = Uchar(der);
    std::size_t len = der.size();
    int ok = OSSL_DECODER_from_data(ctx.get(), &data, &len);
    UniquePtr<EVP_PKEY> pkey(raw);
    if (ok != 1 || !pkey) {
        ThrowLoadFailure(pw, "loading DER private key");
    }
    if (!HasPrivatePart(pkey.get())) {
        throw core::Failure("loading DER private key: the data holds only a public key");
    }
    return Adopt(pkey.release());
}

PrivateKey PrivateKey::Adopt(evp_pkey_st* pkey) {
    UniquePtr<EVP_PKEY> owned(pkey);
    std::string type = PkeyType(owned.get());
    if (type != "rsa" && type != "ec") {
        throw UnsupportedKeyType(type);
    }
    return PrivateKey(std::shared_ptr<evp_pkey_st>(owned.release(), Deleter<EVP_PKEY>()));
}

std::string PrivateKey::ToPkcs8Der() const {
    // EVP_PKEY2PKCS8 writes a key made by GenerateFastEcKey with its ASN.1 method, without OSSL_ENCODER.
    UniquePtr<PKCS8_PRIV_KEY_INFO> info(EVP_PKEY2PKCS8(pkey_.get()));
    if (!info) {
        ThrowOpenSsl("encoding private key");
    }
    return I2d(i2d_PKCS8_PRIV_KEY_INFO, info.get(), "encoding private key");
}

std::string PrivateKey::ToPem() const { return WritePkcs8Pem(pkey_.get(), nullptr, {}); }

std::string PrivateKey::ToEncryptedPem(std::string_view passphrase) const {
    // OpenSSL 3 encrypts PKCS#8 with PBES2: PBKDF2 (HMAC-SHA-256) and the cipher chosen here.
    return WritePkcs8Pem(pkey_.get(), EVP_aes_256_cbc(), passphrase);
}

std::string PrivateKey::PublicKeyDer() const { return PkeyPublicDer(pkey_.get()); }

std::string PrivateKey::KeyType() const { return PkeyType(pkey_.get()); }

std::string PrivateKey::KeySize() const { return PkeySize(pkey_.get()); }

}  // namespace certos::crypto
