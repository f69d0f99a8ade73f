#include "scep/server.hpp"

#include <optional>

#include "core/duration.hpp"
#include "core/error.hpp"
#include "crypto/base64.hpp"
#include "crypto/csr.hpp"
#include "crypto/digest.hpp"
#include "crypto/pkcs7_message.hpp"
#include "crypto/random.hpp"
#include "pki/crl.hpp"
#include "pki/request.hpp"
#include "pki/sign.hpp"
#include "scep/message.hpp"

namespace certos::scep {
namespace {

constexpr std::string_view kTopics = "certificate,scep,info";
constexpr std::string_view kWarning = "certificate,scep,warning";
constexpr std::size_t kOtpBytes = 16;
constexpr std::size_t kMaxChain = 8;  // GetCACert: the CA and at most seven issuers above it

std::string Prop(const store::ItemRow& row, const char* name, std::string_view fallback = {}) {
    auto it = row.props.find(name);
    return it == row.props.end() ? std::string(fallback) : it->second;
}

std::string Sha256Hex(std::string_view data) {
    return crypto::HexLower(crypto::Digest(crypto::DigestAlgorithm::kSha256, data));
}

long long Seconds(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Answer Text(int status, std::string body) { return Answer{status, "text/plain", std::move(body) + "\n"}; }

// ServerPath is the item name a request path belongs to: clients add "/pkiclient.exe" (the name of the
// original CGI) or a trailing slash to the URL they were given.
std::string ServerPath(std::string_view path) {
    for (std::string_view suffix : {std::string_view("/pkiclient.exe"), std::string_view("/")}) {
        if (path.size() > kPathPrefix.size() + suffix.size() && path.ends_with(suffix)) {
            path.remove_suffix(suffix.size());
        }
    }
    return std::string(path);
}

// Context is one server with its CA, read in the transaction that serves the query.
struct Context {
    store::ItemRow server;
    pki::SigningCa ca;
    // previous is set when the request was encrypted to the server's next-ca-cert (RolledOver): `ca` is then
    // the next CA and `previous` the server's ca-cert, whose certificates may still renew.
    std::optional<pki::SigningCa> previous = std::nullopt;
};

std::optional<Context> LoadServer(store::Transaction& tx, std::string_view path) {
    std::optional<store::ItemRow> server = tx.FindItemByName(kServerKind, ServerPath(path));
    if (!server || Prop(*server, "disabled") == "true") {
        return std::nullopt;
    }
    return Context{*server, pki::LoadSigningCa(tx, Prop(*server, "ca-cert"))};
}

std::optional<crypto::Certificate> NextCa(store::Transaction& tx, const store::ItemRow& server) {
    std::string item = Prop(server, "next-ca-cert");
    if (item.empty() || item == "none") {
        return std::nullopt;
    }
    std::optional<store::CertificateRow> row = pki::FindCertificate(tx, item);
    if (!row || row->der.empty()) {
        return std::nullopt;
    }
    return crypto::Certificate::FromDer(row->der);
}

// Outcome is what a pkiMessage leads to, before it is signed.
struct Outcome {
    PkiStatus status = PkiStatus::kFailure;
    FailInfo fail_info = FailInfo::kBadRequest;
    std::optional<core::ObjectId> issued = std::nullopt;
    std::optional<std::string> crl = std::nullopt;  // GetCRL: the CA's current DER CRL
};

crypto::CertificateRequest ReadCsr(const Request& request) {
    try {
        crypto::CertificateRequest csr = crypto::CertificateRequest::Parse(request.inner);
        if (!csr.SignatureVerifies()) {
            throw Refused(FailInfo::kBadMessageCheck, "the certificate request's signature does not verify");
        }
        return csr;
    } catch (const core::Error& e) {
        throw Refused(FailInfo::kBadRequest, std::string("no PKCS#10 request in the envelope: ") + e.what());
    }
}

long DaysValid(const store::ItemRow& server) {
    try {
        return std::stol(Prop(server, "days-valid", "365"));
    } catch (const std::exception&) {
        return 365;
    }
}

core::ObjectId Issue(store::Transaction& tx, const Context& ctx, const crypto::CertificateRequest& csr,
                     Clock::time_point now, const std::string& transaction) {
    try {
        return pki::IssueForRequest(tx, ctx.ca, csr, DaysValid(ctx.server), now, "scep-" + transaction.substr(0, 16));
    } catch (const core::Error& e) {
        throw Refused(FailInfo::kBadRequest, std::string("cannot issue: ") + e.what());
    }
}

// UseOtp finds the unused, unexpired one-time challenge `challenge` of this server and marks it used.
void UseOtp(store::Transaction& tx, const Context& ctx, std::string_view challenge, Clock::time_point now) {
    std::string digest = Sha256Hex(challenge);
    for (store::ItemRow& otp : tx.ListItems(kOtpKind)) {
        if (Prop(otp, "digest") != digest) {
            continue;
        }
        std::string server = Prop(otp, "server");
        if (!server.empty() && server != ctx.server.name) {
            break;
        }
        if (Prop(otp, "used") == "true") {
            throw Refused(FailInfo::kBadRequest, "the one-time challenge " + otp.name + " was used already");
        }
        if (std::stoll(Prop(otp, "expires", "0")) <= Seconds(now)) {
            throw Refused(FailInfo::kBadRequest, "the one-time challenge " + otp.name + " has expired");
        }
        otp.props["used"] = "true";
        tx.UpdateItem(kOtpKind, otp);
        return;
    }
    throw Refused(FailInfo::kBadRequest, "wrong challenge password");
}

// IssuedBy says whether `cert` is a certificate `ca` issued, still valid at `now` and not revoked.
bool IssuedBy(store::Transaction& tx, const pki::SigningCa& ca, const crypto::Certificate& cert,
              Clock::time_point now) {
    if (!cert.IsSignedBy(ca.cert) || now < cert.NotBefore() || now >= cert.NotAfter()) {
        return false;
    }
    // The fingerprint column is indexed (store::CertificateField::kFingerprint): one lookup, not a scan.
    std::string der = cert.ToDer();
    bool ours = false;
    tx.ScanCertificates(
        store::CertificateCondition::Compare(store::CertificateCondition::Op::kEq,
                                             store::CertificateField::kFingerprint, cert.FingerprintSha256()),
        [&](store::CertificateRow&& row) {
            if (row.issuer_id != ca.row.id || row.der != der) {
                return true;
            }
            auto revoked = row.props.find("revoked");
            ours = revoked == row.props.end() || revoked->second.empty() || revoked->second == "false";
            return false;
        },
        store::ScanOrder::kAny);
    return ours;
}

// IssuedByUs says whether `cert` is a certificate `ctx`'s CA (or, rolled over, its previous CA) issued, still
// valid at `now` and not revoked.
bool IssuedByUs(store::Transaction& tx, const Context& ctx, const crypto::Certificate& cert, Clock::time_point now) {
    return IssuedBy(tx, ctx.ca, cert, now) || (ctx.previous && IssuedBy(tx, *ctx.previous, cert, now));
}

// RolledOver reads a request the server's CA could not open with the server's next-ca-cert instead (RFC 8894
// §4.7: a client whose CA has expired, by its own clock, switches to the rollover certificate GetNextCACert
// gave it). When that works, `ctx` serves it with the next CA (it issues and signs the reply) and `request`
// holds it; otherwise nothing changes and the first refusal stands.
bool RolledOver(store::Transaction& tx, Context& ctx, std::string_view der, Request& request) {
    std::string item = Prop(ctx.server, "next-ca-cert");
    if (item.empty() || item == "none") {
        return false;
    }
    std::optional<pki::SigningCa> next;
    Request again;
    try {
        next.emplace(pki::LoadSigningCa(tx, item));
        ReadRequest(der, next->cert, next->key, again);
    } catch (const std::exception&) {
        return false;
    }
    request = std::move(again);
    ctx.previous = std::move(ctx.ca);
    ctx.ca = std::move(*next);
    return true;
}

std::string RequesterKey(const Request& request) { return Sha256Hex(request.signer->PublicKeyDer()); }

Outcome Held(const store::ItemRow& held, const Request& request, Clock::time_point now) {
    if (Prop(held, "key") != RequesterKey(request)) {
        throw Refused(FailInfo::kBadMessageCheck, "transaction " + held.name + " belongs to another key");
    }
    std::string status = Prop(held, "status");
    if (status == "issued") {
        return Outcome{PkiStatus::kSuccess, FailInfo::kBadRequest, core::ObjectId::Parse(Prop(held, "certificate"))};
    }
    if (status == "pending" && std::stoll(Prop(held, "expires", "0")) > Seconds(now)) {
        return Outcome{PkiStatus::kPending};
    }
    throw Refused(FailInfo::kBadRequest, "transaction " + held.name + " was refused or has expired");
}

Outcome Enrol(store::Transaction& tx, const Context& ctx, const Request& request, Clock::time_point now,
              const LogFn& log) {
    if (std::optional<store::ItemRow> held = tx.FindItemByName(kRequestKind, request.transaction_id)) {
        return Held(*held, request, now);  // a request sent again
    }
    crypto::CertificateRequest csr = ReadCsr(request);
    std::string challenge = csr.ChallengePassword();
    bool renewal = request.type == MessageType::kRenewalReq && IssuedByUs(tx, ctx, *request.signer, now);
    if (renewal || !challenge.empty()) {
        if (!renewal) {
            UseOtp(tx, ctx, challenge, now);
        }
        core::ObjectId id = Issue(tx, ctx, csr, now, request.transaction_id);
        std::optional<store::CertificateRow> row = tx.GetCertificate(id);
        log(kTopics, "SCEP " + ctx.server.name + ": issued " + (row ? row->name : id.ToString()) + " for " +
                         csr.SubjectString() + (renewal ? " (renewal)" : ""));
        return Outcome{PkiStatus::kSuccess, FailInfo::kBadRequest, id};
    }
    std::chrono::seconds lifetime = core::ParseDuration(Prop(ctx.server, "request-lifetime", "5m"));
    store::ItemRow held;
    held.name = request.transaction_id;
    held.props = {{"server", ctx.server.name},
                  {"subject", csr.SubjectString()},
                  {"csr", crypto::ToBase64(csr.ToDer())},
                  {"key", RequesterKey(request)},
                  {"status", "pending"},
                  {"expires", std::to_string(Seconds(now + lifetime))}};
    tx.InsertItem(kRequestKind, held);
    log(kTopics, "SCEP " + ctx.server.name + ": request from " + csr.SubjectString() + " held until granted");
    return Outcome{PkiStatus::kPending};
}

Outcome Poll(store::Transaction& tx, const Request& request, Clock::time_point now) {
    std::optional<store::ItemRow> held = tx.FindItemByName(kRequestKind, request.transaction_id);
    if (!held) {
        throw Refused(FailInfo::kBadCertId, "no request with transaction " + request.transaction_id);
    }
    return Held(*held, request, now);
}

Outcome Dispatch(store::Transaction& tx, const Context& ctx, const Request& request, Clock::time_point now,
                 const LogFn& log) {
    switch (request.type) {
        case MessageType::kPkcsReq:
        case MessageType::kRenewalReq:
            return Enrol(tx, ctx, request, now, log);
        case MessageType::kCertPoll:
            return Poll(tx, request, now);
        case MessageType::kGetCrl: {
            // The request names the certificate whose CRL it wants (IssuerAndSerialNumber); a server serves
            // one CA, so its CRL is the answer, to a requester holding a certificate the CA issued.
            if (!IssuedByUs(tx, ctx, *request.signer, now)) {
                throw Refused(FailInfo::kBadRequest, "GetCRL signed by a certificate this CA did not issue");
            }
            std::optional<store::BlobRow> crl = tx.GetBlob(pki::kLocalCrlKind, ctx.ca.row.id);
            if (!crl) {
                throw Refused(FailInfo::kBadCertId, "the CA has no CRL yet (sign it with ca-crl-host=)");
            }
            Outcome outcome{PkiStatus::kSuccess};
            outcome.crl = std::move(crl->data);
            return outcome;
        }
        default:
            throw Refused(FailInfo::kBadRequest,
                          "messageType " + std::to_string(static_cast<int>(request.type)) + " is not served");
    }
}

// PkiOperationIn serves one pkiMessage in one write transaction: what it changes (a challenge used, a
// certificate issued, a request held) commits with the reply. A refusal (Refused) rolls it back and
// answers FAILURE with the failInfo, signed by the CA, so a bad message changes nothing.
Answer PkiOperationIn(store::Store& store, const Query& query, Clock::time_point now, const LogFn& log) {
    std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kWrite);
    std::optional<Context> ctx = LoadServer(*tx, query.path);
    if (!ctx) {
        return Text(404, "no such SCEP server");
    }
    Request request;
    Reply reply;
    // What the transaction did, for /log once it has committed.
    std::vector<std::pair<std::string_view, std::string>> done;
    LogFn note = [&done](std::string_view topics, std::string_view message) {
        done.emplace_back(topics, std::string(message));
    };
    try {
        try {
            ReadRequest(query.message, ctx->ca.cert, ctx->ca.key, request);
        } catch (const Refused& refused) {
            if (refused.fail_info() != FailInfo::kBadMessageCheck || !RolledOver(*tx, *ctx, query.message, request)) {
                throw;
            }
            note(kTopics, "SCEP " + ctx->server.name + ": transaction " + request.transaction_id +
                              " was sent to the next CA " + ctx->ca.row.name + ", which serves it");
        } catch (const core::Error& e) {
            log(kWarning, "SCEP " + ctx->server.name + ": not a pkiMessage: " + e.what());
            return Text(400, std::string("badRequest: not a pkiMessage: ") + e.what());
        }
        Outcome outcome = Dispatch(*tx, *ctx, request, now, note);
        reply.status = outcome.status;
        if (outcome.issued) {
            std::optional<store::CertificateRow> row = tx->GetCertificate(*outcome.issued);
            if (!row) {
                throw Refused(FailInfo::kBadCertId, "the issued certificate was removed");
            }
            reply.certs = {crypto::Certificate::FromDer(row->der), ctx->ca.cert};
        }
        if (outcome.crl) {
            reply.crls = {*outcome.crl};
        }
    } catch (const Refused& refused) {
        tx.reset();  // rolls back
        done.clear();
        log(kWarning, "SCEP " + ctx->server.name + ": refused transaction " + request.transaction_id + " (" +
                          std::string(FailInfoName(refused.fail_info())) + "): " + refused.what());
        reply.status = PkiStatus::kFailure;
        reply.fail_info = refused.fail_info();
    }
    reply.transaction_id = request.transaction_id;
    reply.recipient_nonce = request.sender_nonce;
    reply.requester = request.signer;
    reply.cipher = request.cipher;
    reply.digest = crypto::ParseDigestAlgorithm(request.digest).value_or(crypto::DigestAlgorithm::kSha256);
    std::string body = BuildCertRep(reply, ctx->ca.cert, ctx->ca.key);
    if (tx) {
        tx->Commit();
    }
    for (const auto& [topics, message] : done) {
        log(topics, message);
    }
    return Answer{200, "application/x-pki-message", std::move(body)};
}

Answer PkiOperation(store::Store& store, const Query& query, Clock::time_point now, const LogFn& log) {
    // /log is written in a transaction of its own: the lines wait until this one has ended.
    std::vector<std::pair<std::string_view, std::string>> lines;
    LogFn deferred = [&lines](std::string_view topics, std::string_view message) {
        lines.emplace_back(topics, std::string(message));
    };
    Answer answer = PkiOperationIn(store, query, now, deferred);
    for (const auto& [topics, message] : lines) {
        log(topics, message);
    }
    return answer;
}

Answer CaCert(store::Store& store, const Query& query) {
    std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
    std::optional<Context> ctx = LoadServer(*tx, query.path);
    if (!ctx) {
        return Text(404, "no such SCEP server");
    }
    // RFC 8894 §4.2.1.2: a CA with intermediate certificates answers the chain as a certificates-only message,
    // the CA first, then its issuers as far as the store has them (certmonger needs the issuer: it takes a single
    // certificate for an RA's and then trusts no CA).
    std::vector<crypto::Certificate> chain = {ctx->ca.cert};
    std::optional<core::ObjectId> issuer = ctx->ca.row.issuer_id;
    while (!chain.back().IsSelfIssued() && issuer && chain.size() < kMaxChain) {
        std::optional<store::CertificateRow> row = tx->GetCertificate(*issuer);
        if (!row || row->der.empty() || row->id == ctx->ca.row.id) {
            break;
        }
        crypto::Certificate cert = crypto::Certificate::FromDer(row->der);
        if (!chain.back().IsSignedBy(cert)) {
            break;
        }
        chain.push_back(std::move(cert));
        issuer = row->issuer_id;
    }
    if (chain.size() == 1) {
        return Answer{200, "application/x-x509-ca-cert", ctx->ca.cert.ToDer()};
    }
    return Answer{200, "application/x-x509-ca-ra-cert", crypto::CertificatesOnly(chain)};
}

Answer NextCaCert(store::Store& store, const Query& query) {
    std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
    std::optional<Context> ctx = LoadServer(*tx, query.path);
    if (!ctx) {
        return Text(404, "no such SCEP server");
    }
    std::optional<crypto::Certificate> next = NextCa(*tx, ctx->server);
    if (!next) {
        return Text(404, "no next CA certificate");
    }
    // RFC 8894 §4.7.1: the new CA certificate in a certificates-only message signed by the current CA.
    std::string body = crypto::SignData(crypto::CertificatesOnly({*next}), ctx->ca.cert, ctx->ca.key,
                                        crypto::DigestAlgorithm::kSha256, {});
    return Answer{200, "application/x-x509-next-ca-cert", std::move(body)};
}

Answer Caps(store::Store& store, const Query& query) {
    std::unique_ptr<store::Transaction> tx = store.Begin(store::TxMode::kRead);
    std::optional<store::ItemRow> server = tx->FindItemByName(kServerKind, ServerPath(query.path));
    if (!server || Prop(*server, "disabled") == "true") {
        return Text(404, "no such SCEP server");
    }
    return Answer{200, "text/plain", ServerCapabilities(NextCa(*tx, *server).has_value())};
}

}  // namespace

std::string ServerCapabilities(bool next_ca) {
    std::string caps = "AES\nDES3\nPOSTPKIOperation\nRenewal\nSCEPStandard\nSHA-1\nSHA-256\nSHA-512\n";
    if (next_ca) {
        caps += "GetNextCACert\n";
    }
    return caps;
}

Answer Serve(store::Store& store, const Query& query, Clock::time_point now, const LogFn& log) {
    try {
        if (query.operation == "GetCACaps") {
            return Caps(store, query);
        }
        if (query.operation == "GetCACert") {
            return CaCert(store, query);
        }
        if (query.operation == "GetNextCACert") {
            return NextCaCert(store, query);
        }
        if (query.operation == "PKIOperation") {
            return PkiOperation(store, query, now, log);
        }
        return Text(400, "unknown operation");
    } catch (const std::exception& e) {
        // The CA is unusable (removed, expired, no key) or the store failed: say so, never a 500.
        log(kWarning, "SCEP " + query.path + ": " + e.what());
        return Text(503, std::string("SCEP server unavailable: ") + e.what());
    }
}

std::string GenerateOtp(store::Transaction& tx, std::string_view server, std::chrono::seconds valid_for,
                        Clock::time_point now) {
    std::string otp = crypto::HexLower(crypto::RandomBytes(kOtpBytes));
    std::vector<store::ItemRow> existing = tx.ListItems(kOtpKind);
    store::ItemRow row;
    for (std::size_t n = existing.size() + 1;; ++n) {
        row.name = "otp" + std::to_string(n);
        if (!tx.FindItemByName(kOtpKind, row.name)) {
            break;
        }
    }
    row.props = {{"server", std::string(server)},
                 {"digest", Sha256Hex(otp)},
                 {"expires", std::to_string(Seconds(now + valid_for))},
                 {"used", "false"}};
    tx.InsertItem(kOtpKind, row);
    return otp;
}

std::string Grant(store::Transaction& tx, core::ObjectId id, Clock::time_point now) {
    std::optional<store::ItemRow> held = tx.GetItem(kRequestKind, id);
    if (!held) {
        throw core::NoSuchItem();
    }
    if (Prop(*held, "status") != "pending") {
        throw core::Failure("request " + held->name + " is not pending");
    }
    if (std::stoll(Prop(*held, "expires", "0")) <= Seconds(now)) {
        throw core::Failure("request " + held->name + " has expired");
    }
    std::optional<Context> ctx = LoadServer(tx, Prop(*held, "server"));
    if (!ctx) {
        throw core::Failure("SCEP server " + Prop(*held, "server") + " is gone or disabled");
    }
    std::optional<std::string> der = crypto::FromBase64(Prop(*held, "csr"));
    if (!der) {
        throw core::Failure("request " + held->name + " is damaged");
    }
    crypto::CertificateRequest csr = crypto::CertificateRequest::Parse(*der);
    core::ObjectId cert =
        pki::IssueForRequest(tx, ctx->ca, csr, DaysValid(ctx->server), now, "scep-" + held->name.substr(0, 16));
    held->props["status"] = "issued";
    held->props["certificate"] = cert.ToString();
    tx.UpdateItem(kRequestKind, *held);
    std::optional<store::CertificateRow> row = tx.GetCertificate(cert);
    return row ? row->name : cert.ToString();
}

}  // namespace certos::scep
