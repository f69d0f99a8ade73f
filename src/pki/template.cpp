#include "pki/template.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/value.hpp"

namespace certos::pki {
namespace {

bool HasControl(std::string_view text) {
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7f) {
            return true;
        }
    }
    return false;
}

bool ValidDnsName(std::string_view name) {
    if (name.empty() || name.size() > 253) {
        return false;
    }
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                  c == '*' || c == '_';
        if (!ok) {
            return false;
        }
    }
    return true;
}

bool ValidIp(std::string_view text) {
    std::string s(text);
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool ValidEmail(std::string_view text) {
    std::size_t at = text.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < text.size() && !HasControl(text) &&
           text.find(' ') == std::string_view::npos;
}

core::Error BadSan(std::string_view entry) {
    return core::ArgumentError("invalid subject-alt-name entry \"" + std::string(entry) +
                               "\" (expected DNS:name, IP:address or email:address)");
}

}  // namespace

std::string CheckSubjectAltName(std::string_view text) {
    std::vector<std::string> out;
    for (const std::string& entry : core::SplitList(text)) {
        std::size_t colon = entry.find(':');
        if (colon == std::string::npos) {
            throw BadSan(entry);
        }
        std::string kind = core::ToLowerAscii(entry.substr(0, colon));
        std::string value = entry.substr(colon + 1);
        if (kind == "dns" && ValidDnsName(value)) {
            out.push_back("DNS:" + value);
        } else if (kind == "ip" && ValidIp(value)) {
            out.push_back("IP:" + value);
        } else if (kind == "email" && ValidEmail(value)) {
            out.push_back("email:" + value);
        } else {
            throw BadSan(entry);
        }
    }
    return core::JoinList(out);
}

std::string CheckCountry(std::string_view text) {
    if (text.empty()) {
        return {};
    }
    bool letters = text.size() == 2;
    for (char c : text) {
        letters = letters && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
    }
    if (!letters) {
        throw core::ArgumentError("invalid value for argument country (expected two letters, e.g. LV)");
    }
    return std::string(text);
}

std::string CheckSubjectText(std::string_view text) {
    if (HasControl(text) || text.size() > 64) {
        throw core::ArgumentError("invalid value \"" + std::string(text) +
                                  "\" (subject fields are at most 64 printable characters)");
    }
    return std::string(text);
}

std::string CheckName(std::string_view text) {
    if (text.empty() || HasControl(text) || text.size() > 255) {
        throw core::ArgumentError("invalid value for argument name");
    }
    return std::string(text);
}

const std::vector<std::string>& KeyUsages() {
    static const std::vector<std::string> values = {
        "digital-signature", "content-commitment", "key-encipherment", "data-encipherment",
        "key-agreement",     "key-cert-sign",      "crl-sign",         "encipher-only",
        "decipher-only",     "tls-server",         "tls-client",       "code-sign",
        "email-protect",     "timestamp",          "ocsp-sign",        "dvcs"};
    return values;
}

const std::vector<std::string>& KeySizeValues() {
    static const std::vector<std::string> values = {"1024", "1536",       "2048",      "4096",
                                                    "8192", "prime256v1", "secp384r1", "secp521r1"};
    return values;
}

const std::vector<std::string>& DigestValues() {
    static const std::vector<std::string> values = {"md5", "sha1", "sha256", "sha384", "sha512"};
    return values;
}

const std::vector<std::string>& TrustStores() {
    static const std::vector<std::string> values = {"all",       "capsman", "dns",    "email",   "ipsec",    "mqtt",
                                                    "openflow",  "radius",  "sstp",   "userman", "www",      "api",
                                                    "container", "dot1x",   "fetch",  "lora",    "netwatch", "ovpn",
                                                    "tr069",     "wpa-eap", "wiliot", "logging"};
    return values;
}

std::string KeyTypeOf(std::string_view key_size) {
    return !key_size.empty() && key_size.front() >= '0' && key_size.front() <= '9' ? "rsa" : "ec";
}

crypto::KeySpec ParseKeySize(std::string_view key_size) {
    const std::vector<std::string>& sizes = KeySizeValues();
    if (std::find(sizes.begin(), sizes.end(), key_size) == sizes.end()) {
        throw core::ArgumentError("input does not match any value of key-size");
    }
    if (KeyTypeOf(key_size) == "rsa") {
        return crypto::KeySpec::Rsa(static_cast<unsigned>(std::stoul(std::string(key_size))));
    }
    return crypto::KeySpec::Ec(std::string(key_size));
}

}  // namespace certos::pki
