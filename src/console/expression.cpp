#include "console/expression.hpp"

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace certos::console {
namespace {

using script::Type;

[[noreturn]] void ScriptError(const std::string& message) { throw core::Error(core::ErrorCategory::kScript, message); }

Value Bounded(Value value) {
    if (value.text.size() > kMaxValueSize || value.elements.size() > kMaxArrayElements) {
        ScriptError("value too large");
    }
    return value;
}

bool IsMagnitude(std::string_view text) {
    Type type = script::ParseLiteral(text).type;
    return type == Type::kNum || type == Type::kTime;
}

// Join is the `,` operator: the elements of both sides (a side that is not an array is one element).
Value Join(const Value& left, const Value& right) {
    Value out = left.IsArray() ? left : Value::List({left});
    if (!right.IsArray()) {
        out.Append(right);
    }
    for (const script::Element& element : right.elements) {
        out.Put(element.key, element.value.front());
    }
    return Bounded(std::move(out));
}

bool Matches(const Value& value, const Value& pattern) {
    try {
        return std::regex_search(value.ToString(), std::regex(pattern.ToString(), std::regex::extended));
    } catch (const std::regex_error&) {
        ScriptError("invalid regular expression " + pattern.ToString());
    }
}

class Expression {
public:
    Expression(const PieceValue& evaluate, std::size_t end_offset) : evaluate_(evaluate), end_offset_(end_offset) {}

    Value Run(std::span<const Word> words) {
        for (const Word& word : words) {
            Tokenize(word);
        }
        if (tokens_.empty()) {
            return {};
        }
        Value value = ParseOr();
        if (pos_ < tokens_.size()) {
            Fail();
        }
        return value;
    }

private:
    struct Token {
        bool is_operator = false;
        std::string op;  // operator spelling, "(" or ")"
        Value value;
        std::size_t offset = 0;
    };

    void Tokenize(const Word& word) {
        static constexpr std::string_view kWords[] = {"and", "or", "not", "in", "-", "+", "*", "/", "%", ".", ","};
        if (word.IsText() && std::find(std::begin(kWords), std::end(kWords), word.Text()) != std::end(kWords)) {
            tokens_.push_back({true, std::string(word.Text()), {}, word.offset});
            return;
        }
        bool glue = false;  // a value token may continue (adjacent pieces concatenate)
        for (const Piece& piece : word.pieces) {
            if (piece.kind == Piece::Kind::kOpen || piece.kind == Piece::Kind::kClose) {
                tokens_.push_back({true, piece.text, {}, piece.offset});
                glue = false;
            } else if (piece.kind == Piece::Kind::kText) {
                TokenizeText(piece, glue);
            } else {
                AddValue(evaluate_(piece), piece.offset, glue);
            }
        }
    }

    // SplitsAt is true when `op` at `i` of `text` is an operator rather than part of a literal: `-`, `*` and
    // `/` only after a number or time (`1d-2h`, `4*5`) or right after another value, never inside `10.0.0.0/8`
    // or `*1`.
    bool SplitsAt(std::string_view text, std::size_t start, std::size_t i, std::string_view op, bool glue) const {
        if (op != "-" && op != "*" && op != "/") {
            return true;
        }
        if (i > start) {
            return IsMagnitude(text.substr(start, i - start));
        }
        if (glue) {
            return true;
        }
        bool after_value = !tokens_.empty() && (!tokens_.back().is_operator || tokens_.back().op == ")");
        return op == "/" ? after_value : text.size() == i + 1;
    }

    void TokenizeText(const Piece& piece, bool& glue) {
        static constexpr std::string_view kOperators[] = {"&&", "||", "!=", "<=", ">=", "->", "=", "<", ">",
                                                          "!",  ".",  "+",  "-",  "*",  "/",  "%", "~", ","};
        std::string_view text = piece.text;
        std::size_t start = 0;
        for (std::size_t i = 0; i < text.size();) {
            std::string_view match;
            for (std::string_view op : kOperators) {
                if (text.substr(i).starts_with(op)) {
                    match = op;
                    break;
                }
            }
            bool decimal_point = match == "." && i > 0 && i + 1 < text.size() &&
                                 std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
                                 std::isdigit(static_cast<unsigned char>(text[i + 1]));
            if (match.empty() || decimal_point || !SplitsAt(text, start, i, match, glue || i > start)) {
                ++i;
                continue;
            }
            if (i > start) {
                AddValue(script::ParseLiteral(text.substr(start, i - start)), piece.offset + start, glue);
            }
            tokens_.push_back({true, std::string(match), {}, piece.offset + i});
            glue = false;
            i += match.size();
            start = i;
        }
        if (start < text.size()) {
            AddValue(script::ParseLiteral(text.substr(start)), piece.offset + start, glue);
        }
    }

    void AddValue(Value value, std::size_t offset, bool& glue) {
        if (glue && !tokens_.empty() && !tokens_.back().is_operator) {
            tokens_.back().value = Bounded(Value::Str(tokens_.back().value.ToString() + value.ToString()));
        } else {
            tokens_.push_back({false, {}, std::move(value), offset});
        }
        glue = true;
    }

    bool PeekOp(std::initializer_list<std::string_view> ops) const {
        if (pos_ >= tokens_.size() || !tokens_[pos_].is_operator) {
            return false;
        }
        return std::find(ops.begin(), ops.end(), tokens_[pos_].op) != ops.end();
    }

    [[noreturn]] void Fail() const {
        throw ParseError(ParseError::Kind::kExpectedEnd, pos_ < tokens_.size() ? tokens_[pos_].offset : end_offset_);
    }

    Value ParseOr() {
        Value left = ParseAnd();
        while (PeekOp({"||", "or"})) {
            ++pos_;
            Value right = ParseAnd();
            left = Value::Bool(script::Truthy(left) || script::Truthy(right));
        }
        return left;
    }

    Value ParseAnd() {
        Value left = ParseComparison();
        while (PeekOp({"&&", "and"})) {
            ++pos_;
            Value right = ParseComparison();
            left = Value::Bool(script::Truthy(left) && script::Truthy(right));
        }
        return left;
    }

    Value ParseComparison() {
        Value left = ParseConcat();
        while (PeekOp({"=", "!=", "<", ">", "<=", ">=", "in", "~"})) {
            std::string op = tokens_[pos_++].op;
            Value right = ParseConcat();
            bool result = false;
            if (op == "=" || op == "!=") {
                result = script::Equal(left, right) == (op == "=");
            } else if (op == "in") {
                result = script::Contains(left, right);
            } else if (op == "~") {
                result = Matches(left, right);
            } else {
                int order = script::Compare(left, right);
                result = op == "<" ? order < 0 : op == ">" ? order > 0 : op == "<=" ? order <= 0 : order >= 0;
            }
            left = Value::Bool(result);
        }
        return left;
    }

    Value ParseConcat() {
        Value left = ParseSum();
        while (PeekOp({".", ","})) {
            std::string op = tokens_[pos_++].op;
            Value right = ParseSum();
            left = op == "." ? Bounded(Value::Str(left.ToString() + right.ToString())) : Join(left, right);
        }
        return left;
    }

    Value ParseSum() {
        Value left = ParseProduct();
        while (PeekOp({"+", "-"})) {
            char op = tokens_[pos_++].op.front();
            left = script::Arithmetic(op, left, ParseProduct());
        }
        return left;
    }

    Value ParseProduct() {
        Value left = ParseUnary();
        while (PeekOp({"*", "/", "%"})) {
            char op = tokens_[pos_++].op.front();
            left = script::Arithmetic(op, left, ParseUnary());
        }
        return left;
    }

    // Level counts one more level of `(`, `!`, `not` or `-` at the current token; deeper than kMaxNesting is an
    // error (each level is a recursion); it counts the level back on the way out.
    struct Level {
        explicit Level(Expression& e) : expression(e) {
            if (++expression.depth_ > kMaxNesting) {
                throw ParseError(ParseError::Kind::kTooDeep, expression.tokens_[expression.pos_].offset);
            }
        }
        ~Level() { --expression.depth_; }
        Level(const Level&) = delete;
        Level& operator=(const Level&) = delete;
        Expression& expression;
    };

    Value ParseUnary() {
        if (PeekOp({"!", "not"})) {
            Level level(*this);
            ++pos_;
            return Value::Bool(!script::Truthy(ParseUnary()));
        }
        if (PeekOp({"-"})) {
            Level level(*this);
            ++pos_;
            Value inner = ParseUnary();
            if (inner.type == Type::kTime) {
                return Value::Time(-inner.number);
            }
            return script::Arithmetic('-', Value::Num(0), inner);
        }
        return ParsePostfix();
    }

    Value ParsePostfix() {
        Value value = ParsePrimary();
        while (PeekOp({"->"})) {
            ++pos_;
            Value key = ParsePrimary();
            if (!value.IsArray()) {
                ScriptError("-> needs an array, not " + std::string(script::TypeName(value.type)));
            }
            const Value* element = value.Find(key.ToString());
            value = element != nullptr ? *element : Value{};
        }
        return value;
    }

    Value ParsePrimary() {
        if (PeekOp({"("})) {
            Level level(*this);
            ++pos_;
            Value inner = PeekOp({")"}) ? Value{} : ParseOr();
            if (!PeekOp({")"})) {
                Fail();
            }
            ++pos_;
            return inner;
        }
        if (pos_ >= tokens_.size() || tokens_[pos_].is_operator) {
            Fail();
        }
        return tokens_[pos_++].value;
    }

    const PieceValue& evaluate_;
    std::size_t end_offset_;
    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;  // open `(` and prefix operators around pos_
};

}  // namespace

Value EvaluateWords(std::span<const Word> words, const PieceValue& evaluate, std::size_t end_offset) {
    return Expression(evaluate, end_offset).Run(words);
}

}  // namespace certos::console
