// GenerateFastEcKey uses OpenSSL's EC_KEY (legacy, "deprecated since 3.0")
// API on purpose, and only here.
//
// Why: OpenSSL 3.0 (Debian 12's) encodes a provider key through OSSL_ENCODER, and every call builds a new
// encoder (and, inside X509_set_pubkey, a decoder) chain by searching all providers' implementations by
// name. For a P-256 certificate that search costs several times the key generation and the ECDSA
// signature together (bench/BENCHMARKS.md, "Issuing certificates"). A key made with EC_KEY carries its
// ASN.1 methods, so X509_set_pubkey and the PKCS#8 encoder write it directly. Everything else (signing,
// comparison, export) accepts such a key as it is.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "crypto/ec_fast.hpp"

#include <openssl/ec.h>
#include <openssl/objects.h>

#include <memory>

#include "crypto/internal.hpp"

namespace certos::crypto {

EVP_PKEY* GenerateFastEcKey(const std::string& curve) {
    int nid = OBJ_sn2nid(curve.c_str());
    if (nid == NID_undef) {
        return nullptr;
    }
    // EC_KEY_new_by_curve_name marks the group OPENSSL_EC_NAMED_CURVE: the key is written with the curve's
    // OID (RFC 5480 §2.1.1: namedCurve "MUST" be used by conforming CAs).
    std::unique_ptr<EC_KEY, decltype(&EC_KEY_free)> ec(EC_KEY_new_by_curve_name(nid), EC_KEY_free);
    UniquePtr<EVP_PKEY> pkey(EVP_PKEY_new());
    if (!ec || !pkey || EC_KEY_generate_key(ec.get()) != 1 || EVP_PKEY_assign_EC_KEY(pkey.get(), ec.get()) != 1) {
        return nullptr;
    }
    static_cast<void>(ec.release());  // the EVP_PKEY owns it now
    return pkey.release();
}

}  // namespace certos::crypto
