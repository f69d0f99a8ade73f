#pragma once
// The console language's syntax tree: what the lexer makes of a line or a script before anything runs.

#include <cstddef>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace certos::console {

struct Statement;

// kMaxNesting bounds how deeply console text may nest ([ ] and { } in the lexer, ( ), `!` and `not` in `where`
// and `( )` expressions): every stage walks the nesting by recursion, so unbounded input would overflow the stack.
inline constexpr std::size_t kMaxNesting = 100;

// Piece is one lexical element of a word. Pieces written next to each other without white space form one
// word (`name="a b"` is the text piece `name=` followed by the quoted piece `a b`).
struct Piece {
    enum class Kind {
        kText,          // unquoted text, escapes already applied
        kQuoted,        // "..." with escapes applied; never split again
        kVariable,      // $name
        kSubstitution,  // [ ... ] : `body` holds the inner statements
        kBlock,         // { ... } : `body` holds the statements (for do={...})
        kOpen,          // (
        kClose,         // )
        kExpression,    // $( ... ) : `body` holds one statement, the expression's words
    };
    Kind kind = Kind::kText;
    std::string text;             // kText, kQuoted: the characters; kVariable: the name
    std::vector<Statement> body;  // kSubstitution, kBlock, kExpression
    std::size_t offset = 0;       // where the piece starts in the source (for error positions)
};

// Word is a run of adjacent pieces.
struct Word {
    std::vector<Piece> pieces;
    std::size_t offset = 0;

    // IsText is true for a word that is one plain text piece (paths, verbs, flags, keywords).
    bool IsText() const { return pieces.size() == 1 && pieces.front().kind == Piece::Kind::kText; }
    // Text returns the first piece's text when it is a text piece, else "".
    std::string_view Text() const {
        return !pieces.empty() && pieces.front().kind == Piece::Kind::kText ? std::string_view(pieces.front().text)
                                                                            : std::string_view();
    }
};

// Statement is one command: the words between separators (`;`, a line end, or the end of a block).
struct Statement {
    std::vector<Word> words;
    std::size_t offset = 0;
};

// ParseError is a console syntax error at a source offset. The console renders it as RouterOS does, with
// the position: "expected end of command (line 1 column 5)", "bad command name foo (line 1 column 2)".
class ParseError : public std::exception {
public:
    enum class Kind {
        kSyntax,       // "syntax error"
        kIncomplete,   // unterminated quote or bracket: "syntax error" (the interactive console reads on)
        kExpectedEnd,  // "expected end of command": unknown argument, extra value
        kBadCommand,   // "bad command name NAME"
        kTooDeep,      // "nesting too deep": more than kMaxNesting levels of [ ] { } ( ) or `!`/`not`
    };

    ParseError(Kind kind, std::size_t offset, std::string name = {});

    Kind kind() const noexcept { return kind_; }
    std::size_t offset() const noexcept { return offset_; }
    const std::string& name() const noexcept { return name_; }
    // what() is the text without the position ("bad command name foo").
    const char* what() const noexcept override { return text_.c_str(); }

private:
    Kind kind_;
    std::size_t offset_;
    std::string name_;
    std::string text_;
};

// GroupEnd returns the index of the word that closes the `( ... )` group opening at words[start] (words whose
// first piece is kOpen or kClose count the depth). Throws ParseError kExpectedEnd at words[start] when the group
// is not closed.
std::size_t GroupEnd(std::span<const Word> words, std::size_t start);

// LineColumn is a 1-based position in a source text.
struct LineColumn {
    int line = 1;
    int column = 1;
};

// PositionOf converts a byte offset of `source` into a line and column (both 1-based).
LineColumn PositionOf(std::string_view source, std::size_t offset);

}  // namespace certos::console

namespace certos::script {

// Code is a function body: the statements of a `do={ ... }` block or of a `:parse`d text.
struct Code {
    std::vector<console::Statement> body;
};

}  // namespace certos::script
