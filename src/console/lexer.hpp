#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "console/syntax.hpp"

namespace certos::console {

// Lexer turns console text into statements, one at a time, so that a script runs up to its first bad line.
//
// The language (RouterOS console): words are separated by white space; statements by `;` or a line end;
// `\` at a line end continues the line; `#` starts a comment where a statement may start; "..." quotes
// with the escapes \" \\ \n \r \t \a \b \f \v \_ (space) \$ \? and \XX (two hex digits); `$name` and
// `$"name"` are variables; `[...]` is command substitution, `{...}` a block, `(` and `)` stand alone;
// `$[...]` and `$(...)` substitute a command's or an expression's value, also inside "..." (as does `$name`).
//
// The lexer keeps a view of the source; the source must outlive it. Errors throw ParseError; nesting deeper
// than kMaxNesting is ParseError kTooDeep.
class Lexer {
public:
    explicit Lexer(std::string_view source) : source_(source) {}

    // Next returns the next statement with at least one word, or nullopt at the end of the source.
    std::optional<Statement> Next();

    // ParseAll lexes the rest of the source (a console line is parsed whole before it runs).
    std::vector<Statement> ParseAll();

private:
    enum class Closer { kNone, kBracket, kBrace };

    bool AtEnd() const { return pos_ >= source_.size(); }
    char Peek(std::size_t ahead = 0) const { return pos_ + ahead < source_.size() ? source_[pos_ + ahead] : '\0'; }
    // SkipBlanks skips spaces, tabs, carriage returns and `\` line continuations (not line ends).
    void SkipBlanks();
    // SkipSeparators skips blanks, line ends, `;` and comments between statements.
    void SkipSeparators();
    Statement ParseStatement(Closer closer);
    std::vector<Statement> ParseBody(Closer closer, std::size_t open_offset);
    Word ParseWord();
    // ParseQuoted reads "..." into `pieces` (several pieces when it holds `$var`, `$[...]` or `$(...)`).
    void ParseQuoted(std::vector<Piece>& pieces);
    // ParseVariable reads `$name`, `$"name"`, `$[...]` or `$(...)` (pos_ at the `$`).
    Piece ParseVariable();
    // ParseNested reads `[...]` or `{...}` (pos_ at the bracket).
    Piece ParseNested();
    // ParseExpression reads the `(...)` of `$(...)` (pos_ at the parenthesis) into one statement.
    Piece ParseExpression();
    // ParseEscape reads the escape after a backslash (pos_ at the backslash) and appends it to `out`.
    void ParseEscape(std::string& out);
    bool EndsWord(char c) const;

    std::string_view source_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;  // open [ and { around pos_, at most kMaxNesting
};

}  // namespace certos::console
