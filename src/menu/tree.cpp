#include "menu/tree.hpp"

#include "core/error.hpp"
#include "menu/audit.hpp"

namespace certos::menu {

std::optional<std::string> Args::Get(std::string_view name) const {
    auto it = values_.find(name);
    if (it == values_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::string Args::GetOr(std::string_view name, std::string_view fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::string(fallback) : it->second;
}

store::Transaction& Call::Tx() const {
    if (tx == nullptr) {
        throw core::Error(core::ErrorCategory::kInternal, "verb has no transaction");
    }
    return *tx;
}

void Call::Progress(std::string_view line) const {
    if (session.progress) {
        session.progress(line);
    }
}

const ArgSpec* Verb::FindArg(std::string_view arg_name) const {
    for (const ArgSpec& arg : args) {
        if (arg.spec.name == arg_name) {
            return &arg;
        }
    }
    return nullptr;
}

const Verb* Menu::FindVerb(std::string_view verb_name) const {
    for (const Verb& verb : verbs) {
        if (verb.name == verb_name) {
            return &verb;
        }
    }
    return nullptr;
}

const Menu* Menu::FindChild(std::string_view child_name) const {
    for (const auto& child : children) {
        if (child->name == child_name) {
            return child.get();
        }
    }
    return nullptr;
}

const PropertySpec* Menu::FindProperty(std::string_view property_name) const {
    for (const PropertySpec& spec : properties) {
        if (spec.name == property_name) {
            return &spec;
        }
    }
    return nullptr;
}

Menu& Menu::AddChild(std::string child_name, std::string child_help) {
    auto child = std::make_unique<Menu>();
    child->path = (path == "/" ? "" : path) + "/" + child_name;
    child->name = std::move(child_name);
    child->help = std::move(child_help);
    children.push_back(std::move(child));
    return *children.back();
}

Tree::Tree(store::Store& store) : store_(store) {
    root_.name = "";
    root_.path = "/";
}

store::FileArea& Tree::files() const {
    if (files_ == nullptr) {
        throw core::Error(core::ErrorCategory::kInternal, "no file area configured");
    }
    return *files_;
}

const Menu* Tree::FindMenu(std::string_view path) const {
    const Menu* menu = &root_;
    std::size_t pos = 0;
    while (pos < path.size()) {
        if (path[pos] == '/') {
            ++pos;
            continue;
        }
        std::size_t end = path.find('/', pos);
        std::string_view part = path.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        menu = menu->FindChild(part);
        if (menu == nullptr) {
            return nullptr;
        }
        if (end == std::string_view::npos) {
            break;
        }
        pos = end + 1;
    }
    return menu;
}

namespace {

// ArgAlias maps the names clients use for the item argument onto the one the verb declares:
// `.id`, `number` and `numbers` are interchangeable (TF sends `number`, others `numbers`).
const ArgSpec* FindArgWithAlias(const Verb& verb, std::string_view name) {
    if (const ArgSpec* arg = verb.FindArg(name)) {
        return arg;
    }
    if (name == ".id" || name == "number" || name == "numbers") {
        for (std::string_view alias : {"numbers", "number"}) {
            if (const ArgSpec* arg = verb.FindArg(alias)) {
                return arg;
            }
        }
    }
    return nullptr;
}

}  // namespace

Args Tree::Validate(const Request& request, const Verb& verb) const {
    Args args;
    for (const auto& [name, raw] : request.args) {
        const ArgSpec* arg = FindArgWithAlias(verb, name);
        if (arg == nullptr) {
            throw core::ArgumentError("unknown parameter " + name);
        }
        args.Set(arg->spec.name, Canonicalize(arg->spec, raw));
    }
    std::string missing;
    for (const ArgSpec& arg : verb.args) {
        if (args.Has(arg.spec.name)) {
            continue;
        }
        if (arg.required) {
            missing += (missing.empty() ? "" : ",") + arg.spec.name;
        }
    }
    if (!missing.empty()) {
        throw core::ArgumentError("missing value(s) of argument(s) " + missing);
    }
    return args;
}

Result Tree::Execute(const Request& request, const Session& session) const {
    const Menu* menu = FindMenu(request.path);
    if (menu == nullptr) {
        throw core::Error(core::ErrorCategory::kMissingItem, "no such command or directory (" + request.path + ")");
    }
    const Verb* verb = menu->FindVerb(request.verb);
    if (verb == nullptr) {
        throw core::Error(core::ErrorCategory::kMissingItem, "no such command or directory (" + request.verb + ")");
    }
    if ((session.policies & verb->policy) != verb->policy) {
        throw core::Error(core::ErrorCategory::kPermission, "not enough permissions (9)");
    }
    if (request.filter && !verb->takes_filter) {
        throw core::ArgumentError("expected end of command");
    }
    Args args = Validate(request, *verb);
    Call call{*this, *menu, request, session, args, store_, nullptr};
    if (verb->tx == TxNeed::kNone) {
        Result result = verb->handler(call);
        Audit(call, *verb, result);
        return result;
    }
    std::unique_ptr<store::Transaction> tx =
        store_.Begin(verb->tx == TxNeed::kWrite ? store::TxMode::kWrite : store::TxMode::kRead);
    call.tx = tx.get();
    Result result = verb->handler(call);
    Audit(call, *verb, result);  // in the verb's own write transaction when it has one
    tx->Commit();
    return result;
}

std::vector<std::pair<std::string, std::string>> BindUnnamed(const Verb& verb,
                                                             const std::vector<std::string>& unnamed) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t next = 0;
    for (const ArgSpec& arg : verb.args) {
        if (next == unnamed.size()) {
            break;
        }
        if (arg.unnamed) {
            out.emplace_back(arg.spec.name, unnamed[next++]);
        }
    }
    if (next != unnamed.size()) {
        throw core::ArgumentError("expected end of command");
    }
    return out;
}

}  // namespace certos::menu
