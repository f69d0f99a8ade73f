#include "crypto/csr.hpp"

#include <arpa/inet.h>
#include <openssl/pem.h>

#include <algorithm>

#include "core/error.hpp"
#include "crypto/internal.hpp"

namespace certos::crypto {
namespace {

constexpr std::string_view kCsrLabels[] = {"-----BEGIN CERTIFICATE REQUEST-----",
                                           "-----BEGIN NEW CERTIFICATE REQUEST-----"};

void PushExtension(STACK_OF(X509_EXTENSION) * extensions, int nid, void* value, bool critical) {
    UniquePtr<X509_EXTENSION> extension(X509V3_EXT_i2d(nid, critical ? 1 : 0, value));
    if (!extension || sk_X509_EXTENSION_push(extensions, extension.get()) == 0) {
        ThrowOpenSsl(std::string("adding requested ") + OBJ_nid2ln(nid) + " extension");
    }
    static_cast<void>(extension.release());  // the stack owns it now
}

void AddSubject(X509_REQ* req, const std::vector<std::pair<std::string, std::string>>& subject) {
    X509_NAME* name = X509_REQ_get_subject_name(req);
    for (const auto& [field, value] : subject) {
        if (value.empty()) {
            continue;
        }
        if (X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8, Uchar(value), static_cast<int>(value.size()),
                                       -1, 0) != 1) {
            throw SubjectFieldError(field, value);
        }
    }
}

void AddKeyUsage(STACK_OF(X509_EXTENSION) * extensions, const std::vector<std::string>& names) {
    KeyUsageValues usage = MakeKeyUsage(names);
    if (usage.bits) {
        PushExtension(extensions, NID_key_usage, usage.bits.get(), true);  // RFC 5280 §4.2.1.3: SHOULD be critical
    }
    if (usage.purposes) {
        PushExtension(extensions, NID_ext_key_usage, usage.purposes.get(), false);
    }
}

void AddSubjectAltNames(STACK_OF(X509_EXTENSION) * extensions, const std::vector<std::string>& names) {
    if (names.empty()) {
        return;
    }
    // RouterOS's "DNS:x,IP:y,email:z" is OpenSSL's own subjectAltName configuration syntax.
    std::string text;
    for (const std::string& name : names) {
        if (name.find(',') != std::string::npos || name.find(':') == std::string::npos) {
            throw core::ArgumentError("invalid subject-alt-name \"" + name + "\"");
        }
        text += (text.empty() ? "" : ",") + name;
    }
    UniquePtr<X509_EXTENSION> extension(X509V3_EXT_nconf_nid(nullptr, nullptr, NID_subject_alt_name, text.c_str()));
    if (!extension) {
        std::string errors = OpenSslErrors();
        throw core::ArgumentError("invalid subject-alt-name \"" + text + "\": " + errors);
    }
    if (sk_X509_EXTENSION_push(extensions, extension.get()) == 0) {
        ThrowOpenSsl("adding requested subjectAltName extension");
    }
    static_cast<void>(extension.release());  // the stack owns it now
}

}  // namespace

std::string MakeCertificateRequest(const CsrParams& params, const PrivateKey& key) {
    if (params.digest == DigestAlgorithm::kMd5 && key.KeyType() == "ec") {
        throw core::Failure("md5 cannot sign with an EC key (ECDSA has no MD5 signature algorithm)");
    }
    UniquePtr<X509_REQ> req(X509_REQ_new());
    // RFC 2986 §4.1: "version is the version number, for compatibility with future revisions ... 0".
    if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
        X509_REQ_set_pubkey(req.get(), key.native()) != 1) {
        ThrowOpenSsl("building certificate request");
    }
    AddSubject(req.get(), params.subject);
    UniquePtr<STACK_OF(X509_EXTENSION)> extensions(sk_X509_EXTENSION_new_null());
    if (!extensions) {
        ThrowOpenSsl("allocating requested extensions");
    }
    if (params.is_ca) {
        UniquePtr<BASIC_CONSTRAINTS> bc(BASIC_CONSTRAINTS_new());
        if (!bc) {
            ThrowOpenSsl("allocating basicConstraints");
        }
        bc->ca = 0xff;
        PushExtension(extensions.get(), NID_basic_constraints, bc.get(), true);
    }
    AddKeyUsage(extensions.get(), params.key_usage);
    AddSubjectAltNames(extensions.get(), params.subject_alt_names);
    if (sk_X509_EXTENSION_num(extensions.get()) > 0 && X509_REQ_add_extensions(req.get(), extensions.get()) != 1) {
        ThrowOpenSsl("adding requested extensions");
    }
    const std::string& password = params.challenge_password;
    if (!password.empty() && X509_REQ_add1_attr_by_NID(req.get(), NID_pkcs9_challengePassword, MBSTRING_UTF8,
                                                       Uchar(password), static_cast<int>(password.size())) != 1) {
        ThrowOpenSsl("adding challenge password");
    }
    if (X509_REQ_sign(req.get(), key.native(), EvpMd(params.digest)) <= 0) {
        ThrowOpenSsl("signing certificate request");
    }
    UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) {
        ThrowOpenSsl("encoding certificate request");
    }
    return BioContents(bio.get());
}

CertificateRequest CertificateRequest::Parse(std::string_view data) {
    bool pem = std::any_of(std::begin(kCsrLabels), std::end(kCsrLabels),
                           [&](std::string_view label) { return data.find(label) != std::string_view::npos; });
    UniquePtr<X509_REQ> req;
    if (pem) {
        UniquePtr<BIO> bio = MemBio(data);
        // PEM_read_bio_X509_REQ accepts both labels and skips any text before the block.
        req.reset(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    } else {
        const unsigned char* p = Uchar(data);
        req.reset(d2i_X509_REQ(nullptr, &p, static_cast<long>(data.size())));
        if (req && p != Uchar(data) + data.size()) {
            throw core::Failure("decoding certificate request: trailing data after the request");
        }
    }
    if (!req) {
        ThrowOpenSsl(pem ? "decoding PEM certificate request" : "decoding DER certificate request");
    }
    return CertificateRequest(std::shared_ptr<X509_REQ>(req.release(), Deleter<X509_REQ>()));
}

bool CertificateRequest::SignatureVerifies() const {
    EVP_PKEY* key = X509_REQ_get0_pubkey(req_.get());
    bool ok = key != nullptr && X509_REQ_verify(req_.get(), key) == 1;
    ERR_clear_error();
    return ok;
}

std::vector<std::pair<std::string, std::string>> CertificateRequest::SubjectFields() const {
    return NameFields(X509_REQ_get_subject_name(req_.get()));
}

std::string CertificateRequest::SubjectString() const {
    std::string out;
    for (const auto& [key, value] : SubjectFields()) {
        if (!out.empty()) {
            out += ',';
        }
        out += key;
        out += '=';
        out += value;
    }
    return out;
}

std::string CertificateRequest::CommonName() const {
    std::string cn;
    for (const auto& [key, value] : SubjectFields()) {
        if (key == "CN") {
            cn = value;  // RFC 6125 §6.4.4 takes the most specific, i.e. the last, CN
        }
    }
    return cn;
}

std::string CertificateRequest::PublicKeyDer() const {
    const EVP_PKEY* key = X509_REQ_get0_pubkey(req_.get());
    if (key == nullptr) {
        ThrowOpenSsl("reading the request's public key");
    }
    return PkeyPublicDer(key);
}

std::string CertificateRequest::KeyType() const {
    const EVP_PKEY* key = X509_REQ_get0_pubkey(req_.get());
    ERR_clear_error();
    return key != nullptr ? PkeyType(key) : std::string();
}

std::string CertificateRequest::KeySize() const {
    const EVP_PKEY* key = X509_REQ_get0_pubkey(req_.get());
    ERR_clear_error();
    return key != nullptr ? PkeySize(key) : std::string();
}

std::string CertificateRequest::ChallengePassword() const {
    int index = X509_REQ_get_attr_by_NID(req_.get(), NID_pkcs9_challengePassword, -1);
    if (index < 0) {
        return {};
    }
    const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(X509_REQ_get_attr(req_.get(), index), 0);
    if (value == nullptr || (value->type != V_ASN1_PRINTABLESTRING && value->type != V_ASN1_UTF8STRING &&
                             value->type != V_ASN1_IA5STRING && value->type != V_ASN1_T61STRING)) {
        return {};
    }
    return std::string(Bytes(value->value.asn1_string));
}

std::optional<std::vector<std::string>> CertificateRequest::SubjectAltNames() const {
    UniquePtr<STACK_OF(X509_EXTENSION)> extensions(X509_REQ_get_extensions(req_.get()));
    ERR_clear_error();
    UniquePtr<GENERAL_NAMES> names(
        static_cast<GENERAL_NAMES*>(X509V3_get_d2i(extensions.get(), NID_subject_alt_name, nullptr, nullptr)));
    if (!names) {
        return std::nullopt;
    }
    return GeneralNamesText(names.get());
}

std::optional<std::vector<std::string>> CertificateRequest::KeyUsage() const {
    UniquePtr<STACK_OF(X509_EXTENSION)> extensions(X509_REQ_get_extensions(req_.get()));
    ERR_clear_error();
    UniquePtr<ASN1_BIT_STRING> bits(
        static_cast<ASN1_BIT_STRING*>(X509V3_get_d2i(extensions.get(), NID_key_usage, nullptr, nullptr)));
    UniquePtr<EXTENDED_KEY_USAGE> eku(
        static_cast<EXTENDED_KEY_USAGE*>(X509V3_get_d2i(extensions.get(), NID_ext_key_usage, nullptr, nullptr)));
    if (!bits && !eku) {
        return std::nullopt;
    }
    return KeyUsageNames(bits.get(), eku.get());
}

bool CertificateRequest::RequestsCa() const {
    UniquePtr<STACK_OF(X509_EXTENSION)> extensions(X509_REQ_get_extensions(req_.get()));
    ERR_clear_error();
    UniquePtr<BASIC_CONSTRAINTS> bc(
        static_cast<BASIC_CONSTRAINTS*>(X509V3_get_d2i(extensions.get(), NID_basic_constraints, nullptr, nullptr)));
    return bc && bc->ca != 0;
}

std::string CertificateRequest::ToPem() const {
    UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_REQ(bio.get(), req_.get()) != 1) {
        ThrowOpenSsl("encoding certificate request");
    }
    return BioContents(bio.get());
}

std::string CertificateRequest::ToDer() const { return I2d(i2d_X509_REQ, req_.get(), "encoding certificate request"); }

}  // namespace certos::crypto
