#include "menu/audit.hpp"

#include "core/value.hpp"
#include "menu/auth.hpp"

namespace certos::menu {
namespace {

// MenuWords is a menu path as RouterOS's log words it: "/certificate/settings" -> "certificate settings".
std::string MenuWords(const Menu& menu) {
    std::string out = menu.path.substr(menu.path.empty() ? 0 : 1);
    for (char& c : out) {
        if (c == '/') {
            c = ' ';
        }
    }
    return out.empty() ? "system" : out;
}

// ActionWord is how the entry words the verb's action: " added", " changed", " removed", or none (kVerb).
std::string_view ActionWord(LogForm form) {
    switch (form) {
        case LogForm::kAdded:
            return " added";
        case LogForm::kChanged:
            return " changed";
        case LogForm::kRemoved:
            return " removed";
        case LogForm::kVerb:
            break;
    }
    return {};
}

}  // namespace

std::string AuditItems(const Call& call, const Verb& verb) {
    const ArgSpec* item_arg = nullptr;
    for (const ArgSpec& arg : verb.args) {
        if (arg.spec.type == ValueType::kItem && (arg.spec.name == "numbers" || arg.spec.name == "number")) {
            item_arg = &arg;
            break;
        }
    }
    std::optional<std::string> items = item_arg == nullptr ? std::nullopt : call.args.Get(item_arg->spec.name);
    if (!items) {
        return {};
    }
    std::vector<std::string> named;
    for (const std::string& token : core::SplitList(*items)) {
        std::optional<core::ObjectId> id = core::ObjectId::Parse(token);
        std::string name = id && call.menu.item_name ? call.menu.item_name(call, *id) : std::string();
        named.push_back(name.empty() ? token : name);
    }
    return core::JoinList(named);
}

std::string AuditMessage(const Call& call, const Verb& verb, const Result& result) {
    std::string item = call.audit_items;
    if (verb.log_form == LogForm::kAdded && item.empty()) {
        item = call.args.Get("name").value_or(result.ret.value_or(""));
    }
    item = LogName(item);
    std::string what = MenuWords(call.menu);
    std::string_view action = ActionWord(verb.log_form);
    std::string message = action.empty() ? what + " " + verb.name + (item.empty() ? "" : " " + item)
                                         : what + (item.empty() ? "" : " " + item) + std::string(action);
    const Session& session = call.session;
    return message + " by " + LogName(session.user) + " (" + session.via +
           (session.address.empty() ? "" : " " + session.address) + ")";
}

void AuditIn(Call& call, store::Transaction& tx) {
    const Verb* verb = call.menu.FindVerb(call.request.verb);
    if (verb == nullptr || !verb->Changes()) {
        return;
    }
    AppendLog(call.tree, tx, "system,info", AuditMessage(call, *verb, Result{}));
    call.audited = true;
}

void Audit(const Call& call, const Verb& verb, const Result& result) {
    if (!verb.Changes() || call.audited) {
        return;
    }
    std::string message = AuditMessage(call, verb, result);
    if (verb.tx == TxNeed::kWrite && call.tx != nullptr) {
        AppendLog(call.tree, *call.tx, "system,info", message);
    } else {
        WriteLog(call.tree, "system,info", message);
    }
}

}  // namespace certos::menu
