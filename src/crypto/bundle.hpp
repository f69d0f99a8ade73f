#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/key.hpp"

namespace certos::crypto {

// kMaxBundleBytes is the largest input ParseBundle reads (16 MiB). Debian's whole ca-certificates.crt is
// about 220 KiB; anything near the limit is not a certificate file.
inline constexpr std::size_t kMaxBundleBytes = 16u << 20;

// BundleFormat is how a file was recognised.
enum class BundleFormat { kPem, kDerCertificate, kDerPrivateKey, kPkcs12 };

// Bundle is everything one import file holds, decoded but not yet stored.
struct Bundle {
    BundleFormat format = BundleFormat::kPem;
    std::vector<Certificate> certificates;  // in file order (a PKCS#12's key certificate first)
    std::vector<PrivateKey> keys;           // in file order, RSA or EC
    // decryption_failures counts encrypted parts (a PKCS#12, an encrypted key) that the passphrase did not
    // open; they contribute nothing to `certificates` or `keys`.
    int decryption_failures = 0;
    // ignored lists the PEM labels of blocks that hold neither a certificate nor a key ("EC PARAMETERS",
    // "CERTIFICATE REQUEST", "X509 CRL"), in file order.
    std::vector<std::string> ignored;
};

// ParseBundle decodes an import file (RouterOS imports "PEM, DER, CRT, PKCS12"):
//  - PEM: any number of CERTIFICATE / X509 CERTIFICATE / TRUSTED CERTIFICATE blocks and private keys
//    (PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, ENCRYPTED PRIVATE KEY, traditional "Proc-Type:
//    4,ENCRYPTED" keys) in any order, with any text between blocks (comments, "Bag Attributes");
//  - DER: one certificate, or one private key (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1);
//  - PKCS#12: modern (AES/PBKDF2) and legacy (RC2/3DES), with or without a key.
// A passphrase that opens nothing is counted in decryption_failures, not thrown. Everything else that is
// wrong throws core::Error (kFailure) naming the part and the reason ("PEM block 2 (CERTIFICATE): decoding
// DER certificate: ..."): an empty file, a damaged or truncated block, bytes that are no known format, a
// key of an unsupported type, input over kMaxBundleBytes, or a key derivation iteration count over 10^7
// (checked before any decryption, so a crafted file cannot keep the importer busy). Pure: touches no file or
// store.
Bundle ParseBundle(std::string_view data, std::string_view passphrase);

// IsKeyOf tells whether `key` is the private key of `cert` (same public key, compared as keys, so EC
// point encodings do not matter).
bool IsKeyOf(const PrivateKey& key, const Certificate& cert);

// PublicKeyMatchId is a short value that is the same for a private key and every certificate carrying its
// public key, whatever the encoding (RSA: the modulus; EC: the curve and the point's x coordinate, so
// compressed and uncompressed points agree; other types: the SubjectPublicKeyInfo DER). It indexes keys and
// certificates so matching them is linear: equal ids make a candidate pair, which IsKeyOf then confirms
// (an EC point and its negation share an id). Throws core::Error when the public key cannot be read.
std::string PublicKeyMatchId(const PrivateKey& key);
std::string PublicKeyMatchId(const Certificate& cert);

// FormatName is "PEM", "DER certificate", "DER private key" or "PKCS#12".
std::string_view FormatName(BundleFormat format);

}  // namespace certos::crypto
