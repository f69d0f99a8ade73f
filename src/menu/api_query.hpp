#pragma once

#include <string>
#include <vector>

#include "menu/filter.hpp"

namespace certos::menu {

// ParseApiQuery turns the query words of an API `print` (`?name=x`, `?>days-valid=90`, `?#|!` ...) into one
// Filter. The REST API's `.query` array carries the same words without the leading `?`; both spellings are
// accepted (a property name never starts with `?`).
//
// The words are evaluated as RouterOS does (MT-API "Queries"): on a boolean stack that starts with an
// endless supply of true, and an item matches when no false is left at the end:
//   `name`         push "item has the property"        `-name`        push "item lacks the property"
//   `name=x`, `=name=x`  push equality                  `<name=x`, `>name=x`  push less / greater than
//   `#ops`         stack operations, in order: `!` negates the top, `&` and `|` pop two values and push their
//                  AND / OR, `.` pushes a copy of the top, and a decimal number pushes a copy of the value that
//                  many places below the top (0 is the top; the index direction is not documented publicly).
// Several words without `#` therefore combine as AND. `.id` values are canonicalised (`*a` -> `*A`).
// Throws core::Error (kArgument, "invalid query word ...") for an empty word or an unknown `#` operation.
// What the words build is bounded (they come from the network): a value deeper than kMaxFilterDepth or a stack
// of more than kMaxFilterTerms nodes throws FilterTooDeep() / FilterTooLarge(). `&` of two ANDs (and `|` of two
// ORs) extends the one AND instead of nesting, so long "any of" chains stay flat.
// An empty word list gives a filter that matches everything.
Filter ParseApiQuery(const std::vector<std::string>& words);

}  // namespace certos::menu
