#pragma once
// SCEP pkiMessages (RFC 8894 §3): the authenticated attributes, the one failInfo table, and reading and
// building the messages on top of crypto/pkcs7_message.hpp. Every failure of a request carries a FailInfo,
// so a server can always answer with a CertRep (or, when the message is not even a pkiMessage, HTTP 400).

#include <cstddef>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/digest.hpp"
#include "crypto/key.hpp"

namespace certos::scep {

// kMaxMessageBytes bounds a PKIOperation message (a request with a 16384-bit key and its certificate is well
// under 32 KiB).
inline constexpr std::size_t kMaxMessageBytes = 64 * 1024;

// MessageType values (RFC 8894 §3.2.1.2).
enum class MessageType : int {
    kCertRep = 3,
    kRenewalReq = 17,
    kPkcsReq = 19,
    kCertPoll = 20,  // GetCertInitial
    kGetCert = 21,
    kGetCrl = 22,
};

// PkiStatus values (§3.2.1.3).
enum class PkiStatus : int { kSuccess = 0, kFailure = 2, kPending = 3 };

// FailInfo values (§3.2.1.4).
enum class FailInfo : int { kBadAlg = 0, kBadMessageCheck = 1, kBadRequest = 2, kBadTime = 3, kBadCertId = 4 };

// FailInfoEntry is one row of the table: the code, its RFC name and what certos means by it.
struct FailInfoEntry {
    FailInfo code;
    std::string_view name;
    std::string_view meaning;
};

// FailInfos is the table every refusal uses (docs/scep.md prints it).
std::span<const FailInfoEntry> FailInfos();
// FailInfoName is the RFC name of a code ("badRequest").
std::string_view FailInfoName(FailInfo code);

// Refused is a request certos answers with FAILURE and `fail_info`; what() says why (for /log).
class Refused : public std::runtime_error {
public:
    Refused(FailInfo fail_info, const std::string& why) : std::runtime_error(why), fail_info_(fail_info) {}
    FailInfo fail_info() const { return fail_info_; }

private:
    FailInfo fail_info_;
};

// Request is a pkiMessage a client sent, as far as it could be read.
struct Request {
    MessageType type = MessageType::kPkcsReq;
    std::string transaction_id;
    std::string sender_nonce;                   // 16 bytes
    std::optional<crypto::Certificate> signer;  // set once the SignedData was read
    std::string digest;                         // the signer's digest algorithm ("sha256")
    std::string cipher;                         // the envelope's cipher, for the reply ("AES-128-CBC")
    // inner is the decrypted messageData: a PKCS#10 request (PKCSReq, RenewalReq), an IssuerAndSubject
    // (CertPoll) or an IssuerAndSerialNumber (GetCert, GetCRL), DER.
    std::string inner;
};

// ReadRequest decodes, checks and decrypts a pkiMessage meant for `recipient` (the CA or RA) with its key,
// into `request`. Throws core::Error when `der` is no SignedData at all or lacks a transactionID, messageType or
// senderNonce (the server answers HTTP 400: there is no transaction to answer), and Refused carrying the
// transaction (`request` then holds what was read: transaction, nonce, signer) when it is one but cannot be served:
// badMessageCheck for a signature that does not verify or an envelope certos cannot open (another recipient), badAlg
// for an unknown digest or cipher, badRequest for an unknown messageType.
void ReadRequest(std::string_view der, const crypto::Certificate& recipient, const crypto::PrivateKey& key,
                 Request& request);

// Reply is a CertRep to build.
struct Reply {
    PkiStatus status = PkiStatus::kFailure;
    FailInfo fail_info = FailInfo::kBadRequest;  // for kFailure
    std::string transaction_id;
    std::string recipient_nonce;             // the request's senderNonce
    std::vector<crypto::Certificate> certs;  // for kSuccess: the issued certificate first
    std::vector<std::string> crls = {};      // for kSuccess of a GetCRL: the DER CRL
    // For kSuccess, the certificates are encrypted to `requester` (the request's signer) with `cipher`.
    std::optional<crypto::Certificate> requester;
    std::string cipher = "AES-128-CBC";
    crypto::DigestAlgorithm digest = crypto::DigestAlgorithm::kSha256;
};

// BuildCertRep signs a CertRep with `signer`/`key` (the CA or RA), with a fresh senderNonce.
std::string BuildCertRep(const Reply& reply, const crypto::Certificate& signer, const crypto::PrivateKey& key);

// ClientMessage is a request a client builds (certos's own client, and the tests).
struct ClientMessage {
    MessageType type = MessageType::kPkcsReq;
    std::string transaction_id = {};
    std::string sender_nonce = {};  // empty: a fresh one
    std::string inner = {};         // DER, see Request::inner
    std::string cipher = "AES-128-CBC";
    crypto::DigestAlgorithm digest = crypto::DigestAlgorithm::kSha256;
};

// BuildRequest encrypts `message.inner` to `recipient` and signs it with `signer`/`key`.
std::string BuildRequest(const ClientMessage& message, const crypto::Certificate& recipient,
                         const crypto::Certificate& signer, const crypto::PrivateKey& key);

// CertRep is a server's answer as a client reads it.
struct CertRep {
    PkiStatus status = PkiStatus::kFailure;
    FailInfo fail_info = FailInfo::kBadRequest;
    std::string transaction_id;
    std::string recipient_nonce;
    std::vector<crypto::Certificate> certs;  // kSuccess: decrypted with the requester's key
    std::vector<std::string> crls;           // kSuccess of a GetCRL: the DER CRLs
    std::string cipher = {};                 // kSuccess: the envelope's cipher ("DES-CBC")
};

// ReadCertRep checks a CertRep signed by `server` (the CA or RA) and, on SUCCESS, decrypts it with the
// requester's certificate and key. Throws core::Error when it is not one, or its signature does not verify.
CertRep ReadCertRep(std::string_view der, const crypto::Certificate& server, const crypto::Certificate& requester,
                    const crypto::PrivateKey& requester_key);

// TransactionIdFor is the transactionID certos's client uses: the hex SHA-256 of the public key (RFC 8894
// §3.2.1.1 suggests a hash of the key).
std::string TransactionIdFor(const crypto::Certificate& self_signed);

}  // namespace certos::scep
