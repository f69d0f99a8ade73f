// The scripting subset of the console: `:put`, `:local`, `:global`, `:set`, `:delay`, `:log`, `:if`,
// `:do ... on-error=`, `:foreach`, `:while`, `:error`, `:len`, and `(...)` expressions.

#include <algorithm>
#include <optional>
#include <thread>

#include "console/interpreter.hpp"
#include "core/duration.hpp"
#include "core/error.hpp"

namespace certos::console {
namespace {

bool IsInteger(std::string_view text) {
    std::size_t start = text.starts_with('-') ? 1 : 0;
    return text.size() > start && text.size() < 19 &&
           std::all_of(text.begin() + static_cast<long>(start), text.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

bool Truthy(const Value& value) { return !value.is_array && (value.text == "true" || value.text == "yes"); }

Value Bool(bool value) { return Value::Text(value ? "true" : "false"); }

// NamedBlock finds `name={...}` among the words and returns its block piece; nullptr when absent.
const Piece* NamedBlock(std::span<const Word> words, std::string_view name) {
    for (const Word& word : words) {
        if (word.pieces.size() == 2 && word.Text() == std::string(name) + "=" &&
            word.pieces[1].kind == Piece::Kind::kBlock) {
            return &word.pieces[1];
        }
    }
    return nullptr;
}

bool IsNamed(const Word& word) {
    std::string_view text = word.Text();
    std::size_t eq = text.find('=');
    return eq != std::string_view::npos && eq > 0 && text.find_first_of("()!<>") == std::string_view::npos &&
           !text.starts_with('$');
}

// Expression evaluates `( ... )` script expressions. Binding, loosest first: `||`/`or`, `&&`/`and`,
// comparisons (= != < > <= >= in), `.` concatenation and integer + -, prefix `!`/`not`/`-`.
class Expression {
public:
    using Evaluate = std::function<Value(std::span<const Piece>)>;

    Expression(const Evaluate& evaluate, std::size_t end_offset) : evaluate_(evaluate), end_offset_(end_offset) {}

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
        bool glue = false;  // a value token may continue (adjacent pieces concatenate)
        for (const Piece& piece : word.pieces) {
            if (piece.kind == Piece::Kind::kOpen || piece.kind == Piece::Kind::kClose) {
                tokens_.push_back({true, piece.text, {}, piece.offset});
                glue = false;
            } else if (piece.kind == Piece::Kind::kText) {
                TokenizeText(piece, word, glue);
            } else {
                AddValue(evaluate_(std::span(&piece, 1)), piece.offset, glue);
            }
        }
    }

    void TokenizeText(const Piece& piece, const Word& word, bool& glue) {
        std::string_view text = piece.text;
        if (word.IsText() &&
            (text == "and" || text == "or" || text == "not" || text == "in" || text == "-" || text == "+")) {
            tokens_.push_back({true, std::string(text), {}, piece.offset});
            glue = false;
            return;
        }
        static constexpr std::string_view kOperators[] = {"&&", "||", "!=", "<=", ">=", "=", "<", ">", "!", ".", "+"};
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
            if (match.empty() || decimal_point) {
                ++i;
                continue;
            }
            if (i > start) {
                AddValue(Value::Text(std::string(text.substr(start, i - start))), piece.offset + start, glue);
            }
            tokens_.push_back({true, std::string(match), {}, piece.offset + i});
            glue = false;
            i += match.size();
            start = i;
        }
        if (start < text.size()) {
            AddValue(Value::Text(std::string(text.substr(start))), piece.offset + start, glue);
        }
    }

    void AddValue(Value value, std::size_t offset, bool& glue) {
        if (glue && !tokens_.empty() && !tokens_.back().is_operator) {
            tokens_.back().value = Value::Text(tokens_.back().value.ToString() + value.ToString());
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
            left = Bool(Truthy(left) || Truthy(right));
        }
        return left;
    }

    Value ParseAnd() {
        Value left = ParseComparison();
        while (PeekOp({"&&", "and"})) {
            ++pos_;
            Value right = ParseComparison();
            left = Bool(Truthy(left) && Truthy(right));
        }
        return left;
    }

    Value ParseComparison() {
        Value left = ParseSum();
        while (PeekOp({"=", "!=", "<", ">", "<=", ">=", "in"})) {
            std::string op = tokens_[pos_++].op;
            Value right = ParseSum();
            left = Bool(Compare(op, left, right));
        }
        return left;
    }

    static bool Compare(const std::string& op, const Value& left, const Value& right) {
        if (op == "in") {
            const auto& items = right.is_array ? right.items : std::vector<std::string>{right.text};
            return std::find(items.begin(), items.end(), left.ToString()) != items.end();
        }
        std::string a = left.ToString();
        std::string b = right.ToString();
        int order = 0;
        if (IsInteger(a) && IsInteger(b)) {
            long long x = std::stoll(a);
            long long y = std::stoll(b);
            order = x < y ? -1 : (x > y ? 1 : 0);
        } else {
            order = a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
        }
        if (op == "=")
            return order == 0;
        if (op == "!=")
            return order != 0;
        if (op == "<")
            return order < 0;
        if (op == ">")
            return order > 0;
        if (op == "<=")
            return order <= 0;
        return order >= 0;
    }

    Value ParseSum() {
        Value left = ParseUnary();
        while (PeekOp({".", "+", "-"})) {
            std::string op = tokens_[pos_++].op;
            Value right = ParseUnary();
            if (op == ".") {
                left = Value::Text(left.ToString() + right.ToString());
                continue;
            }
            if (!IsInteger(left.ToString()) || !IsInteger(right.ToString())) {
                throw core::Error(core::ErrorCategory::kScript,
                                  "cannot " + std::string(op == "+" ? "add" : "subtract") + " these values");
            }
            long long x = std::stoll(left.ToString());
            long long y = std::stoll(right.ToString());
            left = Value::Text(std::to_string(op == "+" ? x + y : x - y));
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
            return Bool(!Truthy(ParseUnary()));
        }
        if (PeekOp({"-"})) {
            Level level(*this);
            ++pos_;
            Value inner = ParseUnary();
            if (!IsInteger(inner.ToString())) {
                throw core::Error(core::ErrorCategory::kScript, "cannot negate this value");
            }
            return Value::Text(std::to_string(-std::stoll(inner.ToString())));
        }
        return ParsePrimary();
    }

    Value ParsePrimary() {
        if (PeekOp({"("})) {
            Level level(*this);
            ++pos_;
            Value inner = ParseOr();
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

    const Evaluate& evaluate_;
    std::size_t end_offset_;
    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;  // open `(` and prefix operators around pos_
};

}  // namespace

Value* Interpreter::FindVariable(std::string_view name, Scope* scope) {
    for (Scope* s = scope; s != nullptr; s = s->parent) {
        auto it = s->variables.find(name);
        if (it != s->variables.end()) {
            return &it->second;
        }
    }
    auto it = globals_.variables.find(name);
    return it == globals_.variables.end() ? nullptr : &it->second;
}

Value Interpreter::EvaluateExpression(std::span<const Word> words, Frame& frame, std::size_t end_offset) {
    Expression::Evaluate evaluate = [&](std::span<const Piece> pieces) { return Evaluate(pieces, frame, *frame.menu); };
    if (words.size() == 1 && words.front().pieces.front().kind != Piece::Kind::kOpen) {
        return evaluate(words.front().pieces);
    }
    return Expression(evaluate, end_offset).Run(words);
}

void Interpreter::CheckScriptCommand(const Statement& statement) {
    static constexpr std::string_view kCommands[] = {"put", "len",   "local", "global", "set", "delay",
                                                     "log", "error", "if",    "while",  "do",  "foreach"};
    const Word& head = statement.words.front();
    std::string_view name = head.Text().substr(1);
    if (std::find(std::begin(kCommands), std::end(kCommands), name) == std::end(kCommands)) {
        throw ParseError(ParseError::Kind::kBadCommand, head.offset + 1, std::string(name));
    }
}

Value Interpreter::ExecuteScriptCommand(const Statement& statement, Frame& frame) {
    const Word& head = statement.words.front();
    std::string name(head.Text().substr(1));
    std::span<const Word> rest = std::span(statement.words).subspan(1);
    std::size_t end = head.offset + head.Text().size();
    auto expect_words = [&](std::size_t most) {
        if (rest.size() > most) {
            throw ParseError(ParseError::Kind::kExpectedEnd, rest[most].offset);
        }
    };

    if (name == "put") {
        PrintLine(EvaluateExpression(rest, frame, end).ToString());
        return {};
    }
    if (name == "len") {
        Value value = EvaluateExpression(rest, frame, end);
        return Value::Text(std::to_string(value.is_array ? value.items.size() : value.text.size()));
    }
    if (name == "local" || name == "global" || name == "set") {
        if (rest.empty() || !rest.front().IsText()) {
            throw ParseError(ParseError::Kind::kExpectedEnd, rest.empty() ? end : rest.front().offset);
        }
        std::string variable(rest.front().Text());
        Value value = rest.size() > 1 ? EvaluateExpression(rest.subspan(1), frame, end) : Value{};
        if (name == "local") {
            frame.scope->variables[variable] = std::move(value);
        } else if (name == "global") {
            globals_.variables[variable] = std::move(value);
        } else if (Value* existing = FindVariable(variable, frame.scope)) {
            *existing = std::move(value);
        } else {
            throw core::Error(core::ErrorCategory::kScript, "no such variable " + variable);
        }
        return {};
    }
    if (name == "delay") {
        expect_words(1);
        std::string text = rest.empty() ? "1s" : EvaluateExpression(rest, frame, end).ToString();
        std::this_thread::sleep_for(core::ParseDuration(text));
        return {};
    }
    if (name == "log") {
        // Accepted for script compatibility; the `/log` menu is fed by the daemon's logger.
        return {};
    }
    if (name == "error") {
        throw core::Error(core::ErrorCategory::kScript, EvaluateExpression(rest, frame, end).ToString());
    }
    if (name == "if" || name == "while") {
        std::vector<Word> condition;
        std::copy_if(rest.begin(), rest.end(), std::back_inserter(condition),
                     [](const Word& w) { return !IsNamed(w); });
        const Piece* then_block = NamedBlock(rest, "do");
        if (then_block == nullptr) {
            throw ParseError(ParseError::Kind::kExpectedEnd, end);
        }
        if (name == "while") {
            while (!quit_ && Truthy(EvaluateExpression(condition, frame, end))) {
                ExecuteBody(then_block->body, frame);
            }
            return {};
        }
        if (Truthy(EvaluateExpression(condition, frame, end))) {
            return ExecuteBody(then_block->body, frame);
        }
        if (const Piece* else_block = NamedBlock(rest, "else")) {
            return ExecuteBody(else_block->body, frame);
        }
        return {};
    }
    if (name == "do") {
        const Piece* body = rest.empty() || rest.front().pieces.front().kind != Piece::Kind::kBlock
                                ? NamedBlock(rest, "do")
                                : &rest.front().pieces.front();
        if (body == nullptr) {
            throw ParseError(ParseError::Kind::kExpectedEnd, end);
        }
        const Piece* on_error = NamedBlock(rest, "on-error");
        if (on_error == nullptr) {
            return ExecuteBody(body->body, frame);
        }
        try {
            return ExecuteBody(body->body, frame);
        } catch (const core::Error&) {
        } catch (const ParseError&) {
        }
        return ExecuteBody(on_error->body, frame);
    }
    if (name == "foreach") {
        const Piece* body = NamedBlock(rest, "do");
        if (rest.empty() || !rest.front().IsText() || body == nullptr) {
            throw ParseError(ParseError::Kind::kExpectedEnd, rest.empty() ? end : rest.front().offset);
        }
        std::optional<Value> list;
        for (const Word& word : rest) {
            if (word.Text().starts_with("in=")) {
                std::vector<Piece> pieces = word.pieces;
                pieces.front().text.erase(0, 3);
                if (pieces.front().text.empty() && pieces.size() > 1) {
                    pieces.erase(pieces.begin());
                }
                list = Evaluate(pieces, frame, *frame.menu);
            }
        }
        if (!list) {
            throw ParseError(ParseError::Kind::kExpectedEnd, end);
        }
        std::vector<std::string> items = list->is_array ? list->items : std::vector<std::string>{list->text};
        for (const std::string& item : items) {
            Scope scope;
            scope.parent = frame.scope;
            scope.variables[std::string(rest.front().Text())] = Value::Text(item);
            Frame inner{frame.menu, &scope, frame.output};
            ExecuteBody(body->body, inner);
        }
        return {};
    }
    throw ParseError(ParseError::Kind::kBadCommand, head.offset + 1, name);
}

}  // namespace certos::console
