#include "menu/audit.hpp"

#include "menu/auth.hpp"

namespace certos::menu {
namespace {

// ItemNamed is the item a call names: the item argument under any of its aliases, or for an add the new item's
// name or the id it returned.
std::string ItemNamed(const Call& call, const Result& result) {
    for (const auto& [name, value] : call.request.args) {
        if (name == "numbers" || name == "number" || name == ".id") {
            return value;
        }
    }
    if (call.request.verb == "add") {
        if (std::optional<std::string> name = call.args.Get("name")) {
            return *name;
        }
        return result.ret.value_or("");
    }
    return {};
}

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

}  // namespace

std::string AuditMessage(const Call& call, const Verb& verb, const Result& result) {
    std::string item = LogName(ItemNamed(call, result));
    std::string what = MenuWords(call.menu);
    std::string action;
    if (verb.name == "add") {
        action = " added";
    } else if (verb.name == "set" || verb.name == "unset" || verb.name == "reset") {
        action = " changed";
    } else if (verb.name == "remove") {
        action = " removed";
    }
    std::string message = action.empty() ? what + " " + verb.name + (item.empty() ? "" : " " + item)
                                         : what + (item.empty() ? "" : " " + item) + action;
    const Session& session = call.session;
    return message + " by " + LogName(session.user) + " (" + session.via +
           (session.address.empty() ? "" : " " + session.address) + ")";
}

void AuditIn(Call& call, store::Transaction& tx) {
    const Verb* verb = call.menu.FindVerb(call.request.verb);
    if (verb == nullptr || !verb->Changes()) {
        return;
    }
    AppendLog(tx, "system,info", AuditMessage(call, *verb, Result{}));
    call.audited = true;
}

void Audit(const Call& call, const Verb& verb, const Result& result) {
    if (!verb.Changes() || call.audited) {
        return;
    }
    std::string message = AuditMessage(call, verb, result);
    if (verb.tx == TxNeed::kWrite && call.tx != nullptr) {
        AppendLog(*call.tx, "system,info", message);
    } else {
        WriteLog(call.tree, "system,info", message);
    }
}

}  // namespace certos::menu
