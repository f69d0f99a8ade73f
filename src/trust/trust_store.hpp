#pragma once
// What certos trusts, read from the store: the anchors and CRLs every verification inside certos uses
// (the `verify` verb, CRL downloads over https, later ACME and SCEP).

#include <string_view>
#include <vector>

#include "crypto/verify.hpp"
#include "net/http_client.hpp"
#include "store/store.hpp"

namespace certos::trust {

// LoadTrust builds the trust of one service (a trust-store value such as "fetch" or "www"; "" for any):
//  - anchors: signed certificates with trusted=yes whose trust-store is `all` or names the service (every
//    trusted certificate when `service` is ""), plus the built-in roots when `/certificate settings
//    builtin-trust-store` allows the service;
//  - CRLs: the local CAs' CRLs and the downloaded ones (`/certificate crl`);
//  - policy: crl-use=yes requires a CRL for every certificate of a chain (kRequireAll); otherwise the
//    CRLs at hand are used and a certificate without one passes (kUseAvailable).
// A stored CRL that no longer parses is left out.
crypto::TrustSettings LoadTrust(store::Transaction& tx, std::string_view service,
                                crypto::VerifyPurpose purpose = crypto::VerifyPurpose::kAny);

// CaPool returns the store's CA certificates (authority=yes), trusted or not: the intermediates a path
// may go through.
std::vector<crypto::Certificate> CaPool(store::Transaction& tx);

// VerifyWithStore verifies `leaf` for `service` and `purpose` with LoadTrust's anchors and CRLs, the
// store's CA certificates and `extra` as untrusted intermediates.
crypto::VerifyResult VerifyWithStore(store::Transaction& tx, const crypto::Certificate& leaf,
                                     const std::vector<crypto::Certificate>& extra, std::string_view service,
                                     crypto::VerifyPurpose purpose);

// StoreTrust is the net::TrustSource of outgoing TLS connections: TrustFor(service) reads LoadTrust(tx,
// service, tls-server) in a read transaction of its own, so the CRL download, ACME and SCEP clients verify
// servers with the trust the store holds at that moment. Never call it inside a transaction of the same
// store on the same thread. `store` must outlive it.
class StoreTrust final : public net::TrustSource {
public:
    explicit StoreTrust(store::Store& store) : store_(&store) {}
    crypto::TrustSettings TrustFor(std::string_view service) const override;

private:
    store::Store* store_;
};

}  // namespace certos::trust
