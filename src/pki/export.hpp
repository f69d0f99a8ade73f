#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/files.hpp"
#include "store/store.hpp"

namespace certos::pki {

enum class ExportType { kPem, kPkcs12 };

// kMinPassphrase is certos's minimum export-passphrase length (RouterOS's own minimum is not public).
inline constexpr std::size_t kMinPassphrase = 4;

// ExportCertificate writes `row` to /file as RouterOS's export-certificate does (MT-CERT):
// PEM: <base>.crt, plus <base>.key (PKCS#8 encrypted with AES-256-CBC under the passphrase) only when a
// passphrase is given; PKCS#12: <base>.p12 holding the certificate and its local issuer chain, and the
// key (AES-256) only when a passphrase is given. <base> is `file_name` or cert_export_<name>.
// Returns the file names written. Throws core::Error (nothing written) for a template or a short passphrase.
std::vector<std::string> ExportCertificate(store::Transaction& tx, const store::FileArea& files,
                                           const store::CertificateRow& row, ExportType type,
                                           std::string_view passphrase, std::string_view file_name);

}  // namespace certos::pki
