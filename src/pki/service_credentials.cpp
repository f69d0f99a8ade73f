#include "pki/service_credentials.hpp"

#include "core/error.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "crypto/tls_credentials.hpp"
#include "pki/chain.hpp"

namespace certos::pki {

TlsCredentials LoadTlsCredentials(store::Store& store, std::string_view certificate_name) {
    return LoadTlsCredentials(*store.Begin(store::TxMode::kRead), certificate_name);
}

TlsCredentials LoadTlsCredentials(store::Transaction& tx, std::string_view certificate_name) {
    std::optional<store::CertificateRow> row;
    if (auto id = core::ObjectId::Parse(certificate_name)) {
        row = tx.GetCertificate(*id);
    } else {
        row = tx.FindCertificateByName(certificate_name);
    }
    std::string name(certificate_name);
    if (!row) {
        throw core::Failure("certificate " + name + " does not exist");
    }
    if (row->der.empty()) {
        throw core::Failure("certificate " + name + " is not signed");
    }
    std::optional<std::string> key = tx.LoadPrivateKey(row->id);
    if (!key) {
        throw core::Failure("certificate " + name + " has no private key");
    }
    TlsCredentials out;
    out.certificate_chain_pem = crypto::Certificate::FromDer(row->der).ToPem();
    for (const crypto::Certificate& issuer : LocalIssuerChain(tx, *row)) {
        out.certificate_chain_pem += issuer.ToPem();
    }
    out.private_key_pem = crypto::PrivateKey::FromPkcs8Der(*key).ToPem();
    return out;
}

void CheckTlsCredentials(store::Transaction& tx, std::string_view certificate_name) {
    TlsCredentials credentials = LoadTlsCredentials(tx, certificate_name);
    try {
        crypto::CheckServerCredentials(credentials.certificate_chain_pem, credentials.private_key_pem);
    } catch (const core::Error& e) {
        throw core::Failure("certificate " + std::string(certificate_name) + ": " + e.what());
    }
}

}  // namespace certos::pki
