#pragma once

#include <cstddef>
#include <functional>
#include <span>

#include "console/syntax.hpp"
#include "console/value.hpp"
#include "menu/filter.hpp"
#include "menu/tree.hpp"

namespace certos::console {

// ParseWhere turns the words after `where` into a filter over `menu`'s properties.
//
// Grammar, loosest binding first (RouterOS: `not` binds tighter than `and`, `and` tighter than `or`):
//   or      := and (("or" | "||") and)*
//   and     := unary (("and" | "&&") unary)*
//   unary   := ("not" | "!") unary | primary
//   primary := "(" or ")" | PROPERTY [("=" | "!=" | "<" | ">" | "<=" | ">=" | "~" | "in") VALUE]
// A bare PROPERTY is true when the value is set and not "false" (`where trusted`). Operators may touch
// their operands (`days-valid>=30`, `!trusted`); after a comparison operator the rest of the word is the
// value, so `issuer=CN=x,O=y` compares with "CN=x,O=y". Values may be quoted, `$var` or `[...]`.
//
// Throws ParseError kExpectedEnd at the offending word (unknown property, missing value or parenthesis,
// words left over); `end_offset` is the position reported when the expression stops too early.
menu::Filter ParseWhere(const menu::Menu& menu, std::span<const Word> words,
                        const std::function<Value(std::span<const Piece>)>& evaluate, std::size_t end_offset);

}  // namespace certos::console
