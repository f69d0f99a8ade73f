#include "pki/sign.hpp"

#include <arpa/inet.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>

#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/certificate.hpp"
#include "crypto/digest.hpp"
#include "crypto/issue.hpp"
#include "crypto/key.hpp"
#include "crypto/key_id.hpp"
#include "crypto/random.hpp"
#include "pki/crl.hpp"
#include "pki/describe.hpp"
#include "pki/template.hpp"

namespace certos::pki {
namespace {

using store::Prop;

bool HasUsage(const store::CertificateRow& row, std::string_view usage) {
    for (const std::string& item : core::SplitList(Prop(row, "key-usage"))) {
        if (item == usage) {
            return true;
        }
    }
    return false;
}

// CaCache keeps the parsed certificate and key of the CAs this process signed with, keyed by row id and
// checked against the stored fingerprint, so a burst of signings decodes them once (OpenSSL 3's key
// decoders dominate the cost of an EC signing otherwise).
class CaCache {
public:
    std::optional<SigningCa> Find(const store::CertificateRow& row) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = entries_.find(row.id.value());
        if (it == entries_.end() || it->second.row.props != row.props || it->second.row.der != row.der) {
            return std::nullopt;
        }
        SigningCa found = it->second;
        found.row = row;
        return found;
    }
    void Put(const SigningCa& ca) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (entries_.size() > 64) {
            entries_.clear();
        }
        entries_.insert_or_assign(ca.row.id.value(), ca);
    }

private:
    std::mutex mutex_;
    std::map<std::uint64_t, SigningCa> entries_;
};

CaCache& Cache() {
    static CaCache cache;
    return cache;
}

}  // namespace

std::optional<store::CertificateRow> FindCertificate(store::Transaction& tx, std::string_view item) {
    if (auto id = core::ObjectId::Parse(item)) {
        return tx.GetCertificate(*id);
    }
    return tx.FindCertificateByName(item);
}

SigningCa LoadSigningCa(store::Transaction& tx, std::string_view item) {
    std::optional<store::CertificateRow> row = FindCertificate(tx, item);
    std::string name(item);
    if (!row) {
        throw core::Failure("CA certificate " + name + " does not exist");
    }
    if (row->der.empty()) {
        throw core::Failure("CA certificate " + name + " is not signed yet");
    }
    std::optional<SigningCa> cached = row->has_key ? Cache().Find(*row) : std::nullopt;
    crypto::Certificate cert = cached ? cached->cert : crypto::Certificate::FromDer(row->der);
    if (!cert.IsCa() || !HasUsage(*row, "key-cert-sign")) {
        throw core::Failure("certificate " + name + " can not sign: it is not a CA with key-cert-sign key usage");
    }
    if (!row->has_key) {
        throw core::Failure("CA certificate " + name + " has no private key");
    }
    if (cert.NotAfter() <= std::chrono::system_clock::now()) {
        throw core::Failure("CA certificate " + name + " has expired");
    }
    if (cached) {
        return *cached;
    }
    std::optional<std::string> key_der = tx.LoadPrivateKey(row->id);
    if (!key_der) {
        throw core::Failure("CA certificate " + name + " has no private key");
    }
    SigningCa loaded{*row, cert, crypto::PrivateKey::FromPkcs8Der(*key_der)};
    Cache().Put(loaded);
    return loaded;
}

namespace {

crypto::IssueRequest BuildRequest(const store::CertificateRow& tpl) {
    crypto::IssueRequest request;
    for (const SubjectField& field : kSubjectFields) {
        std::string value = Prop(tpl, std::string(field.property).c_str());
        if (!value.empty()) {
            request.subject.emplace_back(field.short_name, value);
        }
    }
    if (request.subject.empty()) {
        request.subject.emplace_back("CN", tpl.name);  // an empty subject would need a critical SAN
    }
    request.subject_alt_names = core::SplitList(Prop(tpl, "subject-alt-name"));
    request.key_usage = core::SplitList(Prop(tpl, "key-usage", kDefaultKeyUsage));
    request.is_ca = HasUsage(tpl, "key-cert-sign");
    auto digest = crypto::ParseDigestAlgorithm(Prop(tpl, "digest-algorithm", kDefaultDigest));
    request.digest = digest.value_or(crypto::DigestAlgorithm::kSha256);
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    request.not_before = now;
    request.not_after = now + std::chrono::hours(24) * std::stoll(Prop(tpl, "days-valid", kDefaultDaysValid));
    request.serial = RandomSerial();
    return request;
}

// ThrowTemplateChanged says why template `tpl` could not be stored signed: it is gone, signed meanwhile, or
// changed.
[[noreturn]] void ThrowTemplateChanged(store::Transaction& tx, const store::CertificateRow& tpl) {
    std::optional<store::CertificateRow> now = tx.GetCertificate(tpl.id);
    if (!now) {
        throw core::NoSuchItem();
    }
    if (!now->der.empty()) {
        throw core::Failure("certificate " + now->name + " is already signed");
    }
    throw core::Failure("template " + tpl.name + " was changed while it was being signed; sign it again");
}

}  // namespace

// GenerateKey makes the key, reporting progress once a second while a slow (large RSA) key is generated, and
// calling `progress` with an empty line every 100 ms between: when it throws (the console's Ctrl-C), the key
// generation is cancelled at once and the exception passes on. An EC key takes well under a millisecond: it is
// made on this thread.
crypto::PrivateKey GenerateKey(const crypto::KeySpec& spec, const ProgressFn& progress) {
    if (!progress || spec.algorithm != crypto::KeyAlgorithm::kRsa) {
        return crypto::PrivateKey::Generate(spec);
    }
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    auto future =
        std::async(std::launch::async, [spec, cancel] { return crypto::PrivateKey::Generate(spec, cancel.get()); });
    int ticks = 0;
    while (future.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
        ++ticks;
        try {
            progress(ticks % 10 == 0
                         ? "progress: generating " + spec.Name() + " key (" + std::to_string(ticks / 10) + "s)"
                         : std::string());
        } catch (...) {
            cancel->store(true);
            future.wait();  // the keygen callback stops within one prime candidate
            throw;
        }
    }
    return future.get();
}

std::string RandomSerial() {
    // RFC 5280 §4.1.2.2: "serial number MUST be a positive integer ... no longer than 20 octets";
    // CA/B Forum asks for 64 bits of randomness. 16 random bytes, top bit cleared, second bit set so the
    // encoding is always 16 bytes.
    std::string serial = crypto::RandomBytes(16);
    serial[0] = static_cast<char>((static_cast<unsigned char>(serial[0]) & 0x7f) | 0x40);
    return serial;
}

std::string CrlUrl(std::string_view host, std::string_view ca_skid_hex) {
    return "http://" + std::string(host) + "/crl/" + std::string(ca_skid_hex) + ".crl";
}

std::string CheckCrlHost(std::string_view host) {
    auto bad = [&] {
        return core::ArgumentError("invalid value for argument ca-crl-host (expected host or host:port)");
    };
    std::string text(host);
    std::string name = text;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        std::size_t close = text.find(']');
        if (close == std::string::npos) {
            throw bad();
        }
        name = text.substr(1, close - 1);
        unsigned char buf[16];
        if (inet_pton(AF_INET6, name.c_str(), buf) != 1) {
            throw bad();
        }
        std::string rest = text.substr(close + 1);
        if (!rest.empty() && rest.front() == ':') {
            port = rest.substr(1);
        } else if (!rest.empty()) {
            throw bad();
        }
    } else {
        std::size_t colon = text.rfind(':');
        if (colon != std::string::npos) {
            name = text.substr(0, colon);
            port = text.substr(colon + 1);
        }
        if (name.empty() || name.size() > 253) {
            throw bad();
        }
        for (char c : name) {
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                throw bad();
            }
        }
    }
    bool has_port = !port.empty() || text.ends_with(":");
    if (has_port && (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
                     std::stoi(port) < 1 || std::stoi(port) > 65535)) {
        throw bad();
    }
    return text;
}

void SignTemplate(store::Store& store, core::ObjectId id, const SignOptions& options, const ProgressFn& progress) {
    SignTemplate(store, id.ToString(), options, progress);
}

void SignTemplate(store::Store& store, std::string_view item, const SignOptions& options, const ProgressFn& progress) {
    // 1. Read the template and the CA, in one read transaction (no write lock, no commit).
    store::CertificateRow tpl;
    std::optional<SigningCa> ca;
    {
        std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
        std::optional<store::CertificateRow> row = FindCertificate(*tx, item);
        if (!row) {
            throw core::NoSuchItem();
        }
        if (!row->der.empty()) {
            throw core::Failure("certificate " + row->name + " is already signed");
        }
        tpl = *row;
        if (!options.ca.empty()) {
            ca = LoadSigningCa(*tx, options.ca);
        }
        if (!options.name.empty() && tx->FindCertificateId(options.name).value_or(tpl.id) != tpl.id) {
            throw core::Failure("certificate with the same name already exists");
        }
    }

    // 2. Generate and sign, holding no transaction.
    crypto::PrivateKey key = GenerateKey(ParseKeySize(Prop(tpl, "key-size", kDefaultKeySize)), progress);
    crypto::IssueRequest request = BuildRequest(tpl);
    std::string crl_host = options.ca_crl_host;
    if (crl_host.empty() && ca) {
        crl_host = Prop(ca->row, "ca-crl-host");
    }
    if (!crl_host.empty()) {
        std::string issuer_skid = ca ? ca->cert.SkidHex() : crypto::HexLower(crypto::KeyIdentifier(key.PublicKeyDer()));
        request.crl_distribution_points.push_back(CrlUrl(crl_host, issuer_skid));
    }
    crypto::Certificate cert = ca ? crypto::IssueCertificate(request, key, ca->key, &ca->cert)
                                  : crypto::IssueCertificate(request, key, key, nullptr);

    // 3. Store, in one transaction, if nothing changed meanwhile: the template is replaced only at the
    // revision step 1 read (UpdateCertificateIf), and the new name is taken only if free (the store's unique
    // names: "certificate with the same name already exists"), each checked in the same step as the write.
    std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
    if (ca && !tx->GetCertificate(ca->row.id)) {
        // Also refused at commit (issuer_id must name a row); checked first for the clearer message.
        throw core::Failure("CA certificate " + ca->row.name + " was removed while signing");
    }
    store::CertificateRow row = tpl;
    if (!options.name.empty()) {
        row.name = options.name;
    }
    for (auto& [name, value] : DescribeCertificate(cert)) {
        row.props[name] = value;
    }
    row.der = cert.ToDer();
    row.issuer_id = ca ? std::optional<core::ObjectId>(ca->row.id) : std::nullopt;
    bool authority = row.props["authority"] == "true";
    if (!ca) {
        row.props["trusted"] = "true";  // a self-signed certificate is trusted at once (K A T in the seed)
    }
    if (!options.ca_crl_host.empty()) {
        row.props["ca-crl-host"] = options.ca_crl_host;
    }
    row.props["crl"] = core::WireBool(authority && !Prop(row, "ca-crl-host").empty());
    if (!tx->UpdateCertificateIf(row, tpl.revision)) {
        ThrowTemplateChanged(*tx, tpl);
    }
    tx->StorePrivateKey(tpl.id, key.ToPkcs8Der());
    if (row.props["crl"] == "true" && IssuesCrls(row)) {
        RebuildLocalCrl(*tx, row, std::chrono::system_clock::now());  // a CA with a CDP has a CRL from the start
    }
    if (options.before_commit) {
        options.before_commit(*tx);
    }
    tx->Commit();
}

}  // namespace certos::pki
