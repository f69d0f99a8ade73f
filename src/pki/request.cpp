#include "pki/request.hpp"
#include "pki/sign.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <optional>

#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/certificate.hpp"
#include "crypto/csr.hpp"
#include "crypto/digest.hpp"
#include "crypto/issue.hpp"
#include "crypto/key.hpp"
#include "crypto/random.hpp"
#include "pki/describe.hpp"
#include "pki/export.hpp"
#include "pki/template.hpp"

namespace certos::pki {
namespace {

using store::Prop;

bool Contains(const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

crypto::CsrParams RequestParams(const store::CertificateRow& tpl, const CreateRequestOptions& options) {
    crypto::CsrParams params;
    for (const SubjectField& field : kSubjectFields) {
        std::string value = Prop(tpl, std::string(field.property).c_str());
        if (!value.empty()) {
            params.subject.emplace_back(field.short_name, value);
        }
    }
    if (params.subject.empty()) {
        params.subject.emplace_back("CN", tpl.name);  // as sign does: never an empty subject
    }
    params.subject_alt_names = core::SplitList(Prop(tpl, "subject-alt-name"));
    params.key_usage = core::SplitList(Prop(tpl, "key-usage", kDefaultKeyUsage));
    params.is_ca = Contains(params.key_usage, "key-cert-sign");
    params.challenge_password = options.challenge_passphrase;
    auto digest = crypto::ParseDigestAlgorithm(Prop(tpl, "digest-algorithm", kDefaultDigest));
    params.digest = digest.value_or(crypto::DigestAlgorithm::kSha256);
    return params;
}

crypto::CertificateRequest ReadRequest(const store::FileArea& files, const std::string& file_name) {
    std::string data = files.Read(file_name, kMaxRequestBytes);
    try {
        crypto::CertificateRequest csr = crypto::CertificateRequest::Parse(data);
        if (!csr.SignatureVerifies()) {
            throw core::Failure("its signature does not verify");
        }
        return csr;
    } catch (const core::Error& e) {
        throw core::Failure("certificate request " + file_name + ": " + e.what());
    }
}

crypto::IssueRequest IssueFromRequest(const crypto::CertificateRequest& csr, const SignRequestOptions& options,
                                      std::chrono::system_clock::time_point when) {
    crypto::IssueRequest request;
    request.subject = csr.SubjectFields();
    // The names RouterOS templates can hold (DNS, IP, email) are issued; others a request may carry (URI,
    // address ranges) are left out, as RouterOS's subject-alt-name has no syntax for them.
    for (std::string& name : csr.SubjectAltNames().value_or(std::vector<std::string>{})) {
        bool ip = name.starts_with("IP:") && name.find_first_of(".:", 3) != std::string::npos;
        if (name.starts_with("DNS:") || name.starts_with("email:") || ip) {
            request.subject_alt_names.push_back(std::move(name));
        }
    }
    if (request.subject.empty() && request.subject_alt_names.empty()) {
        throw core::Failure("certificate request " + options.file_name +
                            " has neither a subject nor a "
                            "subject-alt-name");
    }
    request.key_usage = csr.KeyUsage().value_or(DefaultRequestKeyUsage());
    request.is_ca = csr.RequestsCa() && Contains(request.key_usage, "key-cert-sign");
    if (!request.is_ca) {
        std::erase(request.key_usage, "key-cert-sign");
    }
    auto digest = crypto::ParseDigestAlgorithm(options.digest);
    if (!digest) {
        throw core::ArgumentError("input does not match any value of digest-algorithm");
    }
    request.digest = *digest;
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(when);
    request.not_before = now;
    request.not_after = now + std::chrono::hours(24) * options.days_valid;
    request.serial = RandomSerial();
    return request;
}

// UniqueName is `base`, or `base_1`, `base_2` ... when taken.
std::string UniqueName(store::Transaction& tx, const std::string& base) {
    std::string name = base;
    for (int i = 1; tx.FindCertificateByName(name); ++i) {
        name = base + "_" + std::to_string(i);
    }
    return name;
}

std::string RequestName(const crypto::CertificateRequest& csr, const std::string& file_name) {
    std::string cn = csr.CommonName();
    try {
        return cn.empty() ? file_name : CheckName(cn);
    } catch (const core::Error&) {
        return file_name;  // a common name that is no valid certificate name (control characters)
    }
}

// IssueByCa signs `request` for the request's key by `ca`, with its CRL distribution point when it has one.
crypto::Certificate IssueByCa(crypto::IssueRequest& request, const crypto::CertificateRequest& csr,
                              const SigningCa& ca) {
    std::string crl_host = Prop(ca.row, "ca-crl-host");
    if (!crl_host.empty()) {
        request.crl_distribution_points.push_back(CrlUrl(crl_host, ca.cert.SkidHex()));
    }
    return crypto::IssueCertificate(request, csr.PublicKeyDer(), ca.key, &ca.cert);
}

// StoreIssued stores a certificate `ca` issued for a request, without a key, named `name` (made unique).
core::ObjectId StoreIssued(store::Transaction& tx, const crypto::Certificate& cert, const SigningCa& ca,
                           const std::string& name) {
    store::CertificateRow row;
    row.name = UniqueName(tx, name);
    row.props = DescribeCertificate(cert);
    AddStoredDefaults(row.props, false, kDefaultTrustStore);  // as `sign ca=`: not trusted until set
    row.der = cert.ToDer();
    row.issuer_id = ca.row.id;
    return tx.InsertCertificate(row);
}

}  // namespace

const std::vector<std::string>& DefaultRequestKeyUsage() {
    static const std::vector<std::string> usage = {"digital-signature", "key-encipherment", "tls-client"};
    return usage;
}

std::vector<std::string> CreateCertificateRequest(store::Store& store, const store::FileArea& files,
                                                  const CreateRequestOptions& options, const ProgressFn& progress) {
    if (options.key_passphrase.size() < kMinPassphrase) {
        throw core::Failure("key-passphrase must be at least " + std::to_string(kMinPassphrase) + " characters");
    }
    // 1. Read the template.
    store::CertificateRow tpl;
    {
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
        std::optional<store::CertificateRow> row = FindCertificate(*tx, options.template_item);
        if (!row) {
            throw core::NoSuchItem();
        }
        if (!row->der.empty()) {
            throw core::Failure("certificate " + row->name + " is not a template");
        }
        tpl = *row;
    }

    // 2. Generate the key and the request, holding no transaction (RSA-8192 takes a while).
    crypto::CsrParams params = RequestParams(tpl, options);
    crypto::PrivateKey key = GenerateKey(ParseKeySize(Prop(tpl, "key-size", kDefaultKeySize)), progress);
    std::string request_pem = crypto::MakeCertificateRequest(params, key);
    std::string key_pem = key.ToEncryptedPem(options.key_passphrase);

    // 3. Remove the template and write the files in one step: the files are written before the commit, so a
    // failed write leaves the template; a failed commit after the writes leaves the template and files that
    // the next request overwrites.
    std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
    std::optional<store::CertificateRow> now = tx->GetCertificate(tpl.id);
    if (!now || !now->der.empty() || now->name != tpl.name || now->props != tpl.props) {
        throw core::Failure("template " + tpl.name + " was changed or removed meanwhile; run the request again");
    }
    tx->DeleteCertificate(tpl.id);
    files.Write(kRequestFile, request_pem);
    files.Write(kRequestKeyFile, key_pem);
    tx->Commit();
    return {std::string(kRequestFile), std::string(kRequestKeyFile)};
}

core::ObjectId SignCertificateRequest(store::Store& store, const store::FileArea& files,
                                      const SignRequestOptions& options) {
    crypto::CertificateRequest csr = ReadRequest(files, options.file_name);
    crypto::IssueRequest request = IssueFromRequest(csr, options, std::chrono::system_clock::now());
    std::optional<SigningCa> ca;
    {
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
        ca = LoadSigningCa(*tx, options.ca);
    }
    crypto::Certificate cert = IssueByCa(request, csr, *ca);

    std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
    if (!tx->GetCertificate(ca->row.id)) {
        throw core::Failure("CA certificate " + ca->row.name + " was removed while signing");
    }
    core::ObjectId id = StoreIssued(*tx, cert, *ca, RequestName(csr, options.file_name));
    tx->Commit();
    return id;
}

core::ObjectId IssueForRequest(store::Transaction& tx, const SigningCa& ca, const crypto::CertificateRequest& csr,
                               long days_valid, std::chrono::system_clock::time_point now,
                               const std::string& fallback_name) {
    SignRequestOptions options;
    options.file_name = fallback_name;
    options.days_valid = days_valid;
    crypto::IssueRequest request = IssueFromRequest(csr, options, now);
    crypto::Certificate cert = IssueByCa(request, csr, ca);
    return StoreIssued(tx, cert, ca, RequestName(csr, fallback_name));
}

}  // namespace certos::pki
