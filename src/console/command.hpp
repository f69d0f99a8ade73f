#pragma once
// Turning a statement into a menu::Request: resolve the menu path and verb, check argument names against
// the verb's schema, bind unnamed values, convert item numbers from the last print into `*ID`s.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "console/syntax.hpp"
#include "console/value.hpp"
#include "menu/tree.hpp"

namespace certos::console {

// ItemNumbers remembers, per menu path, the `.id`s of the rows of the last print in this console, so that
// `remove 0` means the first row shown.
class ItemNumbers {
public:
    void Remember(const std::string& path, std::vector<std::string> ids) { ids_[path] = std::move(ids); }
    // Lookup returns the id of row `index` of the last print of `path`; nullopt when there is none.
    std::optional<std::string> Lookup(std::string_view path, std::size_t index) const;

private:
    std::map<std::string, std::vector<std::string>, std::less<>> ids_;
};

// Entry is what one path component names in a menu: a child menu or a verb (or nothing).
struct Entry {
    const menu::Menu* child = nullptr;
    const menu::Verb* verb = nullptr;
};

// FindEntry looks `name` up among the children and verbs of `menu`: an exact name first, else a prefix
// that matches exactly one of them (RouterOS accepts `pr` for `print`).
Entry FindEntry(const menu::Menu& menu, std::string_view name);

// ParentOf returns the menu above `menu` (the root for the root).
const menu::Menu& ParentOf(const menu::Tree& tree, const menu::Menu& menu);

// Target is what the leading words of a statement name.
struct Target {
    const menu::Menu* menu = nullptr;  // the menu the verb belongs to (or the menu to change to)
    const menu::Verb* verb = nullptr;  // nullptr: the statement only changes the current menu
    std::size_t first_argument = 0;    // index of the first word after the verb
};

// ResolveTarget walks the path words (`/certificate print`, `/certificate/print`, `.. settings print`)
// from `current` (from the root for a word starting with '/'). Throws ParseError kBadCommand for a name
// that is neither a menu nor a verb.
Target ResolveTarget(const menu::Tree& tree, const menu::Menu& current, const Statement& statement);

// PieceEvaluator evaluates the pieces of (part of) a word into a value; it runs substitutions.
using PieceEvaluator = std::function<Value(std::span<const Piece>)>;

// Command is a statement ready to run.
struct Command {
    const menu::Menu* menu = nullptr;
    const menu::Verb* verb = nullptr;
    menu::Request request;
    std::set<std::string> flags;        // flag words given (`detail`, `count-only`, ...)
    std::vector<std::string> proplist;  // `proplist=` as given
    // `print follow` / `follow-only` / `interval=`: the console repeats the print until Ctrl-C (never sent to
    // the tree; Interpreter::Repeat).
    bool follow = false;
    bool follow_only = false;
    std::optional<std::string> interval;  // as given; read when the print runs (Interpreter::Repeat)
    // `do={...}` of a verb with monitor arguments (menu::IsMonitorVerb): the console runs it for each status the
    // verb reports, with the status's values as variables ($progress); never sent to the tree.
    std::optional<Piece> monitor_do;
};

// BuildCommand makes the request of a resolved statement. Argument names are checked against the verb's
// schema (exact, alias `.id`/`number`/`numbers`, or unique prefix): an unknown one throws ParseError
// kExpectedEnd at its column, as does an unnamed value the verb has no place for. Values of item
// arguments that are numbers are replaced by the `*ID` of that row of the last print (core::Error
// "no such item" when there is none); with `numbers` null they are left as they are (checking only).
// `where` takes the rest of the statement as a filter expression.
Command BuildCommand(const Target& target, const Statement& statement, const PieceEvaluator& evaluate,
                     const ItemNumbers* numbers);

// FindArgument resolves an argument name of `verb` as BuildCommand does; nullptr when unknown.
const menu::ArgSpec* FindArgument(const menu::Verb& verb, std::string_view name);

}  // namespace certos::console
