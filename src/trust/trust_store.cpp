#include "trust/trust_store.hpp"

#include "core/error.hpp"
#include "core/value.hpp"
#include "pki/crl.hpp"
#include "trust/builtin.hpp"
#include "trust/crl_download.hpp"

namespace certos::trust {
namespace {

using store::Prop;

bool StoreAllows(const store::CertificateRow& row, std::string_view service) {
    if (service.empty()) {
        return true;
    }
    for (const std::string& item : core::SplitList(Prop(row, "trust-store", "all"))) {
        if (item == "all" || item == service) {
            return true;
        }
    }
    return false;
}

void AddCrls(std::vector<crypto::Crl>& out, const std::vector<std::string>& ders) {
    for (const std::string& der : ders) {
        try {
            out.push_back(crypto::Crl::FromDer(der));
        } catch (const core::Error&) {
            continue;  // a damaged blob must not stop every verification
        }
    }
}

// MarkedTrue selects the rows whose property `field` is "true".
store::CertificateCondition MarkedTrue(store::CertificateField field) {
    return store::CertificateCondition::Compare(store::CertificateCondition::Op::kEq, field, std::string("true"));
}

}  // namespace

crypto::TrustSettings LoadTrust(store::Transaction& tx, std::string_view service, crypto::VerifyPurpose purpose) {
    crypto::TrustSettings trust;
    trust.purpose = purpose;
    // Only the trusted rows, through the store's index on `trusted` (not every certificate).
    tx.ScanCertificates(
        MarkedTrue(store::CertificateField::kTrusted),
        [&](store::CertificateRow&& row) {
            if (!row.der.empty() && StoreAllows(row, service)) {
                trust.anchors.push_back(crypto::Certificate::FromDer(row.der));
            }
            return true;
        },
        store::ScanOrder::kAny);
    std::string builtin = tx.GetSetting("certificate", "builtin-trust-store").value_or("default");
    if (BuiltinTrustedFor(builtin, service)) {
        for (const BuiltinRoot& root : BuiltinRoots()) {
            trust.anchors.push_back(root.cert);
        }
    }
    AddCrls(trust.crls, pki::LocalCrlDers(tx));
    AddCrls(trust.crls, DownloadedCrlDers(tx));
    bool crl_use = tx.GetSetting("certificate", "crl-use").value_or("false") == "true";
    trust.crl_policy = crl_use ? crypto::CrlPolicy::kRequireAll : crypto::CrlPolicy::kUseAvailable;
    return trust;
}

std::vector<crypto::Certificate> CaPool(store::Transaction& tx) {
    std::vector<crypto::Certificate> pool;
    // Only the authorities, through the store's index on `authority`.
    tx.ScanCertificates(
        MarkedTrue(store::CertificateField::kAuthority),
        [&](store::CertificateRow&& row) {
            if (!row.der.empty()) {
                pool.push_back(crypto::Certificate::FromDer(row.der));
            }
            return true;
        },
        store::ScanOrder::kAny);
    return pool;
}

crypto::VerifyResult VerifyWithStore(store::Transaction& tx, const crypto::Certificate& leaf,
                                     const std::vector<crypto::Certificate>& extra, std::string_view service,
                                     crypto::VerifyPurpose purpose) {
    crypto::VerifyInput input{leaf, extra, LoadTrust(tx, service, purpose), std::nullopt};
    for (crypto::Certificate& ca : CaPool(tx)) {
        input.untrusted.push_back(std::move(ca));
    }
    return crypto::VerifyChain(input);
}

crypto::TrustSettings StoreTrust::TrustFor(std::string_view service) const {
    std::unique_ptr<store::Transaction> tx = store_->Begin(store::TxMode::kRead);
    return LoadTrust(*tx, service, crypto::VerifyPurpose::kTlsServer);
}

}  // namespace certos::trust
