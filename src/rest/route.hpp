#pragma once
// How a REST method and path map onto the command tree (facts §2).

#include <string>
#include <string_view>

#include "menu/tree.hpp"

namespace certos::rest {

// RestAction is what a request asks of its menu.
enum class RestAction {
    kPrint,    // GET /rest/<menu>
    kGet,      // GET /rest/<menu>/<*ID or name>
    kAdd,      // PUT /rest/<menu>
    kSet,      // PATCH /rest/<menu>/<*ID or name>; PATCH /rest/<single-entry menu>
    kRemove,   // DELETE /rest/<menu>/<*ID or name>
    kCommand,  // POST /rest/<menu>/<verb>
};

// RestRoute is a resolved request.
struct RestRoute {
    RestAction action = RestAction::kPrint;
    const menu::Menu* menu = nullptr;
    std::string item;  // kGet, kSet, kRemove: a canonical `*ID` or a name (empty for a single-entry PATCH)
    std::string verb;  // kCommand
};

// ResolveRoute maps `method` and `path` (what follows /rest, still percent-encoded: "/certificate/*1",
// "/certificate/settings/set") onto the tree: the longest menu path that exists, then at most one more
// segment, an item (`*ID` or name) or a verb. Throws core::Error with RouterOS's texts: an unknown path
// "no such command or directory (x)", a path that does not fit the method "no such command", a name
// lookup in a menu whose items have no name "no such command prefix" (all category kMissingItem, 400).
RestRoute ResolveRoute(const menu::Tree& tree, std::string_view method, std::string_view path);

}  // namespace certos::rest
