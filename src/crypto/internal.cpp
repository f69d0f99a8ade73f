#include "crypto/internal.hpp"

#include <arpa/inet.h>
#include <openssl/core_names.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

namespace certos::crypto {

std::string_view Bytes(const ASN1_STRING* str) {
    if (str == nullptr) {
        return {};
    }
    return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(str)),
            static_cast<std::size_t>(ASN1_STRING_length(str))};
}

std::string PkeyType(const EVP_PKEY* pkey) {
    // RSASSA-PSS keys are RSA keys restricted to PSS signatures; RouterOS has one word for both.
    if (EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS")) {
        return "rsa";
    }
    if (EVP_PKEY_is_a(pkey, "EC")) {
        return "ec";
    }
    const char* name = EVP_PKEY_get0_type_name(pkey);
    std::string out = name != nullptr ? name : "unknown";
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string PkeySize(const EVP_PKEY* pkey) {
    if (EVP_PKEY_is_a(pkey, "EC")) {
        char group[80] = {};
        std::size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) == 1) {
            return std::string(group, len);
        }
        ERR_clear_error();  // explicit curve parameters have no name: fall back to the bit count
    }
    return std::to_string(EVP_PKEY_get_bits(pkey));
}

std::string PkeyPublicDer(const EVP_PKEY* pkey) { return I2d(i2d_PUBKEY, pkey, "encoding public key"); }

namespace {

// GeneralNameText renders one GeneralName in RouterOS's subject-alt-name syntax; "" for kinds it has none for.
std::string GeneralNameText(const GENERAL_NAME* name) {
    int type = 0;
    void* value = GENERAL_NAME_get0_value(name, &type);
    auto* str = static_cast<const ASN1_STRING*>(value);
    switch (type) {
        case GEN_DNS:
            return "DNS:" + std::string(Bytes(str));
        case GEN_EMAIL:
            return "email:" + std::string(Bytes(str));
        case GEN_URI:
            return "URI:" + std::string(Bytes(str));
        case GEN_IPADD: {
            std::string_view ip = Bytes(str);
            char text[INET6_ADDRSTRLEN] = {};
            int family = ip.size() == 4 ? AF_INET : ip.size() == 16 ? AF_INET6 : 0;
            if (family == 0 || inet_ntop(family, ip.data(), text, sizeof text) == nullptr) {
                return "IP:" + HexUpper(ip);  // not an address (e.g. a name-constraints range): show raw
            }
            return std::string("IP:") + text;
        }
        default:
            return {};
    }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> NameFields(const X509_NAME* name) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
        const ASN1_OBJECT* object = X509_NAME_ENTRY_get_object(entry);
        int nid = OBJ_obj2nid(object);
        std::string key;
        if (nid != NID_undef) {
            key = OBJ_nid2sn(nid);
        } else {
            char oid[128] = {};
            OBJ_obj2txt(oid, sizeof oid, object, 1);
            key = oid;
        }
        unsigned char* raw = nullptr;
        int len = ASN1_STRING_to_UTF8(&raw, X509_NAME_ENTRY_get_data(entry));
        OpenSslBytes utf8(raw);
        if (len < 0) {
            ThrowOpenSsl("decoding " + key + " of a name");
        }
        fields.emplace_back(std::move(key),
                            std::string(reinterpret_cast<char*>(utf8.get()), static_cast<std::size_t>(len)));
    }
    return fields;
}

std::vector<std::string> GeneralNamesText(const GENERAL_NAMES* names) {
    std::vector<std::string> out;
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
        std::string text = GeneralNameText(sk_GENERAL_NAME_value(names, i));
        if (!text.empty()) {
            out.push_back(std::move(text));
        }
    }
    return out;
}

KeyUsageValues MakeKeyUsage(const std::vector<std::string>& names) {
    UniquePtr<ASN1_STRING> bits(ASN1_STRING_type_new(V_ASN1_BIT_STRING));
    UniquePtr<EXTENDED_KEY_USAGE> purposes(sk_ASN1_OBJECT_new_null());
    if (!bits || !purposes) {
        ThrowOpenSsl("allocating key usage");
    }
    bool any_bit = false;
    for (const std::string& name : names) {
        auto bit = std::find(std::begin(kKeyUsageBitNames), std::end(kKeyUsageBitNames), name);
        bool extended = std::any_of(std::begin(kExtendedUsages), std::end(kExtendedUsages),
                                    [&](const ExtendedUsage& u) { return u.name == name; });
        if (bit == std::end(kKeyUsageBitNames) && !extended) {
            throw core::ArgumentError("unknown key usage " + name);
        }
        if (bit != std::end(kKeyUsageBitNames)) {
            if (ASN1_BIT_STRING_set_bit(bits.get(), static_cast<int>(bit - std::begin(kKeyUsageBitNames)), 1) != 1) {
                ThrowOpenSsl("setting key usage");
            }
            any_bit = true;
        }
    }
    // The purposes go in RouterOS order whatever order the names list them in, each once.
    for (const ExtendedUsage& usage : kExtendedUsages) {
        if (std::find(names.begin(), names.end(), usage.name) != names.end() &&
            sk_ASN1_OBJECT_push(purposes.get(), OBJ_nid2obj(usage.nid)) == 0) {
            ThrowOpenSsl("setting extended key usage");
        }
    }
    if (!any_bit) {
        bits.reset();
    }
    if (sk_ASN1_OBJECT_num(purposes.get()) == 0) {
        purposes.reset();
    }
    return KeyUsageValues{std::move(bits), std::move(purposes)};
}

std::vector<std::string> KeyUsageNames(const ASN1_BIT_STRING* bits, const EXTENDED_KEY_USAGE* eku) {
    std::vector<std::string> names;
    for (int bit = 0; bits != nullptr && bit < static_cast<int>(std::size(kKeyUsageBitNames)); ++bit) {
        if (ASN1_BIT_STRING_get_bit(bits, bit) != 0) {
            names.emplace_back(kKeyUsageBitNames[bit]);
        }
    }
    for (const ExtendedUsage& usage : kExtendedUsages) {
        for (int i = 0; eku != nullptr && i < sk_ASN1_OBJECT_num(eku); ++i) {
            if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == usage.nid) {
                names.emplace_back(usage.name);
                break;
            }
        }
    }
    return names;
}

std::chrono::system_clock::time_point ToTimePoint(const ASN1_TIME* time, const char* context) {
    std::tm tm{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
        ThrowOpenSsl(context);
    }
    using std::chrono::duration_cast;
    using std::chrono::hours;
    using std::chrono::minutes;
    using std::chrono::month;
    using std::chrono::seconds;
    using std::chrono::sys_days;
    using std::chrono::year;
    using TimePoint = std::chrono::system_clock::time_point;
    sys_days date = year(tm.tm_year + 1900) / month(static_cast<unsigned>(tm.tm_mon + 1)) /
                    std::chrono::day(static_cast<unsigned>(tm.tm_mday));
    seconds since_epoch =
        duration_cast<seconds>(date.time_since_epoch()) + hours(tm.tm_hour) + minutes(tm.tm_min) + seconds(tm.tm_sec);
    if (since_epoch > duration_cast<seconds>(TimePoint::duration::max())) {
        return TimePoint::max();
    }
    if (since_epoch < duration_cast<seconds>(TimePoint::duration::min())) {
        return TimePoint::min();
    }
    return TimePoint(duration_cast<TimePoint::duration>(since_epoch));
}

core::Error SubjectFieldError(const std::string& field, const std::string& value) {
    std::string message = "invalid subject field " + field;
    message += '=';
    message += value;
    message += ": ";
    message += OpenSslErrors();
    return core::ArgumentError(message);
}

// LoadLegacyProvider: see internal.hpp. Loading any provider explicitly stops
// OpenSSL from loading "default" on demand, so both are loaded. They stay loaded until exit; unloading them
// then (before OpenSSL's own atexit cleanup, which was registered earlier) lets the legacy provider free
// its child library context.
void LoadLegacyProvider() {
    struct Providers {
        UniquePtr<OSSL_PROVIDER> default_provider;
        UniquePtr<OSSL_PROVIDER> legacy;  // null when the module is missing: legacy files then fail with the reason
    };
    static const Providers providers = [] {
        Providers loaded{UniquePtr<OSSL_PROVIDER>(OSSL_PROVIDER_load(nullptr, "default")),
                         UniquePtr<OSSL_PROVIDER>(OSSL_PROVIDER_load(nullptr, "legacy"))};
        ERR_clear_error();
        return loaded;
    }();
}

}  // namespace certos::crypto
