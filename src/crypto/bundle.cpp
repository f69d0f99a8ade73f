#include "crypto/bundle.hpp"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <algorithm>
#include <limits>

#include "core/error.hpp"
#include "crypto/internal.hpp"
#include "crypto/pkcs12.hpp"

namespace certos::crypto {
namespace {

// Password-based keys (the PKCS#12 MAC key, PBES1/PBES2 encryption keys) are derived with this many
// iterations at most. Tools write 2048 (OpenSSL 3.0) to 600,000; a crafted file with 2^31 would keep the
// importer busy for hours before the passphrase is even checked. scrypt's N*r*p is capped alike.
constexpr long kMaxKdfIterations = 10'000'000;

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

// PemBlock is one "-----BEGIN label----- ... -----END label-----" section of a text.
struct PemBlock {
    std::string label;
    std::string_view text;  // from the BEGIN line through the END line's dashes
    std::size_t line = 0;   // 1-based line of the BEGIN line, for messages
};

// LineCounter numbers the lines of a text at increasing offsets, counting each newline once, so numbering
// every block of a file is linear in its size.
class LineCounter {
public:
    explicit LineCounter(std::string_view data) : data_(data) {}

    // LineAt is the 1-based line of offset `pos`; `pos` never decreases from one call to the next.
    std::size_t LineAt(std::size_t pos) {
        line_ += static_cast<std::size_t>(
            std::count(data_.begin() + static_cast<long>(counted_), data_.begin() + static_cast<long>(pos), '\n'));
        counted_ = pos;
        return line_;
    }

private:
    std::string_view data_;
    std::size_t counted_ = 0;
    std::size_t line_ = 1;
};

// FindBeginLine returns the offset of the next "-----BEGIN " that starts a line (RFC 7468 §2: the
// encapsulation boundaries are lines of their own), or npos.
std::size_t FindBeginLine(std::string_view data, std::size_t from) {
    for (std::size_t pos = data.find(kBegin, from); pos != std::string_view::npos; pos = data.find(kBegin, pos + 1)) {
        if (pos == 0 || data[pos - 1] == '\n' || data[pos - 1] == '\r') {
            return pos;
        }
    }
    return std::string_view::npos;
}

// SplitPem cuts a text into its PEM blocks; text outside blocks (comments, "Bag Attributes") is skipped.
// A BEGIN line without its label's END line means the file was cut short: that throws.
std::vector<PemBlock> SplitPem(std::string_view data) {
    std::vector<PemBlock> blocks;
    LineCounter lines(data);
    for (std::size_t pos = FindBeginLine(data, 0); pos != std::string_view::npos; pos = FindBeginLine(data, pos)) {
        std::size_t label_start = pos + kBegin.size();
        std::size_t eol = data.find('\n', label_start);
        std::string_view begin_line = data.substr(label_start, eol == std::string_view::npos ? eol : eol - label_start);
        std::size_t dashes = begin_line.find(kDashes);
        std::size_t line = lines.LineAt(pos);
        if (dashes == std::string_view::npos || dashes == 0) {
            throw core::Failure("PEM line " + std::to_string(line) + ": malformed BEGIN line");
        }
        std::string label(begin_line.substr(0, dashes));
        std::string end_marker = std::string(kEnd) + label + std::string(kDashes);
        std::size_t end = data.find(end_marker, label_start);
        if (end == std::string_view::npos) {
            throw core::Failure("PEM block " + std::to_string(blocks.size() + 1) + " (" + label + ", line " +
                                std::to_string(line) + ") has no END line: the file is truncated or damaged");
        }
        std::size_t stop = end + end_marker.size();
        blocks.push_back(PemBlock{label, data.substr(pos, stop - pos), line});
        pos = stop;
    }
    return blocks;
}

bool IsCertificateLabel(std::string_view label) {
    return label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE";
}

bool IsKeyLabel(std::string_view label) {
    return label == "PRIVATE KEY" || label == "ENCRYPTED PRIVATE KEY" || label == "RSA PRIVATE KEY" ||
           label == "EC PRIVATE KEY";
}

// Iterations reads an iteration count; a value too large for a long (ASN1_INTEGER_get gives -1) is huge.
long Iterations(const ASN1_INTEGER* iterations) {
    // RFC 7292 Appendix C and RFC 8018 default an absent count to 1.
    long count = iterations != nullptr ? ASN1_INTEGER_get(iterations) : 1;
    return count < 0 ? std::numeric_limits<long>::max() : count;
}

template <typename T>
UniquePtr<T> Unpack(const ASN1_ITEM* item, const ASN1_TYPE* parameter) {
    if (parameter == nullptr || parameter->type != V_ASN1_SEQUENCE) {
        return nullptr;
    }
    return UniquePtr<T>(static_cast<T*>(ASN1_TYPE_unpack_sequence(item, parameter)));
}

// KdfWork is the key derivation work of a password-based encryption algorithm (PKCS#5 PBES1, PKCS#12 PBE,
// PBES2 with PBKDF2 or scrypt): the iteration count, or N*r*p for scrypt; 0 when it cannot be read (the
// decryption then fails on its own).
long KdfWork(const X509_ALGOR* alg) {
    if (alg == nullptr) {
        return 0;
    }
    long work = 0;
    if (OBJ_obj2nid(alg->algorithm) == NID_pbes2) {
        auto pbes2 = Unpack<PBE2PARAM>(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
        int kdf = pbes2 && pbes2->keyfunc != nullptr ? OBJ_obj2nid(pbes2->keyfunc->algorithm) : NID_undef;
        if (kdf == NID_id_pbkdf2) {
            auto params = Unpack<PBKDF2PARAM>(ASN1_ITEM_rptr(PBKDF2PARAM), pbes2->keyfunc->parameter);
            work = params ? Iterations(params->iter) : 0;
        }
#ifndef OPENSSL_NO_SCRYPT
        if (kdf == NID_id_scrypt) {
            auto params = Unpack<SCRYPT_PARAMS>(ASN1_ITEM_rptr(SCRYPT_PARAMS), pbes2->keyfunc->parameter);
            if (params) {
                long n = Iterations(params->costParameter);
                long r = Iterations(params->blockSize);
                long p = Iterations(params->parallelizationParameter);
                bool huge = (r != 0 && n > kMaxKdfIterations / r) || (p != 0 && n * r > kMaxKdfIterations / p);
                work = huge ? std::numeric_limits<long>::max() : n * r * p;
            }
        }
#endif
    } else if (auto pbe = Unpack<PBEPARAM>(ASN1_ITEM_rptr(PBEPARAM), alg->parameter)) {
        work = Iterations(pbe->iter);
    }
    ERR_clear_error();
    return work;
}

void CheckKdfWork(long work, std::string_view what) {
    if (work > kMaxKdfIterations) {
        throw core::Failure(std::string(what) + ": key derivation iteration count " + std::to_string(work) +
                            " is larger than " + std::to_string(kMaxKdfIterations));
    }
}

// CheckEncryptedKeyWork bounds the work of opening an EncryptedPrivateKeyInfo (RFC 5958 §3), PEM or DER;
// anything that is not one is left for the key decoder to reject.
void CheckEncryptedKeyWork(std::string_view data, bool pem) {
    UniquePtr<X509_SIG> sig;
    if (pem) {
        UniquePtr<BIO> bio = MemBio(data);
        sig.reset(PEM_read_bio_PKCS8(bio.get(), nullptr, nullptr, nullptr));
    } else {
        const unsigned char* p = Uchar(data);
        sig.reset(d2i_X509_SIG(nullptr, &p, static_cast<long>(data.size())));
    }
    ERR_clear_error();
    if (sig) {
        const X509_ALGOR* alg = nullptr;
        X509_SIG_get0(sig.get(), &alg, nullptr);
        CheckKdfWork(KdfWork(alg), "encrypted private key");
    }
}

// CheckPkcs12Work refuses PKCS#12 files whose MAC or encrypted parts would take unreasonably long to open:
// the MAC, every encrypted safe, and every shrouded key bag of the unencrypted safes (bags inside an
// encrypted safe can only be seen after decrypting it, whose own cost is bounded here).
void CheckPkcs12Work(PKCS12* p12) {
    const ASN1_INTEGER* mac_iterations = nullptr;
    PKCS12_get0_mac(nullptr, nullptr, nullptr, &mac_iterations, p12);
    if (PKCS12_mac_present(p12) == 1) {
        CheckKdfWork(Iterations(mac_iterations), "PKCS#12 MAC");
    }
    UniquePtr<STACK_OF(PKCS7)> safes(PKCS12_unpack_authsafes(p12));
    for (int i = 0; safes && i < sk_PKCS7_num(safes.get()); ++i) {
        PKCS7* safe = sk_PKCS7_value(safes.get(), i);
        int type = OBJ_obj2nid(safe->type);
        if (type == NID_pkcs7_encrypted && safe->d.encrypted != nullptr && safe->d.encrypted->enc_data != nullptr) {
            CheckKdfWork(KdfWork(safe->d.encrypted->enc_data->algorithm), "PKCS#12 encrypted safe");
        } else if (type == NID_pkcs7_data) {
            UniquePtr<STACK_OF(PKCS12_SAFEBAG)> bags(PKCS12_unpack_p7data(safe));
            for (int j = 0; bags && j < sk_PKCS12_SAFEBAG_num(bags.get()); ++j) {
                const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags.get(), j);
                if (PKCS12_SAFEBAG_get_nid(bag) == NID_pkcs8ShroudedKeyBag) {
                    const X509_ALGOR* alg = nullptr;
                    X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, nullptr);
                    CheckKdfWork(KdfWork(alg), "PKCS#12 key bag");
                }
            }
        }
    }
    ERR_clear_error();
}

Certificate DecodeTrustedCertificate(std::string_view block) {
    // OpenSSL's "TRUSTED CERTIFICATE" is a certificate followed by its local trust settings, which certos
    // has its own properties for (trusted, trust-store): only the certificate is kept.
    UniquePtr<BIO> bio = MemBio(block);
    UniquePtr<X509> cert(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        ThrowOpenSsl("decoding PEM trusted certificate");
    }
    return Certificate::Adopt(cert.release());
}

void ParsePemBlock(const PemBlock& block, std::size_t index, std::string_view passphrase, Bundle& bundle) {
    try {
        if (block.label == "TRUSTED CERTIFICATE") {
            bundle.certificates.push_back(DecodeTrustedCertificate(block.text));
        } else if (IsCertificateLabel(block.label)) {
            bundle.certificates.push_back(Certificate::FromPem(block.text));
        } else if (IsKeyLabel(block.label)) {
            if (block.label == "ENCRYPTED PRIVATE KEY") {
                CheckEncryptedKeyWork(block.text, true);
            }
            bundle.keys.push_back(PrivateKey::FromPem(block.text, passphrase));
        } else {
            bundle.ignored.push_back(block.label);
        }
    } catch (const DecryptionFailed&) {
        ++bundle.decryption_failures;  // only PrivateKey::FromPem throws it: a key block
    } catch (const core::Error& e) {
        throw core::Failure("PEM block " + std::to_string(index) + " (" + block.label + ", line " +
                            std::to_string(block.line) + "): " + e.what());
    }
}

// ParseBinary tries, in turn, a DER certificate, a PKCS#12 and a DER private key.
Bundle ParseBinary(std::string_view data, std::string_view passphrase) {
    Bundle bundle;
    std::string certificate_reason;
    try {
        bundle.format = BundleFormat::kDerCertificate;
        bundle.certificates.push_back(Certificate::FromDer(data));
        return bundle;
    } catch (const core::Error& e) {
        certificate_reason = e.what();
    }
    const unsigned char* p = Uchar(data);
    UniquePtr<PKCS12> p12(d2i_PKCS12(nullptr, &p, static_cast<long>(data.size())));
    if (p12) {
        bundle.format = BundleFormat::kPkcs12;
        CheckPkcs12Work(p12.get());
        try {
            Pkcs12Contents contents = ParsePkcs12(data, passphrase);
            bundle.certificates = std::move(contents.certificates);
            if (contents.key) {
                bundle.keys.push_back(*contents.key);
            }
        } catch (const DecryptionFailed&) {
            bundle.decryption_failures = 1;
        } catch (const core::Error& e) {
            throw core::Failure(std::string("PKCS#12: ") + e.what());
        }
        return bundle;
    }
    ERR_clear_error();
    CheckEncryptedKeyWork(data, false);
    try {
        bundle.format = BundleFormat::kDerPrivateKey;
        bundle.keys.push_back(PrivateKey::FromDer(data, passphrase));
        return bundle;
    } catch (const DecryptionFailed&) {
        bundle.decryption_failures = 1;
        return bundle;
    } catch (const UnsupportedKeyType& e) {
        throw core::Failure(std::string("DER private key: ") + e.what());
    } catch (const core::Error&) {
        // not a key either: the message below names every reading that was tried
    }
    throw core::Failure("unrecognised format: no PEM block (-----BEGIN ...), and not a DER certificate (" +
                        certificate_reason + "), DER private key or PKCS#12");
}

}  // namespace

Bundle ParseBundle(std::string_view data, std::string_view passphrase) {
    if (data.size() > kMaxBundleBytes) {
        throw core::Failure("input is too large (" + std::to_string(data.size()) + " bytes, limit " +
                            std::to_string(kMaxBundleBytes >> 20) + " MiB)");
    }
    if (data.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        throw core::Failure("the file is empty");
    }
    std::vector<PemBlock> blocks = SplitPem(data);
    if (blocks.empty()) {
        return ParseBinary(data, passphrase);
    }
    Bundle bundle;
    bundle.format = BundleFormat::kPem;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        ParsePemBlock(blocks[i], i + 1, passphrase, bundle);
    }
    return bundle;
}

bool IsKeyOf(const PrivateKey& key, const Certificate& cert) {
    const EVP_PKEY* public_key = X509_get0_pubkey(cert.native());
    bool same = public_key != nullptr && EVP_PKEY_eq(public_key, key.native()) == 1;
    ERR_clear_error();
    return same;
}

namespace {

// BnParam is a BIGNUM parameter of `pkey` as big-endian bytes; empty when it has none.
std::string BnParam(const EVP_PKEY* pkey, const char* name) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
        ERR_clear_error();
        return {};
    }
    UniquePtr<BIGNUM> value(raw);
    std::string bytes(static_cast<std::size_t>(BN_num_bytes(value.get())), '\0');
    BN_bn2bin(value.get(), reinterpret_cast<unsigned char*>(bytes.data()));
    return bytes;
}

std::string MatchId(const EVP_PKEY* pkey) {
    if (pkey == nullptr) {
        ThrowOpenSsl("reading public key");
    }
    std::string id = PkeyType(pkey) + ":" + PkeySize(pkey) + ":";
    std::string value;
    if (EVP_PKEY_is_a(pkey, "RSA") == 1) {
        value = BnParam(pkey, OSSL_PKEY_PARAM_RSA_N);
    } else if (EVP_PKEY_is_a(pkey, "EC") == 1) {
        value = BnParam(pkey, OSSL_PKEY_PARAM_EC_PUB_X);
    }
    return id + (value.empty() ? PkeyPublicDer(pkey) : value);
}

}  // namespace

std::string PublicKeyMatchId(const PrivateKey& key) { return MatchId(key.native()); }

std::string PublicKeyMatchId(const Certificate& cert) { return MatchId(X509_get0_pubkey(cert.native())); }

std::string_view FormatName(BundleFormat format) {
    switch (format) {
        case BundleFormat::kPem:
            return "PEM";
        case BundleFormat::kDerCertificate:
            return "DER certificate";
        case BundleFormat::kDerPrivateKey:
            return "DER private key";
        case BundleFormat::kPkcs12:
            return "PKCS#12";
    }
    return "unknown";
}

}  // namespace certos::crypto
