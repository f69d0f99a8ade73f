#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/files.hpp"
#include "store/store.hpp"

namespace certos::pki {

// kMaxImportBytes is the largest file `/certificate import` reads (16 MiB; see crypto::kMaxBundleBytes).
inline constexpr std::uint64_t kMaxImportBytes = 16ull << 20;

// ImportOptions are the arguments of `/certificate import` (facts §1.2, §1.8).
struct ImportOptions {
    std::string file_name;   // a file of /file
    std::string passphrase;  // opens encrypted keys and PKCS#12 files
    std::string name;        // "": <file-name>_0, _1 ...; else X, X_1, X_2 ...
    bool trusted = true;     // RouterOS's default is trusted=yes
    std::string trust_store = "all";
};

// ImportReport is RouterOS's five-line import report.
struct ImportReport {
    int certificates_imported = 0;
    int private_keys_imported = 0;
    int files_imported = 0;  // 1 when the file added a certificate or a key, else 0
    int decryption_failures = 0;
    int keys_with_no_certificate = 0;
};

// Import reads `options.file_name` from /file and stores what it holds (see crypto::ParseBundle for the
// formats). Every certificate not already in the store (same fingerprint) becomes a row named
// `<file-name>_<n>` (or `name`, `name_1`, ... with options.name), skipping names that are taken, with
// trusted and trust-store from the options; authority comes from basicConstraints; `issued` stays unset
// (it means issued by a local CA). Each key goes to the certificate with the same public key, from the same
// file or already in the store (which then gains the K flag); a key whose certificate already has one is
// not stored again; a key with no certificate is counted in keys_with_no_certificate and not stored.
// The file is read and decoded completely first and matched against the store in a read transaction (work
// linear in the file and the store), then everything is written in one short write transaction, which first
// checks that the store's certificates did not change meanwhile (else the matching is done again):
// a damaged file throws core::Error ("failure: importing F: PEM block 2 (CERTIFICATE, line 18): ...") and
// changes nothing; a wrong passphrase is counted in decryption_failures. The file stays in /file.
ImportReport Import(store::Store& store, const store::FileArea& files, const ImportOptions& options);

}  // namespace certos::pki
