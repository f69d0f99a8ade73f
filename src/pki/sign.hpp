#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/id.hpp"
#include "crypto/certificate.hpp"
#include "crypto/key.hpp"
#include "store/store.hpp"

namespace certos::pki {

using ProgressFn = std::function<void(std::string_view)>;

// SignOptions are the arguments of `/certificate sign` beyond the template.
struct SignOptions {
    std::string ca;           // name or *ID of the signing CA; empty: self-signed
    std::string name;         // new name; empty: keep the template's
    std::string ca_crl_host;  // host[:port] for the CRL distribution point; empty: none
    // before_commit, when set, runs in the write transaction that stores the certificate, just before it
    // commits (the command tree writes its audit entry there: one durable commit per sign, not two).
    std::function<void(store::Transaction& tx)> before_commit = nullptr;
};

// SignTemplate turns template `id` into a certificate in place (same id): it generates the key, issues the
// certificate from the template's properties and stores both. The key is generated and the certificate
// signed outside any transaction, so a long RSA-8192 signing never blocks other commands; the result is
// written in one write transaction that first checks the template was not changed meanwhile.
// `progress` receives "progress: ..." lines while a slow key is generated, and empty lines between (see
// GenerateKey): an exception it throws cancels the signing, which then changes nothing.
// Throws core::Error with a RouterOS-style message (and changes nothing) when the template is already
// signed, or the CA does not exist, is not signed, has no private key, lacks key-cert-sign or has expired.
void SignTemplate(store::Store& store, core::ObjectId id, const SignOptions& options, const ProgressFn& progress);
// SignTemplate signs the template `item` names ("*ID" or a name), found in the same read transaction as the CA
// (core::NoSuchItem when there is none).
void SignTemplate(store::Store& store, std::string_view item, const SignOptions& options, const ProgressFn& progress);

// FindCertificate reads the certificate `item` names: "*ID" or a name; nullopt when there is none.
std::optional<store::CertificateRow> FindCertificate(store::Transaction& tx, std::string_view item);

// SigningCa is what issuing needs of the signing CA.
struct SigningCa {
    store::CertificateRow row;
    crypto::Certificate cert;
    crypto::PrivateKey key;
};

// LoadSigningCa reads CA `item` ("*ID" or a name) for `sign ca=` and `sign-certificate-request`, so both
// refuse the same CAs: one that does not exist, is not signed, is not a CA with key-cert-sign, has no private
// key or has expired (core::Error, RouterOS-style). Certificates and keys of CAs used before come from a
// cache checked against the stored row (OpenSSL 3's key decoders would dominate an EC signing otherwise).
SigningCa LoadSigningCa(store::Transaction& tx, std::string_view item);

// GenerateKey makes a key of `spec`, reporting "progress: generating rsa 8192 key (3s)" once a second while a
// slow (RSA) key is generated, and an empty line every 100 ms between, so that the caller can interrupt it:
// when `progress` throws, the key generation is cancelled at once and the exception is rethrown. Shared by
// sign and create-certificate-request.
crypto::PrivateKey GenerateKey(const crypto::KeySpec& spec, const ProgressFn& progress);

// RandomSerial returns 16 random bytes, positive and always 16 bytes long (RFC 5280 §4.1.2.2).
std::string RandomSerial();

// CrlUrl is the CRL distribution point certos puts in certificates of a CA with ca-crl-host:
// http://HOST/crl/<CA skid in lowercase hex>.crl (stable when the CA is renamed).
std::string CrlUrl(std::string_view host, std::string_view ca_skid_hex);

// CheckCrlHost validates `host[:port]` (a DNS name, IPv4, or [IPv6]) for ca-crl-host.
std::string CheckCrlHost(std::string_view host);

}  // namespace certos::pki
