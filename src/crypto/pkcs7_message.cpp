#include "crypto/pkcs7_message.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/error.hpp"
#include "crypto/internal.hpp"

namespace certos::crypto {
namespace {

std::string Lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string OidText(const ASN1_OBJECT* obj) {
    std::array<char, 128> buf{};
    int len = OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), obj, 1);
    if (len <= 0 || static_cast<std::size_t>(len) >= buf.size()) {
        return {};
    }
    return std::string(buf.data(), static_cast<std::size_t>(len));
}

UniquePtr<PKCS7> DecodePkcs7(std::string_view der, std::string_view what) { return DecodeDer(d2i_PKCS7, der, what); }

Pkcs7Attribute ReadAttribute(X509_ATTRIBUTE* attr) {
    Pkcs7Attribute out;
    out.oid = OidText(X509_ATTRIBUTE_get0_object(attr));
    ASN1_TYPE* value = X509_ATTRIBUTE_count(attr) == 1 ? X509_ATTRIBUTE_get0_type(attr, 0) : nullptr;
    if (value == nullptr) {
        return out;
    }
    int type = ASN1_TYPE_get(value);
    if (type == V_ASN1_PRINTABLESTRING || type == V_ASN1_OCTET_STRING) {
        out.value = std::string(Bytes(value->value.asn1_string));
        out.octets = type == V_ASN1_OCTET_STRING;
    }
    return out;
}

}  // namespace

Pkcs7Signed ReadSignedData(std::string_view der) {
    UniquePtr<PKCS7> p7 = DecodePkcs7(der, "SignedData");
    if (PKCS7_type_is_signed(p7.get()) == 0) {
        throw core::Failure("not a PKCS#7 SignedData");
    }
    if (PKCS7_get_detached(p7.get()) != 0) {
        throw core::Failure("SignedData carries no content");
    }
    STACK_OF(PKCS7_SIGNER_INFO)* infos = PKCS7_get_signer_info(p7.get());
    if (infos == nullptr || sk_PKCS7_SIGNER_INFO_num(infos) != 1) {
        throw core::Failure("SignedData must have exactly one signer");
    }
    PKCS7_SIGNER_INFO* info = sk_PKCS7_SIGNER_INFO_value(infos, 0);
    UniquePtr<STACK_OF(X509)> signers;
    {
        // PKCS7_get0_signers returns a new stack of borrowed certificates: take a reference to each.
        STACK_OF(X509)* borrowed = PKCS7_get0_signers(p7.get(), nullptr, 0);
        if (borrowed == nullptr) {
            ThrowOpenSsl("finding the signer's certificate");
        }
        for (int i = 0; i < sk_X509_num(borrowed); ++i) {
            X509_up_ref(sk_X509_value(borrowed, i));
        }
        signers.reset(borrowed);
    }
    if (sk_X509_num(signers.get()) != 1) {
        throw core::Failure("SignedData must carry its signer's certificate");
    }
    X509* signer = sk_X509_value(signers.get(), 0);
    X509_up_ref(signer);
    Pkcs7Signed out{.signer = Certificate::Adopt(signer)};

    X509_ALGOR* digest_alg = nullptr;
    PKCS7_SIGNER_INFO_get0_algs(info, nullptr, &digest_alg, nullptr);
    if (digest_alg != nullptr) {
        const ASN1_OBJECT* obj = nullptr;
        X509_ALGOR_get0(&obj, nullptr, nullptr, digest_alg);
        int nid = OBJ_obj2nid(obj);
        out.digest = nid == NID_undef ? OidText(obj) : Lower(OBJ_nid2sn(nid));
    }
    STACK_OF(X509_ATTRIBUTE)* attrs = PKCS7_get_signed_attributes(info);
    for (int i = 0; i < sk_X509_ATTRIBUTE_num(attrs); ++i) {
        out.attributes.push_back(ReadAttribute(sk_X509_ATTRIBUTE_value(attrs, i)));
    }

    UniquePtr<BIO> content(BIO_new(BIO_s_mem()));
    // PKCS7_NOVERIFY: the signature is checked, the signer's chain is not (self-signed requesters).
    out.signature_ok =
        PKCS7_verify(p7.get(), nullptr, nullptr, nullptr, content.get(), PKCS7_NOVERIFY | PKCS7_BINARY) == 1;
    ERR_clear_error();
    if (out.signature_ok) {
        out.content = BioContents(content.get());
    } else {
        // The content is still read (the caller answers the transaction), but not trusted.
        UniquePtr<BIO> data(PKCS7_dataInit(p7.get(), nullptr));
        if (data) {
            std::array<char, 4096> buf{};
            for (int n = 0; (n = BIO_read(data.get(), buf.data(), static_cast<int>(buf.size()))) > 0;) {
                out.content.append(buf.data(), static_cast<std::size_t>(n));
            }
        }
        ERR_clear_error();
    }
    return out;
}

std::string SignData(std::string_view content, const Certificate& signer, const PrivateKey& key, DigestAlgorithm digest,
                     const std::vector<Pkcs7Attribute>& attributes) {
    UniquePtr<PKCS7> p7(PKCS7_sign(nullptr, nullptr, nullptr, nullptr, PKCS7_PARTIAL | PKCS7_BINARY));
    if (!p7) {
        ThrowOpenSsl("making SignedData");
    }
    PKCS7_SIGNER_INFO* info =
        PKCS7_sign_add_signer(p7.get(), signer.native(), key.native(), EvpMd(digest), PKCS7_BINARY | PKCS7_NOSMIMECAP);
    if (info == nullptr) {
        ThrowOpenSsl("adding the SignedData signer");
    }
    STACK_OF(X509_ATTRIBUTE)* attrs = PKCS7_get_signed_attributes(info);
    for (const Pkcs7Attribute& attribute : attributes) {
        UniquePtr<ASN1_OBJECT> oid(OBJ_txt2obj(attribute.oid.c_str(), 1));
        if (!oid) {
            ThrowOpenSsl("attribute " + attribute.oid);
        }
        UniquePtr<X509_ATTRIBUTE> attr(X509_ATTRIBUTE_create_by_OBJ(
            nullptr, oid.get(), attribute.octets ? V_ASN1_OCTET_STRING : V_ASN1_PRINTABLESTRING, Uchar(attribute.value),
            static_cast<int>(attribute.value.size())));
        if (!attr || sk_X509_ATTRIBUTE_push(attrs, attr.get()) <= 0) {
            ThrowOpenSsl("attribute " + attribute.oid);
        }
        static_cast<void>(attr.release());  // the signer info owns it now
    }
    UniquePtr<BIO> data = MemBio(content);
    if (PKCS7_final(p7.get(), data.get(), PKCS7_BINARY) != 1) {
        ThrowOpenSsl("signing SignedData");
    }
    return I2d(i2d_PKCS7, p7.get(), "encoding SignedData");
}

Pkcs7Opened OpenEnvelope(std::string_view der, const Certificate& recipient, const PrivateKey& key) {
    UniquePtr<PKCS7> p7 = DecodePkcs7(der, "EnvelopedData");
    if (PKCS7_type_is_enveloped(p7.get()) == 0) {
        throw core::Failure("not a PKCS#7 EnvelopedData");
    }
    Pkcs7Opened out;
    const ASN1_OBJECT* alg = p7->d.enveloped->enc_data->algorithm->algorithm;
    int nid = OBJ_obj2nid(alg);
    out.cipher = nid == NID_undef ? OidText(alg) : OBJ_nid2sn(nid);
    if (nid == NID_des_cbc || nid == NID_rc2_cbc) {
        LoadLegacyProvider();
    }
    UniquePtr<BIO> content(BIO_new(BIO_s_mem()));
    if (PKCS7_decrypt(p7.get(), key.native(), recipient.native(), content.get(), PKCS7_BINARY) != 1) {
        ThrowOpenSsl("decrypting EnvelopedData");
    }
    out.content = BioContents(content.get());
    return out;
}

std::string SealEnvelope(std::string_view content, const Certificate& recipient, std::string_view cipher) {
    std::string name(cipher);
    const EVP_CIPHER* evp = EVP_get_cipherbyname(name.c_str());
    if (evp == nullptr) {
        throw core::Failure("unknown cipher " + name);
    }
    if (EVP_CIPHER_get_nid(evp) == NID_des_cbc) {
        LoadLegacyProvider();
    }
    UniquePtr<STACK_OF(X509)> recipients(sk_X509_new_null());
    X509_up_ref(recipient.native());
    if (!recipients || sk_X509_push(recipients.get(), recipient.native()) <= 0) {
        X509_free(recipient.native());
        ThrowOpenSsl("EnvelopedData recipient");
    }
    UniquePtr<BIO> data = MemBio(content);
    UniquePtr<PKCS7> p7(PKCS7_encrypt(recipients.get(), data.get(), evp, PKCS7_BINARY));
    if (!p7) {
        ThrowOpenSsl("encrypting EnvelopedData with " + name);
    }
    return I2d(i2d_PKCS7, p7.get(), "encoding EnvelopedData");
}

std::string CertificatesOnly(const std::vector<Certificate>& certs, const std::vector<std::string>& crls) {
    UniquePtr<PKCS7> p7(PKCS7_new());
    if (!p7 || PKCS7_set_type(p7.get(), NID_pkcs7_signed) != 1 || PKCS7_content_new(p7.get(), NID_pkcs7_data) != 1) {
        ThrowOpenSsl("making certificates-only SignedData");
    }
    for (const Certificate& cert : certs) {
        if (PKCS7_add_certificate(p7.get(), cert.native()) != 1) {  // takes its own reference
            ThrowOpenSsl("adding a certificate to SignedData");
        }
    }
    for (const std::string& der : crls) {
        UniquePtr<X509_CRL> crl = DecodeDer(d2i_X509_CRL, der, "CRL");
        if (PKCS7_add_crl(p7.get(), crl.get()) != 1) {  // takes its own reference
            ThrowOpenSsl("adding a CRL to SignedData");
        }
    }
    return I2d(i2d_PKCS7, p7.get(), "encoding certificates-only SignedData");
}

std::vector<Certificate> ReadCertificatesOnly(std::string_view der) {
    UniquePtr<PKCS7> p7 = DecodePkcs7(der, "SignedData");
    if (PKCS7_type_is_signed(p7.get()) == 0) {
        throw core::Failure("not a PKCS#7 SignedData");
    }
    std::vector<Certificate> out;
    STACK_OF(X509)* certs = p7->d.sign->cert;
    for (int i = 0; i < sk_X509_num(certs); ++i) {
        X509* cert = sk_X509_value(certs, i);
        X509_up_ref(cert);
        out.push_back(Certificate::Adopt(cert));
    }
    return out;
}

std::vector<std::string> ReadCrlsOnly(std::string_view der) {
    UniquePtr<PKCS7> p7 = DecodePkcs7(der, "SignedData");
    if (PKCS7_type_is_signed(p7.get()) == 0) {
        throw core::Failure("not a PKCS#7 SignedData");
    }
    std::vector<std::string> out;
    STACK_OF(X509_CRL)* crls = p7->d.sign->crl;
    out.reserve(static_cast<std::size_t>(std::max(sk_X509_CRL_num(crls), 0)));
    for (int i = 0; i < sk_X509_CRL_num(crls); ++i) {
        out.push_back(I2d(i2d_X509_CRL, sk_X509_CRL_value(crls, i), "encoding a CRL"));
    }
    return out;
}

std::string IssuerAndSubject(const Certificate& issuer, const Certificate& subject) {
    std::string names;
    for (const X509_NAME* name : {X509_get_subject_name(issuer.native()), X509_get_subject_name(subject.native())}) {
        unsigned char* der = nullptr;
        int len = i2d_X509_NAME(name, &der);
        if (len <= 0) {
            ThrowOpenSsl("encoding a name");
        }
        names.append(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
        OPENSSL_free(der);
    }
    // The SEQUENCE header around both names, written by OpenSSL's encoder.
    int total = ASN1_object_size(1, static_cast<int>(names.size()), V_ASN1_SEQUENCE);
    std::string out(static_cast<std::size_t>(total), '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    ASN1_put_object(&p, 1, static_cast<int>(names.size()), V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    std::size_t header = static_cast<std::size_t>(p - reinterpret_cast<unsigned char*>(out.data()));
    out.replace(header, names.size(), names);
    return out;
}

}  // namespace certos::crypto
