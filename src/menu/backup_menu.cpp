// /system backup: save and load the whole store as one file in /file (store/backup.hpp, docs/backup.md).

#include <chrono>
#include <ctime>

#include "core/error.hpp"
#include "menu/menus.hpp"
#include "store/backup.hpp"

namespace certos::menu {
namespace {

constexpr std::string_view kExtension = ".backup";

Menu& ChildOf(Menu& parent, std::string_view name, std::string help) {
    for (auto& child : parent.children) {
        if (child->name == name) {
            return *child;
        }
    }
    return parent.AddChild(std::string(name), std::move(help));
}

// DefaultName is RouterOS's default backup name, [identity]-[date]-[time], with certos's name for the identity.
std::string DefaultName() {
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm local{};
    localtime_r(&now, &local);
    char text[32];
    std::strftime(text, sizeof text, "certos-%Y%m%d-%H%M", &local);
    return text;
}

// Password is the password a call gives; an empty one is none (RouterOS saves such a backup unencrypted).
std::optional<std::string> Password(const Call& call) {
    std::optional<std::string> password = call.args.Get("password");
    if (password && password->empty()) {
        return std::nullopt;
    }
    return password;
}

Result Save(Call& call) {
    if (call.args.GetOr("encryption", "aes-sha256") != "aes-sha256") {
        throw core::Failure("encryption rc4 is not supported: certos encrypts backups with AES-256-GCM only");
    }
    std::optional<std::string> password = call.args.GetOr("dont-encrypt") == "true" ? std::nullopt : Password(call);
    std::string name = call.args.GetOr("name");
    if (name.empty()) {
        name = DefaultName();
    }
    if (!name.ends_with(kExtension)) {
        name += kExtension;
    }
    call.tree.files().Write(name, store::SaveBackup(call.Tx(), password));
    Result result;
    result.ret = "Configuration backup saved";
    return result;
}

Result Load(Call& call) {
    std::string name = call.args.GetOr("name");
    const store::FileArea& files = call.tree.files();
    if (!files.Exists(name) && files.Exists(name + std::string(kExtension))) {
        name += kExtension;
    }
    std::string file = files.Read(name, store::kMaxBackupSize);
    store::StoreContent content = store::ReadBackup(call.Tx(), file, Password(call));
    // One transaction: the dispatcher commits it with the audit entry, or nothing changes. The generations move,
    // so every session and remembered login is checked again against the restored users.
    call.Tx().ReplaceContent(content);
    Result result;
    result.ret = "System configuration restored";
    return result;
}

}  // namespace

void InstallBackupMenu(Tree& tree) {
    Menu& system = ChildOf(tree.root(), "system", "system");
    Menu& menu = ChildOf(system, "backup", "save and load the whole configuration, keys included");
    // The backup holds every private key and password hash: saving it needs sensitive; loading replaces users
    // and groups, so it needs policy as well (docs/backup.md).
    menu.verbs.push_back(Verb{
        .name = "save",
        .help = "save the whole configuration to /file NAME.backup",
        .args = {Arg("name", "file name (.backup is added)"),
                 Arg("password", "encrypt with a key derived from it (scrypt, AES-256-GCM)", {.sensitive = true}),
                 Arg("encryption", "aes-sha256 (certos: AES-256-GCM)",
                     {.type = ValueType::kEnum, .values = {"aes-sha256", "rc4"}}),
                 Arg("dont-encrypt", "save without encryption (keys stay sealed under the master key)",
                     {.type = ValueType::kBool})},
        .policy = kPolicyWrite | kPolicySensitive,
        .tx = TxNeed::kRead,
        .changes = true,  // writes /file
        .slow = true,     // scrypt
        .shows_ret = true,
        .handler = Save,
    });
    menu.verbs.push_back(Verb{
        .name = "load",
        .help = "replace the whole configuration with a backup from /file",
        .args = {Arg("name", "the backup file", {.required = true}),
                 Arg("password", "the password it was saved with", {.sensitive = true})},
        .policy = kPolicyWrite | kPolicySensitive | kPolicyPolicy,
        .tx = TxNeed::kWrite,
        .slow = true,  // scrypt
        .shows_ret = true,
        .handler = Load,
    });
}

}  // namespace certos::menu
