#include "console/where.hpp"

#include <optional>
#include <string>
#include <vector>

namespace certos::console {
namespace {

using Op = menu::Filter::Op;

struct Token {
    enum class Kind { kOperand, kCompare, kNot, kAnd, kOr, kIn, kOpen, kClose };
    Kind kind = Kind::kOperand;
    Op op = Op::kEq;    // kCompare
    std::string text;   // kOperand
    bool plain = true;  // kOperand: written as plain text (so it may name a property)
    std::size_t offset = 0;
};

// MatchOperator recognises a comparison or `!` at the start of `text`; returns its length (0: none).
std::size_t MatchOperator(std::string_view text, Token& token) {
    static const std::pair<std::string_view, Op> kCompare[] = {
        {"!=", Op::kNe}, {"<=", Op::kLe}, {">=", Op::kGe},   {"=", Op::kEq},
        {"<", Op::kLt},  {">", Op::kGt},  {"~", Op::kRegex},
    };
    for (const auto& [spelling, op] : kCompare) {
        if (text.starts_with(spelling)) {
            token.kind = Token::Kind::kCompare;
            token.op = op;
            return spelling.size();
        }
    }
    if (text.starts_with('!')) {
        token.kind = Token::Kind::kNot;
        return 1;
    }
    return 0;
}

class WhereParser {
public:
    WhereParser(const menu::Menu& menu, const std::function<Value(std::span<const Piece>)>& evaluate,
                std::size_t end_offset)
        : menu_(menu), evaluate_(evaluate), end_offset_(end_offset) {}

    menu::Filter Parse(std::span<const Word> words) {
        for (const Word& word : words) {
            Tokenize(word);
        }
        if (tokens_.empty()) {
            throw ParseError(ParseError::Kind::kExpectedEnd, end_offset_);
        }
        menu::Filter filter = ParseOr();
        if (pos_ < tokens_.size()) {
            throw ParseError(ParseError::Kind::kExpectedEnd, tokens_[pos_].offset);
        }
        return filter;
    }

private:
    void Tokenize(const Word& word) {
        Piece::Kind first = word.pieces.front().kind;
        if (first == Piece::Kind::kOpen || first == Piece::Kind::kClose) {
            return Push(first == Piece::Kind::kOpen ? Token::Kind::kOpen : Token::Kind::kClose, word.offset);
        }
        if (first == Piece::Kind::kBlock) {
            throw ParseError(ParseError::Kind::kExpectedEnd, word.offset);
        }
        if (word.IsText()) {
            std::string_view text = word.Text();
            if (text == "and" || text == "&&") {
                return Push(Token::Kind::kAnd, word.offset);
            }
            if (text == "or" || text == "||") {
                return Push(Token::Kind::kOr, word.offset);
            }
            if (text == "not") {
                return Push(Token::Kind::kNot, word.offset);
            }
            if (text == "in") {
                return Push(Token::Kind::kIn, word.offset);
            }
        }
        // Split the leading text at operators until a comparison; the rest of the word is one value.
        std::optional<Token> operand;
        bool in_value = false;
        for (const Piece& piece : word.pieces) {
            if (piece.kind == Piece::Kind::kText && !in_value) {
                std::string_view text = piece.text;
                for (std::size_t i = 0; i < text.size();) {
                    Token op;
                    op.offset = piece.offset + i;
                    std::size_t length = MatchOperator(text.substr(i), op);
                    bool unary_not = op.kind == Token::Kind::kNot;
                    if (length == 0 || (unary_not && operand)) {
                        if (!operand) {
                            operand = Token{Token::Kind::kOperand, Op::kEq, {}, true, piece.offset + i};
                        }
                        operand->text += text[i++];
                        continue;
                    }
                    if (operand) {
                        tokens_.push_back(std::move(*operand));
                        operand.reset();
                    }
                    tokens_.push_back(op);
                    i += length;
                    if (!unary_not) {
                        in_value = true;
                        std::string rest(text.substr(i));
                        if (!rest.empty()) {
                            operand = Token{Token::Kind::kOperand, Op::kEq, rest, false, piece.offset + i};
                        }
                        break;
                    }
                }
                continue;
            }
            Value value = evaluate_(std::span(&piece, 1));
            if (!operand) {
                operand = Token{Token::Kind::kOperand, Op::kEq, {}, false, piece.offset};
            }
            operand->text += value.ToArgument();
            operand->plain = false;
        }
        if (operand) {
            tokens_.push_back(std::move(*operand));
        }
    }

    void Push(Token::Kind kind, std::size_t offset) {
        Token token;
        token.kind = kind;
        token.offset = offset;
        tokens_.push_back(token);
    }

    bool Peek(Token::Kind kind) const { return pos_ < tokens_.size() && tokens_[pos_].kind == kind; }

    [[noreturn]] void Fail() const {
        throw ParseError(ParseError::Kind::kExpectedEnd, pos_ < tokens_.size() ? tokens_[pos_].offset : end_offset_);
    }

    menu::Filter ParseOr() {
        std::vector<menu::Filter> terms = {ParseAnd()};
        while (Peek(Token::Kind::kOr)) {
            ++pos_;
            terms.push_back(ParseAnd());
        }
        return terms.size() == 1 ? std::move(terms.front()) : menu::Filter::Or(std::move(terms));
    }

    menu::Filter ParseAnd() {
        std::vector<menu::Filter> terms = {ParseUnary()};
        while (Peek(Token::Kind::kAnd)) {
            ++pos_;
            terms.push_back(ParseUnary());
        }
        return terms.size() == 1 ? std::move(terms.front()) : menu::Filter::And(std::move(terms));
    }

    menu::Filter ParseUnary() {
        if (Peek(Token::Kind::kNot)) {
            Nest();
            ++pos_;
            menu::Filter inner = ParseUnary();
            --depth_;
            return menu::Filter::Not(std::move(inner));
        }
        return ParsePrimary();
    }

    // Nest counts one more level of `(` or `not` at the current token; deeper than kMaxNesting is an error
    // (each level is a recursion here and in every walk over the filter).
    void Nest() {
        if (++depth_ > kMaxNesting) {
            throw ParseError(ParseError::Kind::kTooDeep, tokens_[pos_].offset);
        }
    }

    menu::Filter ParsePrimary() {
        if (Peek(Token::Kind::kOpen)) {
            Nest();
            ++pos_;
            menu::Filter inner = ParseOr();
            --depth_;
            if (!Peek(Token::Kind::kClose)) {
                Fail();
            }
            ++pos_;
            return inner;
        }
        if (!Peek(Token::Kind::kOperand) || !tokens_[pos_].plain || !IsProperty(tokens_[pos_].text)) {
            Fail();
        }
        std::string property = tokens_[pos_++].text;
        if (Peek(Token::Kind::kCompare) || Peek(Token::Kind::kIn)) {
            Op op = tokens_[pos_].kind == Token::Kind::kIn ? Op::kIn : tokens_[pos_].op;
            ++pos_;
            if (!Peek(Token::Kind::kOperand)) {
                Fail();
            }
            return menu::Filter::Compare(op, std::move(property), tokens_[pos_++].text);
        }
        return menu::Filter::Unary(Op::kTruthy, std::move(property));
    }

    bool IsProperty(std::string_view name) const { return name == ".id" || menu_.FindProperty(name) != nullptr; }

    const menu::Menu& menu_;
    const std::function<Value(std::span<const Piece>)>& evaluate_;
    std::size_t end_offset_;
    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;  // open `(` and `not` around pos_
};

}  // namespace

menu::Filter ParseWhere(const menu::Menu& menu, std::span<const Word> words,
                        const std::function<Value(std::span<const Piece>)>& evaluate, std::size_t end_offset) {
    return WhereParser(menu, evaluate, end_offset).Parse(words);
}

}  // namespace certos::console
