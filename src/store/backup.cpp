#include "store/backup.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <limits>

#include "core/error.hpp"
#include "core/version.hpp"
#include "crypto/aead.hpp"
#include "crypto/digest.hpp"
#include "crypto/random.hpp"
#include "store/sealed_keys.hpp"

namespace certos::store {
namespace {

using nlohmann::json;

// The file: kMagic, a format version byte, the header's length (4 bytes, big-endian), the header (a CBOR map:
// encryption, kdf and its parameters, salt, nonce, who made it), then the payload: the CBOR content,
// AES-256-GCM encrypted with everything before it as additional data, or in the clear followed by the SHA-256
// of everything before the digest.
constexpr std::string_view kMagic = "CERTOSBK";
constexpr char kFormatVersion = 1;
constexpr std::size_t kPrefixSize = kMagic.size() + 1 + 4;
constexpr std::size_t kMaxHeaderSize = 4096;
constexpr std::size_t kDigestSize = 32;
constexpr std::size_t kSaltSize = 16;
// kMaxDepth bounds the nesting of the CBOR a file holds (the content needs 5 levels), so that a crafted file
// cannot exhaust the stack of the recursive decoder.
constexpr int kMaxDepth = 8;
constexpr std::string_view kEncrypted = "aes-256-gcm";
constexpr std::string_view kPlain = "none";

[[noreturn]] void ThrowDamaged() { throw core::Failure("backup file is damaged"); }

// DepthSax accepts any CBOR nested at most kMaxDepth deep; it only checks.
class DepthSax final : public nlohmann::json_sax<json> {
public:
    bool start_object(std::size_t /*elements*/) override { return ++depth_ <= kMaxDepth; }
    bool end_object() override { return --depth_ >= 0; }
    bool start_array(std::size_t /*elements*/) override { return ++depth_ <= kMaxDepth; }
    bool end_array() override { return --depth_ >= 0; }
    bool key(string_t& /*key*/) override { return true; }
    bool string(string_t& /*value*/) override { return true; }
    bool null() override { return true; }
    bool boolean(bool /*value*/) override { return true; }
    bool number_integer(number_integer_t /*value*/) override { return true; }
    bool number_unsigned(number_unsigned_t /*value*/) override { return true; }
    bool number_float(number_float_t /*value*/, const string_t& /*text*/) override { return true; }
    bool binary(binary_t& /*value*/) override { return true; }
    bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                     const nlohmann::detail::exception& /*error*/) override {
        return false;
    }

private:
    int depth_ = 0;
};

// ParseCbor decodes CBOR bounded in depth; nullopt for anything else.
std::optional<json> ParseCbor(std::string_view bytes) {
    DepthSax sax;
    if (!json::sax_parse(bytes, &sax, json::input_format_t::cbor, true)) {
        return std::nullopt;
    }
    try {
        return json::from_cbor(bytes);
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

json Binary(std::string_view bytes) { return json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end())); }

std::string FromBinary(const json& value) {
    const json::binary_t& bytes = value.get_binary();
    return {bytes.begin(), bytes.end()};
}

std::int64_t Millis(std::chrono::system_clock::time_point time) {
    return std::chrono::floor<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

core::ObjectId IdFrom(const json& value) {
    auto id = value.get<std::uint64_t>();
    if (id == 0 || id > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        ThrowDamaged();
    }
    return core::ObjectId(id);
}

// Encode is the CBOR of `content`. `keys` holds, per certificate, the key to carry: plain PKCS#8 in an
// encrypted backup, the sealed bytes in a plain one (`sealed` says which).
std::string Encode(const StoreContent& content, const std::vector<std::optional<std::string>>& keys, bool sealed) {
    json certificates = json::array();
    for (std::size_t i = 0; i < content.certificates.size(); ++i) {
        const CertificateRow& row = content.certificates[i].row;
        json cert = {{"id", row.id.value()}, {"name", row.name}, {"props", row.props}, {"der", Binary(row.der)}};
        if (row.issuer_id) {
            cert["issuer"] = row.issuer_id->value();
        }
        if (keys[i]) {
            cert[sealed ? "sealed-key" : "key"] = Binary(*keys[i]);
        }
        certificates.push_back(std::move(cert));
    }
    json items = json::object();
    for (const auto& [kind, rows] : content.items) {
        json list = json::array();
        for (const ItemRow& row : rows) {
            list.push_back({{"id", row.id.value()}, {"name", row.name}, {"props", row.props}});
        }
        items[kind] = std::move(list);
    }
    json settings = json::array();
    for (const SettingRow& setting : content.settings) {
        settings.push_back({setting.section, setting.key, setting.value});
    }
    json blobs = json::array();
    for (const BlobRow& blob : content.blobs) {
        blobs.push_back({{"kind", blob.kind},
                         {"owner", blob.owner.value()},
                         {"number", blob.number},
                         {"data", Binary(blob.data)},
                         {"updated", Millis(blob.updated)}});
    }
    json body = {{"certificates", std::move(certificates)},
                 {"items", std::move(items)},
                 {"settings", std::move(settings)},
                 {"blobs", std::move(blobs)},
                 {"counters", content.counters}};
    try {
        std::vector<std::uint8_t> bytes = json::to_cbor(body);
        return {bytes.begin(), bytes.end()};
    } catch (const json::exception&) {
        throw core::Failure("cannot save backup: a stored value is not valid UTF-8");
    }
}

// Decoded is the content of a backup with its keys as the file holds them.
struct Decoded {
    StoreContent content;
    std::vector<std::optional<std::string>> keys;  // per certificate: plain or sealed (as the file says)
};

Decoded Decode(const json& body) {
    Decoded out;
    for (const json& cert : body.at("certificates")) {
        CertificateContent& entry = out.content.certificates.emplace_back();
        entry.row.id = IdFrom(cert.at("id"));
        entry.row.name = cert.at("name").get<std::string>();
        entry.row.props = cert.at("props").get<std::map<std::string, std::string>>();
        entry.row.der = FromBinary(cert.at("der"));
        if (cert.contains("issuer")) {
            entry.row.issuer_id = IdFrom(cert.at("issuer"));
        }
        std::optional<std::string>& key = out.keys.emplace_back();
        for (const char* name : {"key", "sealed-key"}) {
            if (cert.contains(name)) {
                key = FromBinary(cert.at(name));
            }
        }
        entry.row.has_key = key.has_value();
    }
    for (const auto& [kind, rows] : body.at("items").items()) {
        std::vector<ItemRow>& list = out.content.items[kind];
        for (const json& item : rows) {
            list.push_back(ItemRow{IdFrom(item.at("id")), item.at("name").get<std::string>(),
                                   item.at("props").get<std::map<std::string, std::string>>()});
        }
    }
    for (const json& setting : body.at("settings")) {
        out.content.settings.push_back(SettingRow{setting.at(0).get<std::string>(), setting.at(1).get<std::string>(),
                                                  setting.at(2).get<std::string>()});
    }
    for (const json& blob : body.at("blobs")) {
        BlobRow& row = out.content.blobs.emplace_back();
        row.kind = blob.at("kind").get<std::string>();
        row.owner = IdFrom(blob.at("owner"));
        row.number = blob.at("number").get<std::uint64_t>();
        row.data = FromBinary(blob.at("data"));
        row.updated =
            std::chrono::system_clock::time_point(std::chrono::milliseconds(blob.at("updated").get<std::int64_t>()));
    }
    out.content.counters = body.at("counters").get<std::map<std::string, std::uint64_t>>();
    // What the store keeps for itself is never taken from a file (ReplaceContent refuses it).
    for (const SettingRow& setting : out.content.settings) {
        if (setting.section == kMasterKeySection) {
            ThrowDamaged();
        }
    }
    for (const auto& [name, value] : out.content.counters) {
        if (name.starts_with("store:")) {
            ThrowDamaged();
        }
    }
    return out;
}

std::string Prefix(std::size_t header_size) {
    std::string prefix(kMagic);
    prefix += kFormatVersion;
    for (int shift = 24; shift >= 0; shift -= 8) {
        prefix += static_cast<char>((header_size >> shift) & 0xff);
    }
    return prefix;
}

const KeySealer& Sealer(Transaction& tx) {
    if (!tx.sealer()) {
        throw core::Error(core::ErrorCategory::kInternal, "a backup needs a store opened through OpenStore");
    }
    return *tx.sealer();
}

crypto::ScryptParams ParamsOf(const json& header) {
    crypto::ScryptParams params{.n = header.at("n").get<std::uint64_t>(),
                                .r = header.at("r").get<std::uint64_t>(),
                                .p = header.at("p").get<std::uint64_t>()};
    // Bounded before any work: scrypt's memory (128 * N * r, also capped by DeriveScryptKey) and time (N * r * p).
    if (params.n < 2 || params.n > (std::uint64_t{1} << 22) || (params.n & (params.n - 1)) != 0 || params.r == 0 ||
        params.r > 64 || params.p == 0 || params.p > 64 || params.n * params.r * params.p > (std::uint64_t{1} << 24)) {
        throw core::Failure("backup file asks for scrypt parameters beyond certos's bounds");
    }
    return params;
}

// OpenPayload returns the CBOR content of `file` after checking it: the digest of a plain backup, the password
// of an encrypted one. `encrypted` tells which it was.
std::string OpenPayload(std::string_view file, const std::optional<std::string>& password, bool& encrypted) {
    if (file.size() < kPrefixSize || file.substr(0, kMagic.size()) != kMagic) {
        throw core::Failure("not a certos backup file");
    }
    if (file[kMagic.size()] != kFormatVersion) {
        throw core::Failure("backup file format " + std::to_string(static_cast<unsigned char>(file[kMagic.size()])) +
                            " is not supported by this certos");
    }
    std::size_t header_size = 0;
    for (std::size_t i = kMagic.size() + 1; i < kPrefixSize; ++i) {
        header_size = (header_size << 8) | static_cast<unsigned char>(file[i]);
    }
    if (header_size > kMaxHeaderSize || file.size() < kPrefixSize + header_size) {
        ThrowDamaged();
    }
    std::optional<json> header = ParseCbor(file.substr(kPrefixSize, header_size));
    std::string_view before_payload = file.substr(0, kPrefixSize + header_size);
    std::string_view payload = file.substr(before_payload.size());
    try {
        if (!header || !header->is_object()) {
            ThrowDamaged();
        }
        std::string encryption = header->at("encryption").get<std::string>();
        if (encryption == kPlain) {
            encrypted = false;
            if (payload.size() < kDigestSize) {
                ThrowDamaged();
            }
            std::string_view body = payload.substr(0, payload.size() - kDigestSize);
            std::string_view covered = file.substr(0, file.size() - kDigestSize);
            if (crypto::Digest(crypto::DigestAlgorithm::kSha256, covered) != payload.substr(body.size())) {
                ThrowDamaged();
            }
            return std::string(body);
        }
        if (encryption != kEncrypted || header->at("kdf").get<std::string>() != "scrypt") {
            throw core::Failure("backup file is encrypted with " + encryption + ", which certos does not support");
        }
        encrypted = true;
        if (!password) {
            throw core::Failure("wrong password (this backup was saved with one)");
        }
        std::string salt = FromBinary(header->at("salt"));
        std::string nonce = FromBinary(header->at("nonce"));
        if (nonce.size() != crypto::kAeadNonceSize) {
            ThrowDamaged();
        }
        std::string key = crypto::DeriveScryptKey(*password, salt, ParamsOf(*header), crypto::kAeadKeySize);
        std::optional<std::string> body = crypto::AeadOpen(key, nonce, payload, before_payload);
        if (!body) {
            // GCM cannot tell a wrong password from altered bytes.
            throw core::Failure("wrong password or damaged backup file");
        }
        return std::move(*body);
    } catch (const json::exception&) {
        ThrowDamaged();
    }
}

}  // namespace

std::string SaveBackup(Transaction& tx, const std::optional<std::string>& password) {
    const KeySealer& sealer = Sealer(tx);
    StoreContent content = tx.DumpContent();
    std::vector<std::optional<std::string>> keys;
    keys.reserve(content.certificates.size());
    for (const CertificateContent& cert : content.certificates) {
        if (!cert.sealed_key) {
            keys.emplace_back();
        } else {
            keys.emplace_back(password ? sealer.Open(cert.row.id, *cert.sealed_key) : *cert.sealed_key);
        }
    }
    std::string body = Encode(content, keys, !password.has_value());
    json header = {{"created-by", "certos " + std::string(core::kCertosVersion)}};
    if (!password) {
        header["encryption"] = kPlain;
        std::vector<std::uint8_t> header_bytes = json::to_cbor(header);
        std::string file = Prefix(header_bytes.size()) + std::string(header_bytes.begin(), header_bytes.end()) + body;
        return file + crypto::Digest(crypto::DigestAlgorithm::kSha256, file);
    }
    std::string salt = crypto::RandomBytes(kSaltSize);
    std::string nonce = crypto::RandomBytes(crypto::kAeadNonceSize);
    header["encryption"] = kEncrypted;
    header["kdf"] = "scrypt";
    header["n"] = kBackupScryptN;
    header["r"] = kBackupScryptR;
    header["p"] = kBackupScryptP;
    header["salt"] = Binary(salt);
    header["nonce"] = Binary(nonce);
    std::vector<std::uint8_t> header_bytes = json::to_cbor(header);
    std::string before = Prefix(header_bytes.size()) + std::string(header_bytes.begin(), header_bytes.end());
    std::string key = crypto::DeriveScryptKey(
        *password, salt, crypto::ScryptParams{.n = kBackupScryptN, .r = kBackupScryptR, .p = kBackupScryptP},
        crypto::kAeadKeySize);
    return before + crypto::AeadSeal(key, nonce, body, before);
}

StoreContent ReadBackup(Transaction& tx, std::string_view file, const std::optional<std::string>& password) {
    const KeySealer& sealer = Sealer(tx);
    bool encrypted = false;
    std::string payload = OpenPayload(file, password, encrypted);
    std::optional<json> body = ParseCbor(payload);
    if (!body || !body->is_object()) {
        ThrowDamaged();
    }
    Decoded decoded;
    try {
        decoded = Decode(*body);
    } catch (const json::exception&) {
        ThrowDamaged();
    }
    for (std::size_t i = 0; i < decoded.content.certificates.size(); ++i) {
        CertificateContent& cert = decoded.content.certificates[i];
        std::optional<std::string>& key = decoded.keys[i];
        if (!key) {
            continue;
        }
        if (encrypted) {
            cert.sealed_key = sealer.Seal(cert.row.id, *key);
            continue;
        }
        try {
            sealer.Open(cert.row.id, *key);
        } catch (const core::Error&) {
            throw core::Failure(
                "this backup was saved without a password: its private keys are sealed under the master key of "
                "the certos that saved it, not under this one's; save it there again with password=");
        }
        cert.sealed_key = std::move(*key);
    }
    return std::move(decoded.content);
}

}  // namespace certos::store
