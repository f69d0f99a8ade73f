#include "console/lexer.hpp"

namespace certos::console {
namespace {

std::string ErrorText(ParseError::Kind kind, const std::string& name) {
    switch (kind) {
        case ParseError::Kind::kSyntax:
        case ParseError::Kind::kIncomplete:
            return "syntax error";
        case ParseError::Kind::kExpectedEnd:
            return "expected end of command";
        case ParseError::Kind::kBadCommand:
            return "bad command name " + name;
        case ParseError::Kind::kTooDeep:
            return "nesting too deep";
    }
    return "syntax error";
}

bool IsUpperHex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }

bool IsVariableChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

ParseError::ParseError(Kind kind, std::size_t offset, std::string name)
    : kind_(kind), offset_(offset), name_(std::move(name)), text_(ErrorText(kind_, name_)) {}

std::size_t GroupEnd(std::span<const Word> words, std::size_t start) {
    std::size_t depth = 0;
    for (std::size_t i = start; i < words.size(); ++i) {
        Piece::Kind kind = words[i].pieces.front().kind;
        depth += kind == Piece::Kind::kOpen ? 1 : 0;
        depth -= kind == Piece::Kind::kClose ? 1 : 0;
        if (depth == 0) {
            return i;
        }
    }
    throw ParseError(ParseError::Kind::kExpectedEnd, words[start].offset);
}

LineColumn PositionOf(std::string_view source, std::size_t offset) {
    LineColumn position;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset && i < source.size(); ++i) {
        if (source[i] == '\n') {
            ++position.line;
            line_start = i + 1;
        }
    }
    position.column = static_cast<int>(offset - line_start) + 1;
    return position;
}

std::optional<Statement> Lexer::Next() {
    SkipSeparators();
    if (AtEnd()) {
        return std::nullopt;
    }
    Statement statement = ParseStatement(Closer::kNone);
    if (!AtEnd() && (Peek() == ';' || Peek() == '\n')) {
        ++pos_;
    }
    return statement;
}

std::vector<Statement> Lexer::ParseAll() {
    std::vector<Statement> all;
    while (auto statement = Next()) {
        all.push_back(std::move(*statement));
    }
    return all;
}

void Lexer::SkipBlanks() {
    while (!AtEnd()) {
        char c = Peek();
        if (c == ' ' || c == '\t' || c == '\r') {
            ++pos_;
        } else if (c == '\\' && Peek(1) == '\n') {
            pos_ += 2;
        } else if (c == '\\' && Peek(1) == '\r' && Peek(2) == '\n') {
            pos_ += 3;
        } else {
            return;
        }
    }
}

void Lexer::SkipSeparators() {
    while (true) {
        SkipBlanks();
        if (AtEnd()) {
            return;
        }
        char c = Peek();
        if (c == '\n' || c == ';') {
            ++pos_;
        } else if (c == '#') {
            while (!AtEnd() && Peek() != '\n') {
                ++pos_;
            }
        } else {
            return;
        }
    }
}

Statement Lexer::ParseStatement(Closer closer) {
    Statement statement;
    statement.offset = pos_;
    while (true) {
        SkipBlanks();
        if (AtEnd()) {
            break;
        }
        char c = Peek();
        if (c == ';' || c == '\n') {
            break;
        }
        if (c == ']' || c == '}') {
            if ((c == ']' && closer == Closer::kBracket) || (c == '}' && closer == Closer::kBrace)) {
                break;
            }
            throw ParseError(ParseError::Kind::kSyntax, pos_);
        }
        statement.words.push_back(ParseWord());
    }
    return statement;
}

std::vector<Statement> Lexer::ParseBody(Closer closer, std::size_t open_offset) {
    std::vector<Statement> body;
    while (true) {
        SkipSeparators();
        if (AtEnd()) {
            throw ParseError(ParseError::Kind::kIncomplete, open_offset);
        }
        char c = Peek();
        if ((c == ']' && closer == Closer::kBracket) || (c == '}' && closer == Closer::kBrace)) {
            ++pos_;
            return body;
        }
        if (c == ']' || c == '}') {
            throw ParseError(ParseError::Kind::kSyntax, pos_);
        }
        Statement statement = ParseStatement(closer);
        if (!statement.words.empty()) {
            body.push_back(std::move(statement));
        }
    }
}

bool Lexer::EndsWord(char c) const {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == ']' || c == '}') {
        return true;
    }
    return c == '\\' && (Peek(1) == '\n' || (Peek(1) == '\r' && Peek(2) == '\n'));
}

Word Lexer::ParseWord() {
    Word word;
    word.offset = pos_;
    while (!AtEnd()) {
        char c = Peek();
        if (EndsWord(c)) {
            break;
        }
        if (c == '(' || c == ')') {
            if (word.pieces.empty()) {
                Piece paren;
                paren.kind = c == '(' ? Piece::Kind::kOpen : Piece::Kind::kClose;
                paren.text = std::string(1, c);
                paren.offset = pos_++;
                word.pieces.push_back(std::move(paren));
            }
            break;
        }
        if (c == '"') {
            ParseQuoted(word.pieces);
        } else if (c == '$') {
            word.pieces.push_back(ParseVariable());
        } else if (c == '[' || c == '{') {
            word.pieces.push_back(ParseNested());
        } else {
            if (word.pieces.empty() || word.pieces.back().kind != Piece::Kind::kText) {
                Piece text;
                text.offset = pos_;
                word.pieces.push_back(std::move(text));
            }
            if (c == '\\') {
                ParseEscape(word.pieces.back().text);
            } else {
                word.pieces.back().text += c;
                ++pos_;
            }
        }
    }
    return word;
}

Piece Lexer::ParseNested() {
    Piece nested;
    char c = Peek();
    nested.kind = c == '[' ? Piece::Kind::kSubstitution : Piece::Kind::kBlock;
    nested.offset = pos_++;
    if (++depth_ > kMaxNesting) {
        throw ParseError(ParseError::Kind::kTooDeep, nested.offset);
    }
    nested.body = ParseBody(c == '[' ? Closer::kBracket : Closer::kBrace, nested.offset);
    --depth_;
    return nested;
}

Piece Lexer::ParseExpression() {
    Piece expression;
    expression.kind = Piece::Kind::kExpression;
    expression.offset = pos_++;
    if (++depth_ > kMaxNesting) {
        throw ParseError(ParseError::Kind::kTooDeep, expression.offset);
    }
    Statement inner;
    inner.offset = pos_;
    std::size_t open = 0;  // `(` inside, not yet closed
    while (true) {
        SkipBlanks();
        if (AtEnd()) {
            throw ParseError(ParseError::Kind::kIncomplete, expression.offset);
        }
        char c = Peek();
        if (c == ')' && open == 0) {
            ++pos_;
            break;
        }
        if (c == ';' || c == '\n' || c == ']' || c == '}') {
            throw ParseError(ParseError::Kind::kSyntax, pos_);
        }
        Word word = ParseWord();
        Piece::Kind first = word.pieces.empty() ? Piece::Kind::kText : word.pieces.front().kind;
        if (first == Piece::Kind::kOpen) {
            ++open;
        } else if (first == Piece::Kind::kClose) {
            --open;
        }
        inner.words.push_back(std::move(word));
    }
    --depth_;
    expression.body.push_back(std::move(inner));
    return expression;
}

void Lexer::ParseQuoted(std::vector<Piece>& pieces) {
    std::size_t start = pos_++;
    Piece text;
    text.kind = Piece::Kind::kQuoted;
    text.offset = start;
    // A quoted string is one piece, or, with `$var`, `$[...]` or `$(...)` in it, an empty quoted piece first (so
    // that the word stays a string) and the text and substitutions in order.
    std::vector<Piece> parts;
    while (true) {
        if (AtEnd()) {
            throw ParseError(ParseError::Kind::kIncomplete, start);
        }
        char c = Peek();
        if (c == '"') {
            ++pos_;
            break;
        }
        if (c == '\\') {
            ParseEscape(text.text);
        } else if (c == '$' && (IsVariableChar(Peek(1)) || Peek(1) == '[' || Peek(1) == '(')) {
            if (parts.empty()) {
                parts.push_back(Piece{Piece::Kind::kQuoted, {}, {}, start});
            }
            if (!text.text.empty()) {
                parts.push_back(std::move(text));
            }
            text = Piece{Piece::Kind::kQuoted, {}, {}, pos_};
            parts.push_back(ParseVariable());
        } else {
            text.text += c;
            ++pos_;
        }
    }
    if (parts.empty() || !text.text.empty()) {
        parts.push_back(std::move(text));
    }
    for (Piece& part : parts) {
        pieces.push_back(std::move(part));
    }
}

Piece Lexer::ParseVariable() {
    std::size_t start = pos_++;
    if (Peek() == '[') {
        return ParseNested();
    }
    if (Peek() == '(') {
        return ParseExpression();
    }
    Piece variable;
    variable.kind = Piece::Kind::kVariable;
    variable.offset = start;
    if (Peek() == '"') {
        std::vector<Piece> name;
        ParseQuoted(name);
        if (name.size() != 1) {
            throw ParseError(ParseError::Kind::kSyntax, start);
        }
        variable.text = std::move(name.front().text);
    } else {
        while (!AtEnd() && IsVariableChar(Peek())) {
            variable.text += source_[pos_++];
        }
    }
    if (variable.text.empty()) {
        throw ParseError(ParseError::Kind::kSyntax, variable.offset);
    }
    return variable;
}

void Lexer::ParseEscape(std::string& out) {
    std::size_t start = pos_;
    char next = Peek(1);
    if (pos_ + 1 >= source_.size()) {
        throw ParseError(ParseError::Kind::kIncomplete, start);
    }
    if (next == '\n') {
        pos_ += 2;
        return;
    }
    if (next == '\r' && Peek(2) == '\n') {
        pos_ += 3;
        return;
    }
    if (IsUpperHex(next) && IsUpperHex(Peek(2))) {
        out += static_cast<char>(HexValue(next) * 16 + HexValue(Peek(2)));
        pos_ += 3;
        return;
    }
    switch (next) {
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case 't':
            out += '\t';
            break;
        case 'a':
            out += '\a';
            break;
        case 'b':
            out += '\b';
            break;
        case 'f':
            out += '\f';
            break;
        case 'v':
            out += '\v';
            break;
        case '_':
            out += ' ';
            break;
        default:
            out += next;
            break;  // \" \\ \$ \? \[ and any other character stand for themselves
    }
    pos_ += 2;
}

}  // namespace certos::console
