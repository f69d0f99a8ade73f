#include "menu/auth.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/digest.hpp"
#include "crypto/password.hpp"
#include "crypto/random.hpp"
#include "menu/logging.hpp"
#include "menu/policy.hpp"

namespace certos::menu {
namespace {

// A hash of a random password, verified against when the user does not exist, so an unknown user costs
// the same time as a wrong password.
const std::string& DummyHash() {
    static const std::string hash = crypto::HashPassword(crypto::HexLower(crypto::RandomBytes(16)));
    return hash;
}

struct Address {
    int family = 0;
    unsigned char bytes[16] = {};
};

bool ParseAddress(std::string_view text, Address& out) {
    std::string s(text);
    if (inet_pton(AF_INET, s.c_str(), out.bytes) == 1) {
        out.family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s.c_str(), out.bytes) == 1) {
        out.family = AF_INET6;
        // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is compared as IPv4.
        static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(out.bytes, kMapped, 12) == 0) {
            std::memmove(out.bytes, out.bytes + 12, 4);
            out.family = AF_INET;
        }
        return true;
    }
    return false;
}

bool PrefixMatches(std::string_view prefix, const Address& address) {
    std::size_t slash = prefix.find('/');
    Address network;
    if (!ParseAddress(prefix.substr(0, slash), network) || network.family != address.family) {
        return false;
    }
    int max_bits = network.family == AF_INET ? 32 : 128;
    int bits = slash == std::string_view::npos ? max_bits : std::atoi(std::string(prefix.substr(slash + 1)).c_str());
    if (bits < 0 || bits > max_bits) {
        return false;
    }
    for (int i = 0; i < bits; ++i) {
        int mask = 0x80 >> (i % 8);
        if ((network.bytes[i / 8] & mask) != (address.bytes[i / 8] & mask)) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool AddressAllowed(std::string_view allowed, std::string_view address) {
    if (allowed.empty()) {
        return true;
    }
    Address client;
    if (!ParseAddress(address, client)) {
        return false;
    }
    for (const std::string& prefix : core::SplitList(allowed)) {
        if (PrefixMatches(prefix, client)) {
            return true;
        }
    }
    return false;
}

std::string LogName(std::string_view name) {
    if (name.size() <= kMaxLogName) {
        return std::string(name);
    }
    std::size_t cut = kMaxLogName;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) {
        --cut;  // not inside a UTF-8 sequence
    }
    return std::string(name.substr(0, cut)) + "...";
}

std::string EscapeLogText(std::string_view text, std::size_t max) {
    static constexpr std::string_view kEllipsis = "...";
    std::string out;
    out.reserve(std::min(text.size(), max));
    std::size_t cut = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        auto byte = static_cast<unsigned char>(text[i]);
        std::size_t length = 1;  // of the input piece
        std::string piece;
        if (byte == '\n') {
            piece = "\\n";
        } else if (byte == '\r') {
            piece = "\\r";
        } else if (byte == '\t') {
            piece = "\\t";
        } else if (byte == '\\') {
            piece = "\\\\";
        } else if (byte >= 0x20 && byte < 0x7f) {
            piece = std::string(1, static_cast<char>(byte));
        } else {
            // A well-formed UTF-8 sequence is kept unless it encodes a C1 control (U+0080..U+009F).
            length = byte >= 0xF0 && byte < 0xF5 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 && byte < 0xE0 ? 2 : 1;
            bool valid = byte >= 0xC2 && byte < 0xF5 && i + length <= text.size();
            for (std::size_t k = 1; valid && k < length; ++k) {
                valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
            }
            if (valid && byte == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
                valid = false;
            }
            if (valid) {
                piece = std::string(text.substr(i, length));
            } else {
                static constexpr char kHex[] = "0123456789abcdef";
                piece = {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xF]};
                length = 1;
            }
        }
        if (out.size() + piece.size() > max) {
            out.resize(cut);  // the last piece boundary that leaves room for the ellipsis
            return out + std::string(kEllipsis);
        }
        out += piece;
        if (out.size() + kEllipsis.size() <= max) {
            cut = out.size();
        }
        i += length;
    }
    return out;
}

void AppendLog(const Tree& tree, store::Transaction& tx, std::string_view topics, std::string_view message) {
    store::LogEntry entry;
    // Milliseconds, as the store keeps them, so that LogJournal knows a line it finds stored.
    entry.time = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    entry.topics = EscapeLogText(topics, 128);
    entry.message = EscapeLogText(message);
    RouteLog(tree, tx, entry);
}

void WriteLog(const Tree& tree, std::string_view topics, std::string_view message) {
    auto tx = tree.store().Begin(store::TxMode::kWrite);
    AppendLog(tree, *tx, topics, message);
    tx->Commit();
}

bool TryWriteLog(const Tree& tree, std::string_view topics, std::string_view message) {
    try {
        WriteLog(tree, topics, message);
        return true;
    } catch (const core::Error&) {
        return false;
    }
}

std::uint64_t UsersGeneration(store::Transaction& tx) {
    // Both counters only grow, so their sum changes whenever either does.
    return tx.Generation("item.user") + tx.Generation("item.user-group");
}

std::uint64_t UsersWatch::Generation() {
    // DataVersion is read before the generation: a generation read later is at least as new as that version.
    std::uint64_t version = store_.DataVersion();
    {
        std::lock_guard lock(mutex_);
        if (known_ && version == data_version_) {
            return generation_;
        }
    }
    std::uint64_t generation = 0;
    {
        auto tx = store_.Begin(store::TxMode::kRead);
        generation = UsersGeneration(*tx);
    }
    std::lock_guard lock(mutex_);
    known_ = true;
    data_version_ = version;
    generation_ = generation;
    return generation;
}

namespace {

std::string Prop(const store::ItemRow& row, const char* name) {
    auto it = row.props.find(name);
    return it == row.props.end() ? std::string() : it->second;
}

// Admit returns the policies of `user` when it may log in from `address` with every policy of `required`:
// not disabled, its group exists, the address is allowed. `why` says why not (for the log), or is empty.
std::optional<PolicySet> Admit(store::Transaction& tx, const store::ItemRow& user, std::string_view address,
                               PolicySet required, std::string& why) {
    std::optional<store::ItemRow> group = tx.FindItemByName("user-group", Prop(user, "group"));
    if (!group || Prop(user, "disabled") == "true" || !AddressAllowed(Prop(user, "address"), address)) {
        return std::nullopt;
    }
    PolicySet policies = ParsePolicies(Prop(*group, "policy"));
    if ((policies & required) != required) {
        std::string missing = FormatPolicies(required & ~policies);  // "api,!local,..." : the granted part
        why = " (group has no " + missing.substr(0, missing.find(",!")) + " policy)";
        return std::nullopt;
    }
    return policies;
}

}  // namespace

Session Authenticate(const Tree& tree, std::string_view user, std::string_view password, std::string_view address,
                     std::string_view via, PolicySet required) {
    std::optional<store::ItemRow> row;
    std::optional<PolicySet> policies;
    std::string why;
    auto grant = std::make_shared<Grant>();
    {
        auto tx = tree.store().Begin(store::TxMode::kRead);
        grant->generation = UsersGeneration(*tx);
        row = tx->FindItemByName("user", user);
        if (row) {
            policies = Admit(*tx, *row, address, required, why);
        }
    }
    bool ok = crypto::VerifyPassword(password, row ? Prop(*row, "password-hash") : DummyHash()) && row && policies;
    std::string who = "user " + LogName(user) + " ";
    std::string where = "from " + std::string(address) + " via " + std::string(via);
    if (!ok) {
        tree.metrics().CountLoginFailure(via);
        TryWriteLog(tree, "system,error,critical", "login failure for " + who + where + why);
        throw core::Error(core::ErrorCategory::kAuthentication, "invalid user name or password (6)");
    }
    TryWriteLog(tree, "system,info,account", who + "logged in " + where);
    grant->user_id = row->id;
    grant->password_hash = Prop(*row, "password-hash");
    Session session;
    session.user = row->name;
    session.policies = *policies;
    session.via = std::string(via);
    session.address = std::string(address);
    session.grant = std::move(grant);
    return session;
}

bool RefreshSession(const Tree& tree, UsersWatch& watch, Session& session, PolicySet required) {
    if (!session.grant || watch.Generation() == session.grant->generation) {
        return true;
    }
    auto grant = std::make_shared<Grant>(*session.grant);
    std::optional<PolicySet> policies;
    {
        auto tx = tree.store().Begin(store::TxMode::kRead);
        grant->generation = UsersGeneration(*tx);
        std::optional<store::ItemRow> row = tx->GetItem("user", grant->user_id);
        if (!row || row->name != session.user || Prop(*row, "password-hash") != grant->password_hash) {
            return false;
        }
        std::string why;
        policies = Admit(*tx, *row, session.address, required, why);
    }
    if (!policies) {
        return false;
    }
    session.policies = *policies;
    session.grant = std::move(grant);
    return true;
}

namespace {

// IgnoredAdminPassword says why a CERTOS_ADMIN_PASSWORD given to a store that already has users changes
// nothing, or nullopt when it is admin's password anyway.
std::optional<std::string> IgnoredAdminPassword(store::Transaction& tx, const char* given) {
    std::optional<store::ItemRow> admin = tx.FindItemByName("user", "admin");
    if (!admin) {
        return "CERTOS_ADMIN_PASSWORD is ignored: it sets the password of user admin on the first start only, "
               "and there is no user admin; add one with /user add name=admin group=full password=...";
    }
    auto hash = admin->props.find("password-hash");
    if (hash != admin->props.end() && crypto::VerifyPassword(given, hash->second)) {
        return std::nullopt;
    }
    return "CERTOS_ADMIN_PASSWORD is ignored: it sets the password of user admin on the first start only; "
           "change it with /user set admin password=... (or unset CERTOS_ADMIN_PASSWORD)";
}

// LoginHint tells a new administrator where REST and the API listen (/ip service www and api).
std::string LoginHint(store::Transaction& tx) {
    auto port = [&](const char* service) -> std::string {
        std::optional<store::ItemRow> row = tx.FindItemByName("ip-service", service);
        if (!row) {
            return "?";
        }
        auto it = row->props.find("port");
        return it == row->props.end() ? "?" : it->second;
    };
    return "; while certos serve runs, log in as admin to REST at http://<host>:" + port("www") +
           "/rest (HTTP Basic) and to the API on port " + port("api");
}

}  // namespace

store::ItemRow DefaultAdmin() {
    store::ItemRow admin;
    admin.name = "admin";
    admin.props = {{"group", "full"}, {"comment", "system default user"}, {"disabled", "false"}, {"address", ""}};
    return admin;
}

std::optional<std::string> EnsureAdmin(const Tree& tree, bool check_given) {
    const char* env = std::getenv("CERTOS_ADMIN_PASSWORD");
    // Looked at first without the write lock: every start runs this, also on a full disk (where a write
    // transaction cannot begin) and while another process writes.
    if (auto tx = tree.store().Begin(store::TxMode::kRead); !tx->ListItems("user").empty()) {
        return check_given && env != nullptr ? IgnoredAdminPassword(*tx, env) : std::nullopt;
    }
    auto tx = tree.store().Begin(store::TxMode::kWrite);
    if (!tx->ListItems("user").empty()) {
        return std::nullopt;
    }
    std::string password = env != nullptr ? env : crypto::HexLower(crypto::RandomBytes(9));
    store::ItemRow admin = DefaultAdmin();
    admin.props["password-hash"] = crypto::HashPassword(password);
    tx->InsertItem("user", admin);
    std::string hint = LoginHint(*tx);
    tx->Commit();
    if (env != nullptr) {
        return "created user admin with the password from CERTOS_ADMIN_PASSWORD" + hint;
    }
    return "created user admin with password " + password + hint;
}

}  // namespace certos::menu
