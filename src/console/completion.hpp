#pragma once
// Tab completion and `?` help for the interactive console, read from the verbs' schemas.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "menu/tree.hpp"

namespace certos::console {

// CompletionContext is what completion needs from the console: the tree, the current menu and a way to
// list item names of a menu (which runs a `print`), of all items or of those matching a condition.
struct CompletionContext {
    const menu::Tree& tree;
    const menu::Menu& current;
    std::function<std::vector<std::string>(const menu::Menu&)> item_names;
    // matching_names lists the names of the items of a menu that match a filter; unset: item_names is used.
    std::function<std::vector<std::string>(const menu::Menu&, const menu::Filter&)> matching_names = {};
};

// Completion is what may replace the word being typed: `line[start, end)` by one of `candidates`. A
// candidate that ends in '=' (an argument name) takes no space after it; others do.
struct Completion {
    std::size_t start = 0;
    std::vector<std::string> candidates;
};

// Complete offers, for the text before the cursor: menu names and verbs (`/certificate ad` -> add), at the
// root also the global commands (`:put`, `:local`, ...), argument names (`name=`), flags, `where`, values of
// enum and boolean arguments (after `key-size=`, also after a comma of a list), item names for item
// arguments, and property names after `where`. Some arguments offer only the items that fit, as RouterOS
// does: `sign <Tab>` and `template=` templates, `ca=` CAs that hold their key, /ip service `certificate=`
// certificates that hold their key.
Completion Complete(const CompletionContext& context, std::string_view line);

// HelpLines is what `?` shows for the text before the cursor: `name -- help` lines for the menus and verbs
// that can follow, or for the verb's arguments, or the values of the argument being typed.
std::vector<std::string> HelpLines(const CompletionContext& context, std::string_view line);

// CommonPrefix is the longest prefix all candidates share.
std::string CommonPrefix(const std::vector<std::string>& candidates);

// InsideQuote is true when the line ends inside a "..." string (where `?` is an ordinary character).
bool InsideQuote(std::string_view line);

}  // namespace certos::console
