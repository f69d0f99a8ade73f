#pragma once
// The audit trail: every call that changes something, from any front end (console, `certos -c`, scripts,
// REST, the API protocol, the web UI), leaves one /log entry in RouterOS's form, written by Tree::Execute.

#include <string>

#include "menu/tree.hpp"

namespace certos::menu {

// AuditMessage is the /log message of a successful call that changed something:
//   "certificate CA-Template added by admin (api 127.0.0.1)", "certificate *1 changed by admin (console)",
//   "user bob removed by admin (rest-api 10.0.0.1)", "certificate sign ca by admin (api 127.0.0.1)".
// Only the item the call names (numbers, number, .id, or the new item's name or id) appears, never another
// argument's value, which may be a secret (password, export-passphrase).
std::string AuditMessage(const Call& call, const Verb& verb, const Result& result);

// AuditIn writes the call's audit entry into `tx`, a write transaction the handler itself opened (verbs with
// TxNeed::kNone, such as sign), and marks the call audited so that Audit does not write it again.
void AuditIn(Call& call, store::Transaction& tx);

// Audit writes AuditMessage to /log (topics "system,info") when `verb` declares that it changes something
// (Verb::Changes): inside the call's transaction when the verb has a write transaction, otherwise in its own.
// Called by Tree::Execute after the handler returned.
void Audit(const Call& call, const Verb& verb, const Result& result);

}  // namespace certos::menu
