#include "crypto/certificate.hpp"

#include <arpa/inet.h>
#include <openssl/pem.h>

#include "core/error.hpp"
#include "crypto/internal.hpp"

namespace certos::crypto {
namespace {

std::string JoinFields(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [key, value] : fields) {
        if (!out.empty()) {
            out += ',';
        }
        out += key;
        out += '=';
        out += value;
    }
    return out;
}

}  // namespace

Certificate Certificate::FromDer(std::string_view der) {
    return Adopt(DecodeDer(d2i_X509, der, "certificate").release());
}

Certificate Certificate::FromPem(std::string_view pem) {
    return Adopt(DecodePem(PEM_read_bio_X509, pem, "certificate").release());
}

std::vector<Certificate> CertificatesFromPem(std::string_view pem) {
    UniquePtr<BIO> bio = MemBio(pem);
    std::vector<Certificate> certs;
    for (;;) {
        X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
        if (raw == nullptr) {
            unsigned long err = ERR_peek_last_error();
            if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
                ERR_clear_error();  // the normal end: no further certificate in the text
                return certs;
            }
            ThrowOpenSsl("decoding PEM certificate " + std::to_string(certs.size() + 1));
        }
        certs.push_back(Certificate::Adopt(raw));
    }
}

Certificate Certificate::Adopt(x509_st* cert) { return Certificate(std::shared_ptr<x509_st>(cert, Deleter<X509>())); }

std::string Certificate::ToDer() const { return I2d(i2d_X509, cert_.get(), "encoding certificate"); }

std::string Certificate::ToPem() const {
    UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1) {
        ThrowOpenSsl("encoding PEM certificate");
    }
    return BioContents(bio.get());
}

std::string Certificate::FingerprintSha256() const { return HexLower(Digest(DigestAlgorithm::kSha256, ToDer())); }

std::string Certificate::SerialHex() const {
    UniquePtr<BIGNUM> serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr));
    if (!serial) {
        ThrowOpenSsl("decoding serial number");
    }
    // BN_bn2hex writes whole bytes in upper case, without the sign byte DER adds before a high bit.
    char* hex = BN_bn2hex(serial.get());
    if (hex == nullptr) {
        ThrowOpenSsl("encoding serial number");
    }
    std::string out(hex);
    OPENSSL_free(hex);
    return out;
}

std::vector<std::pair<std::string, std::string>> Certificate::SubjectFields() const {
    return NameFields(X509_get_subject_name(cert_.get()));
}

std::vector<std::pair<std::string, std::string>> Certificate::IssuerFields() const {
    return NameFields(X509_get_issuer_name(cert_.get()));
}

std::string Certificate::IssuerString() const { return JoinFields(IssuerFields()); }

std::string Certificate::SubjectString() const { return JoinFields(SubjectFields()); }

TimePoint Certificate::NotBefore() const {
    return ToTimePoint(X509_get0_notBefore(cert_.get()), "decoding certificate time");
}

TimePoint Certificate::NotAfter() const {
    return ToTimePoint(X509_get0_notAfter(cert_.get()), "decoding certificate time");
}

std::string Certificate::SkidHex() const { return HexLower(Bytes(X509_get0_subject_key_id(cert_.get()))); }

std::string Certificate::AkidHex() const { return HexLower(Bytes(X509_get0_authority_key_id(cert_.get()))); }

bool Certificate::IsCa() const {
    UniquePtr<BASIC_CONSTRAINTS> bc(
        static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(cert_.get(), NID_basic_constraints, nullptr, nullptr)));
    return bc && bc->ca != 0;
}

std::vector<std::string> Certificate::KeyUsage() const {
    UniquePtr<ASN1_BIT_STRING> bits(
        static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(cert_.get(), NID_key_usage, nullptr, nullptr)));
    UniquePtr<EXTENDED_KEY_USAGE> eku(
        static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert_.get(), NID_ext_key_usage, nullptr, nullptr)));
    return KeyUsageNames(bits.get(), eku.get());
}

std::vector<std::string> Certificate::SubjectAltNames() const {
    UniquePtr<GENERAL_NAMES> names(
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert_.get(), NID_subject_alt_name, nullptr, nullptr)));
    return GeneralNamesText(names.get());
}

std::vector<std::string> Certificate::CrlDistributionPoints() const {
    std::vector<std::string> uris;
    UniquePtr<CRL_DIST_POINTS> points(
        static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(cert_.get(), NID_crl_distribution_points, nullptr, nullptr)));
    for (int i = 0; points && i < sk_DIST_POINT_num(points.get()); ++i) {
        const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
        // Only a fullName can hold a URI; a nameRelativeToCRLIssuer is a DN fragment (RFC 5280 §4.2.1.13).
        if (point->distpoint == nullptr || point->distpoint->type != 0) {
            continue;
        }
        const GENERAL_NAMES* names = point->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
            int type = 0;
            void* value = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(names, j), &type);
            if (type == GEN_URI) {
                uris.emplace_back(Bytes(static_cast<const ASN1_STRING*>(value)));
            }
        }
    }
    return uris;
}

std::string Certificate::PublicKeyDer() const {
    return I2d(i2d_X509_PUBKEY, X509_get_X509_PUBKEY(cert_.get()), "encoding certificate public key");
}

std::string Certificate::KeyType() const {
    const EVP_PKEY* pkey = X509_get0_pubkey(cert_.get());
    if (pkey == nullptr) {
        ERR_clear_error();  // a key algorithm OpenSSL does not know
        return {};
    }
    return PkeyType(pkey);
}

std::string Certificate::KeySize() const {
    const EVP_PKEY* pkey = X509_get0_pubkey(cert_.get());
    if (pkey == nullptr) {
        ERR_clear_error();
        return {};
    }
    return PkeySize(pkey);
}

std::string Certificate::SignatureDigest() const {
    int md_nid = NID_undef;
    // X509_get_signature_info also reads the digest out of RSASSA-PSS parameters.
    if (X509_get_signature_info(cert_.get(), &md_nid, nullptr, nullptr, nullptr) != 1 || md_nid == NID_undef) {
        ERR_clear_error();
        return {};  // e.g. Ed25519, which signs without a separate digest
    }
    return OBJ_nid2ln(md_nid);
}

bool Certificate::IsSelfIssued() const {
    return X509_NAME_cmp(X509_get_subject_name(cert_.get()), X509_get_issuer_name(cert_.get())) == 0;
}

bool Certificate::IsSignedBy(const Certificate& issuer) const {
    EVP_PKEY* key = X509_get0_pubkey(issuer.cert_.get());
    bool ok = key != nullptr && X509_verify(cert_.get(), key) == 1;
    ERR_clear_error();
    return ok;
}

}  // namespace certos::crypto
