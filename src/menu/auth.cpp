#include "menu/auth.hpp"

#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>

#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/digest.hpp"
#include "crypto/password.hpp"
#include "crypto/random.hpp"
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

void WriteLog(const Tree& tree, std::string_view topics, std::string_view message) {
    auto tx = tree.store().Begin(store::TxMode::kWrite);
    store::LogEntry entry;
    entry.time = std::chrono::system_clock::now();
    entry.topics = std::string(topics);
    entry.message = std::string(message);
    tx->AppendLog(entry);
    tx->Commit();
}

Session Authenticate(const Tree& tree, std::string_view user, std::string_view password, std::string_view address,
                     std::string_view via) {
    std::optional<store::ItemRow> row;
    std::optional<store::ItemRow> group;
    {
        auto tx = tree.store().Begin(store::TxMode::kRead);
        row = tx->FindItemByName("user", user);
        if (row) {
            auto it = row->props.find("group");
            group = tx->FindItemByName("user-group", it == row->props.end() ? "" : it->second);
        }
    }
    auto prop = [&](const char* name) {
        auto it = row->props.find(name);
        return it == row->props.end() ? std::string() : it->second;
    };
    bool ok = crypto::VerifyPassword(password, row ? prop("password-hash") : DummyHash()) && row && group &&
              prop("disabled") != "true" && AddressAllowed(prop("address"), address);
    std::string who = "user " + std::string(user) + " ";
    std::string where = "from " + std::string(address) + " via " + std::string(via);
    if (!ok) {
        WriteLog(tree, "system,error,critical", "login failure for " + who + where);
        throw core::Error(core::ErrorCategory::kAuthentication, "invalid user name or password (6)");
    }
    WriteLog(tree, "system,info,account", who + "logged in " + where);
    Session session;
    session.user = row->name;
    auto policy = group->props.find("policy");
    session.policies = ParsePolicies(policy == group->props.end() ? "" : policy->second);
    session.via = std::string(via);
    return session;
}

std::optional<std::string> EnsureAdmin(const Tree& tree) {
    // Looked at first without the write lock: every start runs this, also on a full disk (where a write
    // transaction cannot begin) and while another process writes.
    if (!tree.store().Begin(store::TxMode::kRead)->ListItems("user").empty()) {
        return std::nullopt;
    }
    auto tx = tree.store().Begin(store::TxMode::kWrite);
    if (!tx->ListItems("user").empty()) {
        return std::nullopt;
    }
    const char* env = std::getenv("CERTOS_ADMIN_PASSWORD");
    std::string password = env != nullptr ? env : crypto::HexLower(crypto::RandomBytes(9));
    store::ItemRow admin;
    admin.name = "admin";
    admin.props = {{"group", "full"},
                   {"password-hash", crypto::HashPassword(password)},
                   {"comment", "system default user"},
                   {"disabled", "false"},
                   {"address", ""}};
    tx->InsertItem("user", admin);
    tx->Commit();
    return password;
}

std::string UsersFingerprint(store::Store& store) {
    auto tx = store.Begin(store::TxMode::kRead);
    std::string out;
    for (const char* kind : {"user", "user-group"}) {
        for (const store::ItemRow& row : tx->ListItems(kind)) {
            out += std::string(kind) + ' ' + row.id.ToString() + ' ' + row.name + '\n';
            for (const auto& [key, value] : row.props) {
                if (key != "last-logged-in") {
                    out += key + '=' + value + '\n';
                }
            }
        }
    }
    return out;
}

}  // namespace certos::menu
