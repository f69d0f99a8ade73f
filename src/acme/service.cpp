#include "acme/service.hpp"

#include <algorithm>
#include <array>

#include "acme/solver.hpp"
#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/bundle.hpp"
#include "crypto/certificate.hpp"
#include "crypto/csr.hpp"
#include "crypto/digest.hpp"
#include "crypto/jose.hpp"
#include "pki/describe.hpp"
#include "pki/template.hpp"
#include "store/sealed_keys.hpp"

namespace certos::acme {
namespace {

using Clock = std::chrono::system_clock;

using store::Prop;

void Log(Environment& env, std::string_view topics, const std::string& message) {
    if (env.log) {
        env.log(topics, message);
    }
}

// FindEntry reads the ACME entry `item` (name or *ID); throws "no such item" or "... is not ACME-managed".
store::CertificateRow FindEntry(store::Transaction& tx, std::string_view item) {
    std::optional<store::CertificateRow> row;
    if (auto id = core::ObjectId::Parse(item)) {
        row = tx.GetCertificate(*id);
    } else {
        row = tx.FindCertificateByName(item);
    }
    if (!row) {
        throw core::NoSuchItem();
    }
    if (Prop(*row, "acme-managed") != "true") {
        throw core::Failure("certificate " + row->name + " is not ACME-managed");
    }
    return *row;
}

// Account is the stored account of one directory: its key and URL.
struct Account {
    crypto::PrivateKey key;
    std::string url;
};

std::optional<Account> LoadAccount(store::Store& store, const std::string& directory_url) {
    auto tx = store.Begin(store::TxMode::kRead);
    std::optional<store::ItemRow> item = tx->FindItemByName(kAccountKind, directory_url);
    if (!item || !tx->sealer()) {
        return std::nullopt;
    }
    std::optional<std::string> sealed = crypto::FromHex(item->props["key"]);
    if (!sealed || item->props["url"].empty()) {
        return std::nullopt;
    }
    return Account{crypto::PrivateKey::FromPkcs8Der(tx->sealer()->Open(item->id, *sealed)), item->props["url"]};
}

void StoreAccount(store::Store& store, const std::string& directory_url, const Account& account) {
    auto tx = store.Begin(store::TxMode::kWrite);
    if (!tx->sealer()) {
        throw core::Error(core::ErrorCategory::kInternal, "ACME: the store seals no keys");
    }
    store::ItemRow row;
    row.name = directory_url;
    if (std::optional<store::ItemRow> existing = tx->FindItemByName(kAccountKind, directory_url)) {
        row.id = existing->id;
    } else {
        row.id = tx->InsertItem(kAccountKind, row);
    }
    row.props["url"] = account.url;
    row.props["key"] = crypto::HexLower(tx->sealer()->Seal(row.id, account.key.ToPkcs8Der()));
    tx->UpdateItem(kAccountKind, row);
    tx->Commit();
}

// Session is one conversation with a directory: HTTP client, sender and a client with the account.
struct Session {
    net::HttpClient http;
    Sender sender;
    std::optional<Client> client;

    Session(Environment& env, const std::string& directory_url)
        : http("acme", env.trust, env.http), sender(http, directory_url) {}
};

// OpenAccount gives `session` its account: the stored one, or a new ES256 key registered now (with EAB).
void OpenAccount(Environment& env, Session& session, const std::string& directory_url, const std::string& eab_kid,
                 const std::string& eab_hmac_key) {
    if (std::optional<Account> account = LoadAccount(env.store, directory_url)) {
        session.client.emplace(session.sender, account->key, env.pacing);
        session.client->UseAccount(account->url);
        return;
    }
    if (eab_kid.empty() != eab_hmac_key.empty()) {
        throw core::Failure("eab-kid= and eab-hmac-key= go together");
    }
    std::optional<ExternalAccount> eab;
    if (!eab_kid.empty()) {
        eab = ExternalAccount{eab_kid, crypto::Base64UrlDecode(eab_hmac_key)};
    }
    Account account{crypto::PrivateKey::Generate(crypto::KeySpec::Ec("prime256v1")), {}};
    session.client.emplace(session.sender, account.key, env.pacing);
    account.url = session.client->Register(eab);
    StoreAccount(env.store, directory_url, account);
}

std::string IssuerRowName(const crypto::Certificate& cert) {
    return "acme-ca-" + cert.FingerprintSha256().substr(0, 16);
}

// Install writes the issued chain into row `id` in one transaction: the leaf with its key in the row, each
// intermediate as a row of its own (once: it is found again by name) that the leaf's issuer_id points at, so
// that www-ssl sends the whole chain.
void Install(store::Store& store, core::ObjectId id, const std::vector<crypto::Certificate>& chain,
             const crypto::PrivateKey& key, const std::map<std::string, std::string>& acme_props) {
    auto tx = store.Begin(store::TxMode::kWrite);
    std::optional<core::ObjectId> issuer;
    for (std::size_t i = chain.size(); i-- > 1;) {
        std::string name = IssuerRowName(chain[i]);
        std::optional<store::CertificateRow> existing = tx->FindCertificateByName(name);
        if (existing) {
            issuer = existing->id;
            continue;
        }
        store::CertificateRow row;
        row.name = name;
        row.der = chain[i].ToDer();
        row.props = pki::DescribeCertificate(chain[i]);
        pki::AddStoredDefaults(row.props, false, pki::kDefaultTrustStore);
        row.issuer_id = issuer;
        issuer = tx->InsertCertificate(row);
    }
    std::optional<store::CertificateRow> row = tx->GetCertificate(id);
    if (!row) {
        throw core::Failure("the ACME entry was removed meanwhile");
    }
    row->der = chain.front().ToDer();
    row->props = pki::DescribeCertificate(chain.front());
    for (const auto& [name, value] : acme_props) {
        row->props[name] = value;
    }
    pki::AddStoredDefaults(row->props, false, pki::kDefaultTrustStore);
    row->props["acme-status"] = "valid";
    row->props.erase("acme-retry-at");
    row->props.erase("acme-failures");
    row->issuer_id = issuer;
    tx->UpdateCertificate(*row);
    tx->StorePrivateKey(id, key.ToPkcs8Der());
    tx->Commit();
}

// kAcmeProps are the entry's own settings, kept across renewals.
constexpr std::array<const char*, 7> kAcmeProps = {"acme-managed",     "directory-url", "domain-names",
                                                   "acme-key-size",    "acme-dns-hook", "acme-dns-server",
                                                   "acme-dns-resolver"};

// Run obtains a certificate for entry `id` with its settings and installs it. On failure the entry's
// acme-status says why and the error is rethrown.
void Run(Environment& env, core::ObjectId id, const std::string& eab_kid, const std::string& eab_hmac_key,
         bool reset_key, bool retire) {
    store::CertificateRow entry = [&] {
        auto tx = env.store.Begin(store::TxMode::kRead);
        return FindEntry(*tx, id.ToString());
    }();
    std::string directory_url = Prop(entry, "directory-url");
    std::vector<std::string> domains = core::SplitList(Prop(entry, "domain-names"));
    try {
        Session session(env, directory_url);
        OpenAccount(env, session, directory_url, eab_kid, eab_hmac_key);
        std::optional<crypto::PrivateKey> key;
        if (!reset_key && entry.has_key) {
            auto tx = env.store.Begin(store::TxMode::kRead);
            if (std::optional<std::string> der = tx->LoadPrivateKey(id)) {
                key = crypto::PrivateKey::FromPkcs8Der(*der);
            }
        }
        if (!key) {
            key = crypto::PrivateKey::Generate(pki::ParseKeySize(Prop(entry, "acme-key-size", "prime256v1")));
        }
        crypto::CsrParams csr;
        csr.subject = {{"CN", domains.front()}};
        for (const std::string& domain : domains) {
            csr.subject_alt_names.push_back("DNS:" + domain);
        }
        std::string csr_der = crypto::CertificateRequest::Parse(crypto::MakeCertificateRequest(csr, *key)).ToDer();
        StoreSolver solver(env.store, Prop(entry, "acme-dns-hook"),
                           DnsCheck{Prop(entry, "acme-dns-server"), Prop(entry, "acme-dns-resolver")});
        std::string replaces;
        if (!entry.der.empty()) {
            replaces = AriCertId(Prop(entry, "akid"), Prop(entry, "serial-number"));
        }
        Issued issued = session.client->Obtain(domains, csr_der, solver, replaces);
        std::vector<crypto::Certificate> chain = crypto::CertificatesFromPem(issued.chain_pem);
        if (chain.empty() || !crypto::IsKeyOf(*key, chain.front())) {
            throw core::Failure("the ACME server sent no certificate for the requested key");
        }
        std::map<std::string, std::string> acme_props;
        for (const char* name : kAcmeProps) {
            acme_props[name] = Prop(entry, name);
        }
        Install(env.store, id, chain, *key, acme_props);
        Log(env, "certificate,acme,info",
            "certificate " + entry.name + " obtained from " + directory_url + " for " + core::JoinList(domains) + " (" +
                std::to_string(session.sender.requests()) + " requests, " +
                std::to_string(session.sender.bad_nonces()) + " rejected nonces retried)");
        if (retire && !entry.der.empty()) {
            try {
                session.client->Revoke(entry.der, 4);  // RFC 5280 §5.3.1 superseded (4)
                Log(env, "certificate,acme,info", "certificate " + entry.name + ": superseded certificate revoked");
            } catch (const core::Error& e) {
                Log(env, "certificate,acme,warning",
                    "certificate " + entry.name + ": revoking the superseded certificate failed: " + e.what());
            }
        }
    } catch (const core::Error& e) {
        std::string reason = e.what();
        Log(env, "certificate,acme,error", "certificate " + entry.name + ": ACME failed: " + reason);
        auto tx = env.store.Begin(store::TxMode::kWrite);
        if (std::optional<store::CertificateRow> row = tx->GetCertificate(id)) {
            row->props["acme-status"] = "failed: " + reason;
            const auto* refusal = dynamic_cast<const AcmeError*>(&e);
            if (refusal != nullptr && refusal->problem().retry_after) {
                // RFC 8555 §6.6: "clients SHOULD NOT retry before the Retry-After time" - the renewal job waits.
                Clock::time_point now = env.now ? env.now() : Clock::now();
                row->props["acme-retry-at"] =
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                       (now + *refusal->problem().retry_after).time_since_epoch())
                                       .count());
            }
            tx->UpdateCertificate(*row);
            tx->Commit();
        }
        throw;
    }
}

}  // namespace

std::string Obtain(Environment& env, AcmeRequest request) {
    if (request.domains.empty()) {
        throw core::ArgumentError("domain-names must name at least one domain");
    }
    if (request.directory_url.empty()) {
        request.directory_url = std::string(kLetsEncrypt);
    }
    if (request.name.empty()) {
        request.name = request.domains.front();
    }
    core::ObjectId id;
    {
        auto tx = env.store.Begin(store::TxMode::kWrite);
        std::optional<store::CertificateRow> row = tx->FindCertificateByName(request.name);
        if (row && Prop(*row, "acme-managed") != "true") {
            throw core::Failure("certificate with the same name already exists");
        }
        store::CertificateRow entry = row.value_or(store::CertificateRow{});
        entry.name = request.name;
        entry.props["acme-managed"] = "true";
        entry.props["directory-url"] = request.directory_url;
        entry.props["domain-names"] = core::JoinList(request.domains);
        entry.props["acme-key-size"] = request.key_size;
        entry.props["acme-dns-hook"] = request.dns_hook;
        entry.props["acme-dns-server"] = request.dns_server;
        entry.props["acme-dns-resolver"] = request.dns_resolver;
        entry.props["acme-status"] = "pending";
        if (!row) {
            entry.props["common-name"] = request.domains.front();
            entry.props["key-size"] = request.key_size;
            std::vector<std::string> names;
            for (const std::string& domain : request.domains) {
                names.push_back("DNS:" + domain);
            }
            entry.props["subject-alt-name"] = core::JoinList(names);
            id = tx->InsertCertificate(entry);
        } else {
            id = row->id;
            tx->UpdateCertificate(entry);
        }
        tx->Commit();
    }
    Run(env, id, request.eab_kid, request.eab_hmac_key, request.reset_private_key, false);
    return request.name;
}

void Renew(Environment& env, std::string_view item, bool retire) {
    core::ObjectId id = [&] {
        auto tx = env.store.Begin(store::TxMode::kRead);
        return FindEntry(*tx, item).id;
    }();
    Run(env, id, {}, {}, true, retire);
}

std::optional<std::string> ChallengeAnswer(store::Store& store, std::string_view token) {
    auto tx = store.Begin(store::TxMode::kRead);
    std::optional<store::ItemRow> item = tx->FindItemByName(kChallengeKind, token);
    if (!item) {
        return std::nullopt;
    }
    return item->props["key-authorization"];
}

Clock::time_point RenewalTime(Clock::time_point not_before, Clock::time_point not_after,
                              const std::optional<RenewalWindow>& ari) {
    auto span = std::chrono::duration_cast<std::chrono::seconds>(not_after - not_before);
    Clock::time_point at =
        not_before + std::chrono::seconds(static_cast<long long>(static_cast<double>(span.count()) * kRenewAt));
    if (ari && ari->start < at) {
        at = ari->start;
    }
    return at;
}

}  // namespace certos::acme
