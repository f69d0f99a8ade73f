#include "crypto/crl.hpp"

#include <openssl/pem.h>

#include <algorithm>
#include <ctime>

#include "core/error.hpp"
#include "crypto/internal.hpp"
#include "crypto/key_id.hpp"

namespace certos::crypto {
namespace {

struct ReasonName {
    RevocationReason reason;
    std::string_view name;
};

constexpr ReasonName kReasons[] = {
    {RevocationReason::kUnspecified, "unspecified"},
    {RevocationReason::kKeyCompromise, "key-compromise"},
    {RevocationReason::kCaCompromise, "ca-compromise"},
    {RevocationReason::kAffiliationChanged, "affiliation-changed"},
    {RevocationReason::kSuperseded, "superseded"},
    {RevocationReason::kCessationOfOperation, "cessation-of-operation"},
    {RevocationReason::kCertificateHold, "certificate-hold"},
    {RevocationReason::kPrivilegeWithdrawn, "privilege-withdrawn"},
    {RevocationReason::kAaCompromise, "aa-compromise"},
};

// ToTimePoint converts an ASN1_TIME to a system_clock time, clamped to what system_clock holds (see
// Certificate::NotAfter).
TimePoint ToTimePoint(const ASN1_TIME* time) {
    std::tm tm{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
        ThrowOpenSsl("decoding CRL time");
    }
    using namespace std::chrono;
    sys_days date = year(tm.tm_year + 1900) / month(static_cast<unsigned>(tm.tm_mon + 1)) /
                    std::chrono::day(static_cast<unsigned>(tm.tm_mday));
    seconds since_epoch = duration_cast<seconds>(date.time_since_epoch()) + hours(tm.tm_hour) +
                          minutes(tm.tm_min) + seconds(tm.tm_sec);
    if (since_epoch > duration_cast<seconds>(TimePoint::duration::max())) {
        return TimePoint::max();
    }
    if (since_epoch < duration_cast<seconds>(TimePoint::duration::min())) {
        return TimePoint::min();
    }
    return TimePoint(duration_cast<TimePoint::duration>(since_epoch));
}

std::string NameText(const X509_NAME* name) {
    // X509_NAME_print_ex with RFC 2253 flags prints in reverse order; build "C=..,CN=.." in DER order the
    // way Certificate::IssuerString does.
    std::string out;
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry));
        std::string key;
        if (nid != NID_undef) {
            key = OBJ_nid2sn(nid);
        } else {
            char oid[128] = {};
            OBJ_obj2txt(oid, sizeof oid, X509_NAME_ENTRY_get_object(entry), 1);
            key = oid;
        }
        unsigned char* raw = nullptr;
        int len = ASN1_STRING_to_UTF8(&raw, X509_NAME_ENTRY_get_data(entry));
        if (len < 0) {
            ThrowOpenSsl("decoding " + key + " of the CRL issuer");
        }
        OpenSslBytes utf8(raw);
        if (!out.empty()) {
            out += ',';
        }
        out += key + "=" + std::string(reinterpret_cast<const char*>(utf8.get()), static_cast<std::size_t>(len));
    }
    return out;
}

std::string SerialText(const ASN1_INTEGER* serial) {
    UniquePtr<BIGNUM> bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn) {
        ThrowOpenSsl("decoding CRL entry serial");
    }
    char* hex = BN_bn2hex(bn.get());
    if (hex == nullptr) {
        ThrowOpenSsl("encoding CRL entry serial");
    }
    std::string out(hex);
    OPENSSL_free(hex);
    return out;
}

RevokedEntry EntryOf(const X509_REVOKED* revoked) {
    RevokedEntry entry;
    entry.serial_hex = SerialText(X509_REVOKED_get0_serialNumber(revoked));
    entry.revoked_at = ToTimePoint(X509_REVOKED_get0_revocationDate(revoked));
    int critical = 0;
    UniquePtr<ASN1_STRING> reason(static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(revoked, NID_crl_reason, &critical, nullptr)));
    if (reason) {
        long code = ASN1_ENUMERATED_get(reason.get());
        for (const ReasonName& known : kReasons) {
            if (static_cast<long>(known.reason) == code) {
                entry.reason = known.reason;
            }
        }
    }
    return entry;
}

UniquePtr<ASN1_STRING> SerialInteger(std::string_view hex) {
    if (hex.empty() || hex.size() > 40 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
        throw core::Failure("invalid serial number \"" + std::string(hex) + "\" for a CRL entry");
    }
    BIGNUM* raw = nullptr;
    std::string text(hex);
    if (BN_hex2bn(&raw, text.c_str()) == 0) {
        ThrowOpenSsl("decoding serial number " + text);
    }
    UniquePtr<BIGNUM> bn(raw);
    UniquePtr<ASN1_STRING> integer(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!integer) {
        ThrowOpenSsl("encoding serial number " + text);
    }
    return integer;
}

UniquePtr<ASN1_STRING> Time(TimePoint when) {
    UniquePtr<ASN1_STRING> time(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(when)));
    if (!time) {
        ThrowOpenSsl("encoding CRL time");
    }
    return time;
}

void AddEntry(X509_CRL* crl, const RevokedEntry& entry) {
    UniquePtr<X509_REVOKED> revoked(X509_REVOKED_new());
    if (!revoked) {
        ThrowOpenSsl("allocating CRL entry");
    }
    UniquePtr<ASN1_STRING> serial = SerialInteger(entry.serial_hex);
    UniquePtr<ASN1_STRING> date = Time(entry.revoked_at);
    if (X509_REVOKED_set_serialNumber(revoked.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(revoked.get(), date.get()) != 1) {
        ThrowOpenSsl("building CRL entry " + entry.serial_hex);
    }
    if (entry.reason && *entry.reason != RevocationReason::kUnspecified) {
        UniquePtr<ASN1_STRING> code(ASN1_ENUMERATED_new());
        if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<long>(*entry.reason)) != 1 ||
            X509_REVOKED_add1_ext_i2d(revoked.get(), NID_crl_reason, code.get(), 0, X509V3_ADD_DEFAULT) != 1) {
            ThrowOpenSsl("adding reason code to CRL entry " + entry.serial_hex);
        }
    }
    if (X509_CRL_add0_revoked(crl, revoked.get()) != 1) {
        ThrowOpenSsl("adding CRL entry " + entry.serial_hex);
    }
    revoked.release();  // the CRL owns it now
}

void AddExtensions(X509_CRL* crl, const Certificate& issuer, std::uint64_t number) {
    UniquePtr<ASN1_STRING> crl_number(ASN1_INTEGER_new());
    if (!crl_number || ASN1_INTEGER_set_uint64(crl_number.get(), number) != 1 ||
        X509_CRL_add1_ext_i2d(crl, NID_crl_number, crl_number.get(), 0, X509V3_ADD_DEFAULT) != 1) {
        ThrowOpenSsl("adding cRLNumber");
    }
    // RFC 5280 §5.2.1: the keyIdentifier names the CA's subjectKeyIdentifier, or the key id that method
    // (1) of §4.2.1.2 gives when the CA certificate has none (as IssueCertificate does).
    const ASN1_OCTET_STRING* issuer_skid = X509_get0_subject_key_id(issuer.native());
    std::string skid = issuer_skid != nullptr ? std::string(Bytes(issuer_skid)) : KeyIdentifier(issuer.PublicKeyDer());
    UniquePtr<AUTHORITY_KEYID> akid(AUTHORITY_KEYID_new());
    UniquePtr<ASN1_STRING> keyid(ASN1_OCTET_STRING_new());
    if (!akid || !keyid || ASN1_OCTET_STRING_set(keyid.get(), Uchar(skid), static_cast<int>(skid.size())) != 1) {
        ThrowOpenSsl("allocating authorityKeyIdentifier");
    }
    akid->keyid = keyid.release();
    if (X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid.get(), 0, X509V3_ADD_DEFAULT) != 1) {
        ThrowOpenSsl("adding authorityKeyIdentifier");
    }
}

}  // namespace

const std::vector<std::string> kRevocationReasonNames = [] {
    std::vector<std::string> names;
    for (const ReasonName& reason : kReasons) {
        names.emplace_back(reason.name);
    }
    return names;
}();

std::optional<RevocationReason> ParseRevocationReason(std::string_view name) {
    for (const ReasonName& reason : kReasons) {
        if (reason.name == name) {
            return reason.reason;
        }
    }
    return std::nullopt;
}

std::string RevocationReasonName(RevocationReason reason) {
    for (const ReasonName& known : kReasons) {
        if (known.reason == reason) {
            return std::string(known.name);
        }
    }
    return std::to_string(static_cast<int>(reason));
}

Crl Crl::Adopt(X509_crl_st* crl) { return Crl(std::shared_ptr<X509_CRL>(crl, Deleter<X509_CRL>())); }

Crl Crl::FromDer(std::string_view der) {
    const unsigned char* p = Uchar(der);
    X509_CRL* raw = d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size()));
    if (raw == nullptr) {
        ThrowOpenSsl("decoding DER CRL");
    }
    Crl crl = Adopt(raw);
    if (p != Uchar(der) + der.size()) {
        throw core::Failure("decoding DER CRL: trailing data after the CRL");
    }
    return crl;
}

Crl Crl::FromPem(std::string_view pem) {
    UniquePtr<BIO> bio = MemBio(pem);
    X509_CRL* raw = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
    if (raw == nullptr) {
        ThrowOpenSsl("decoding PEM CRL");
    }
    return Adopt(raw);
}

Crl Crl::FromDerOrPem(std::string_view data) {
    // A DER CRL starts with a SEQUENCE tag; PEM is text.
    if (!data.empty() && static_cast<unsigned char>(data.front()) == 0x30) {
        return FromDer(data);
    }
    if (data.find("-----BEGIN X509 CRL-----") != std::string_view::npos) {
        return FromPem(data);
    }
    throw core::Failure("not a CRL (neither DER nor PEM \"X509 CRL\")");
}

std::string Crl::ToDer() const { return I2d(i2d_X509_CRL, crl_.get(), "encoding CRL"); }

std::string Crl::ToPem() const {
    UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl_.get()) != 1) {
        ThrowOpenSsl("encoding PEM CRL");
    }
    return BioContents(bio.get());
}

std::string Crl::FingerprintSha256() const { return HexLower(Digest(DigestAlgorithm::kSha256, ToDer())); }

std::string Crl::IssuerString() const { return NameText(X509_CRL_get_issuer(crl_.get())); }

std::string Crl::NumberText() const {
    UniquePtr<ASN1_STRING> number(
        static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl_.get(), NID_crl_number, nullptr, nullptr)));
    if (!number) {
        return {};
    }
    UniquePtr<BIGNUM> bn(ASN1_INTEGER_to_BN(number.get(), nullptr));
    char* dec = bn ? BN_bn2dec(bn.get()) : nullptr;
    if (dec == nullptr) {
        ThrowOpenSsl("decoding cRLNumber");
    }
    std::string out(dec);
    OPENSSL_free(dec);
    return out;
}

TimePoint Crl::ThisUpdate() const { return ToTimePoint(X509_CRL_get0_lastUpdate(crl_.get())); }

std::optional<TimePoint> Crl::NextUpdate() const {
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl_.get());
    if (next == nullptr) {
        return std::nullopt;
    }
    return ToTimePoint(next);
}

std::string Crl::AkidHex() const {
    UniquePtr<AUTHORITY_KEYID> akid(static_cast<AUTHORITY_KEYID*>(
        X509_CRL_get_ext_d2i(crl_.get(), NID_authority_key_identifier, nullptr, nullptr)));
    return akid ? HexLower(Bytes(akid->keyid)) : std::string();
}

std::string Crl::SignatureDigest() const {
    const X509_ALGOR* alg = nullptr;
    X509_CRL_get0_signature(crl_.get(), nullptr, &alg);
    int md_nid = NID_undef;
    int pkey_nid = NID_undef;
    if (alg == nullptr || OBJ_find_sigid_algs(OBJ_obj2nid(alg->algorithm), &md_nid, &pkey_nid) != 1 ||
        md_nid == NID_undef) {
        return {};
    }
    return OBJ_nid2ln(md_nid);
}

std::size_t Crl::RevokedCount() const {
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl_.get());
    return revoked == nullptr ? 0 : static_cast<std::size_t>(sk_X509_REVOKED_num(revoked));
}

std::vector<RevokedEntry> Crl::Entries() const {
    std::vector<RevokedEntry> entries;
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl_.get());
    for (int i = 0; revoked != nullptr && i < sk_X509_REVOKED_num(revoked); ++i) {
        entries.push_back(EntryOf(sk_X509_REVOKED_value(revoked, i)));
    }
    return entries;
}

std::optional<RevokedEntry> Crl::FindRevoked(std::string_view serial_hex) const {
    UniquePtr<ASN1_STRING> serial = SerialInteger(serial_hex);
    X509_REVOKED* found = nullptr;
    if (X509_CRL_get0_by_serial(crl_.get(), &found, serial.get()) == 0 || found == nullptr) {
        return std::nullopt;
    }
    return EntryOf(found);
}

bool Crl::IsSignedBy(const Certificate& issuer) const {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl_.get()), X509_get_subject_name(issuer.native())) != 0) {
        return false;
    }
    EVP_PKEY* key = X509_get0_pubkey(issuer.native());
    bool ok = key != nullptr && X509_CRL_verify(crl_.get(), key) == 1;
    ERR_clear_error();
    return ok;
}

Crl IssueCrl(const CrlRequest& request, const Certificate& issuer, const PrivateKey& key) {
    const EVP_PKEY* issuer_key = X509_get0_pubkey(issuer.native());
    if (issuer_key == nullptr || EVP_PKEY_eq(issuer_key, key.native()) != 1) {
        ERR_clear_error();
        throw core::Failure("signing key does not belong to the CA certificate");
    }
    // RFC 5280 §4.2.1.3: "The cRLSign bit is asserted when the subject public key is used for verifying
    // signatures on certificate revocation lists". X509_get_key_usage gives all bits without the extension.
    if ((X509_get_key_usage(issuer.native()) & KU_CRL_SIGN) == 0) {
        throw core::Failure("CA certificate " + issuer.SubjectString() + " can not sign CRLs: it lacks crl-sign key usage");
    }
    if (request.next_update < request.this_update) {
        throw core::Failure("CRL nextUpdate is before thisUpdate");
    }
    DigestAlgorithm digest = request.digest;
    if (digest == DigestAlgorithm::kMd5 && key.KeyType() == "ec") {
        digest = DigestAlgorithm::kSha256;  // ECDSA has no MD5 signature algorithm
    }
    UniquePtr<X509_CRL> crl(X509_CRL_new());
    UniquePtr<ASN1_STRING> this_update = Time(request.this_update);
    UniquePtr<ASN1_STRING> next_update = Time(request.next_update);
    // RFC 5280 §5.1.2.1: "When extensions are used, as required by this profile, this field MUST be
    // present and MUST specify version 2 (the integer value is 1)."
    if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
        X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.native())) != 1 ||
        X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
        X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
        ThrowOpenSsl("building CRL");
    }
    for (const RevokedEntry& entry : request.revoked) {
        AddEntry(crl.get(), entry);
    }
    if (X509_CRL_sort(crl.get()) != 1) {
        ThrowOpenSsl("sorting CRL entries");
    }
    AddExtensions(crl.get(), issuer, request.number);
    if (X509_CRL_sign(crl.get(), key.native(), EvpMd(digest)) <= 0) {
        ThrowOpenSsl("signing CRL with " + std::string(DigestName(digest)));
    }
    return Crl::Adopt(crl.release());
}

}  // namespace certos::crypto
