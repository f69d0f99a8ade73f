#pragma once
// The API protocol's sentences <-> the command tree's Request and Result (facts §3.2, §3.3, §3.6, §3.7).

#include <optional>
#include <string>
#include <vector>

#include "api/codec.hpp"
#include "core/error.hpp"
#include "menu/tree.hpp"

namespace certos::api {

// CommandKind separates the API's own commands from those that go to the command tree.
enum class CommandKind {
    kTree,    // a menu command: /certificate/print, /certificate/add ...
    kLogin,   // /login
    kCancel,  // /cancel [=tag=T]
    kQuit,    // /quit
};

// Command is one parsed request sentence.
struct Command {
    CommandKind kind = CommandKind::kTree;
    std::optional<std::string> tag;  // `.tag=X`; empty tags count as none
    // kTree: the requests to run in order. Usually one; a `set` with `=!prop=` words is a `set` of the
    // other properties followed by an `unset value-name=prop,...` (two transactions, not one).
    std::vector<menu::Request> requests;
    // kLogin and kCancel: their `=name=value` attributes.
    std::vector<std::pair<std::string, std::string>> attributes;
};

// ParseCommand maps a sentence onto a Command:
//   `/a/b/verb` -> path /a/b, verb (`getall` is `print`); `=name=value` -> argument (the value may contain
//   `=` and be empty; `=.id=` is the tree's `.id` alias); `=.proplist=a,b` -> proplist; `?...` -> the filter
//   (menu::ParseApiQuery); `.tag=X` -> tag; `=!prop=` -> unset of prop (see Command::requests).
// Throws core::Error: kMissingItem "no such command" for a first word that is not a command, kArgument for a
// word of no known form. The tag is parsed first, so a caller can tag the trap of a failed parse: use
// FindTag for that.
Command ParseCommand(const Sentence& sentence);

// FindTag returns the `.tag=` of a sentence, if any (non-empty).
std::optional<std::string> FindTag(const Sentence& sentence);

// ReplyOptions shape the replies of one command.
struct ReplyOptions {
    std::optional<std::string> tag;  // added as `.tag=X` to every reply sentence
    bool empty_reply = false;        // send `!empty` before `!done` when a print returned no records
};

// RenderResult appends the replies of a successful command: one `!re` per record (`=k=v` for every value, in
// the record's order), then `!empty` (when enabled and there were no records and no return value), then
// `!done`, with `=ret=X` when the result has a return value.
void RenderResult(const menu::Result& result, const ReplyOptions& options, std::string& out);
// RenderRecord appends one record's `!re` sentence (what RenderResult writes for each record) to `out`.
void RenderRecord(const menu::Record& record, const ReplyOptions& options, std::string& out);

// RenderTrap appends `!trap ...` (error_table.hpp) and `!done`.
void RenderTrap(const core::Error& error, const ReplyOptions& options, std::string& out);

// RenderSentence appends one sentence with the tag added.
void RenderSentence(Sentence sentence, const ReplyOptions& options, std::string& out);

}  // namespace certos::api
