#include "crypto/verify.hpp"

#include <openssl/ssl.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/time_format.hpp"
#include "crypto/internal.hpp"

namespace certos::crypto {
namespace {

constexpr VerifyPurpose kPurposes[] = {VerifyPurpose::kAny, VerifyPurpose::kTlsServer, VerifyPurpose::kTlsClient,
                                       VerifyPurpose::kEmailProtect, VerifyPurpose::kTimestamp};

int OpenSslPurpose(VerifyPurpose purpose) {
    switch (purpose) {
        case VerifyPurpose::kTlsServer:
            return X509_PURPOSE_SSL_SERVER;
        case VerifyPurpose::kTlsClient:
            return X509_PURPOSE_SSL_CLIENT;
        case VerifyPurpose::kEmailProtect:
            return X509_PURPOSE_SMIME_SIGN;
        case VerifyPurpose::kTimestamp:
            return X509_PURPOSE_TIMESTAMP_SIGN;
        case VerifyPurpose::kAny:
            break;
    }
    return 0;
}

// IsCrlAvailabilityError: errors that say a certificate has no usable CRL (as opposed to being revoked).
// Under CrlPolicy::kUseAvailable they are not problems.
bool IsCrlAvailabilityError(int code) {
    switch (code) {
        case X509_V_ERR_UNABLE_TO_GET_CRL:
        case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        case X509_V_ERR_CRL_HAS_EXPIRED:
        case X509_V_ERR_CRL_NOT_YET_VALID:
        case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
        case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
        case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
        case X509_V_ERR_DIFFERENT_CRL_SCOPE:
        case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
        case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
            return true;
        default:
            return false;
    }
}

// Quoted is how messages name a certificate or CRL issuer: its DN in quotes.
std::string Quoted(const std::string& dn) { return "\"" + dn + "\""; }

std::string SubjectOf(X509* cert) {
    if (cert == nullptr) {
        return "(unknown certificate)";
    }
    X509_up_ref(cert);
    return Quoted(Certificate::Adopt(cert).SubjectString());
}

std::string IssuerOf(X509* cert) {
    if (cert == nullptr) {
        return "(unknown issuer)";
    }
    X509_up_ref(cert);
    return Quoted(Certificate::Adopt(cert).IssuerString());
}

std::string PurposeText(int purpose) {
    switch (purpose) {
        case X509_PURPOSE_SSL_SERVER:
            return "tls-server";
        case X509_PURPOSE_SSL_CLIENT:
            return "tls-client";
        case X509_PURPOSE_SMIME_SIGN:
            return "email-protect";
        case X509_PURPOSE_TIMESTAMP_SIGN:
            return "timestamp";
        default:
            return "the requested purpose";
    }
}

// Describe turns the error OpenSSL reports for the certificate at hand into a problem with a sentence that
// says which certificate and why.
CertProblem Describe(X509_STORE_CTX* ctx, int code, int purpose) {
    X509* cert = X509_STORE_CTX_get_current_cert(ctx);
    std::string who = SubjectOf(cert);
    CertProblem problem = DescribeVerifyCode(code);
    auto when = [](const ASN1_TIME* time) {
        std::tm tm{};
        if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
            ERR_clear_error();
            return std::string("(unreadable time)");
        }
        return core::FormatDateTime(std::chrono::system_clock::from_time_t(timegm(&tm)));
    };
    X509_CRL* crl = X509_STORE_CTX_get0_current_crl(ctx);
    switch (code) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            problem.message = "certificate " + who + " expired on " + when(X509_get0_notAfter(cert));
            break;
        case X509_V_ERR_CERT_NOT_YET_VALID:
            problem.message = "certificate " + who + " is not valid before " + when(X509_get0_notBefore(cert));
            break;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
            problem.message = "issuer " + IssuerOf(cert) + " of certificate " + who +
                              " is not a trusted CA (unable to get issuer certificate)";
            break;
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            problem.message = "root CA " + who + " is not trusted (self-signed certificate in chain)";
            break;
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
            problem.message = "self-signed certificate " + who + " is not trusted";
            break;
        case X509_V_ERR_INVALID_PURPOSE:
            problem.message =
                "certificate " + who + " is not allowed for " + PurposeText(purpose) + " (wrong extended key usage)";
            break;
        case X509_V_ERR_CERT_REVOKED: {
            problem.message = "certificate " + who + " is revoked";
            X509_REVOKED* entry = nullptr;
            if (crl != nullptr && X509_CRL_get0_by_cert(crl, &entry, cert) > 0 && entry != nullptr) {
                X509_up_ref(cert);
                problem.message += " (serial " + Certificate::Adopt(cert).SerialHex() + ", revoked on " +
                                   when(X509_REVOKED_get0_revocationDate(entry));
                int critical = 0;
                UniquePtr<ASN1_STRING> reason(
                    static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &critical, nullptr)));
                if (reason) {
                    problem.message +=
                        ", reason " +
                        RevocationReasonName(static_cast<RevocationReason>(ASN1_ENUMERATED_get(reason.get())));
                }
                problem.message += ")";
            }
            break;
        }
        case X509_V_ERR_UNABLE_TO_GET_CRL:
            problem.message = "no CRL for certificate " + who + " (issuer " + IssuerOf(cert) +
                              "): crl-use requires a current CRL for every certificate in the chain";
            break;
        case X509_V_ERR_CRL_HAS_EXPIRED:
            problem.message = "the CRL of " + IssuerOf(cert) + " for certificate " + who + " expired on " +
                              (crl != nullptr ? when(X509_CRL_get0_nextUpdate(crl)) : std::string("(unknown)"));
            break;
        case X509_V_ERR_CRL_NOT_YET_VALID:
            problem.message = "the CRL for certificate " + who + " is not valid before " +
                              (crl != nullptr ? when(X509_CRL_get0_lastUpdate(crl)) : std::string("(unknown)"));
            break;
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
            problem.message =
                "signature of certificate " + who + " does not verify with the key of its issuer " + IssuerOf(cert);
            break;
        case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
            problem.message = "signature of the CRL for certificate " + who + " does not verify";
            break;
        default:
            problem.message = "certificate " + who + ": " + problem.message;
            break;
    }
    return problem;
}

// Collector gathers the problems VerifyChain's callback sees, by depth.
struct Collector {
    CrlPolicy crl_policy = CrlPolicy::kIgnore;
    int purpose = 0;                                    // X509_PURPOSE_*
    std::vector<std::pair<int, CertProblem>> problems;  // (depth, problem), in the order found
    std::vector<std::pair<int, X509*>> certs;           // borrowed: the chain owns them during verification
};

int g_collector_index = -1;

// KeepGoingCallback (VerifyChain's) records each problem and lets OpenSSL go on, so that every problem
// of the path is seen; under kUseAvailable, CRL availability errors are not problems.
int KeepGoingCallback(int ok, X509_STORE_CTX* ctx) {
    if (ok == 1) {
        return 1;
    }
    int code = X509_STORE_CTX_get_error(ctx);
    auto* collector = static_cast<Collector*>(X509_STORE_CTX_get_ex_data(ctx, g_collector_index));
    if (collector == nullptr) {
        return 0;  // not ours
    }
    if (collector->crl_policy == CrlPolicy::kUseAvailable && IsCrlAvailabilityError(code)) {
        return 1;
    }
    int depth = X509_STORE_CTX_get_error_depth(ctx);
    bool seen = std::any_of(collector->problems.begin(), collector->problems.end(),
                            [&](const auto& p) { return p.first == depth && p.second.code == code; });
    if (!seen) {
        collector->problems.emplace_back(depth, Describe(ctx, code, collector->purpose));
        collector->certs.emplace_back(depth, X509_STORE_CTX_get_current_cert(ctx));
    }
    return 1;
}

// TlsCallback is the store callback for TLS peers: an error fails the handshake unless it is a CRL
// availability error and the store's policy is kUseAvailable (recorded in the store's ex_data).
int g_policy_index = -1;

int TlsCallback(int ok, X509_STORE_CTX* ctx) {
    if (ok == 1) {
        return 1;
    }
    X509_STORE* store = X509_STORE_CTX_get0_store(ctx);
    auto policy = reinterpret_cast<std::intptr_t>(X509_STORE_get_ex_data(store, g_policy_index));
    return static_cast<CrlPolicy>(policy) == CrlPolicy::kUseAvailable &&
                   IsCrlAvailabilityError(X509_STORE_CTX_get_error(ctx))
               ? 1
               : 0;
}

void InitIndexes() {
    static const bool done = [] {
        g_collector_index = X509_STORE_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
        g_policy_index = X509_STORE_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
        return true;
    }();
    (void)done;
}

CrlPolicy EffectivePolicy(const TrustSettings& trust) {
    // Without any CRL, "use what is available" checks nothing; skip the work.
    if (trust.crl_policy == CrlPolicy::kUseAvailable && trust.crls.empty()) {
        return CrlPolicy::kIgnore;
    }
    return trust.crl_policy;
}

UniquePtr<X509_STORE> BuildStore(const TrustSettings& trust) {
    InitIndexes();
    UniquePtr<X509_STORE> store(X509_STORE_new());
    if (!store) {
        ThrowOpenSsl("allocating certificate store");
    }
    for (const Certificate& anchor : trust.anchors) {
        if (X509_STORE_add_cert(store.get(), anchor.native()) != 1) {
            ThrowOpenSsl("adding trust anchor " + anchor.SubjectString());
        }
    }
    CrlPolicy policy = EffectivePolicy(trust);
    if (policy != CrlPolicy::kIgnore) {
        for (const Crl& crl : trust.crls) {
            if (X509_STORE_add_crl(store.get(), crl.native()) != 1) {
                ThrowOpenSsl("adding CRL of " + crl.IssuerString());
            }
        }
        // RFC 5280 §6.3 checks each certificate of the path; CRL_CHECK_ALL makes OpenSSL do so for every
        // one, not only the leaf. A self-signed root is checked against its own CRL.
        X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    if (trust.purpose != VerifyPurpose::kAny &&
        X509_STORE_set_purpose(store.get(), OpenSslPurpose(trust.purpose)) != 1) {
        ThrowOpenSsl("setting verification purpose");
    }
    // The ex_data slot holds the policy value itself, never dereferenced.
    // NOLINTNEXTLINE(performance-no-int-to-ptr)
    X509_STORE_set_ex_data(store.get(), g_policy_index, reinterpret_cast<void*>(static_cast<std::intptr_t>(policy)));
    return store;
}

UniquePtr<STACK_OF(X509)> CertStack(const std::vector<Certificate>& certs) {
    UniquePtr<STACK_OF(X509)> stack(sk_X509_new_null());
    if (!stack) {
        ThrowOpenSsl("allocating certificate list");
    }
    for (const Certificate& cert : certs) {
        if (X509_add_cert(stack.get(), cert.native(), X509_ADD_FLAG_UP_REF) != 1) {
            ThrowOpenSsl("building certificate list");
        }
    }
    return stack;
}

}  // namespace

const std::vector<std::string>& VerifyPurposeNames() {
    static const std::vector<std::string> names = {"any", "tls-server", "tls-client", "email-protect", "timestamp"};
    return names;
}

std::optional<VerifyPurpose> ParseVerifyPurpose(std::string_view name) {
    const std::vector<std::string>& names = VerifyPurposeNames();
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) {
            return kPurposes[i];
        }
    }
    return std::nullopt;
}

std::string_view VerifyStatusName(VerifyStatus status) {
    switch (status) {
        case VerifyStatus::kOk:
            return "ok";
        case VerifyStatus::kExpired:
            return "expired";
        case VerifyStatus::kNotYetValid:
            return "not-yet-valid";
        case VerifyStatus::kUntrusted:
            return "untrusted";
        case VerifyStatus::kInvalidCa:
            return "invalid-ca";
        case VerifyStatus::kWrongPurpose:
            return "wrong-purpose";
        case VerifyStatus::kRevoked:
            return "revoked";
        case VerifyStatus::kCrlMissing:
            return "crl-missing";
        case VerifyStatus::kCrlExpired:
            return "crl-expired";
        case VerifyStatus::kCrlNotYetValid:
            return "crl-not-yet-valid";
        case VerifyStatus::kBadSignature:
            return "bad-signature";
        case VerifyStatus::kOther:
            break;
    }
    return "error";
}

CertProblem DescribeVerifyCode(long code) {
    CertProblem problem;
    problem.code = static_cast<int>(code);
    const char* text = X509_verify_cert_error_string(code);
    problem.message = text != nullptr ? text : "unknown verification error";
    switch (code) {
        case X509_V_OK:
            problem.status = VerifyStatus::kOk;
            problem.message = "ok";
            break;
        case X509_V_ERR_CERT_HAS_EXPIRED:
            problem.status = VerifyStatus::kExpired;
            break;
        case X509_V_ERR_CERT_NOT_YET_VALID:
            problem.status = VerifyStatus::kNotYetValid;
            break;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_CERT_UNTRUSTED:
        case X509_V_ERR_CERT_REJECTED:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            problem.status = VerifyStatus::kUntrusted;
            break;
        case X509_V_ERR_INVALID_CA:
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
        case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        case X509_V_ERR_INVALID_NON_CA:
            problem.status = VerifyStatus::kInvalidCa;
            break;
        case X509_V_ERR_INVALID_PURPOSE:
            problem.status = VerifyStatus::kWrongPurpose;
            break;
        case X509_V_ERR_CERT_REVOKED:
            problem.status = VerifyStatus::kRevoked;
            break;
        case X509_V_ERR_UNABLE_TO_GET_CRL:
        case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
            problem.status = VerifyStatus::kCrlMissing;
            break;
        case X509_V_ERR_CRL_HAS_EXPIRED:
            problem.status = VerifyStatus::kCrlExpired;
            break;
        case X509_V_ERR_CRL_NOT_YET_VALID:
            problem.status = VerifyStatus::kCrlNotYetValid;
            break;
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
            problem.status = VerifyStatus::kBadSignature;
            break;
        default:
            problem.status = VerifyStatus::kOther;
            break;
    }
    return problem;
}

VerifyResult VerifyChain(const VerifyInput& input) {
    UniquePtr<X509_STORE> store = BuildStore(input.trust);
    UniquePtr<STACK_OF(X509)> untrusted = CertStack(input.untrusted);
    UniquePtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), input.leaf.native(), untrusted.get()) != 1) {
        ThrowOpenSsl("starting certificate verification");
    }
    Collector collector;
    collector.crl_policy = EffectivePolicy(input.trust);
    collector.purpose = OpenSslPurpose(input.trust.purpose);
    X509_STORE_CTX_set_ex_data(ctx.get(), g_collector_index, &collector);
    X509_STORE_CTX_set_verify_cb(ctx.get(), KeepGoingCallback);
    // Always an explicit time: without one OpenSSL reads time(), which glibc may serve from the coarse clock,
    // a few milliseconds behind the system_clock that stamped a CRL's thisUpdate or a notBefore. Just after
    // a second began, a CRL issued that very moment would then be "not yet valid".
    X509_VERIFY_PARAM_set_time(
        X509_STORE_CTX_get0_param(ctx.get()),
        std::chrono::system_clock::to_time_t(input.at.value_or(std::chrono::system_clock::now())));
    int verified = X509_verify_cert(ctx.get());
    ERR_clear_error();

    VerifyResult result;
    UniquePtr<STACK_OF(X509)> chain(X509_STORE_CTX_get1_chain(ctx.get()));
    for (int i = 0; chain && i < sk_X509_num(chain.get()); ++i) {
        X509* cert = sk_X509_value(chain.get(), i);
        X509_up_ref(cert);
        result.path.push_back(PathCertificate{Certificate::Adopt(cert), {}});
    }
    if (result.path.empty()) {
        result.path.push_back(PathCertificate{input.leaf, {}});
    }
    for (std::size_t i = 0; i < collector.problems.size(); ++i) {
        auto& [depth, problem] = collector.problems[i];
        std::size_t at = depth < 0 ? 0 : static_cast<std::size_t>(depth);
        if (at >= result.path.size()) {
            X509* cert = collector.certs[i].second;
            if (cert == nullptr) {
                at = result.path.size() - 1;
            } else {
                X509_up_ref(cert);
                result.path.push_back(PathCertificate{Certificate::Adopt(cert), {}});
                at = result.path.size() - 1;
            }
        }
        result.path[at].problems.push_back(problem);
        if (result.status == VerifyStatus::kOk) {
            result.status = problem.status == VerifyStatus::kOk ? VerifyStatus::kOther : problem.status;
            result.message = problem.message;
        }
    }
    if (verified != 1 && result.status == VerifyStatus::kOk) {
        // OpenSSL failed without reporting through the callback (an internal error).
        CertProblem problem = DescribeVerifyCode(X509_STORE_CTX_get_error(ctx.get()));
        result.status = problem.status == VerifyStatus::kOk ? VerifyStatus::kOther : problem.status;
        result.message = problem.message;
        result.path.front().problems.push_back(problem);
    }
    return result;
}

void InstallTlsTrust(ssl_ctx_st* ctx, const TrustSettings& trust) {
    UniquePtr<X509_STORE> store = BuildStore(trust);
    X509_STORE_set_verify_cb(store.get(), TlsCallback);
    SSL_CTX_set_cert_store(ctx, store.release());  // the SSL_CTX owns it now
}

}  // namespace certos::crypto
