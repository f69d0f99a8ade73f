#include "pki/export.hpp"

#include "core/error.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "crypto/pkcs12.hpp"
#include "pki/chain.hpp"

namespace certos::pki {

std::vector<std::string> ExportCertificate(store::Transaction& tx, const store::FileArea& files,
                                           const store::CertificateRow& row, ExportType type,
                                           std::string_view passphrase, std::string_view file_name) {
    if (row.der.empty()) {
        throw core::Failure("certificate " + row.name + " is not signed yet, nothing to export");
    }
    if (!passphrase.empty() && passphrase.size() < kMinPassphrase) {
        throw core::Failure("export-passphrase must be at least " + std::to_string(kMinPassphrase) + " characters");
    }
    std::string base = file_name.empty() ? "cert_export_" + row.name : std::string(file_name);
    crypto::Certificate cert = crypto::Certificate::FromDer(row.der);
    std::optional<crypto::PrivateKey> key;
    if (!passphrase.empty() && row.has_key) {
        if (auto der = tx.LoadPrivateKey(row.id)) {
            key = crypto::PrivateKey::FromPkcs8Der(*der);
        }
    }
    // Encode everything first, then write: a failure leaves no partial export behind.
    std::vector<std::pair<std::string, std::string>> outputs;
    if (type == ExportType::kPem) {
        outputs.emplace_back(base + ".crt", cert.ToPem());
        if (key) {
            outputs.emplace_back(base + ".key", key->ToEncryptedPem(passphrase));
        }
    } else {
        outputs.emplace_back(base + ".p12", crypto::MakePkcs12(cert, key ? &*key : nullptr, LocalIssuerChain(tx, row),
                                                               passphrase, row.name));
    }
    std::vector<std::string> written;
    for (const auto& [name, contents] : outputs) {
        files.Write(name, contents);
        written.push_back(name);
    }
    return written;
}

}  // namespace certos::pki
