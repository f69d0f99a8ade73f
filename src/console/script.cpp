// The script commands that compute and print values: `:put`, `:local`, `:global`, `:set`, `:typeof`, the
// conversions, `:len`, `:pick`, `:find`, `:range`, `:timestamp`, `:delay`, `:log`, `:error`, `:return`,
// `:parse`; and the refusal of RouterOS commands certos does not have. Control flow is in script_flow.cpp.

#include <algorithm>
#include <chrono>
#include <iterator>

#include "console/expression.hpp"
#include "console/interpreter.hpp"
#include "console/lexer.hpp"
#include "console/script_words.hpp"
#include "core/error.hpp"

namespace certos::console {
namespace {

using script::Type;

constexpr std::string_view kCommands[] = {
    "put",     "len",         "typeof",  "local",   "global",  "set",     "delay",   "log",       "error",
    "return",  "if",          "while",   "do",      "foreach", "for",     "onerror", "tostr",     "tonum",
    "tobool",  "totime",      "toid",    "toarray", "pick",    "find",    "range",   "timestamp", "time",
    "parse",   "beep",        "execute", "resolve", "grep",    "jobname", "retry",   "serialize", "deserialize",
    "convert", "environment", "rndnum",  "rndstr",  "toip",    "toip6",   "nothing"};

// kRefused are RouterOS commands certos does not do: they fail with an error that says so.
constexpr std::string_view kRefused[] = {"beep",   "execute",   "resolve",     "grep",    "jobname",
                                         "retry",  "serialize", "deserialize", "convert", "environment",
                                         "rndnum", "rndstr",    "toip",        "toip6"};

[[noreturn]] void ScriptError(const std::string& message) { throw core::Error(core::ErrorCategory::kScript, message); }

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

std::int64_t IndexOf(const Value& value, std::string_view what) {
    Value number = script::ToNum(value);
    if (number.type != Type::kNum) {
        ScriptError(std::string(what) + " must be a number");
    }
    return number.number;
}

Value Pick(const Value& from, std::int64_t start, std::optional<std::int64_t> end) {
    if (from.IsArray()) {
        auto size = static_cast<std::int64_t>(from.elements.size());
        if (!end) {
            return start >= 0 && start < size ? from.elements[static_cast<std::size_t>(start)].value.front() : Value{};
        }
        Value out = Value::Array();
        for (std::int64_t i = std::max<std::int64_t>(start, 0); i < std::min(*end, size); ++i) {
            out.Put(from.elements[static_cast<std::size_t>(i)].key,
                    from.elements[static_cast<std::size_t>(i)].value.front());
        }
        return out;
    }
    std::string text = from.ToString();
    auto size = static_cast<std::int64_t>(text.size());
    std::int64_t first = std::clamp<std::int64_t>(start, 0, size);
    std::int64_t last = std::clamp<std::int64_t>(end.value_or(start + 1), first, size);
    return Value::Str(text.substr(static_cast<std::size_t>(first), static_cast<std::size_t>(last - first)));
}

Value Find(const Value& in, const Value& what, std::int64_t after) {
    if (in.IsArray()) {
        for (std::size_t i = 0; i < in.elements.size(); ++i) {
            if (static_cast<std::int64_t>(i) > after && script::Equal(in.elements[i].value.front(), what)) {
                return Value::Num(static_cast<std::int64_t>(i));
            }
        }
        return {};
    }
    std::string text = in.ToString();
    std::size_t from = after < 0 ? 0 : static_cast<std::size_t>(after) + 1;
    std::size_t at = from <= text.size() ? text.find(what.ToString(), from) : std::string::npos;
    return at == std::string::npos ? Value{} : Value::Num(static_cast<std::int64_t>(at));
}

}  // namespace

ScriptArgs SplitArgs(std::span<const Word> words) {
    ScriptArgs args;
    std::vector<Word>* pending = nullptr;  // a `name=` whose value is the `( ... )` group that follows
    for (std::size_t i = 0; i < words.size(); ++i) {
        const Word& word = words[i];
        if (word.pieces.front().kind == Piece::Kind::kOpen) {
            std::size_t last = GroupEnd(words, i);
            std::vector<Word> group(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(last) + 1);
            i = last;
            (pending != nullptr ? *pending : args.unnamed.emplace_back()) = std::move(group);
            pending = nullptr;
            continue;
        }
        pending = nullptr;
        const Piece& head = word.pieces.front();
        std::size_t eq = head.kind == Piece::Kind::kText ? head.text.find('=') : std::string::npos;
        if (eq != std::string::npos && eq > 0 &&
            std::all_of(head.text.begin(), head.text.begin() + static_cast<long>(eq), IsNameChar)) {
            std::string name = head.text.substr(0, eq);
            Word value = word;
            value.pieces.front().text.erase(0, eq + 1);
            value.pieces.front().offset += eq + 1;
            if (value.pieces.front().text.empty()) {
                value.pieces.erase(value.pieces.begin());
            }
            args.named_offsets[name] = word.offset;
            std::vector<Word>& slot = args.named[name];
            slot.clear();
            if (value.pieces.empty()) {
                pending = &slot;
            } else {
                slot.push_back(std::move(value));
            }
            continue;
        }
        args.unnamed.push_back({word});
    }
    return args;
}

Value* Interpreter::FindVariable(std::string_view name, Scope* scope) {
    for (Scope* s = scope; s != nullptr; s = s->parent) {
        auto it = s->variables.find(name);
        if (it != s->variables.end()) {
            return &it->second;
        }
    }
    std::optional<Value> global = globals_->Get(name);
    if (!global) {
        global_view_.variables.erase(std::string(name));
        return nullptr;
    }
    Value& view = global_view_.variables[std::string(name)];
    view = std::move(*global);
    return &view;
}

Value Interpreter::EvaluateExpression(std::span<const Word> words, Frame& frame, std::size_t end_offset) {
    if (words.size() == 1 && words.front().pieces.front().kind != Piece::Kind::kOpen) {
        const Word& word = words.front();
        if (word.IsText()) {
            std::string_view text = word.Text();
            return text.find(',') != std::string_view::npos ? script::ToArray(Value::Str(std::string(text)))
                                                            : script::ParseLiteral(text);
        }
        return Evaluate(word.pieces, frame, *frame.menu);
    }
    return EvaluateWords(
        words, [&](const Piece& piece) { return EvaluatePiece(piece, frame, *frame.menu); }, end_offset);
}

void Interpreter::CheckScriptCommand(const Statement& statement) {
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
    if (std::find(std::begin(kRefused), std::end(kRefused), name) != std::end(kRefused)) {
        ScriptError(":" + name + " is not supported by certos");
    }
    if (std::optional<Value> flow = ExecuteFlow(name, rest, frame, end)) {
        return *flow;
    }
    ScriptArgs args = SplitArgs(rest);
    auto value_of = [&](std::size_t index) {
        return index < args.unnamed.size() ? EvaluateExpression(args.unnamed[index], frame, end) : Value{};
    };
    auto expect_values = [&](std::size_t most) {
        if (args.unnamed.size() > most) {
            throw ParseError(ParseError::Kind::kExpectedEnd, args.unnamed[most].front().offset);
        }
    };

    if (name == "put") {
        PrintLine(EvaluateExpression(rest, frame, end).ToString());
        return {};
    }
    if (name == "local" || name == "global" || name == "set") {
        if (rest.empty() || (!rest.front().IsText() && rest.front().pieces.front().kind != Piece::Kind::kQuoted) ||
            rest.front().pieces.size() != 1) {
            throw ParseError(ParseError::Kind::kExpectedEnd, rest.empty() ? end : rest.front().offset);
        }
        std::string variable = rest.front().pieces.front().text;
        std::span<const Word> value_words = rest.subspan(1);
        Value value;
        if (value_words.size() == 1 && NamedBlock(value_words.front(), "do") != nullptr) {
            value = Value::Function(
                std::make_shared<script::Code>(script::Code{NamedBlock(value_words.front(), "do")->body}));
        } else if (!value_words.empty()) {
            value = EvaluateExpression(value_words, frame, end);
        }
        if (name == "local") {
            frame.scope->variables[variable] = std::move(value);
        } else if (name == "global") {
            if (value_words.empty()) {
                globals_->Declare(variable);
            } else {
                globals_->Set(variable, std::move(value));
            }
        } else if (Value* existing = FindVariable(variable, frame.scope)) {
            auto view = global_view_.variables.find(variable);
            if (view != global_view_.variables.end() && &view->second == existing) {
                globals_->Set(variable, std::move(value));  // a global: every session sees the change
            } else {
                *existing = std::move(value);
            }
        } else {
            ScriptError("no such variable " + variable);
        }
        return {};
    }
    if (name == "len") {
        Value value = EvaluateExpression(rest, frame, end);
        return Value::Num(static_cast<std::int64_t>(value.IsArray() ? value.elements.size() : value.ToString().size()));
    }
    if (name == "typeof") {
        return Value::Str(std::string(script::TypeName(EvaluateExpression(rest, frame, end).type)));
    }
    static const std::pair<std::string_view, Value (*)(const Value&)> kConversions[] = {
        {"tostr", script::ToStr},   {"tonum", script::ToNum}, {"tobool", script::ToBool},
        {"totime", script::ToTime}, {"toid", script::ToId},   {"toarray", script::ToArray}};
    for (const auto& [conversion, convert] : kConversions) {
        if (name == conversion) {
            return convert(EvaluateExpression(rest, frame, end));
        }
    }
    if (name == "pick") {
        expect_values(3);
        std::optional<std::int64_t> last;
        if (args.unnamed.size() > 2) {
            last = IndexOf(value_of(2), "end");
        }
        return Pick(value_of(0), IndexOf(value_of(1), "start"), last);
    }
    if (name == "find") {
        expect_values(3);
        return Find(value_of(0), value_of(1), args.unnamed.size() > 2 ? IndexOf(value_of(2), "start") : -1);
    }
    if (name == "range") {
        expect_values(2);
        std::int64_t first = IndexOf(value_of(0), "from");
        std::int64_t last = IndexOf(value_of(1), "to");
        if (last - first >= static_cast<std::int64_t>(kMaxArrayElements)) {
            ScriptError("value too large");
        }
        Value out = Value::Array();
        for (std::int64_t i = first; i <= last; ++i) {
            out.Append(Value::Num(i));
        }
        return out;
    }
    if (name == "timestamp") {
        expect_values(0);
        auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
        return Value::Time(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count());
    }
    if (name == "nothing") {
        return {};
    }
    if (name == "delay") {
        expect_values(1);
        Value span = rest.empty() ? script::ParseLiteral("1s") : script::ToTime(value_of(0));
        if (span.type != Type::kTime) {
            ScriptError("invalid time value");
        }
        Pause(std::chrono::nanoseconds(span.number));
        return {};
    }
    if (name == "log") {
        static constexpr std::string_view kTopics[] = {"info", "warning", "error", "debug"};
        std::string topic = args.unnamed.empty() ? "" : value_of(0).ToString();
        if (std::find(std::begin(kTopics), std::end(kTopics), topic) == std::end(kTopics)) {
            ScriptError("invalid log topic " + topic + " (info, warning, error or debug)");
        }
        expect_values(2);
        menu::Request request;
        request.path = "/log";
        request.verb = topic;
        request.args = {{"message", value_of(1).ToString()}};
        tree_.Execute(request, session_);  // topics "script,<topic>", as RouterOS writes them
        return {};
    }
    if (name == "error") {
        ScriptError(EvaluateExpression(rest, frame, end).ToString());
    }
    if (name == "return") {
        throw ReturnSignal{rest.empty() ? Value{} : EvaluateExpression(rest, frame, end)};
    }
    if (name == "parse") {
        std::string source = EvaluateExpression(rest, frame, end).ToString();
        try {
            return Value::Function(std::make_shared<script::Code>(script::Code{Lexer(source).ParseAll()}));
        } catch (const ParseError& error) {
            LineColumn at = PositionOf(source, error.offset());
            ScriptError(std::string(error.what()) + " (line " + std::to_string(at.line) + " column " +
                        std::to_string(at.column) + ")");
        }
    }
    throw ParseError(ParseError::Kind::kBadCommand, head.offset + 1, name);
}

std::vector<std::string_view> ScriptCommandNames() {
    std::vector<std::string_view> names;
    for (std::string_view name : kCommands) {
        if (std::find(std::begin(kRefused), std::end(kRefused), name) == std::end(kRefused)) {
            names.push_back(name);
        }
    }
    return names;
}

}  // namespace certos::console
