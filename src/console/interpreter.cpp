#include "console/interpreter.hpp"

#include <fmt/format.h>

#include <optional>

#include "console/error_text.hpp"
#include "console/lexer.hpp"
#include "console/render.hpp"
#include "core/error.hpp"
#include "core/value.hpp"

namespace certos::console {
namespace {

bool IsQuit(const Statement& statement) {
    std::string_view first = statement.words.front().Text();
    return statement.words.size() == 1 && (first == "/quit" || first == "quit");
}

}  // namespace

Interpreter::Interpreter(const menu::Tree& tree, menu::Session session, std::ostream& out, std::ostream& err)
    : tree_(tree), session_(std::move(session)), out_(out), err_(err), current_(&tree.root()) {
    session_.progress = [this](std::string_view line) {
        PrintLine("  " + (line.starts_with("progress:") ? std::string(line) : "progress: " + std::string(line)));
    };
}

bool Interpreter::IsIncomplete(std::string_view source) {
    try {
        Lexer lexer(source);
        lexer.ParseAll();
    } catch (const ParseError& error) {
        return error.kind() == ParseError::Kind::kIncomplete;
    }
    return false;
}

bool Interpreter::Run(std::string_view source, Mode mode) {
    Lexer lexer(source);
    Scope scope;
    scope.parent = nullptr;
    Frame frame{mode == Mode::kScript ? &tree_.root() : current_, &scope, true};
    std::size_t statement_offset = 0;
    std::string failure;
    try {
        // A line is parsed and checked as a whole before any of it runs; a script statement by statement.
        std::vector<Statement> line;
        if (mode == Mode::kLine) {
            line = lexer.ParseAll();
            Check(line, current_);
        }
        for (std::size_t i = 0;; ++i) {
            std::optional<Statement> next;
            if (mode == Mode::kScript) {
                next = lexer.Next();
                if (next) {
                    statement_offset = next->offset;
                    Check(std::span(&*next, 1), frame.menu);
                }
            } else if (i < line.size()) {
                next = std::move(line[i]);
            }
            if (!next) {
                break;
            }
            Execute(*next, frame);
            if (mode == Mode::kLine) {
                current_ = frame.menu;
            }
            if (quit_) {
                break;
            }
        }
        return true;
    } catch (const ParseError& error) {
        LineColumn at = PositionOf(source, error.offset());
        err_ << fmt::format("{} (line {} column {})\n", error.what(), at.line, at.column);
        return false;
    } catch (const core::Error& error) {
        failure = ConsoleErrorText(error);
    } catch (const std::exception&) {
        failure = ConsoleErrorText(core::Error(core::ErrorCategory::kInternal, {}));
    }
    if (mode == Mode::kScript) {
        failure += fmt::format(" (line {})", PositionOf(source, statement_offset).line);
    }
    err_ << failure << "\n";
    return false;
}

void Interpreter::Check(std::span<const Statement> statements, const menu::Menu* menu) {
    auto check_nested = [this](const Word& word, const menu::Menu* context) {
        for (const Piece& piece : word.pieces) {
            if (piece.kind == Piece::Kind::kSubstitution || piece.kind == Piece::Kind::kBlock) {
                Check(piece.body, context);
            }
        }
    };
    for (const Statement& statement : statements) {
        if (statement.words.empty() || IsQuit(statement)) {
            continue;
        }
        if (statement.words.front().Text().starts_with(':')) {
            CheckScriptCommand(statement);
            for (const Word& word : statement.words) {
                check_nested(word, menu);
            }
            continue;
        }
        Target target = ResolveTarget(tree_, *menu, statement);
        if (target.verb == nullptr) {
            menu = target.menu;
            continue;
        }
        PieceEvaluator check = [&](std::span<const Piece> pieces) {
            for (const Piece& piece : pieces) {
                if (piece.kind == Piece::Kind::kSubstitution) {
                    Check(piece.body, target.menu);
                }
            }
            return Value{};
        };
        BuildCommand(target, statement, check, nullptr);
    }
}

Value Interpreter::Execute(const Statement& statement, Frame& frame) {
    if (statement.words.empty()) {
        return {};
    }
    if (statement.words.front().Text().starts_with(':')) {
        return ExecuteScriptCommand(statement, frame);
    }
    if (IsQuit(statement) && FindEntry(*frame.menu, "quit").verb == nullptr) {
        quit_ = true;
        return {};
    }
    Target target = ResolveTarget(tree_, *frame.menu, statement);
    if (target.verb == nullptr) {
        frame.menu = target.menu;
        return {};
    }
    PieceEvaluator evaluate = [&](std::span<const Piece> pieces) { return Evaluate(pieces, frame, *target.menu); };
    Command command = BuildCommand(target, statement, evaluate, &numbers_);
    menu::Result result = tree_.Execute(command.request, session_);
    if (frame.output) {
        Show(command, result);
    }
    return ValueOf(command, result);
}

Value Interpreter::ExecuteBody(const std::vector<Statement>& body, Frame& frame) {
    Scope scope;
    scope.parent = frame.scope;
    Frame inner{frame.menu, &scope, frame.output};
    Value last;
    for (const Statement& statement : body) {
        last = Execute(statement, inner);
        if (quit_) {
            break;
        }
    }
    return last;
}

Value Interpreter::Evaluate(std::span<const Piece> pieces, Frame& frame, const menu::Menu& context) {
    auto one = [&](const Piece& piece) -> Value {
        switch (piece.kind) {
            case Piece::Kind::kText:
            case Piece::Kind::kQuoted:
                return Value::Text(piece.text);
            case Piece::Kind::kVariable: {
                Value* value = FindVariable(piece.text, frame.scope);
                return value != nullptr ? *value : Value{};
            }
            case Piece::Kind::kSubstitution: {
                Frame inner{&context, frame.scope, false};
                Value last;
                for (const Statement& statement : piece.body) {
                    last = Execute(statement, inner);
                }
                return last;
            }
            case Piece::Kind::kBlock:
            case Piece::Kind::kOpen:
            case Piece::Kind::kClose:
                break;
        }
        throw ParseError(ParseError::Kind::kSyntax, piece.offset);
    };
    if (pieces.size() == 1) {
        return one(pieces.front());
    }
    std::string text;
    for (const Piece& piece : pieces) {
        text += one(piece).ToString();
    }
    return Value::Text(std::move(text));
}

void Interpreter::Show(const Command& command, const menu::Result& result) {
    const menu::Menu& menu = *command.menu;
    const auto& records = result.records;
    auto has = [&](const char* flag) { return command.flags.contains(flag); };
    if (command.verb->name != "print") {
        if (!records.empty()) {
            out_ << RenderKeyValues(menu, records);
        }
        return;
    }
    if (has("count-only")) {
        PrintLine(result.ret.value_or(std::to_string(records.size())));
        return;
    }
    if (has("as-value")) {
        out_ << RenderAsValue(records);
        return;
    }
    std::vector<std::string> ids;
    for (const menu::Record& record : records) {
        ids.push_back(record.GetOr(".id"));
    }
    numbers_.Remember(menu.path, std::move(ids));
    if (records.empty()) {
        return;
    }
    RenderOptions options;
    options.width = width_;
    options.show_ids = has("show-ids");
    if (!records.front().Has(".id") || has("value-list")) {
        out_ << RenderKeyValues(menu, records);
    } else if (has("detail")) {
        out_ << RenderDetail(menu, records, options);
    } else if (has("terse")) {
        out_ << RenderTerse(menu, records);
    } else {
        out_ << RenderTable(menu, records, command.proplist, options);
    }
    out_.flush();
}

Value Interpreter::ValueOf(const Command& command, const menu::Result& result) {
    if (command.verb->name == "find") {
        return Value::Array(core::SplitList(result.ret.value_or(""), ';'));
    }
    if (result.ret) {
        return Value::Text(*result.ret);
    }
    if (!result.records.empty()) {
        return Value::Array(AsValueItems(result.records));
    }
    return {};
}

void Interpreter::PrintLine(std::string_view line) {
    out_ << line << "\n";
    out_.flush();
}

std::vector<std::string> Interpreter::ItemNames(const menu::Menu& menu) const {
    std::vector<std::string> names;
    if (menu.FindVerb("print") == nullptr || menu.FindProperty("name") == nullptr) {
        return names;
    }
    menu::Request request;
    request.path = menu.path;
    request.verb = "print";
    request.args = {{"proplist", "name"}};
    try {
        for (const menu::Record& record : tree_.Execute(request, session_).records) {
            if (auto name = record.Get("name")) {
                names.emplace_back(*name);
            }
        }
    } catch (const std::exception&) {
        names.clear();  // completion offers nothing rather than failing the line being edited
    }
    return names;
}

}  // namespace certos::console
