#include "console/interpreter.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "console/error_text.hpp"
#include "console/expression.hpp"
#include "console/lexer.hpp"
#include "console/render.hpp"
#include "console/script_words.hpp"
#include "core/duration.hpp"
#include "core/error.hpp"
#include "core/value.hpp"
#include "menu/monitor.hpp"

namespace certos::console {
namespace {

bool IsQuit(const Statement& statement) {
    std::string_view first = statement.words.front().Text();
    return statement.words.size() == 1 && (first == "/quit" || first == "quit");
}

}  // namespace

Interpreter::Interpreter(const menu::Tree& tree, menu::Session session, std::ostream& out, std::ostream& err)
    : tree_(tree),
      session_(std::move(session)),
      out_(out),
      err_(err),
      current_(&tree.root()),
      own_globals_(GlobalsOf(tree) == nullptr ? std::make_shared<Globals>() : nullptr),
      globals_(own_globals_ ? own_globals_.get() : GlobalsOf(tree)) {
    // An empty status is a long command asking whether to go on (pki::GenerateKey): Ctrl-C stops it there, and
    // only there, so that a command is never reported interrupted after it has made its change. Other statuses
    // are shown, and given to the command's `do={...}` (menu/monitor.hpp).
    session_.progress = [this](const menu::Record& status) {
        if (status.empty()) {
            CheckInterrupted();
            return;
        }
        ShowStatus(status);
    };
    // What a script run by a command (`/system script run`) prints goes where this interpreter prints.
    session_.output = [this](std::string_view text) {
        out_ << text;
        out_.flush();
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
    } catch (const ReturnSignal&) {
        return true;  // `:return` outside a function ends the script (or the line)
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

void Interpreter::CheckPieces(std::span<const Piece> pieces, const menu::Menu* menu) {
    for (const Piece& piece : pieces) {
        if (piece.kind == Piece::Kind::kSubstitution) {
            Check(piece.body, menu);
        } else if (piece.kind == Piece::Kind::kExpression || piece.kind == Piece::Kind::kBlock) {
            // An expression's words, and the elements of an array literal, may hold substitutions.
            for (const Statement& statement : piece.body) {
                for (const Word& word : statement.words) {
                    CheckPieces(word.pieces, menu);
                }
            }
        }
    }
}

void Interpreter::Check(std::span<const Statement> statements, const menu::Menu* menu) {
    for (const Statement& statement : statements) {
        if (statement.words.empty() || IsQuit(statement)) {
            continue;
        }
        const Word& head = statement.words.front();
        if (head.Text().starts_with(':') || !head.IsText()) {
            if (head.Text().starts_with(':')) {
                CheckScriptCommand(statement);
            }
            for (const Word& word : statement.words) {
                const Piece* code = CodeBlockOf(statement, word);
                if (code != nullptr) {
                    Check(code->body, menu);
                } else {
                    CheckPieces(word.pieces, menu);
                }
            }
            continue;
        }
        Target target = ResolveTarget(tree_, *menu, statement);
        if (target.verb == nullptr) {
            menu = target.menu;
            continue;
        }
        PieceEvaluator check = [&](std::span<const Piece> pieces) {
            CheckPieces(pieces, target.menu);
            return Value{};
        };
        Command command = BuildCommand(target, statement, check, nullptr);
        if (command.monitor_do) {
            Check(command.monitor_do->body, menu);
        }
    }
}

Value Interpreter::Execute(const Statement& statement, Frame& frame) {
    if (statement.words.empty()) {
        return {};
    }
    const Word& head = statement.words.front();
    if (head.Text().starts_with(':')) {
        return ExecuteScriptCommand(statement, frame);
    }
    if (head.pieces.size() == 1 && head.pieces.front().kind == Piece::Kind::kBlock && statement.words.size() == 1) {
        return ExecuteBody(head.pieces.front().body, frame);  // `{ ... }`: a block with its own scope
    }
    if (statement.words.size() == 1 && head.pieces.size() == 1 &&
        (head.pieces.front().kind == Piece::Kind::kSubstitution ||
         head.pieces.front().kind == Piece::Kind::kExpression)) {
        return EvaluatePiece(head.pieces.front(), frame, *frame.menu);  // `[$f]`, `$(...)` as a statement
    }
    if (head.pieces.size() == 1 && head.pieces.front().kind == Piece::Kind::kVariable) {
        const std::string& name = head.pieces.front().text;
        Value* function = FindVariable(name, frame.scope);
        if (function == nullptr || function->type != script::Type::kCode) {
            throw core::Error(core::ErrorCategory::kScript, "$" + name + " is not a function");
        }
        Value copy = *function;  // the call may change the variable
        return CallFunction(copy, name, std::span(statement.words).subspan(1), frame);
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
    if (command.follow || command.interval) {
        Repeat(command);
        return {};
    }
    AskMissingPassphrase(command);
    return ValueOf(command, RunCommand(command, frame));
}

// Streamer prints `print detail` and `print terse` as the rows come (menu::Session::rows), each rendered as
// soon as it is read: those formats need nothing of the other rows, unlike the table (its column widths come
// from every row, so a table print still gets the whole list). The rows' ids are kept for the item numbers.
class Interpreter::Streamer {
public:
    static bool Applies(const Command& command) {
        auto has = [&](const char* flag) { return command.flags.contains(flag); };
        return command.verb->name == "print" && (has("detail") || has("terse")) && !has("count-only") &&
               !has("as-value") && !has("value-list");
    }

    Streamer(Interpreter& interpreter, const Command& command)
        : interpreter_(interpreter), command_(command), session_(interpreter.session_) {
        options_.width = interpreter.width_;
        options_.show_ids = command.flags.contains("show-ids");
        options_.proplist = command.proplist;
        session_.rows = [this](menu::Record&& row) { Row(std::move(row)); };
    }

    const menu::Session& session() const { return session_; }

    // Finish prints what was not streamed (rows without an `.id`, printed as key-value lists; a result of a
    // verb that does not stream) and remembers the item numbers.
    void Finish(menu::Result& result) {
        if (!streaming_) {
            for (menu::Record& record : result.records) {
                buffered_.push_back(std::move(record));
            }
            result.records = std::move(buffered_);
            interpreter_.Show(command_, result);
            return;
        }
        interpreter_.numbers_.Remember(command_.menu->path, std::move(ids_));
        interpreter_.out_.flush();
    }

private:
    void Row(menu::Record&& row) {
        interpreter_.CheckInterrupted();
        if (ids_.empty() && buffered_.empty()) {
            streaming_ = row.Has(".id");
        }
        if (!streaming_) {
            buffered_.push_back(std::move(row));
            return;
        }
        const menu::Menu& menu = *command_.menu;
        options_.first_index = ids_.size();
        options_.rows_only = !ids_.empty();
        if (command_.flags.contains("detail")) {
            interpreter_.out_ << (ids_.empty() ? "" : "\n") << RenderDetail(menu, {row}, options_);
        } else {
            interpreter_.out_ << RenderTerse(menu, {row}, options_);
        }
        ids_.push_back(row.GetOr(".id"));
        if (ids_.size() % 256 == 0) {
            interpreter_.out_.flush();
        }
    }

    Interpreter& interpreter_;
    const Command& command_;
    menu::Session session_;
    RenderOptions options_;
    bool streaming_ = false;
    std::vector<std::string> ids_;
    std::vector<menu::Record> buffered_;
};

menu::Result Interpreter::RunCommand(const Command& command, Frame& frame) {
    std::optional<Running> outer = running_;
    running_ = Running{&command, &frame};
    menu::Result result;
    std::optional<Streamer> streamer;
    try {
        if (frame.output && Streamer::Applies(command)) {
            streamer.emplace(*this, command);
            result = tree_.Execute(command.request, streamer->session());
        } else {
            result = tree_.Execute(command.request, session_);
        }
    } catch (...) {
        running_ = outer;
        throw;
    }
    running_ = outer;
    bool monitor = menu::IsMonitorVerb(*command.verb);
    if (streamer) {
        streamer->Finish(result);
    } else if (frame.output && !(monitor && command.flags.contains("as-value"))) {
        Show(command, result);
    }
    if (command.monitor_do && !result.records.empty()) {
        RunMonitorDo(*command.monitor_do, result.records.front(), frame);  // the final status
    }
    return result;
}

void Interpreter::ShowStatus(const menu::Record& status) {
    if (!running_) {
        out_ << RenderKeyValues(tree_.root(), {status});
        out_.flush();
        return;
    }
    Running running = *running_;
    if (running.frame->output) {
        out_ << RenderKeyValues(*running.command->menu, {status});
        out_.flush();
    }
    if (running.command->monitor_do) {
        RunMonitorDo(*running.command->monitor_do, status, *running.frame);
    }
}

void Interpreter::RunMonitorDo(const Piece& block, const menu::Record& status, Frame& frame) {
    // As in RouterOS's monitor commands, the block sees each value of the status as a variable ($progress).
    Scope scope;
    scope.parent = frame.scope;
    for (const auto& [name, value] : status.fields()) {
        scope.variables[name] = Value::Str(value);
    }
    Frame inner{frame.menu, &scope, frame.output};
    ExecuteBody(block.body, inner);
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

Value Interpreter::EvaluatePiece(const Piece& piece, Frame& frame, const menu::Menu& context) {
    switch (piece.kind) {
        case Piece::Kind::kText:
        case Piece::Kind::kQuoted:
            return Value::Str(piece.text);
        case Piece::Kind::kVariable: {
            Value* value = FindVariable(piece.text, frame.scope);
            if (value == nullptr && call_depth_ == 0) {
                // RouterOS refuses a variable no `:local`/`:global` declared ("syntax error (line 1 column 7)" for
                // `:put $myVar`); inside a function an argument not passed is nil.
                throw ParseError(ParseError::Kind::kSyntax, piece.offset + 1);
            }
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
        case Piece::Kind::kExpression: {
            Frame inner{&context, frame.scope, frame.output};
            const Statement& expression = piece.body.front();
            return EvaluateWords(
                expression.words, [&](const Piece& p) { return EvaluatePiece(p, inner, context); }, piece.offset);
        }
        case Piece::Kind::kBlock:
            return ArrayLiteral(piece, frame);
        case Piece::Kind::kOpen:
        case Piece::Kind::kClose:
            break;
    }
    throw ParseError(ParseError::Kind::kSyntax, piece.offset);
}

Value Interpreter::Evaluate(std::span<const Piece> pieces, Frame& frame, const menu::Menu& context) {
    if (pieces.size() == 1) {
        return EvaluatePiece(pieces.front(), frame, context);
    }
    std::string text;
    for (const Piece& piece : pieces) {
        text += EvaluatePiece(piece, frame, context).ToString();
    }
    return Value::Str(std::move(text));
}

Value Interpreter::ArrayLiteral(const Piece& block, Frame& frame) {
    Value array = Value::Array();
    for (const Statement& statement : block.body) {
        const Word& first = statement.words.front();
        std::string key;
        std::vector<Word> words(statement.words.begin(), statement.words.end());
        const Piece& head = first.pieces.front();
        std::size_t eq = head.kind == Piece::Kind::kText ? head.text.find('=') : std::string::npos;
        if (eq != std::string::npos && eq > 0) {
            key = head.text.substr(0, eq);  // a=1
            words.front().pieces.front().text.erase(0, eq + 1);
        } else if (head.kind == Piece::Kind::kQuoted && first.pieces.size() > 1 &&
                   first.pieces[1].kind == Piece::Kind::kText && first.pieces[1].text.starts_with('=')) {
            key = head.text;  // "aX"=1
            words.front().pieces.erase(words.front().pieces.begin());
            words.front().pieces.front().text.erase(0, 1);
        }
        auto& pieces = words.front().pieces;
        if (pieces.front().kind == Piece::Kind::kText && pieces.front().text.empty()) {
            pieces.erase(pieces.begin());
        }
        if (pieces.empty()) {
            words.erase(words.begin());
        }
        array.Put(key, EvaluateExpression(words, frame, statement.offset));
        if (array.elements.size() > kMaxArrayElements) {
            throw core::Error(core::ErrorCategory::kScript, "value too large");
        }
    }
    return array;
}

void Interpreter::Show(const Command& command, const menu::Result& result) {
    const menu::Menu& menu = *command.menu;
    const auto& records = result.records;
    auto has = [&](const char* flag) { return command.flags.contains(flag); };
    if (command.verb->shows_ret && result.ret) {
        out_ << *result.ret;
        if (!result.ret->empty() && result.ret->back() != '\n') {
            out_ << '\n';
        }
        return;
    }
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
    ids.reserve(records.size());
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
    options.proplist = command.proplist;
    if (!records.front().Has(".id") || has("value-list")) {
        out_ << RenderKeyValues(menu, records);
    } else if (has("detail")) {
        out_ << RenderDetail(menu, records, options);
    } else if (has("terse")) {
        out_ << RenderTerse(menu, records, options);
    } else {
        out_ << RenderTable(menu, records, options);
    }
    out_.flush();
}

void Interpreter::AskMissingPassphrase(Command& command) const {
    if (!ask_secret_ || command.verb->name != "import" || command.verb->FindArg("passphrase") == nullptr) {
        return;
    }
    auto& args = command.request.args;
    if (std::any_of(args.begin(), args.end(), [](const auto& arg) { return arg.first == "passphrase"; })) {
        return;
    }
    std::optional<std::string> passphrase = ask_secret_("passphrase: ");
    if (!passphrase) {
        throw core::Error(core::ErrorCategory::kInterrupted, "interrupted");
    }
    args.emplace_back("passphrase", std::move(*passphrase));
}

void Interpreter::Repeat(const Command& command) {
    // expires-after counts down every second: a certificate has not changed because of it.
    auto comparable = [](const menu::Record& record) {
        std::vector<std::pair<std::string, std::string>> fields = record.fields();
        std::erase_if(fields, [](const auto& field) { return field.first == "expires-after"; });
        return fields;
    };
    std::optional<std::chrono::seconds> every;
    if (command.interval) {
        every = core::ParseDuration(*command.interval);
        if (every->count() <= 0) {
            throw core::ArgumentError("invalid value for argument interval");
        }
    }
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> seen;
    for (bool first = true;; first = false) {
        menu::Result result = tree_.Execute(command.request, session_);
        if (every) {
            Show(command, result);
            Pause(*every);
            continue;
        }
        std::vector<menu::Record> changed;
        std::vector<std::size_t> positions;
        for (std::size_t i = 0; i < result.records.size(); ++i) {
            auto fields = comparable(result.records[i]);
            auto& before = seen[result.records[i].GetOr(".id")];
            if (before != fields) {
                before = std::move(fields);
                changed.push_back(result.records[i]);
                positions.push_back(i);
            }
        }
        if (first && !command.follow_only) {
            Show(command, result);
        } else if (!first && !changed.empty()) {
            ShowRows(command, changed, positions);
        }
        Pause(std::chrono::seconds(1));
    }
}

void Interpreter::ShowRows(const Command& command, const std::vector<menu::Record>& records,
                           const std::vector<std::size_t>& positions) {
    const menu::Menu& menu = *command.menu;
    for (std::size_t i = 0; i < records.size(); ++i) {
        RenderOptions options;
        options.width = width_;
        options.proplist = command.proplist;
        options.first_index = positions[i];
        options.rows_only = true;
        if (command.flags.contains("detail")) {
            out_ << RenderDetail(menu, {records[i]}, options);
        } else if (command.flags.contains("terse")) {
            out_ << RenderTerse(menu, {records[i]}, options);
        } else {
            out_ << RenderTable(menu, {records[i]}, options);
        }
    }
    out_.flush();
}

void Interpreter::Pause(std::chrono::nanoseconds span) const {
    auto until = std::chrono::steady_clock::now() + span;
    while (std::chrono::steady_clock::now() < until) {
        CheckInterrupted();
        std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(until - std::chrono::steady_clock::now(),
                                                                       std::chrono::milliseconds(100)));
    }
    CheckInterrupted();
}

void Interpreter::CheckInterrupted() const {
    if (interrupted_ && interrupted_()) {
        throw core::Error(core::ErrorCategory::kInterrupted, "interrupted");
    }
}

void Interpreter::PrintLine(std::string_view line) {
    out_ << line << "\n";
    out_.flush();
}

std::vector<std::string> Interpreter::ItemNames(const menu::Menu& menu, const menu::Filter* where) const {
    std::vector<std::string> names;
    if (menu.FindVerb("print") == nullptr || menu.FindProperty("name") == nullptr) {
        return names;
    }
    menu::Request request;
    request.path = menu.path;
    request.verb = "print";
    request.args = {{"proplist", "name"}};
    if (where != nullptr) {
        request.filter = *where;
    }
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
