#include "menu/tree.hpp"

#include "core/error.hpp"
#include "core/value.hpp"
#include "menu/audit.hpp"
#include "menu/logging.hpp"
#include "menu/monitor.hpp"

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
    if (!session.progress) {
        return;
    }
    session.progress(line.empty() ? Record{} : ProgressStatus(line));
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

bool Tree::RunScript(const Session& session, std::string_view source, std::ostream& out, std::ostream& err) const {
    if (!script_runner_) {
        throw core::Failure("this process cannot run scripts");
    }
    return script_runner_(session, source, out, err);
}

bool Tree::IsSlow(std::string_view path, std::string_view verb) const {
    const Menu* menu = FindMenu(path);
    const Verb* found = menu != nullptr ? menu->FindVerb(verb) : nullptr;
    return found != nullptr && found->slow;
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

// FirstUnknownSegment is the first segment of `path` that names no menu, which RouterOS's error text shows:
// `no such command or directory (backup)` for /system/backup, the same over the API and REST.
std::string FirstUnknownSegment(const Menu& root, std::string_view path) {
    const Menu* menu = &root;
    std::size_t pos = 0;
    while (pos < path.size()) {
        std::size_t end = path.find('/', pos);
        std::string_view part = path.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        if (!part.empty()) {
            menu = menu->FindChild(part);
            if (menu == nullptr) {
                return std::string(part);
            }
        }
        if (end == std::string_view::npos) {
            break;
        }
        pos = end + 1;
    }
    return std::string(path);
}

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

core::Error NotEnoughPermissions() {
    return core::Error(core::ErrorCategory::kPermission, "not enough permissions (9)");
}

// RefuseSensitiveNames stops a session without the sensitive policy from naming a sensitive property of
// `menu`: in a filter (which would be an oracle: `where contents~"^-----BEGIN"`), in a proplist, in get's
// `value-name` or in find's `name=value` shorthand. Properties it does not name are left out of the result
// records instead (StripSensitive), as RouterOS hides them.
void RefuseSensitiveNames(const Menu& menu, const Verb& verb, const Request& request) {
    auto check = [&menu](std::string_view name) {
        const PropertySpec* spec = menu.FindProperty(name);
        if (spec != nullptr && spec->sensitive) {
            throw NotEnoughPermissions();
        }
    };
    if (request.filter) {
        request.filter->ForEachProperty(check);
    }
    for (const std::string& name : request.proplist) {
        check(name);
    }
    for (const auto& [name, value] : request.args) {
        const ArgSpec* arg = FindArgWithAlias(verb, name);
        if (arg == nullptr) {
            continue;  // Validate rejects it
        }
        if (arg->property_ref == PropertyRef::kSelf) {
            check(arg->spec.name);
        } else if (arg->property_ref == PropertyRef::kNames) {
            for (const std::string& listed : core::SplitList(value)) {
                check(listed);
            }
        }
    }
}

// EraseSensitive removes the sensitive properties of `menu` from one record.
void EraseSensitive(const Menu& menu, Record& record) {
    for (const PropertySpec& spec : menu.properties) {
        if (spec.sensitive) {
            record.Erase(spec.name);
        }
    }
}

// StripSensitive removes the sensitive properties of `menu` from the records of a result.
void StripSensitive(const Menu& menu, Result& result) {
    for (Record& record : result.records) {
        EraseSensitive(menu, record);
    }
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
        } else if (arg.spec.default_value) {
            args.Set(arg.spec.name, *arg.spec.default_value);  // the schema is the one place of each default
        }
    }
    if (!missing.empty()) {
        throw core::ArgumentError("missing value(s) of argument(s) " + missing);
    }
    return args;
}

Result Tree::Execute(const Request& request, const Session& session) const {
    auto start = std::chrono::steady_clock::now();
    // Labels come from the tree, never from the request as sent, so that clients cannot grow the label set.
    auto count = [&](bool ok) {
        const Menu* menu = FindMenu(request.path);
        const Verb* verb = menu == nullptr ? nullptr : menu->FindVerb(request.verb);
        metrics_.CountCommand(session.via, verb == nullptr ? "" : menu->path, verb == nullptr ? "" : verb->name, ok,
                              std::chrono::steady_clock::now() - start);
    };
    LogJournal journal(*this);  // what the command logged stays logged if it fails
    try {
        Result result = Run(request, session);
        count(true);
        return result;
    } catch (...) {
        journal.Recover();
        count(false);
        throw;
    }
}

Result Tree::Run(const Request& request, const Session& session) const {
    const Menu* menu = FindMenu(request.path);
    if (menu == nullptr) {
        throw core::Error(core::ErrorCategory::kMissingItem,
                          "no such command or directory (" + FirstUnknownSegment(root_, request.path) + ")");
    }
    const Verb* verb = menu->FindVerb(request.verb);
    if (verb == nullptr) {
        throw core::Error(core::ErrorCategory::kMissingItem, "no such command or directory (" + request.verb + ")");
    }
    if ((session.policies & verb->policy) != verb->policy) {
        throw NotEnoughPermissions();
    }
    if (request.filter) {
        if (!verb->takes_filter) {
            throw core::ArgumentError("expected end of command");
        }
        request.filter->CheckBounds();
    }
    bool sensitive_ok = (session.policies & kPolicySensitive) != 0;
    if (!sensitive_ok) {
        RefuseSensitiveNames(*menu, *verb, request);
    }
    Args args = Validate(request, *verb);
    // Streamed rows lose their sensitive properties as Result::records do (StripSensitive).
    std::optional<Session> stripping;
    if (!sensitive_ok && session.rows) {
        stripping = session;
        stripping->rows = [menu, &rows = session.rows](Record&& row) {
            EraseSensitive(*menu, row);
            rows(std::move(row));
        };
    }
    Call call{*this, *menu, request, stripping ? *stripping : session, args, store_, nullptr};
    Result result;
    if (verb->tx == TxNeed::kNone) {
        call.audit_items = verb->Changes() ? AuditItems(call, *verb) : std::string();
        result = verb->handler(call);
        Audit(call, *verb, result);
    } else {
        std::unique_ptr<store::Transaction> tx =
            store_.Begin(verb->tx == TxNeed::kWrite ? store::TxMode::kWrite : store::TxMode::kRead);
        call.tx = tx.get();
        call.audit_items = verb->Changes() ? AuditItems(call, *verb) : std::string();
        result = verb->handler(call);
        Audit(call, *verb, result);  // in the verb's own write transaction when it has one
        tx->Commit();
    }
    if (!sensitive_ok) {
        StripSensitive(*menu, result);
    }
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
