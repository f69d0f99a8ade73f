// /file: the files directory (<data>/files) as a RouterOS list menu.

#include <cstdint>

#include "core/error.hpp"
#include "core/time_format.hpp"
#include "menu/list_menu.hpp"
#include "menu/menus.hpp"

namespace certos::menu {
namespace {

// RouterOS returns `contents` only for small files; certos keeps the same bound.
constexpr std::uint64_t kMaxContents = 4095;

// FileId gives a file a stable `.id` derived from its name (FNV-1a), since files live in a directory,
// not in the store.
core::ObjectId FileId(std::string_view name) {
    std::uint32_t hash = 2166136261u;
    for (unsigned char c : name) {
        hash = (hash ^ c) * 16777619u;
    }
    return core::ObjectId(hash);
}

std::string FileType(const store::FileInfo& info) {
    if (info.directory) {
        return "directory";
    }
    std::size_t slash = info.name.rfind('/');
    std::string base = slash == std::string::npos ? info.name : info.name.substr(slash + 1);
    std::size_t dot = base.rfind('.');
    if (dot == std::string::npos || dot == 0) {
        return "file";
    }
    return base.substr(dot) + " file";  // ".crt file", as RouterOS prints it
}

class FileModel : public ListModel {
public:
    std::vector<Record> Items(store::Transaction&) const override { return {}; }

    static std::vector<Record> List(const store::FileArea& files) {
        std::vector<Record> out;
        for (const store::FileInfo& info : files.List()) {
            Record r;
            r.Set(".id", FileId(info.name).ToString());
            r.Set("name", info.name);
            r.Set("type", FileType(info));
            if (!info.directory) {
                r.Set("size", std::to_string(info.size));
            }
            r.Set("creation-time", core::FormatDateTime(info.modified));
            if (!info.directory && info.size <= kMaxContents) {
                r.Set("contents", files.Read(info.name, kMaxContents));
            }
            out.push_back(std::move(r));
        }
        return out;
    }
};

std::string NameOf(const store::FileArea& files, core::ObjectId id) {
    for (const Record& r : FileModel::List(files)) {
        if (r.GetOr(".id") == id.ToString()) {
            return r.GetOr("name");
        }
    }
    throw core::NoSuchItem();
}

std::vector<core::ObjectId> Targets(const Call& call, const char* arg = "numbers") {
    return ResolveItems(FileModel::List(call.tree.files()), call.args.GetOr(arg));
}

}  // namespace

void InstallFileMenu(Tree& tree) {
    Menu& menu = tree.root().AddChild("file", "files: exports land here, imports read from here");
    for (const char* name : {"name", "type", "size", "creation-time", "contents"}) {
        PropertySpec spec;
        spec.name = name;
        spec.type = std::string_view(name) == "size" ? ValueType::kInteger : ValueType::kString;
        spec.quoted = std::string_view(name) == "name" || std::string_view(name) == "contents";
        // Contents may be an exported (encrypted) private key: reading them needs the sensitive policy.
        spec.sensitive = std::string_view(name) == "contents";
        menu.properties.push_back(spec);
    }
    menu.layout.table_columns = [](const std::vector<Record>&) {
        return std::vector<std::string>{"name", "type", "size", "creation-time"};
    };
    menu.layout.detail_properties = [](const Record& r) {
        std::vector<std::string> out;
        for (const auto& [name, value] : r.fields()) {
            if (name != ".id" && name != "contents") {
                out.push_back(name);
            }
        }
        return out;
    };

    menu.item_name = [](const Call& call, core::ObjectId id) {
        for (const Record& r : FileModel::List(call.tree.files())) {
            if (r.GetOr(".id") == id.ToString()) {
                return r.GetOr("name");
            }
        }
        return std::string();
    };
    ArgSpec numbers = Arg("numbers", "files", {.type = ValueType::kItem, .required = true, .unnamed = true});
    menu.verbs.push_back(Verb{
        .name = "add",
        .help = "create a file",
        .args = {Arg("name", "file name", {.required = true}), Arg("contents", "file contents")},
        .policy = kPolicyWrite,
        .tx = TxNeed::kNone,
        .changes = true,
        .log_form = LogForm::kAdded,
        .handler =
            [](Call& call) {
                std::string name = call.args.GetOr("name");
                if (call.tree.files().Exists(name)) {
                    throw core::Failure("file with the same name already exists");
                }
                call.tree.files().Write(name, call.args.GetOr("contents"));
                return Result{.records = {}, .ret = FileId(name).ToString()};
            },
    });
    menu.verbs.push_back(Verb{
        .name = "set",
        .help = "change file contents",
        .args = {numbers, Arg("contents", "new contents")},
        .policy = kPolicyWrite,
        .tx = TxNeed::kNone,
        .changes = true,
        .log_form = LogForm::kChanged,
        .handler =
            [](Call& call) {
                for (core::ObjectId id : Targets(call)) {
                    call.tree.files().Write(NameOf(call.tree.files(), id), call.args.GetOr("contents"));
                }
                return Result{};
            },
    });
    menu.verbs.push_back(Verb{
        .name = "remove",
        .help = "remove files",
        .args = {numbers},
        .policy = kPolicyWrite,
        .tx = TxNeed::kNone,
        .changes = true,
        .log_form = LogForm::kRemoved,
        .handler =
            [](Call& call) {
                std::vector<std::string> names;
                for (core::ObjectId id : Targets(call)) {
                    names.push_back(NameOf(call.tree.files(), id));
                }
                for (const std::string& name : names) {
                    call.tree.files().Remove(name);
                }
                return Result{};
            },
    });
    menu.verbs.push_back(Verb{
        .name = "print",
        .help = "print files",
        .args = PrintArgs(),
        .tx = TxNeed::kNone,
        .takes_filter = true,
        .handler = [](Call& call) { return ApplyPrint(call, FileModel::List(call.tree.files())); },
    });
    menu.verbs.push_back(Verb{
        .name = "get",
        .help = "return a file or one of its properties",
        .args = {Arg("number", "file", {.type = ValueType::kItem, .required = true, .unnamed = true}),
                 // Tree::Execute refuses `contents` here without the sensitive policy.
                 Arg("value-name", "property", {.unnamed = true, .property_ref = PropertyRef::kNames})},
        .tx = TxNeed::kNone,
        .handler = [](Call& call) { return ApplyGet(call, FileModel::List(call.tree.files())); },
    });
}

}  // namespace certos::menu
