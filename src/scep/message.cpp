#include "scep/message.hpp"

#include <array>
#include <optional>

#include "core/error.hpp"
#include "crypto/pkcs7_message.hpp"
#include "crypto/random.hpp"

namespace certos::scep {
namespace {

// The attribute OIDs (RFC 8894 §3.2.1: id-VeriSign pki attributes, 2.16.840.1.113733.1.9.x).
constexpr const char* kMessageType = "2.16.840.1.113733.1.9.2";
constexpr const char* kPkiStatus = "2.16.840.1.113733.1.9.3";
constexpr const char* kFailInfo = "2.16.840.1.113733.1.9.4";
constexpr const char* kSenderNonce = "2.16.840.1.113733.1.9.5";
constexpr const char* kRecipientNonce = "2.16.840.1.113733.1.9.6";
constexpr const char* kTransactionId = "2.16.840.1.113733.1.9.7";

constexpr std::size_t kNonceBytes = 16;
constexpr std::size_t kMaxTransactionId = 256;

constexpr std::array<FailInfoEntry, 5> kFailInfos = {{
    {FailInfo::kBadAlg, "badAlg", "unrecognized or unsupported algorithm (digest or cipher)"},
    {FailInfo::kBadMessageCheck, "badMessageCheck",
     "integrity check failed: the signature does not verify or the envelope is not for this CA"},
    {FailInfo::kBadRequest, "badRequest",
     "transaction not permitted or supported: wrong, expired or used challenge, unknown transaction, bad CSR"},
    {FailInfo::kBadTime, "badTime", "the message time was not close enough to the system time"},
    {FailInfo::kBadCertId, "badCertId", "no certificate could be identified matching the criteria"},
}};

std::optional<std::string> Attribute(const crypto::Pkcs7Signed& signed_data, const char* oid) {
    for (const crypto::Pkcs7Attribute& attr : signed_data.attributes) {
        if (attr.oid == oid) {
            return attr.value;
        }
    }
    return std::nullopt;
}

std::optional<int> Number(const std::optional<std::string>& text) {
    if (!text || text->empty() || text->size() > 3) {
        return std::nullopt;
    }
    int value = 0;
    for (char c : *text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

bool KnownType(int type) {
    for (MessageType known : {MessageType::kRenewalReq, MessageType::kPkcsReq, MessageType::kCertPoll,
                              MessageType::kGetCert, MessageType::kGetCrl}) {
        if (type == static_cast<int>(known)) {
            return true;
        }
    }
    return false;
}

std::optional<crypto::DigestAlgorithm> DigestOf(std::string_view name) { return crypto::ParseDigestAlgorithm(name); }

}  // namespace

std::span<const FailInfoEntry> FailInfos() { return kFailInfos; }

std::string_view FailInfoName(FailInfo code) {
    for (const FailInfoEntry& entry : kFailInfos) {
        if (entry.code == code) {
            return entry.name;
        }
    }
    return "badRequest";
}

void ReadRequest(std::string_view der, const crypto::Certificate& recipient, const crypto::PrivateKey& key,
                 Request& partial) {
    if (der.size() > kMaxMessageBytes) {
        throw core::Failure("message larger than " + std::to_string(kMaxMessageBytes) + " bytes");
    }
    crypto::Pkcs7Signed signed_data = crypto::ReadSignedData(der);
    std::optional<std::string> transaction = Attribute(signed_data, kTransactionId);
    std::optional<std::string> nonce = Attribute(signed_data, kSenderNonce);
    std::optional<int> type = Number(Attribute(signed_data, kMessageType));
    if (!transaction || transaction->empty() || transaction->size() > kMaxTransactionId) {
        throw core::Failure("pkiMessage without a transactionID");
    }
    if (!nonce || nonce->size() != kNonceBytes) {
        throw core::Failure("pkiMessage without a 16-byte senderNonce");
    }
    partial.transaction_id = *transaction;
    partial.sender_nonce = *nonce;
    partial.signer = signed_data.signer;
    partial.digest = signed_data.digest;
    if (!type) {
        throw core::Failure("pkiMessage without a messageType");
    }
    if (!signed_data.signature_ok) {
        throw Refused(FailInfo::kBadMessageCheck, "the message signature does not verify");
    }
    if (!DigestOf(signed_data.digest)) {
        throw Refused(FailInfo::kBadAlg, "unsupported digest " + signed_data.digest);
    }
    if (!KnownType(*type)) {
        throw Refused(FailInfo::kBadRequest, "unsupported messageType " + std::to_string(*type));
    }
    partial.type = static_cast<MessageType>(*type);
    crypto::Pkcs7Opened opened;
    try {
        opened = crypto::OpenEnvelope(signed_data.content, recipient, key);
    } catch (const core::Error& e) {
        throw Refused(FailInfo::kBadMessageCheck, std::string("the envelope does not open: ") + e.what());
    }
    partial.cipher = opened.cipher;
    partial.inner = std::move(opened.content);
}

std::string BuildCertRep(const Reply& reply, const crypto::Certificate& signer, const crypto::PrivateKey& key) {
    std::vector<crypto::Pkcs7Attribute> attrs = {
        {kTransactionId, reply.transaction_id},
        {kMessageType, std::to_string(static_cast<int>(MessageType::kCertRep))},
        {kPkiStatus, std::to_string(static_cast<int>(reply.status))},
        {kSenderNonce, crypto::RandomBytes(kNonceBytes), true},
        {kRecipientNonce, reply.recipient_nonce, true},
    };
    if (reply.status == PkiStatus::kFailure) {
        attrs.push_back({kFailInfo, std::to_string(static_cast<int>(reply.fail_info))});
    }
    std::string content;
    if (reply.status == PkiStatus::kSuccess) {
        if (!reply.requester) {
            throw core::Error(core::ErrorCategory::kInternal, "a SUCCESS CertRep needs the requester's certificate");
        }
        content =
            crypto::SealEnvelope(crypto::CertificatesOnly(reply.certs, reply.crls), *reply.requester, reply.cipher);
    }
    return crypto::SignData(content, signer, key, reply.digest, attrs);
}

std::string BuildRequest(const ClientMessage& message, const crypto::Certificate& recipient,
                         const crypto::Certificate& signer, const crypto::PrivateKey& key) {
    std::string nonce = message.sender_nonce.empty() ? crypto::RandomBytes(kNonceBytes) : message.sender_nonce;
    std::vector<crypto::Pkcs7Attribute> attrs = {
        {kTransactionId, message.transaction_id},
        {kMessageType, std::to_string(static_cast<int>(message.type))},
        {kSenderNonce, nonce, true},
    };
    std::string envelope = crypto::SealEnvelope(message.inner, recipient, message.cipher);
    return crypto::SignData(envelope, signer, key, message.digest, attrs);
}

CertRep ReadCertRep(std::string_view der, const crypto::Certificate& server, const crypto::Certificate& requester,
                    const crypto::PrivateKey& requester_key) {
    if (der.size() > kMaxMessageBytes) {
        throw core::Failure("CertRep larger than " + std::to_string(kMaxMessageBytes) + " bytes");
    }
    crypto::Pkcs7Signed signed_data = crypto::ReadSignedData(der);
    if (!signed_data.signature_ok || signed_data.signer.ToDer() != server.ToDer()) {
        throw core::Failure("the CertRep is not signed by the SCEP server's certificate");
    }
    CertRep rep;
    std::optional<int> type = Number(Attribute(signed_data, kMessageType));
    std::optional<int> status = Number(Attribute(signed_data, kPkiStatus));
    if (type != static_cast<int>(MessageType::kCertRep) || !status) {
        throw core::Failure("not a CertRep");
    }
    rep.status = static_cast<PkiStatus>(*status);
    rep.transaction_id = Attribute(signed_data, kTransactionId).value_or("");
    rep.recipient_nonce = Attribute(signed_data, kRecipientNonce).value_or("");
    if (rep.status == PkiStatus::kFailure) {
        std::optional<int> fail = Number(Attribute(signed_data, kFailInfo));
        rep.fail_info = fail && *fail <= static_cast<int>(FailInfo::kBadCertId) ? static_cast<FailInfo>(*fail)
                                                                                : FailInfo::kBadRequest;
    } else if (rep.status == PkiStatus::kSuccess) {
        crypto::Pkcs7Opened opened = crypto::OpenEnvelope(signed_data.content, requester, requester_key);
        rep.certs = crypto::ReadCertificatesOnly(opened.content);
        rep.crls = crypto::ReadCrlsOnly(opened.content);
        rep.cipher = opened.cipher;
    } else if (rep.status != PkiStatus::kPending) {
        throw core::Failure("unknown pkiStatus " + std::to_string(*status));
    }
    return rep;
}

std::string TransactionIdFor(const crypto::Certificate& self_signed) {
    return crypto::HexLower(crypto::Digest(crypto::DigestAlgorithm::kSha256, self_signed.PublicKeyDer()));
}

}  // namespace certos::scep
