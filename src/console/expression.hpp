#pragma once
// Script expressions: the words of `( ... )`, `$( ... )` and of the values script commands take.

#include <cstddef>
#include <functional>
#include <span>

#include "console/syntax.hpp"
#include "console/value.hpp"

namespace certos::console {

// kMaxValueSize bounds the text of a string and the elements of an array an expression builds, so that a
// loop that concatenates for ever fails with an error instead of exhausting memory.
inline constexpr std::size_t kMaxValueSize = 4 * 1024 * 1024;  // bytes of a string
inline constexpr std::size_t kMaxArrayElements = 100'000;      // elements of an array

// PieceValue evaluates one piece that is not plain text (a quote, variable, substitution, block or `$( )`).
using PieceValue = std::function<Value(const Piece&)>;

// EvaluateWords evaluates `words` as one expression. Binding, loosest first: `||`/`or`; `&&`/`and`;
// comparisons `=` `!=` `<` `>` `<=` `>=` `in` `~`; concatenation `.` and `,` (arrays); `+` `-`; `*` `/` `%`;
// prefix `!`/`not`/`-`; postfix `->` (array element by key or position); `( )`. Plain text is typed as a literal
// (script::ParseLiteral); pieces written together concatenate into a string. Throws ParseError kExpectedEnd
// at a misplaced token (`end_offset` when the words stop too early), kTooDeep past kMaxNesting levels of
// `(`/prefix operators, and core::Error (kScript) for operations on values that do not support them.
Value EvaluateWords(std::span<const Word> words, const PieceValue& evaluate, std::size_t end_offset);

}  // namespace certos::console
