#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/id.hpp"
#include "store/store.hpp"

namespace certos::pki {

// RevocationReasons are the values of issued-revoke's `reason` argument (certos's own; RouterOS's
// issued-revoke takes only numbers): unspecified, key-compromise, ca-compromise, affiliation-changed,
// superseded, cessation-of-operation, certificate-hold, privilege-withdrawn, aa-compromise.
const std::vector<std::string>& RevocationReasons();

// RevokeCertificates is `/certificate issued-revoke`: each certificate of `ids` must have been issued by a
// local CA ("failure: certificate X was not issued by a local CA" otherwise, and nothing changes). It gets
// the `revoked` property (the revocation time as RouterOS prints it, which also sets the R flag) and, when
// `reason` is not empty, `revocation-reason`; its serial goes into the issuing CA's revocation register;
// then every affected CA's CRL is rebuilt, all in `tx`. An already revoked certificate is left as it is
// (so a repeated issued-revoke is harmless). Returns warnings for the log: a CA whose CRL could not be
// rebuilt (no crl-sign key usage, no private key) still records the revocation.
std::vector<std::string> RevokeCertificates(
    store::Transaction& tx, const std::vector<core::ObjectId>& ids, std::string_view reason,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace certos::pki
