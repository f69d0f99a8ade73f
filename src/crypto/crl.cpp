#include "crypto/crl.hpp"

#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <limits>

#include "core/error.hpp"
#include "crypto/digest.hpp"
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
    entry.revoked_at = ToTimePoint(X509_REVOKED_get0_revocationDate(revoked), "decoding CRL time");
    int critical = 0;
    UniquePtr<ASN1_STRING> reason(
        static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(revoked, NID_crl_reason, &critical, nullptr)));
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

// SerialMagnitude is a serial's big-endian magnitude (leading zero bytes stripped, at least one byte), which
// is what an ASN1_INTEGER holds; DER's sign byte is added when it is encoded. A CRL serial has at most 20 bytes.
struct SerialMagnitude {
    std::array<unsigned char, 20> bytes{};
    std::uint8_t size = 0;

    std::string_view View() const { return {reinterpret_cast<const char*>(bytes.data()), size}; }
};

// DecodeSerial decodes an upper- or lower-case hex serial of at most 40 digits.
SerialMagnitude DecodeSerial(std::string_view hex) {
    if (hex.empty() || hex.size() > 40 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
        throw core::Failure("invalid serial number \"" + std::string(hex) + "\" for a CRL entry");
    }
    auto nibble = [](char c) { return static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10); };
    std::array<unsigned char, 20> raw{};
    std::size_t length = (hex.size() + 1) / 2;
    std::size_t i = 0;
    if (hex.size() % 2 == 1) {
        raw[0] = static_cast<unsigned char>(nibble(hex[0]));
        i = 1;
    }
    for (std::size_t out = hex.size() % 2; i < hex.size(); i += 2, ++out) {
        raw[out] = static_cast<unsigned char>(nibble(hex[i]) << 4U | nibble(hex[i + 1]));
    }
    std::size_t zeros = 0;
    while (zeros + 1 < length && raw[zeros] == 0) {
        ++zeros;
    }
    SerialMagnitude magnitude;
    magnitude.size = static_cast<std::uint8_t>(length - zeros);
    std::copy_n(raw.begin() + static_cast<std::ptrdiff_t>(zeros), magnitude.size, magnitude.bytes.begin());
    return magnitude;
}

UniquePtr<ASN1_STRING> SerialInteger(std::string_view hex) {
    SerialMagnitude magnitude = DecodeSerial(hex);
    std::string_view bytes = magnitude.View();
    UniquePtr<ASN1_STRING> integer(ASN1_INTEGER_new());
    if (!integer || ASN1_STRING_set(integer.get(), bytes.data(), static_cast<int>(bytes.size())) != 1) {
        ThrowOpenSsl("encoding serial number " + std::string(hex));
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

// SortedSerial is what an entry's encoding needs, its serial decoded once, so that sorting a CRL of 1,000,000
// entries compares fixed-size keys instead of decoding hex in every comparison, and encoding them in that order
// reads them one after the other instead of from wherever each entry lies in the request.
struct SortedSerial {
    SerialMagnitude serial;
    RevocationReason reason;
    std::time_t revoked_at;
};

// EntryEncoder writes revokedCertificates entries as DER, fast: a CRL can hold 1,000,000 of them, so instead
// of an X509_REVOKED object per entry held by the CRL (a million allocations, copies and frees) one reused
// X509_REVOKED per reason code (built with that reason's crlReason extension once) gets each entry's serial and
// date and is encoded by OpenSSL (i2d_X509_REVOKED) onto the end of one buffer.
class EntryEncoder {
public:
    EntryEncoder() : serial_(ASN1_INTEGER_new()), date_(ASN1_TIME_new()) {
        if (!serial_ || !date_) {
            ThrowOpenSsl("allocating CRL entry");
        }
    }

    void Add(const SortedSerial& entry) {
        X509_REVOKED* revoked = Template(entry.reason);
        std::string_view serial = entry.serial.View();
        if (ASN1_STRING_set(serial_.get(), serial.data(), static_cast<int>(serial.size())) != 1 ||
            ASN1_TIME_set(date_.get(), entry.revoked_at) == nullptr ||
            X509_REVOKED_set_serialNumber(revoked, serial_.get()) != 1 ||
            X509_REVOKED_set_revocationDate(revoked, date_.get()) != 1) {
            ThrowOpenSsl("building CRL entry " + HexUpper(serial));
        }
        int length = i2d_X509_REVOKED(revoked, nullptr);
        if (length <= 0) {
            ThrowOpenSsl("encoding CRL entry " + HexUpper(serial));
        }
        std::size_t at = der_.size();
        der_.resize(at + static_cast<std::size_t>(length));
        auto* out = reinterpret_cast<unsigned char*>(der_.data() + at);
        if (i2d_X509_REVOKED(revoked, &out) != length) {
            ThrowOpenSsl("encoding CRL entry " + HexUpper(serial));
        }
    }

    void Reserve(std::size_t bytes) { der_.reserve(bytes); }
    // Der is the entries' encodings, one after the other: the content of revokedCertificates.
    const std::string& Der() const { return der_; }

private:
    // Template is the reused entry for `reason`: with its crlReason extension, none for unspecified (RFC 5280
    // §5.3.1: "the reason code extension SHOULD be absent instead of using the unspecified (0) reasonCode").
    X509_REVOKED* Template(RevocationReason reason) {
        auto index = static_cast<std::size_t>(reason);
        if (index >= templates_.size()) {
            throw core::Failure("invalid CRL reason code " + std::to_string(index));
        }
        UniquePtr<X509_REVOKED>& revoked = templates_[index];
        if (!revoked) {
            revoked.reset(X509_REVOKED_new());
            if (!revoked) {
                ThrowOpenSsl("allocating CRL entry");
            }
            if (reason != RevocationReason::kUnspecified) {
                UniquePtr<ASN1_STRING> code(ASN1_ENUMERATED_new());
                if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<long>(reason)) != 1 ||
                    X509_REVOKED_add1_ext_i2d(revoked.get(), NID_crl_reason, code.get(), 0, X509V3_ADD_DEFAULT) != 1) {
                    ThrowOpenSsl("encoding reason code");
                }
            }
        }
        return revoked.get();
    }

    UniquePtr<ASN1_STRING> serial_;
    UniquePtr<ASN1_STRING> date_;
    std::array<UniquePtr<X509_REVOKED>, 11> templates_;
    std::string der_;
};

// Header is the DER identifier and length octets of an element of `tag` with `length` content octets.
std::string Header(int tag, std::size_t length, int constructed = 1) {
    int total = ASN1_object_size(constructed, static_cast<int>(length), tag);
    if (total <= 0 || length > static_cast<std::size_t>(std::numeric_limits<int>::max() / 2)) {
        throw core::Failure("CRL too large to encode");
    }
    std::string header(static_cast<std::size_t>(total) - length, '\0');
    auto* p = reinterpret_cast<unsigned char*>(header.data());
    ASN1_put_object(&p, constructed, static_cast<int>(length), tag, V_ASN1_UNIVERSAL);
    return header;
}

// WithEntries puts `entries` (the DER of revokedCertificates' elements) into `tbs`, a TBSCertList OpenSSL
// encoded without entries (RFC 5280 §5.1: the field is left out when empty), where the field belongs: after
// thisUpdate and the optional nextUpdate, before the crlExtensions ([0]). OpenSSL reads the element headers
// (ASN1_get_object) and writes the new ones (ASN1_put_object).
std::string WithEntries(const std::string& tbs, const std::string& entries) {
    if (entries.empty()) {
        return tbs;
    }
    const auto* begin = reinterpret_cast<const unsigned char*>(tbs.data());
    const unsigned char* p = begin;
    long length = 0;
    int tag = 0;
    int xclass = 0;
    if (ASN1_get_object(&p, &length, &tag, &xclass, static_cast<long>(tbs.size())) & 0x80) {
        ThrowOpenSsl("reading the encoded TBSCertList");
    }
    const unsigned char* content = p;
    const unsigned char* end = content + length;
    const unsigned char* insert = end;
    while (p < end) {
        const unsigned char* element = p;
        long element_length = 0;
        if (ASN1_get_object(&p, &element_length, &tag, &xclass, end - p) & 0x80) {
            ThrowOpenSsl("reading the encoded TBSCertList");
        }
        if (xclass == V_ASN1_CONTEXT_SPECIFIC && tag == 0) {
            insert = element;  // crlExtensions [0]
            break;
        }
        p += element_length;
    }
    std::string list = Header(V_ASN1_SEQUENCE, entries.size());
    std::size_t inner = static_cast<std::size_t>(length) + list.size() + entries.size();
    std::string out = Header(V_ASN1_SEQUENCE, inner);
    out.reserve(out.size() + inner);
    out.append(reinterpret_cast<const char*>(content), static_cast<std::size_t>(insert - content));
    out += list;
    out += entries;
    out.append(reinterpret_cast<const char*>(insert), static_cast<std::size_t>(end - insert));
    return out;
}

// SerialOrder sorts entries the way X509_CRL_sort (ASN1_STRING_cmp on the serials) would: shorter
// magnitudes first, then bytewise.
bool SerialOrder(const SortedSerial& a, const SortedSerial& b) {
    if (a.serial.size != b.serial.size) {
        return a.serial.size < b.serial.size;
    }
    return std::memcmp(a.serial.bytes.data(), b.serial.bytes.data(), a.serial.size) < 0;
}

// CertificateListDer wraps `tbs`, the signature algorithm and the signature into a CertificateList (RFC 5280 §5.1):
//   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
// The parts are encoded by OpenSSL; only the outer SEQUENCE header is put around them here.
std::string CertificateListDer(const std::string& tbs, const X509_ALGOR* algorithm, std::string_view signature) {
    std::string alg_der = I2d(i2d_X509_ALGOR, const_cast<X509_ALGOR*>(algorithm), "encoding signature algorithm");
    UniquePtr<ASN1_STRING> bits(ASN1_BIT_STRING_new());
    if (!bits || ASN1_BIT_STRING_set(bits.get(), const_cast<unsigned char*>(Uchar(signature)),
                                     static_cast<int>(signature.size())) != 1) {
        ThrowOpenSsl("encoding CRL signature");
    }
    // A signature is whole bytes: no unused bits (the flag stops OpenSSL from trimming trailing zero bytes).
    bits->flags &= ~0x07L;
    bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    std::string sig_der = I2d(i2d_ASN1_BIT_STRING, bits.get(), "encoding CRL signature");
    std::size_t content = tbs.size() + alg_der.size() + sig_der.size();
    int total = ASN1_object_size(1, static_cast<int>(content), V_ASN1_SEQUENCE);
    if (total <= 0) {
        throw core::Failure("CRL too large to encode");
    }
    std::string der(static_cast<std::size_t>(total), '\0');
    auto* p = reinterpret_cast<unsigned char*>(der.data());
    ASN1_put_object(&p, 1, static_cast<int>(content), V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    std::size_t header = static_cast<std::size_t>(p - reinterpret_cast<unsigned char*>(der.data()));
    der.replace(header, content, tbs + alg_der + sig_der);
    return der;
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

const std::vector<std::string>& RevocationReasonNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> list;
        for (const ReasonName& reason : kReasons) {
            list.emplace_back(reason.name);
        }
        return list;
    }();
    return names;
}

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

Crl Crl::FromDer(std::string_view der) { return Adopt(DecodeDer(d2i_X509_CRL, der, "CRL").release()); }

Crl Crl::FromPem(std::string_view pem) { return Adopt(DecodePem(PEM_read_bio_X509_CRL, pem, "CRL").release()); }

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

TimePoint Crl::ThisUpdate() const { return ToTimePoint(X509_CRL_get0_lastUpdate(crl_.get()), "decoding CRL time"); }

std::optional<TimePoint> Crl::NextUpdate() const {
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl_.get());
    if (next == nullptr) {
        return std::nullopt;
    }
    return ToTimePoint(next, "decoding CRL time");
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

std::string IssueCrlDer(const CrlRequest& request, const Certificate& issuer, const PrivateKey& key) {
    const EVP_PKEY* issuer_key = X509_get0_pubkey(issuer.native());
    if (issuer_key == nullptr || EVP_PKEY_eq(issuer_key, key.native()) != 1) {
        ERR_clear_error();
        throw core::Failure("signing key does not belong to the CA certificate");
    }
    // RFC 5280 §4.2.1.3: "The cRLSign bit is asserted when the subject public key is used for verifying
    // signatures on certificate revocation lists". X509_get_key_usage gives all bits without the extension.
    if ((X509_get_key_usage(issuer.native()) & KU_CRL_SIGN) == 0) {
        throw core::Failure("CA certificate " + issuer.SubjectString() +
                            " can not sign CRLs: it lacks crl-sign key usage");
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
    AddExtensions(crl.get(), issuer, request.number);
    // Signing the CRL while it has no entries sets both signature AlgorithmIdentifiers (the one inside the
    // TBSCertList and the outer one) exactly as OpenSSL chooses them for this key and digest.
    const EVP_MD* md = EvpMd(digest);
    if (X509_CRL_sign(crl.get(), key.native(), md) <= 0) {
        ThrowOpenSsl("signing CRL with " + std::string(DigestName(digest)));
    }
    // The entries in serial order (what X509_CRL_sort does, without sorting the OpenSSL stack again).
    std::vector<SortedSerial> order;
    order.reserve(request.revoked.size());
    for (const RevokedEntry& entry : request.revoked) {
        order.push_back({DecodeSerial(entry.serial_hex), entry.reason.value_or(RevocationReason::kUnspecified),
                         std::chrono::system_clock::to_time_t(entry.revoked_at)});
    }
    std::sort(order.begin(), order.end(), SerialOrder);
    EntryEncoder encoder;
    encoder.Reserve(order.size() * 40);
    for (const SortedSerial& entry : order) {
        encoder.Add(entry);
    }
    // The TBSCertList without entries, encoded by OpenSSL, with the entries put in: a large CRL is encoded
    // once, and signed as X509_CRL_sign would sign it.
    unsigned char* tbs_raw = nullptr;
    int tbs_len = i2d_re_X509_CRL_tbs(crl.get(), &tbs_raw);  // allocating form: no separate length pass
    OpenSslBytes tbs_owner(tbs_raw);
    if (tbs_len <= 0) {
        ThrowOpenSsl("encoding CRL");
    }
    std::string tbs = WithEntries(
        std::string(reinterpret_cast<const char*>(tbs_raw), static_cast<std::size_t>(tbs_len)), encoder.Der());
    tbs_owner.reset();
    UniquePtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    std::size_t sig_len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.native()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &sig_len, Uchar(tbs), tbs.size()) != 1) {
        ThrowOpenSsl("signing CRL with " + std::string(DigestName(digest)));
    }
    std::string signature(sig_len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &sig_len, Uchar(tbs),
                       tbs.size()) != 1) {
        ThrowOpenSsl("signing CRL with " + std::string(DigestName(digest)));
    }
    signature.resize(sig_len);
    const X509_ALGOR* algorithm = nullptr;
    X509_CRL_get0_signature(crl.get(), nullptr, &algorithm);
    return CertificateListDer(tbs, algorithm, signature);
}

Crl IssueCrl(const CrlRequest& request, const Certificate& issuer, const PrivateKey& key) {
    return Crl::FromDer(IssueCrlDer(request, issuer, key));
}

}  // namespace certos::crypto
