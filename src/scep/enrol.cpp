#include "scep/enrol.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/base64.hpp"
#include "crypto/bundle.hpp"
#include "crypto/csr.hpp"
#include "crypto/digest.hpp"
#include "crypto/issue.hpp"
#include "crypto/pkcs7_message.hpp"
#include "crypto/random.hpp"
#include "pki/describe.hpp"
#include "pki/sign.hpp"
#include "pki/template.hpp"
#include "scep/client.hpp"
#include "scep/message.hpp"
#include "store/sealed_keys.hpp"

namespace certos::scep {
namespace {

using Clock = std::chrono::system_clock;

constexpr std::string_view kInfo = "certificate,scep,info";
constexpr std::string_view kError = "certificate,scep,error";
constexpr std::chrono::minutes kFirstRetry{1};
constexpr std::chrono::hours kMaxRetry{24};
constexpr std::size_t kNonceBytes = 16;

// kScepProps are the entry's own settings and state, kept across issuing and renewals.
constexpr std::array<const char*, 7> kScepProps = {
    "scep-managed", "scep-url", "ca-identity", "challenge-password", "refresh", "ca-fingerprint", "status"};

std::string Prop(const std::map<std::string, std::string>& props, const std::string& key) {
    auto it = props.find(key);
    return it == props.end() ? std::string() : it->second;
}

long long Seconds(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Clock::time_point Now(const ClientEnvironment& env) { return env.now ? env.now() : Clock::now(); }

void Log(const ClientEnvironment& env, std::string_view topics, const std::string& message) {
    if (env.log) {
        env.log(topics, message);
    }
}

std::string Der64(const crypto::Certificate& cert) { return crypto::ToBase64(cert.ToDer()); }

crypto::Certificate From64(const std::string& text) {
    std::optional<std::string> der = crypto::FromBase64(text);
    if (!der) {
        throw core::Failure("the SCEP state is damaged");
    }
    return crypto::Certificate::FromDer(*der);
}

// FindEntry reads the SCEP entry `item` (name or *ID); throws "no such item" or "... is not SCEP-managed".
store::CertificateRow FindEntry(store::Transaction& tx, std::string_view item) {
    std::optional<store::CertificateRow> row = pki::FindCertificate(tx, item);
    if (!row) {
        throw core::NoSuchItem();
    }
    if (Prop(row->props, "scep-managed") != "true") {
        throw core::Failure("certificate " + row->name + " is not SCEP-managed");
    }
    return *row;
}

store::ItemRow FindState(store::Transaction& tx, core::ObjectId id) {
    std::optional<store::ItemRow> state = tx.FindItemByName(kClientKind, id.ToString());
    if (!state) {
        throw core::Failure("the SCEP state of " + id.ToString() + " is missing");
    }
    return *state;
}

// SetStatus writes the entry's status (and `state`, when given) in one transaction.
void SetStatus(store::Store& store, core::ObjectId id, const std::string& status,
               const std::optional<store::ItemRow>& state = std::nullopt) {
    auto tx = store.Begin(store::TxMode::kWrite);
    std::optional<store::CertificateRow> row = tx->GetCertificate(id);
    if (!row) {
        return;
    }
    row->props["status"] = status;
    tx->UpdateCertificate(*row);
    if (state) {
        tx->UpdateItem(kClientKind, *state);
    }
    tx->Commit();
}

void ClearPending(store::ItemRow& state) {
    std::erase_if(state.props, [](const auto& prop) { return prop.first.starts_with("pending-"); });
}

// Exchange is one conversation with the SCEP server of an entry.
struct Exchange {
    net::HttpClient http;
    Client client;
    Capabilities caps;

    Exchange(const ClientEnvironment& env, const store::CertificateRow& row)
        : http("scep", env.trust, env.http),
          client(http, Prop(row.props, "scep-url"), Prop(row.props, "ca-identity")) {}
};

// Sent is what a PKCSReq, RenewalReq or CertPoll was signed and encrypted with: the reply is read with it.
struct Sent {
    crypto::PrivateKey key;         // the key the certificate is requested for
    crypto::Certificate self;       // the temporary self-signed certificate of `key`
    crypto::Certificate signer;     // who signed the message: `self`, or the current certificate (renewal)
    crypto::PrivateKey signer_key;  //
    std::string transaction_id;
    std::string nonce;
    bool renewal = false;
};

crypto::CsrParams CsrFor(const std::map<std::string, std::string>& props) {
    crypto::CsrParams csr;
    for (const auto& [field, prop] : std::array<std::pair<const char*, const char*>, 6>{{{"C", "country"},
                                                                                         {"ST", "state"},
                                                                                         {"L", "locality"},
                                                                                         {"O", "organization"},
                                                                                         {"OU", "unit"},
                                                                                         {"CN", "common-name"}}}) {
        if (!Prop(props, prop).empty()) {
            csr.subject.emplace_back(field, Prop(props, prop));
        }
    }
    csr.subject_alt_names = core::SplitList(Prop(props, "subject-alt-name"));
    csr.key_usage = core::SplitList(Prop(props, "key-usage"));
    csr.challenge_password = Prop(props, "challenge-password");
    return csr;
}

crypto::Certificate SelfSigned(const crypto::CsrParams& csr, const crypto::PrivateKey& key, Clock::time_point now) {
    crypto::IssueRequest self;
    self.subject = csr.subject;
    if (self.subject.empty()) {
        self.subject = {{"CN", "certos SCEP client"}};
    }
    self.serial = pki::RandomSerial();
    self.not_before = now - std::chrono::minutes(5);
    self.not_after = now + std::chrono::hours(24 * 7);
    self.key_usage = {"digital-signature", "key-encipherment"};
    return crypto::IssueCertificate(self, key, key, nullptr);
}

std::string CaRowName(const crypto::Certificate& ca) { return "scep-ca-" + ca.FingerprintSha256().substr(0, 16); }

// StoreCa finds or adds the CA certificate's row (a keyless, untrusted CA, like an imported one) in `tx`.
core::ObjectId StoreCa(store::Transaction& tx, const crypto::Certificate& ca) {
    if (std::optional<store::CertificateRow> existing = tx.FindCertificateByName(CaRowName(ca))) {
        return existing->id;
    }
    store::CertificateRow row;
    row.name = CaRowName(ca);
    row.der = ca.ToDer();
    row.props = pki::DescribeCertificate(ca);
    pki::AddStoredDefaults(row.props, false, pki::kDefaultTrustStore);
    return tx.InsertCertificate(row);
}

// Install writes the issued certificate, its key and its CA into entry `id` in one transaction.
void Install(ClientEnvironment& env, core::ObjectId id, const crypto::Certificate& cert, const Sent& sent,
             const CaChain& chain) {
    auto tx = env.store.Begin(store::TxMode::kWrite);
    std::optional<store::CertificateRow> row = tx->GetCertificate(id);
    if (!row) {
        throw core::Failure("the SCEP entry was removed meanwhile");
    }
    core::ObjectId ca = StoreCa(*tx, chain.ca);
    std::map<std::string, std::string> kept;
    for (const char* name : kScepProps) {
        kept[name] = Prop(row->props, name);
    }
    row->der = cert.ToDer();
    row->props = pki::DescribeCertificate(cert);
    for (const auto& [name, value] : kept) {
        row->props[name] = value;
    }
    pki::AddStoredDefaults(row->props, false, pki::kDefaultTrustStore);
    row->props["status"] = "valid";
    row->props["ca-fingerprint"] = chain.ca.FingerprintSha256();
    row->issuer_id = ca;
    tx->UpdateCertificate(*row);
    tx->StorePrivateKey(id, sent.key.ToPkcs8Der());
    store::ItemRow state = FindState(*tx, id);
    ClearPending(state);
    if (Prop(state.props, "next-ca") == Der64(chain.ca)) {
        state.props.erase("next-ca");  // switched: the next rollover is fetched when this CA nears its end
    }
    state.props.erase("failures");
    state.props.erase("retry-at");
    tx->UpdateItem(kClientKind, state);
    tx->Commit();
}

// Hold records a request the CA holds (PENDING): what the next CertPoll needs, the key sealed.
void Hold(ClientEnvironment& env, core::ObjectId id, const Sent& sent, const CaChain& chain, const Exchange& ex) {
    auto tx = env.store.Begin(store::TxMode::kWrite);
    store::ItemRow state = FindState(*tx, id);
    if (!tx->sealer()) {
        throw core::Error(core::ErrorCategory::kInternal, "SCEP: the store seals no keys");
    }
    state.props["pending-transaction"] = sent.transaction_id;
    state.props["pending-key"] = crypto::HexLower(tx->sealer()->Seal(state.id, sent.key.ToPkcs8Der()));
    state.props["pending-self"] = Der64(sent.self);
    state.props["pending-renewal"] = sent.renewal ? "true" : "false";
    state.props["pending-ca"] = Der64(chain.ca);
    state.props["pending-recipient"] = Der64(chain.recipient);
    state.props["pending-signer"] = Der64(chain.signer);
    state.props["pending-cipher"] = ChooseCipher(ex.caps);
    state.props["pending-digest"] = std::string(crypto::DigestName(ChooseDigest(ex.caps)));
    state.props["pending-post"] = ex.caps.post ? "true" : "false";
    std::optional<store::CertificateRow> row = tx->GetCertificate(id);
    if (row) {
        row->props["status"] = "pending";
        tx->UpdateCertificate(*row);
    }
    tx->UpdateItem(kClientKind, state);
    tx->Commit();
}

// Settle reads the CertRep for `sent` and acts on it: installs, holds, or records the refusal and throws.
std::string Settle(ClientEnvironment& env, const store::CertificateRow& row, const std::string& reply, const Sent& sent,
                   const CaChain& chain, const Exchange& ex) {
    CertRep rep = ReadCertRep(reply, chain.signer, sent.signer, sent.signer_key);
    if (rep.transaction_id != sent.transaction_id || rep.recipient_nonce != sent.nonce) {
        throw core::Failure("the CertRep answers another transaction");
    }
    if (rep.status == PkiStatus::kPending) {
        Hold(env, row.id, sent, chain, ex);
        Log(env, kInfo, "certificate " + row.name + ": SCEP request pending at " + ex.client.url());
        return "pending";
    }
    if (rep.status == PkiStatus::kFailure) {
        std::string why = "the SCEP server refused the request (" + std::string(FailInfoName(rep.fail_info)) + ")";
        auto tx = env.store.Begin(store::TxMode::kWrite);
        if (std::optional<store::ItemRow> state = tx->FindItemByName(kClientKind, row.id.ToString())) {
            ClearPending(*state);
            tx->UpdateItem(kClientKind, *state);
            tx->Commit();
        }
        throw core::Failure(why);
    }
    auto issued = std::find_if(rep.certs.begin(), rep.certs.end(),
                               [&](const crypto::Certificate& cert) { return crypto::IsKeyOf(sent.key, cert); });
    if (issued == rep.certs.end()) {
        throw core::Failure("the SCEP server sent no certificate for the requested key");
    }
    Install(env, row.id, *issued, sent, chain);
    Log(env, kInfo,
        "certificate " + row.name + (sent.renewal ? " renewed" : " issued") + " over SCEP by " +
            chain.ca.SubjectString() + " (CA fingerprint " + chain.ca.FingerprintSha256() + ", request " +
            ChooseCipher(ex.caps) + "/" + std::string(crypto::DigestName(ChooseDigest(ex.caps))) + ", reply " +
            rep.cipher + ")");
    return "valid";
}

// Failed records a failure in status and /log, and rethrows it.
[[noreturn]] void Failed(ClientEnvironment& env, const store::CertificateRow& row, const core::Error& e) {
    Log(env, kError, "certificate " + row.name + ": SCEP failed: " + e.what());
    SetStatus(env.store, row.id, std::string("failed: ") + e.what());
    throw e;
}

// Enrol runs GetCACaps, GetCACert and a PKCSReq (or RenewalReq) for entry `id`.
std::string Enrol(ClientEnvironment& env, core::ObjectId id, bool renewal) {
    store::CertificateRow row;
    std::optional<crypto::Certificate> next_ca;
    {
        auto tx = env.store.Begin(store::TxMode::kRead);
        row = FindEntry(*tx, id.ToString());
        std::string next = Prop(FindState(*tx, id).props, "next-ca");
        if (!next.empty()) {
            next_ca = From64(next);
        }
    }
    try {
        Clock::time_point now = Now(env);
        Exchange ex(env, row);
        ex.caps = ex.client.GetCaCaps();
        CaChain chain = ex.client.GetCaCert();
        // RFC 8894 §4.7: once the current CA has expired, the client uses the rollover certificate it fetched.
        if (next_ca && chain.ca.NotAfter() <= now && now < next_ca->NotAfter()) {
            chain = CaChain{{*next_ca}, *next_ca, *next_ca, *next_ca};
            Log(env, kInfo, "certificate " + row.name + ": switching to the next SCEP CA " + next_ca->SubjectString());
        }
        crypto::KeySpec spec = pki::ParseKeySize(Prop(row.props, "key-size").empty() ? std::string(pki::kDefaultKeySize)
                                                                                     : Prop(row.props, "key-size"));
        if (spec.algorithm != crypto::KeyAlgorithm::kRsa) {
            throw core::Failure("SCEP needs an RSA key (key-size 1024 to 8192)");
        }
        crypto::CsrParams csr_params = CsrFor(row.props);
        crypto::PrivateKey key = crypto::PrivateKey::Generate(spec);
        crypto::Certificate self = SelfSigned(csr_params, key, now);
        std::string csr = crypto::CertificateRequest::Parse(crypto::MakeCertificateRequest(csr_params, key)).ToDer();
        renewal = renewal && !row.der.empty();
        std::optional<crypto::PrivateKey> current_key;
        if (renewal) {
            auto tx = env.store.Begin(store::TxMode::kRead);
            if (std::optional<std::string> der = tx->LoadPrivateKey(id)) {
                current_key = crypto::PrivateKey::FromPkcs8Der(*der);
            }
        }
        renewal = renewal && current_key.has_value();
        Sent sent{key,
                  self,
                  renewal ? crypto::Certificate::FromDer(row.der) : self,
                  renewal ? *current_key : key,
                  TransactionIdFor(self),
                  crypto::RandomBytes(kNonceBytes),
                  renewal};
        ClientMessage message;
        // §3.3.1.2: RenewalReq only to a CA that advertises Renewal; otherwise a fresh PKCSReq.
        message.type = renewal && ex.caps.renewal ? MessageType::kRenewalReq : MessageType::kPkcsReq;
        message.transaction_id = sent.transaction_id;
        message.sender_nonce = sent.nonce;
        message.inner = csr;
        message.cipher = ChooseCipher(ex.caps);
        message.digest = ChooseDigest(ex.caps);
        std::string reply =
            ex.client.PkiOperation(BuildRequest(message, chain.recipient, sent.signer, sent.signer_key), ex.caps.post);
        return Settle(env, row, reply, sent, chain, ex);
    } catch (const core::Error& e) {
        Failed(env, row, e);
    }
}

// Poll sends a CertPoll (GetCertInitial, §3.3.3) for the entry's pending transaction.
std::string Poll(ClientEnvironment& env, core::ObjectId id) {
    store::CertificateRow row;
    store::ItemRow state;
    std::optional<crypto::PrivateKey> key;
    std::optional<crypto::PrivateKey> current_key;
    {
        auto tx = env.store.Begin(store::TxMode::kRead);
        row = FindEntry(*tx, id.ToString());
        state = FindState(*tx, id);
        std::optional<std::string> sealed = crypto::FromHex(Prop(state.props, "pending-key"));
        if (!sealed || !tx->sealer()) {
            throw core::Failure("certificate " + row.name + " has no pending SCEP request");
        }
        key = crypto::PrivateKey::FromPkcs8Der(tx->sealer()->Open(state.id, *sealed));
        if (Prop(state.props, "pending-renewal") == "true") {
            if (std::optional<std::string> der = tx->LoadPrivateKey(id)) {
                current_key = crypto::PrivateKey::FromPkcs8Der(*der);
            }
        }
    }
    try {
        Exchange ex(env, row);
        ex.caps.post = Prop(state.props, "pending-post") == "true";
        crypto::Certificate ca = From64(Prop(state.props, "pending-ca"));
        CaChain chain{
            {ca}, ca, From64(Prop(state.props, "pending-recipient")), From64(Prop(state.props, "pending-signer"))};
        crypto::Certificate self = From64(Prop(state.props, "pending-self"));
        bool renewal = current_key.has_value() && !row.der.empty();
        Sent sent{*key,
                  self,
                  renewal ? crypto::Certificate::FromDer(row.der) : self,
                  renewal ? *current_key : *key,
                  Prop(state.props, "pending-transaction"),
                  crypto::RandomBytes(kNonceBytes),
                  renewal};
        ClientMessage message;
        message.type = MessageType::kCertPoll;
        message.transaction_id = sent.transaction_id;
        message.sender_nonce = sent.nonce;
        message.inner = crypto::IssuerAndSubject(ca, self);
        message.cipher = Prop(state.props, "pending-cipher");
        message.digest = crypto::ParseDigestAlgorithm(Prop(state.props, "pending-digest"))
                             .value_or(crypto::DigestAlgorithm::kSha256);
        std::string reply =
            ex.client.PkiOperation(BuildRequest(message, chain.recipient, sent.signer, sent.signer_key), ex.caps.post);
        ex.caps.aes = message.cipher == "AES-128-CBC";
        ex.caps.des3 = message.cipher == "DES-EDE3-CBC";
        ex.caps.sha256 = message.digest == crypto::DigestAlgorithm::kSha256;
        ex.caps.sha512 = message.digest == crypto::DigestAlgorithm::kSha512;
        ex.caps.sha1 = message.digest == crypto::DigestAlgorithm::kSha1;
        return Settle(env, row, reply, sent, chain, ex);
    } catch (const core::Error& e) {
        Failed(env, row, e);
    }
}

// Backoff records a failed run of the job: the next try after 1 min, doubling per failure, at most a day.
void Backoff(store::Store& store, core::ObjectId id, Clock::time_point now) {
    auto tx = store.Begin(store::TxMode::kWrite);
    std::optional<store::ItemRow> state = tx->FindItemByName(kClientKind, id.ToString());
    if (!state) {
        return;
    }
    int failures = std::stoi(Prop(state->props, "failures").empty() ? "0" : Prop(state->props, "failures")) + 1;
    std::chrono::seconds wait = kFirstRetry;
    for (int i = 1; i < failures && wait < kMaxRetry; ++i) {
        wait *= 2;
    }
    wait = std::min<std::chrono::seconds>(wait, kMaxRetry);
    state->props["failures"] = std::to_string(failures);
    state->props["retry-at"] = std::to_string(Seconds(now + wait));
    tx->UpdateItem(kClientKind, *state);
    tx->Commit();
}

Clock::time_point Epoch(const std::map<std::string, std::string>& props, const std::string& key) {
    return Clock::time_point(std::chrono::seconds(pki::EpochSeconds(props, key).value_or(0)));
}

// FetchNextCa asks for the CA's rollover certificate and keeps it (row and state) when there is one.
std::optional<std::string> FetchNextCa(ClientEnvironment& env, const store::CertificateRow& row) {
    Exchange ex(env, row);
    ex.caps = ex.client.GetCaCaps();
    if (!ex.caps.next_ca) {
        return std::nullopt;
    }
    CaChain chain = ex.client.GetCaCert();
    std::optional<crypto::Certificate> next = ex.client.GetNextCaCert(chain);
    if (!next || next->ToDer() == chain.ca.ToDer()) {
        return std::nullopt;
    }
    auto tx = env.store.Begin(store::TxMode::kWrite);
    StoreCa(*tx, *next);
    store::ItemRow state = FindState(*tx, row.id);
    state.props["next-ca"] = Der64(*next);
    tx->UpdateItem(kClientKind, state);
    tx->Commit();
    return "certificate " + row.name + ": next SCEP CA " + next->SubjectString() + " (fingerprint " +
           next->FingerprintSha256() + ")";
}

// Due runs what entry `row` needs at `now`, if anything, and returns its /log line.
std::optional<std::string> Due(ClientEnvironment& env, const store::CertificateRow& row, const store::ItemRow& state,
                               const std::optional<store::CertificateRow>& ca, Clock::time_point now) {
    if (!Prop(state.props, "pending-transaction").empty()) {
        std::string status = Poll(env, row.id);
        return status == "valid" ? std::optional<std::string>("certificate " + row.name + " issued after polling")
                                 : std::nullopt;
    }
    if (row.der.empty()) {
        std::string status = Enrol(env, row.id, false);
        return "certificate " + row.name + " enrolled again: " + status;
    }
    bool next_known = !Prop(state.props, "next-ca").empty();
    bool ca_expired = ca && Epoch(ca->props, "not-after") <= now;
    bool renew = Prop(row.props, "refresh") != "false" &&
                 RenewalTime(Epoch(row.props, "not-before"), Epoch(row.props, "not-after")) <= now;
    if (renew || (ca_expired && next_known)) {
        std::string status = Enrol(env, row.id, true);
        return "certificate " + row.name + " renewal: " + status;
    }
    if (ca && !next_known) {
        Clock::time_point from = Epoch(ca->props, "not-before");
        Clock::time_point to = Epoch(ca->props, "not-after");
        if (now >= from + (to - from) * 3 / 4) {
            try {
                return FetchNextCa(env, row);
            } catch (const core::Error& e) {
                Log(env, kError, "certificate " + row.name + ": GetNextCACert failed: " + e.what());
                throw;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::string AddScep(ClientEnvironment& env, const EnrolRequest& request) {
    if (request.scep_url.empty()) {
        throw core::ArgumentError("missing value(s) of argument(s) scep-url");
    }
    if (!request.scep_url.starts_with("http://") && !request.scep_url.starts_with("https://")) {
        throw core::Failure("scep-url must be an http:// or https:// URL");
    }
    core::ObjectId id;
    {
        auto tx = env.store.Begin(store::TxMode::kWrite);
        std::optional<store::CertificateRow> row = pki::FindCertificate(*tx, request.template_item);
        if (!row) {
            throw core::NoSuchItem();
        }
        if (!row->der.empty() || Prop(row->props, "scep-managed") == "true" ||
            Prop(row->props, "acme-managed") == "true") {
            throw core::Failure("certificate " + row->name + " is not a template");
        }
        std::string key_size = Prop(row->props, "key-size");
        if (!key_size.empty() && pki::ParseKeySize(key_size).algorithm != crypto::KeyAlgorithm::kRsa) {
            throw core::Failure("SCEP needs an RSA key (key-size 1024 to 8192)");
        }
        if (!request.name.empty() && request.name != row->name) {
            if (tx->FindCertificateByName(request.name)) {
                throw core::Failure("certificate with the same name already exists");
            }
            row->name = request.name;
        }
        row->props["scep-managed"] = "true";
        row->props["scep-url"] = request.scep_url;
        row->props["ca-identity"] = request.ca_identity;
        row->props["challenge-password"] = request.challenge_password;
        row->props["refresh"] = request.refresh ? "true" : "false";
        row->props["status"] = "connecting";
        tx->UpdateCertificate(*row);
        store::ItemRow state;
        state.name = row->id.ToString();
        tx->InsertItem(kClientKind, state);
        tx->Commit();
        id = row->id;
    }
    return Enrol(env, id, false);
}

std::string Renew(ClientEnvironment& env, std::string_view item) {
    core::ObjectId id = [&] {
        auto tx = env.store.Begin(store::TxMode::kRead);
        return FindEntry(*tx, item).id;
    }();
    SetStatus(env.store, id, "renewing");
    return Enrol(env, id, true);
}

Clock::time_point RenewalTime(Clock::time_point not_before, Clock::time_point not_after) {
    auto span = std::chrono::duration_cast<std::chrono::seconds>(not_after - not_before);
    return not_before + std::chrono::seconds(static_cast<long long>(static_cast<double>(span.count()) * kRenewAt));
}

std::vector<std::string> ClientDue(ClientEnvironment& env, Clock::time_point now) {
    struct Work {
        store::CertificateRow row;
        store::ItemRow state;
        std::optional<store::CertificateRow> ca;
    };
    std::vector<Work> work;
    {
        auto tx = env.store.Begin(store::TxMode::kWrite);
        for (store::ItemRow& state : tx->ListItems(kClientKind)) {
            std::optional<core::ObjectId> id = core::ObjectId::Parse(state.name);
            std::optional<store::CertificateRow> row = id ? tx->GetCertificate(*id) : std::nullopt;
            if (!row || Prop(row->props, "scep-managed") != "true") {
                tx->DeleteItem(kClientKind, state.id);  // the certificate was removed
                continue;
            }
            auto retry = pki::EpochSeconds(state.props, "retry-at");
            if (retry && *retry > Seconds(now)) {
                continue;
            }
            std::optional<store::CertificateRow> ca =
                row->issuer_id ? tx->GetCertificate(*row->issuer_id) : std::nullopt;
            work.push_back(Work{std::move(*row), std::move(state), std::move(ca)});
        }
        tx->Commit();
    }
    ClientEnvironment at_now = env;
    at_now.now = [now] { return now; };
    std::vector<std::string> lines;
    for (const Work& item : work) {
        try {
            if (std::optional<std::string> line = Due(at_now, item.row, item.state, item.ca, now)) {
                lines.push_back(*line);
            }
        } catch (const core::Error&) {
            Backoff(env.store, item.row.id, now);  // Enrol, Poll and FetchNextCa have logged it
        }
    }
    return lines;
}

}  // namespace certos::scep
