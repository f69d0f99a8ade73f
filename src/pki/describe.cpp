#include "pki/describe.hpp"

#include <charconv>
#include <chrono>

#include "core/value.hpp"
#include "pki/template.hpp"

namespace certos::pki {
namespace {

long long EpochSeconds(crypto::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::map<std::string, std::string> DescribeCertificate(const crypto::Certificate& cert) {
    std::map<std::string, std::string> props;
    for (const SubjectField& field : kSubjectFields) {
        props[std::string(field.property)] = "";
    }
    for (const auto& [short_name, value] : cert.SubjectFields()) {
        for (const SubjectField& field : kSubjectFields) {
            if (field.short_name == short_name && props[std::string(field.property)].empty()) {
                props[std::string(field.property)] = value;
            }
        }
    }
    props["subject-alt-name"] = core::JoinList(cert.SubjectAltNames());
    props["key-type"] = cert.KeyType();
    props["key-size"] = cert.KeySize();
    props["key-usage"] = core::JoinList(cert.KeyUsage());
    props["digest-algorithm"] = cert.SignatureDigest();
    long long not_before = EpochSeconds(cert.NotBefore());
    long long not_after = EpochSeconds(cert.NotAfter());
    props["not-before"] = std::to_string(not_before);
    props["not-after"] = std::to_string(not_after);
    props["days-valid"] = std::to_string((not_after - not_before + 86399) / 86400);
    props["issuer"] = cert.IssuerString();
    props["serial-number"] = cert.SerialHex();
    props["fingerprint"] = cert.FingerprintSha256();
    // RouterOS shows akid="" on a self-signed root (facts §1.9), though the extension is there.
    props["akid"] = cert.IsSelfIssued() && cert.AkidHex() == cert.SkidHex() ? "" : cert.AkidHex();
    props["skid"] = cert.SkidHex();
    props["authority"] = core::WireBool(cert.IsCa());
    return props;
}

void AddStoredDefaults(std::map<std::string, std::string>& props, bool trusted, std::string_view trust_store) {
    props["trusted"] = core::WireBool(trusted);
    props["trust-store"] = std::string(trust_store);
    props["crl"] = "false";
}

std::optional<long long> EpochSeconds(const std::map<std::string, std::string>& props, const std::string& key) {
    auto it = props.find(key);
    if (it == props.end() || it->second.empty()) {
        return std::nullopt;
    }
    long long value = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
    if (ec != std::errc() || end != it->second.data() + it->second.size()) {
        return std::nullopt;
    }
    return value;
}

}  // namespace certos::pki
