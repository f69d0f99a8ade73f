// The script language's control flow: `:if`, `:while`, `:do` (with `while=` and `on-error=`), `:for`,
// `:foreach`, `:onerror`, `:time`, and calls of user functions (`$f a=1 "x"`, `[$f]`).

#include <chrono>

#include "console/error_text.hpp"
#include "console/interpreter.hpp"
#include "console/script_words.hpp"
#include "core/error.hpp"

namespace certos::console {
namespace {

using script::Type;

[[noreturn]] void ScriptError(const std::string& message) { throw core::Error(core::ErrorCategory::kScript, message); }

// BodyOf finds the code a command runs: its `name={...}` block, else (for `:do`, `:onerror`, `:time`) its
// first bare block.
const Piece* BodyOf(std::span<const Word> words, std::string_view name, bool bare) {
    for (const Word& word : words) {
        if (const Piece* block = NamedBlock(word, name)) {
            return block;
        }
    }
    if (bare) {
        for (const Word& word : words) {
            if (const Piece* block = BareBlock(word)) {
                return block;
            }
        }
    }
    return nullptr;
}

// Counter counts one nested function call for the life of the object; throws past kMaxCallDepth.
class Counter {
public:
    explicit Counter(std::size_t& depth) : depth_(depth) {
        if (depth_ >= kMaxCallDepth) {
            ScriptError("function calls nested too deeply (more than " + std::to_string(kMaxCallDepth) + ")");
        }
        ++depth_;
    }
    ~Counter() { --depth_; }
    Counter(const Counter&) = delete;
    Counter& operator=(const Counter&) = delete;

private:
    std::size_t& depth_;
};

}  // namespace

Value Interpreter::RunCode(const Piece& block, Frame& frame) { return ExecuteBody(block.body, frame); }

std::optional<Value> Interpreter::ExecuteFlow(const std::string& name, std::span<const Word> rest, Frame& frame,
                                              std::size_t end) {
    auto need = [&](const Piece* block) -> const Piece& {
        if (block == nullptr) {
            throw ParseError(ParseError::Kind::kExpectedEnd, end);
        }
        return *block;
    };
    auto condition = [&](const ScriptArgs& args) {
        if (args.unnamed.empty()) {
            throw ParseError(ParseError::Kind::kExpectedEnd, end);
        }
        return script::Truthy(EvaluateExpression(args.unnamed.front(), frame, end));
    };

    if (name == "if") {
        ScriptArgs args = SplitArgs(rest);
        if (condition(args)) {
            return RunCode(need(BodyOf(rest, "do", false)), frame);
        }
        const Piece* otherwise = BodyOf(rest, "else", false);
        return otherwise != nullptr ? RunCode(*otherwise, frame) : Value{};
    }
    if (name == "while") {
        ScriptArgs args = SplitArgs(rest);
        const Piece& body = need(BodyOf(rest, "do", false));
        while (!quit_ && condition(args)) {
            CheckInterrupted();
            RunCode(body, frame);
        }
        return Value{};
    }
    if (name == "do") {
        ScriptArgs args = SplitArgs(rest);
        const Piece& body = need(BodyOf(rest, "do", true));
        if (const std::vector<Word>* loop = args.Named("while")) {
            do {
                CheckInterrupted();
                RunCode(body, frame);
            } while (!quit_ && script::Truthy(EvaluateExpression(*loop, frame, end)));
            return Value{};
        }
        const Piece* on_error = BodyOf(rest, "on-error", false);
        if (on_error == nullptr) {
            return RunCode(body, frame);
        }
        try {
            return RunCode(body, frame);
        } catch (const core::Error& error) {
            if (error.category() == core::ErrorCategory::kInterrupted) {
                throw;
            }
        } catch (const ParseError&) {
        }
        return RunCode(*on_error, frame);
    }
    if (name == "onerror") {
        ScriptArgs args = SplitArgs(rest);
        const Piece* body = BodyOf(rest, "in", true);
        if (args.unnamed.empty() || !args.unnamed.front().front().IsText() || body == nullptr) {
            throw ParseError(ParseError::Kind::kExpectedEnd, rest.empty() ? end : rest.front().offset);
        }
        std::string variable(args.unnamed.front().front().Text());
        std::optional<std::string> failure;
        try {
            RunCode(*body, frame);
        } catch (const core::Error& error) {
            if (error.category() == core::ErrorCategory::kInterrupted) {
                throw;
            }
            failure = ConsoleErrorText(error);
        } catch (const ParseError& error) {
            failure = error.what();
        }
        if (!failure) {
            return Value::Bool(false);
        }
        frame.scope->variables[variable] = Value::Str(*failure);
        if (const Piece* handler = BodyOf(rest, "do", false)) {
            RunCode(*handler, frame);
        }
        return Value::Bool(true);
    }
    if (name == "time") {
        const Piece& body = need(BodyOf(rest, "do", true));
        auto start = std::chrono::steady_clock::now();
        RunCode(body, frame);
        return Value::Time(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
    }
    if (name == "for" || name == "foreach") {
        ScriptArgs args = SplitArgs(rest);
        const Piece& body = need(BodyOf(rest, "do", false));
        if (args.unnamed.empty() || !args.unnamed.front().front().IsText()) {
            throw ParseError(ParseError::Kind::kExpectedEnd, rest.empty() ? end : rest.front().offset);
        }
        std::string variable(args.unnamed.front().front().Text());
        auto run = [&](std::initializer_list<std::pair<std::string, Value>> bound) {
            CheckInterrupted();
            Scope scope;
            scope.parent = frame.scope;
            for (const auto& [key, value] : bound) {
                scope.variables[key] = value;
            }
            Frame inner{frame.menu, &scope, frame.output};
            RunCode(body, inner);
        };
        auto named = [&](std::string_view key) -> Value {
            const std::vector<Word>* words = args.Named(key);
            return words != nullptr ? EvaluateExpression(*words, frame, end) : Value{};
        };
        if (name == "for") {
            Value from = script::ToNum(named("from"));
            Value to = script::ToNum(named("to"));
            Value step = args.Named("step") != nullptr ? script::ToNum(named("step"))
                                                       : Value::Num(from.number <= to.number ? 1 : -1);
            if (from.type != Type::kNum || to.type != Type::kNum || step.type != Type::kNum || step.number == 0) {
                ScriptError(":for needs numbers from= and to= (and a step= other than 0)");
            }
            for (std::int64_t i = from.number; step.number > 0 ? i <= to.number : i >= to.number;) {
                run({{variable, Value::Num(i)}});
                if (quit_ || __builtin_add_overflow(i, step.number, &i)) {
                    break;
                }
            }
            return Value{};
        }
        const std::vector<Word>* in = args.Named("in");
        if (in == nullptr) {
            throw ParseError(ParseError::Kind::kExpectedEnd, end);
        }
        Value list = EvaluateExpression(*in, frame, end);
        if (!list.IsArray()) {
            list = script::ToArray(list.type == Type::kStr ? Value::List({list}) : list);
        }
        std::size_t comma = variable.find(',');
        std::size_t index = 0;
        for (const script::Element& element : list.elements) {
            const Value& item = element.value.front();
            if (comma == std::string::npos) {
                run({{variable, item}});
            } else {
                Value key =
                    element.key.empty() ? Value::Num(static_cast<std::int64_t>(index)) : Value::Str(element.key);
                run({{variable.substr(0, comma), key}, {variable.substr(comma + 1), item}});
            }
            ++index;
            if (quit_) {
                break;
            }
        }
        return Value{};
    }
    return std::nullopt;
}

Value Interpreter::CallFunction(const Value& function, std::string_view name, std::span<const Word> words,
                                Frame& frame) {
    Counter depth(call_depth_);
    ScriptArgs args = SplitArgs(words);
    Scope scope;  // a function sees its arguments and the globals, not its caller's locals
    scope.variables["0"] = Value::Str("$" + std::string(name));
    for (std::size_t i = 0; i < args.unnamed.size(); ++i) {
        scope.variables[std::to_string(i + 1)] = EvaluateExpression(args.unnamed[i], frame, words.front().offset);
    }
    for (const auto& [key, value_words] : args.named) {
        scope.variables[key] = EvaluateExpression(value_words, frame, args.named_offsets[key]);
    }
    Frame inner{frame.menu, &scope, frame.output};
    Value last;
    try {
        for (const Statement& statement : function.code->body) {
            last = Execute(statement, inner);
            if (quit_) {
                break;
            }
        }
    } catch (ReturnSignal& signal) {
        return std::move(signal.value);
    }
    return last;
}

}  // namespace certos::console
