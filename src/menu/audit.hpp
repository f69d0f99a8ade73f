#pragma once
// The audit trail: every call that changes something, from any front end (console, `certos -c`, scripts,
// REST, the API protocol, the web UI), leaves one /log entry in RouterOS's form, written by Tree::Execute.

#include <string>

#include "menu/tree.hpp"

namespace certos::menu {

// AuditItems names the items a call acts on (the values of its `numbers` or `number` argument) for its audit
// entry, each id replaced by the item's name when the menu has one (Menu::item_name): "CA,*7". Tree::Execute
// stores it in Call::audit_items before the handler runs.
std::string AuditItems(const Call& call, const Verb& verb);

// AuditMessage is the /log message of a successful call that changed something:
//   "certificate CA-Template added by admin (api 127.0.0.1)", "certificate CA changed by admin (console)",
//   "user bob removed by admin (rest-api 10.0.0.1)", "certificate sign ca by admin (api 127.0.0.1)".
// The verb's log_form chooses the words. Only the items the call names (Call::audit_items, or for an add the
// new item's name or id) appear, never another argument's value, which may be a secret (password,
// export-passphrase).
std::string AuditMessage(const Call& call, const Verb& verb, const Result& result);

// AuditIn writes the call's audit entry into `tx`, a write transaction the handler itself opened (verbs with
// TxNeed::kNone, such as sign), and marks the call audited so that Audit does not write it again.
void AuditIn(Call& call, store::Transaction& tx);

// Audit writes AuditMessage to /log (topics "system,info") when `verb` declares that it changes something
// (Verb::Changes): inside the call's transaction when the verb has a write transaction, otherwise in its own.
// Called by Tree::Execute after the handler returned.
void Audit(const Call& call, const Verb& verb, const Result& result);

}  // namespace certos::menu
