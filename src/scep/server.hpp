#pragma once
// certos's SCEP server (RFC 8894) over the store: what the SCEP module's /scep/ route and the
// `/certificate scep-server` menus call. It keeps
//  - each server as an item of kind "scep-server" (name: its path, "/scep/<x>"; ca-cert, days-valid,
//    next-ca-cert, request-lifetime, disabled);
//  - one-time challenges as items of kind "scep-otp" (name "otp<N>"; only the SHA-256 of the challenge,
//    its expiry and whether it was used: the challenge itself is shown once, by `otp generate`);
//  - held requests as items of kind "scep-request" (name: the transactionID; the PKCS#10 request, the
//    requester's key digest, status pending|issued|refused, expiry, the issued certificate's id).
// A request with a valid one-time challenge is issued at once; one without a challenge is held until
// `requests grant`; a renewal signed by a still-valid certificate the CA issued needs no challenge. Issued
// certificates are ordinary /certificate rows issued by the CA (listed, revocable, on its CRL).

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/id.hpp"
#include "store/store.hpp"

namespace certos::scep {

inline constexpr std::string_view kServerKind = "scep-server";
inline constexpr std::string_view kOtpKind = "scep-otp";
inline constexpr std::string_view kRequestKind = "scep-request";
inline constexpr std::string_view kPathPrefix = "/scep/";

using Clock = std::chrono::system_clock;
using LogFn = std::function<void(std::string_view topics, std::string_view message)>;

// Query is one HTTP request to a SCEP path: the path ("/scep/x"), the operation and the message (GetCACert's
// CA identifier, or PKIOperation's DER pkiMessage: POST's body, or GET's base64 decoded).
struct Query {
    std::string path;
    std::string operation;
    std::string message;
};

// Answer is what goes back over HTTP.
struct Answer {
    int status = 200;
    std::string content_type = "text/plain";
    std::string body;
};

// Serve answers one query. It never throws: a message that is not a pkiMessage gets 400, a pkiMessage that
// cannot be served a CertRep FAILURE with its failInfo, an unknown or disabled path 404.
Answer Serve(store::Store& store, const Query& query, Clock::time_point now, const LogFn& log);

// ServerCapabilities is GetCACaps's answer for a server (one capability a line).
std::string ServerCapabilities(bool next_ca);

// GenerateOtp stores a new one-time challenge valid for `valid_for` from `now` for the SCEP server `server`
// (its path; "" for any) and returns it (the only time it is shown).
std::string GenerateOtp(store::Transaction& tx, std::string_view server, std::chrono::seconds valid_for,
                        Clock::time_point now);

// Grant issues the held request `id` (kind kRequestKind) now, for the requester's next CertPoll, and
// returns the certificate's name. Throws core::Error when it is not pending or has expired.
std::string Grant(store::Transaction& tx, core::ObjectId id, Clock::time_point now);

}  // namespace certos::scep
