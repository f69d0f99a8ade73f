#pragma once

#include <vector>

#include "crypto/certificate.hpp"
#include "store/store.hpp"

namespace certos::pki {

// LocalIssuerChain follows issuer_id links from `row` up to its root, returning the issuers' certificates
// (not `row` itself), nearest first; at most 16 deep.
std::vector<crypto::Certificate> LocalIssuerChain(store::Transaction& tx, const store::CertificateRow& row);

}  // namespace certos::pki
