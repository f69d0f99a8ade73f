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
            word.pieces.push_back(ParseQuoted());
        } else if (c == '$') {
            word.pieces.push_back(ParseVariable());
        } else if (c == '[' || c == '{') {
            Piece nested;
            nested.kind = c == '[' ? Piece::Kind::kSubstitution : Piece::Kind::kBlock;
            nested.offset = pos_++;
            if (++depth_ > kMaxNesting) {
                throw ParseError(ParseError::Kind::kTooDeep, nested.offset);
            }
            nested.body = ParseBody(c == '[' ? Closer::kBracket : Closer::kBrace, nested.offset);
            --depth_;
            word.pieces.push_back(std::move(nested));
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

Piece Lexer::ParseQuoted() {
    Piece quoted;
    quoted.kind = Piece::Kind::kQuoted;
    quoted.offset = pos_++;
    while (true) {
        if (AtEnd()) {
            throw ParseError(ParseError::Kind::kIncomplete, quoted.offset);
        }
        char c = Peek();
        if (c == '"') {
            ++pos_;
            return quoted;
        }
        if (c == '\\') {
            ParseEscape(quoted.text);
        } else {
            quoted.text += c;
            ++pos_;
        }
    }
}

Piece Lexer::ParseVariable() {
    Piece variable;
    variable.kind = Piece::Kind::kVariable;
    variable.offset = pos_++;
    if (Peek() == '"') {
        variable.text = ParseQuoted().text;
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
