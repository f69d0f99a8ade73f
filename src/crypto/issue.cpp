#include "crypto/issue.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "crypto/internal.hpp"
#include "crypto/key_id.hpp"

namespace certos::crypto {
namespace {

// RFC 5280 §4.1.2.2: "Conforming CAs MUST NOT use serialNumber values longer than 20 octets."
constexpr std::size_t kMaxSerialOctets = 20;

void AddExtension(X509* cert, int nid, void* value, bool critical) {
    if (X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
        ThrowOpenSsl(std::string("adding ") + OBJ_nid2ln(nid) + " extension");
    }
}

UniquePtr<ASN1_STRING> MakeString(int type, std::string_view bytes) {
    UniquePtr<ASN1_STRING> str(ASN1_STRING_type_new(type));
    if (!str || ASN1_STRING_set(str.get(), bytes.data(), static_cast<int>(bytes.size())) != 1) {
        ThrowOpenSsl("allocating ASN.1 string");
    }
    return str;
}

UniquePtr<GENERAL_NAME> MakeGeneralName(int type, UniquePtr<ASN1_STRING> value) {
    UniquePtr<GENERAL_NAME> name(GENERAL_NAME_new());
    if (!name) {
        ThrowOpenSsl("allocating general name");
    }
    GENERAL_NAME_set0_value(name.get(), type, value.release());
    return name;
}

void PushName(GENERAL_NAMES* names, UniquePtr<GENERAL_NAME> name) {
    if (sk_GENERAL_NAME_push(names, name.get()) == 0) {
        ThrowOpenSsl("building general names");
    }
    static_cast<void>(name.release());  // the stack owns it now
}

bool IsAscii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// ParseAltName turns one RouterOS subject-alt-name entry ("DNS:x", "IP:10.0.0.1", "IP:::1", "email:a@b")
// into a GeneralName; a malformed entry is the user's input error.
UniquePtr<GENERAL_NAME> ParseAltName(std::string_view entry) {
    auto bad = [&](std::string_view why) {
        return core::ArgumentError("invalid subject-alt-name \"" + std::string(entry) + "\": " + std::string(why));
    };
    std::size_t colon = entry.find(':');
    if (colon == std::string_view::npos) {
        throw bad("expected DNS:, IP: or email: before the value");
    }
    std::string kind(entry.substr(0, colon));
    std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value(entry.substr(colon + 1));
    if (value.empty()) {
        throw bad("empty value");
    }
    if (kind == "ip") {
        unsigned char addr[16] = {};
        std::size_t len = 0;
        if (inet_pton(AF_INET, value.c_str(), addr) == 1) {
            len = 4;
        } else if (inet_pton(AF_INET6, value.c_str(), addr) == 1) {
            len = 16;
        } else {
            throw bad("not an IPv4 or IPv6 address");
        }
        std::string_view bytes(reinterpret_cast<const char*>(addr), len);
        return MakeGeneralName(GEN_IPADD, MakeString(V_ASN1_OCTET_STRING, bytes));
    }
    int type = kind == "dns" ? GEN_DNS : kind == "email" ? GEN_EMAIL : -1;
    if (type < 0) {
        throw bad("expected DNS:, IP: or email: before the value");
    }
    // dNSName and rfc822Name are IA5String (RFC 5280 §4.2.1.6); internationalised names go in A-label form.
    if (!IsAscii(value)) {
        throw bad("only ASCII characters are allowed (use the xn-- form of international names)");
    }
    return MakeGeneralName(type, MakeString(V_ASN1_IA5STRING, value));
}

void SetSubject(X509* cert, const std::vector<std::pair<std::string, std::string>>& subject) {
    X509_NAME* name = X509_get_subject_name(cert);
    for (const auto& [field, value] : subject) {
        if (value.empty()) {
            continue;  // RouterOS template fields default to "": an unset field is not part of the DN
        }
        if (X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8, Uchar(value), static_cast<int>(value.size()),
                                       -1, 0) != 1) {
            throw SubjectFieldError(field, value);
        }
    }
}

void SetSerial(X509* cert, std::string_view serial) {
    // RFC 5280 §4.1.2.2: "The serial number MUST be a positive integer".
    if (serial.empty() || std::all_of(serial.begin(), serial.end(), [](char c) { return c == 0; })) {
        throw core::Failure("certificate serial number must be positive");
    }
    bool sign_byte = (static_cast<unsigned char>(serial[0]) & 0x80) != 0;
    if (serial.size() + (sign_byte ? 1 : 0) > kMaxSerialOctets) {
        throw core::Failure("certificate serial number is longer than 20 octets");
    }
    UniquePtr<BIGNUM> bn(BN_bin2bn(Uchar(serial), static_cast<int>(serial.size()), nullptr));
    UniquePtr<ASN1_STRING> integer(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    if (!integer || X509_set_serialNumber(cert, integer.get()) != 1) {
        ThrowOpenSsl("setting serial number");
    }
}

void SetValidity(X509* cert, TimePoint not_before, TimePoint not_after) {
    if (not_after < not_before) {
        throw core::Failure("certificate validity ends before it begins");
    }
    // ASN1_TIME_set picks UTCTime through 2049 and GeneralizedTime from 2050 on, as RFC 5280 §4.1.2.5 requires.
    if (ASN1_TIME_set(X509_getm_notBefore(cert), std::chrono::system_clock::to_time_t(not_before)) == nullptr ||
        ASN1_TIME_set(X509_getm_notAfter(cert), std::chrono::system_clock::to_time_t(not_after)) == nullptr) {
        ThrowOpenSsl("setting validity");
    }
}

void AddBasicConstraints(X509* cert, bool is_ca) {
    UniquePtr<BASIC_CONSTRAINTS> bc(BASIC_CONSTRAINTS_new());
    if (!bc) {
        ThrowOpenSsl("allocating basicConstraints");
    }
    bc->ca = is_ca ? 0xff : 0;
    AddExtension(cert, NID_basic_constraints, bc.get(), true);
}

void AddKeyUsage(X509* cert, const std::vector<std::string>& names) {
    KeyUsageValues usage = MakeKeyUsage(names);
    // RFC 5280 §4.2.1.3: "When present, conforming CAs SHOULD mark this extension as critical."
    if (usage.bits) {
        AddExtension(cert, NID_key_usage, usage.bits.get(), true);
    }
    if (usage.purposes) {
        AddExtension(cert, NID_ext_key_usage, usage.purposes.get(), false);
    }
}

// AddKeyIdentifiers adds subjectKeyIdentifier by RFC 5280 §4.2.1.2 method (1): "the 160-bit SHA-1 hash of
// the value of the BIT STRING subjectPublicKey", read from the certificate's own SubjectPublicKeyInfo, and
// authorityKeyIdentifier. RFC 5280 §4.2.1.1: the keyIdentifier "MUST be included in all certificates
// generated by conforming CAs"; it names the issuer's subjectKeyIdentifier, and an issuer without one gets
// the value method (1) would give it.
void AddKeyIdentifiers(X509* cert, const Certificate* issuer) {
    const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(cert);
    if (bits == nullptr) {
        ThrowOpenSsl("reading subject public key");
    }
    std::string skid = Digest(DigestAlgorithm::kSha1, Bytes(bits));
    UniquePtr<ASN1_STRING> skid_value = MakeString(V_ASN1_OCTET_STRING, skid);
    AddExtension(cert, NID_subject_key_identifier, skid_value.get(), false);
    std::string akid = skid;
    if (issuer != nullptr) {
        const ASN1_OCTET_STRING* issuer_skid = X509_get0_subject_key_id(issuer->native());
        akid = issuer_skid != nullptr ? std::string(Bytes(issuer_skid)) : KeyIdentifier(issuer->PublicKeyDer());
    }
    UniquePtr<AUTHORITY_KEYID> akid_value(AUTHORITY_KEYID_new());
    if (!akid_value) {
        ThrowOpenSsl("allocating authorityKeyIdentifier");
    }
    akid_value->keyid = MakeString(V_ASN1_OCTET_STRING, akid).release();
    AddExtension(cert, NID_authority_key_identifier, akid_value.get(), false);
}

void AddSubjectAltNames(X509* cert, const std::vector<std::string>& entries) {
    if (entries.empty()) {
        return;
    }
    UniquePtr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
    if (!names) {
        ThrowOpenSsl("allocating subjectAltName");
    }
    for (const std::string& entry : entries) {
        PushName(names.get(), ParseAltName(entry));
    }
    // RFC 5280 §4.2.1.6: "If the subject field contains an empty sequence, then the issuing CA MUST include
    // a subjectAltName extension that is marked as critical."
    bool empty_subject = X509_NAME_entry_count(X509_get_subject_name(cert)) == 0;
    AddExtension(cert, NID_subject_alt_name, names.get(), empty_subject);
}

void AddCrlDistributionPoints(X509* cert, const std::vector<std::string>& uris) {
    if (uris.empty()) {
        return;
    }
    UniquePtr<CRL_DIST_POINTS> points(sk_DIST_POINT_new_null());
    if (!points) {
        ThrowOpenSsl("allocating cRLDistributionPoints");
    }
    for (const std::string& uri : uris) {
        if (uri.empty() || !IsAscii(uri)) {
            throw core::ArgumentError("invalid CRL distribution point \"" + uri + "\"");
        }
        UniquePtr<GENERAL_NAMES> names(sk_GENERAL_NAME_new_null());
        UniquePtr<DIST_POINT_NAME> point_name(DIST_POINT_NAME_new());
        UniquePtr<DIST_POINT> point(DIST_POINT_new());
        if (!names || !point_name || !point) {
            ThrowOpenSsl("allocating CRL distribution point");
        }
        PushName(names.get(), MakeGeneralName(GEN_URI, MakeString(V_ASN1_IA5STRING, uri)));
        point_name->type = 0;  // fullName
        point_name->name.fullname = names.release();
        point->distpoint = point_name.release();
        if (sk_DIST_POINT_push(points.get(), point.get()) == 0) {
            ThrowOpenSsl("building cRLDistributionPoints");
        }
        static_cast<void>(point.release());  // the stack owns it now
    }
    AddExtension(cert, NID_crl_distribution_points, points.get(), false);
}

UniquePtr<EVP_PKEY> ParsePublicKey(std::string_view der) {
    const unsigned char* p = Uchar(der);
    UniquePtr<EVP_PKEY> key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!key) {
        ThrowOpenSsl("decoding subject public key");
    }
    return key;
}

Certificate Issue(const IssueRequest& request, EVP_PKEY* subject_key, const PrivateKey& signing_key,
                  const Certificate* issuer) {
    const EVP_PKEY* authority_key = issuer != nullptr ? X509_get0_pubkey(issuer->native()) : subject_key;
    if (authority_key == nullptr || EVP_PKEY_eq(authority_key, signing_key.native()) != 1) {
        ERR_clear_error();
        throw core::Failure(issuer != nullptr ? "signing key does not belong to the issuer certificate"
                                              : "signing key does not match the self-signed certificate's key");
    }
    if (request.digest == DigestAlgorithm::kMd5 && signing_key.KeyType() == "ec") {
        throw core::Failure("md5 cannot sign with an EC key (ECDSA has no MD5 signature algorithm)");
    }
    UniquePtr<X509> cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 || X509_set_pubkey(cert.get(), subject_key) != 1) {
        ThrowOpenSsl("building certificate");
    }
    SetSerial(cert.get(), request.serial);
    SetSubject(cert.get(), request.subject);
    const X509_NAME* issuer_name =
        issuer != nullptr ? X509_get_subject_name(issuer->native()) : X509_get_subject_name(cert.get());
    if (X509_set_issuer_name(cert.get(), issuer_name) != 1) {
        ThrowOpenSsl("setting issuer name");
    }
    SetValidity(cert.get(), request.not_before, request.not_after);
    AddBasicConstraints(cert.get(), request.is_ca);
    AddKeyUsage(cert.get(), request.key_usage);
    AddKeyIdentifiers(cert.get(), issuer);
    AddSubjectAltNames(cert.get(), request.subject_alt_names);
    AddCrlDistributionPoints(cert.get(), request.crl_distribution_points);
    // MD5 and SHA-1 stay available because RouterOS offers them: OpenSSL 3's default provider signs with
    // both, since security levels apply to TLS and chain verification, not to X509_sign.
    if (X509_sign(cert.get(), signing_key.native(), EvpMd(request.digest)) <= 0) {
        ThrowOpenSsl("signing certificate with " + std::string(DigestName(request.digest)) + " and " +
                     signing_key.KeyType() + " key");
    }
    return Certificate::Adopt(cert.release());
}

}  // namespace

Certificate IssueCertificate(const IssueRequest& request, std::string_view subject_public_key_der,
                             const PrivateKey& signing_key, const Certificate* issuer) {
    UniquePtr<EVP_PKEY> subject_key = ParsePublicKey(subject_public_key_der);
    return Issue(request, subject_key.get(), signing_key, issuer);
}

Certificate IssueCertificate(const IssueRequest& request, const PrivateKey& subject_key, const PrivateKey& signing_key,
                             const Certificate* issuer) {
    return Issue(request, subject_key.native(), signing_key, issuer);
}

}  // namespace certos::crypto
