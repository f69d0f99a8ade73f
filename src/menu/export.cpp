// `export` on every menu and `/import`: the configuration as a RouterOS script (docs/backup.md).

#include <chrono>
#include <sstream>

#include "core/error.hpp"
#include "core/time_format.hpp"
#include "core/version.hpp"
#include "menu/item_menu.hpp"
#include "menu/menus.hpp"

namespace certos::menu {
namespace {

// kMaxImportSize bounds the script `/import` reads.
constexpr std::uint64_t kMaxImportSize = 4ull << 20;

// SectionPath is a menu's path as an export writes it: "/ip service".
std::string SectionPath(const Menu& menu) {
    std::string path = menu.path;
    for (std::size_t i = 1; i < path.size(); ++i) {
        if (path[i] == '/') {
            path[i] = ' ';
        }
    }
    return path;
}

// WriteSections writes the sections of `menu`'s sub-menus, then its own: a sub-menu's items come first, since
// its parent's refer to them (`/user group` before `/user`).
void WriteSections(const Menu& menu, store::Transaction& tx, const ExportOptions& options, bool terse,
                   std::string& out) {
    for (const auto& child : menu.children) {
        WriteSections(*child, tx, options, terse, out);
    }
    if (!menu.export_lines) {
        return;
    }
    std::vector<std::string> lines = menu.export_lines(tx, options);
    if (lines.empty()) {
        return;
    }
    std::string path = SectionPath(menu);
    if (!terse) {
        out += path + "\n";
    }
    for (const std::string& line : lines) {
        if (terse) {
            out += path;
            out += ' ';
        }
        out += line;
        out += '\n';
    }
}

// FileName is `name` with `extension` appended unless it ends with it already.
std::string FileName(std::string name, std::string_view extension) {
    if (!name.ends_with(extension)) {
        name += extension;
    }
    return name;
}

Result Export(Call& call) {
    ExportOptions options;
    options.verbose = call.args.Has("verbose");
    options.show_sensitive = call.args.Has("show-sensitive");
    if (options.show_sensitive && (call.session.policies & kPolicySensitive) == 0) {
        throw core::Error(core::ErrorCategory::kPermission, "not enough permissions (9)");
    }
    std::string text = "# " + core::FormatDateTime(std::chrono::system_clock::now()) + " by certos " +
                       std::string(core::kCertosVersion) + "\n";
    WriteSections(call.menu, call.Tx(), options, call.args.Has("terse"), text);
    Result result;
    if (std::optional<std::string> file = call.args.Get("file")) {
        call.tree.files().Write(FileName(*file, ".rsc"), text);
        return result;
    }
    result.ret = std::move(text);
    return result;
}

Verb ExportVerb() {
    auto flag = [](const char* name, const char* help) { return Arg(name, help, {.type = ValueType::kFlag}); };
    return Verb{
        .name = "export",
        .help = "print the configuration, or write it to a file, as a script",
        .args = {Arg("file", "write it to /file NAME.rsc instead"),
                 flag("show-sensitive", "with sensitive values (never passwords); needs the sensitive policy"),
                 flag("hide-sensitive", "without sensitive values (the default)"),
                 flag("terse", "the menu's path on every line"), flag("verbose", "with defaults"),
                 flag("compact", "only what differs from defaults (the default)")},
        .tx = TxNeed::kRead,
        .shows_ret = true,
        .handler = Export,
    };
}

void AddExportVerbs(Menu& menu) {
    if (menu.FindVerb("export") == nullptr) {
        menu.verbs.push_back(ExportVerb());
    }
    for (auto& child : menu.children) {
        AddExportVerbs(*child);
    }
}

Result Import(Call& call) {
    std::string name = call.args.GetOr("file-name");
    const store::FileArea& files = call.tree.files();
    if (!files.Exists(name) && files.Exists(name + ".rsc")) {
        name += ".rsc";
    }
    std::string script = files.Read(name, kMaxImportSize);
    std::ostringstream out;
    std::ostringstream err;
    bool ok = call.tree.RunScript(call.session, script, out, err);
    Result result;
    if (call.session.output) {
        call.session.output(out.str());
    } else if (!out.str().empty()) {
        result.ret = out.str();
    }
    if (!ok) {
        std::string reason = err.str();
        while (!reason.empty() && reason.back() == '\n') {
            reason.pop_back();
        }
        throw core::Failure("import of " + name + " stopped: " + reason);
    }
    return result;
}

}  // namespace

void InstallExport(Tree& tree) {
    AddExportVerbs(tree.root());
    tree.root().verbs.push_back(Verb{
        .name = "import",
        .help = "run a script file from /file (an export)",
        .args = {Arg("file-name", "the script, in /file", {.required = true, .unnamed = true}),
                 Arg("verbose", "accepted, as RouterOS's", {.type = ValueType::kBool})},
        // Each command of the script is checked against the session's policies as it runs.
        .policy = kPolicyRead,
        .tx = TxNeed::kNone,
        .changes = false,
        .handler = Import,
    });
}

}  // namespace certos::menu
