#include "pki/chain.hpp"

namespace certos::pki {

std::vector<crypto::Certificate> LocalIssuerChain(store::Transaction& tx, const store::CertificateRow& row) {
    std::vector<crypto::Certificate> chain;
    std::optional<core::ObjectId> next = row.issuer_id;
    for (int depth = 0; next && depth < 16; ++depth) {
        std::optional<store::CertificateRow> issuer = tx.GetCertificate(*next);
        if (!issuer || issuer->der.empty()) {
            break;
        }
        chain.push_back(crypto::Certificate::FromDer(issuer->der));
        next = issuer->issuer_id;
    }
    return chain;
}

}  // namespace certos::pki
