#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "console/command.hpp"
#include "console/globals.hpp"
#include "console/syntax.hpp"
#include "console/value.hpp"
#include "menu/tree.hpp"

namespace certos::console {

// ScriptCommandNames are the global commands the console runs (`put` for `:put`, `local`, ...), RouterOS's
// names in RouterOS's order, less the ones certos refuses.
std::vector<std::string_view> ScriptCommandNames();

// kMaxCallDepth bounds how deeply user functions may call each other (each call is a recursion here).
inline constexpr std::size_t kMaxCallDepth = 50;

// Interpreter runs console text against the command tree: it keeps the current menu, the variables and
// the item numbers of the last prints, and renders results. It never touches the store: every command
// becomes a menu::Request for Tree::Execute.
class Interpreter {
public:
    enum class Mode {
        kLine,    // one console line: menu changes stick, errors show "(line 1 column N)" positions only
        kScript,  // a script: starts at the root, runtime errors name the line: "... (line 3)"
    };

    Interpreter(const menu::Tree& tree, menu::Session session, std::ostream& out, std::ostream& err);

    // Run runs `source` statement by statement, printing output to `out` and the first error to `err`;
    // returns false on error (the statements before it have run).
    bool Run(std::string_view source, Mode mode);

    // IsIncomplete is true when `source` ends inside a quote or bracket or with a `\` continuation, so the
    // interactive console should read another line before running it.
    static bool IsIncomplete(std::string_view source);

    const menu::Tree& tree() const { return tree_; }
    const menu::Session& session() const { return session_; }
    const menu::Menu& current_menu() const { return *current_; }
    bool quit_requested() const { return quit_; }
    int width() const { return width_; }
    void set_width(int columns) { width_ = columns; }

    // ItemNames lists the `name` of each item of `menu` (completion) that matches `where` when given; empty
    // when the menu has none.
    std::vector<std::string> ItemNames(const menu::Menu& menu, const menu::Filter* where = nullptr) const;

    // set_interrupted gives the test loops and `:delay` use to stop on Ctrl-C (the interactive console's flag).
    void set_interrupted(std::function<bool()> interrupted) { interrupted_ = std::move(interrupted); }

    // set_ask_secret lets the interactive console ask for what a command left out, as RouterOS does: `import`
    // without `passphrase=` asks `passphrase: ` (typed without echo; empty is accepted). `ask` returns nullopt
    // when the input ended.
    void set_ask_secret(std::function<std::optional<std::string>(std::string_view prompt)> ask) {
        ask_secret_ = std::move(ask);
    }

private:
    struct Scope {
        std::map<std::string, Value, std::less<>> variables;
        Scope* parent = nullptr;
    };
    // Frame is where a statement runs: its menu, its variables and whether its output is shown (not
    // inside `[...]`).
    struct Frame {
        const menu::Menu* menu;
        Scope* scope;
        bool output;
    };
    // Running is the command being run, for the statuses its verb reports while it runs (ShowStatus).
    struct Running {
        const Command* command;
        Frame* frame;
    };
    // ReturnSignal carries `:return`'s value out to the function call (or the script) it ends.
    struct ReturnSignal {
        Value value;
    };

    // Check resolves every path and checks every argument name of `statements` (and of the substitutions
    // and code blocks in them) without running anything, as RouterOS parses a whole line before running it.
    void Check(std::span<const Statement> statements, const menu::Menu* menu);
    void CheckPieces(std::span<const Piece> pieces, const menu::Menu* menu);
    static void CheckScriptCommand(const Statement& statement);
    Value Execute(const Statement& statement, Frame& frame);
    Value ExecuteBody(const std::vector<Statement>& body, Frame& frame);
    // Evaluate evaluates the pieces of a command argument: plain text stays text.
    Value Evaluate(std::span<const Piece> pieces, Frame& frame, const menu::Menu& context);
    // EvaluatePiece evaluates one piece that is not plain text.
    Value EvaluatePiece(const Piece& piece, Frame& frame, const menu::Menu& context);
    // ArrayLiteral evaluates `{1; 2; a=3}` into an array.
    Value ArrayLiteral(const Piece& block, Frame& frame);
    void Show(const Command& command, const menu::Result& result);
    class Streamer;  // `print detail` / `terse` written as the rows come
    // RunCommand runs a command of the tree: its statuses are shown (or given to its `do={...}`) while it runs,
    // then its result, unless `frame` is inside `[...]` or a monitor verb was given `as-value`.
    menu::Result RunCommand(const Command& command, Frame& frame);
    // ShowStatus prints a status a verb reports while it runs (`  progress: ...`) and runs the command's
    // `do={...}` with the status's values as variables.
    void ShowStatus(const menu::Record& status);
    void RunMonitorDo(const Piece& block, const menu::Record& status, Frame& frame);
    // Repeat runs `print follow` (the items, then once a second each item that appeared or changed) or
    // `print interval=T` (the whole print again every T) until Ctrl-C, which ends it with "interrupted".
    void Repeat(const Command& command);
    // ShowRows prints `records` without legend or header, each numbered by its position in `positions`.
    void ShowRows(const Command& command, const std::vector<menu::Record>& records,
                  const std::vector<std::size_t>& positions);
    // AskMissingPassphrase asks for `passphrase` of an import that has none, when the console can ask.
    void AskMissingPassphrase(Command& command) const;
    // Pause waits `span`, stopping early with "interrupted" on Ctrl-C.
    void Pause(std::chrono::nanoseconds span) const;
    static Value ValueOf(const Command& command, const menu::Result& result);

    // Script commands (`:put`, `:local`, ...), in script.cpp and script_flow.cpp.
    Value ExecuteScriptCommand(const Statement& statement, Frame& frame);
    // ExecuteFlow runs the control-flow commands (`:if`, `:while`, `:do`, `:for`, `:foreach`, `:onerror`,
    // `:time`); nullopt when `name` is none of them.
    std::optional<Value> ExecuteFlow(const std::string& name, std::span<const Word> rest, Frame& frame,
                                     std::size_t end);
    // RunCode runs a code block's statements in a new scope below `frame`'s.
    Value RunCode(const Piece& block, Frame& frame);
    // EvaluateExpression evaluates the words of a script command's value: one plain word is a literal
    // (`5`, `1d`, `a,b`), several words or `( )` an expression.
    Value EvaluateExpression(std::span<const Word> words, Frame& frame, std::size_t end_offset);
    // EvaluateNamed evaluates the value of `name=...` (the pieces after `=`).
    Value EvaluateNamed(const Word& word, Frame& frame);
    // CallFunction runs a `do={...}` value with `args` (named ones become variables, unnamed ones $1, $2...).
    Value CallFunction(const Value& function, std::string_view name, std::span<const Word> args, Frame& frame);
    Value* FindVariable(std::string_view name, Scope* scope);
    void PrintLine(std::string_view line);
    // CheckInterrupted throws core::Error kInterrupted after Ctrl-C in the interactive console.
    void CheckInterrupted() const;

    const menu::Tree& tree_;
    menu::Session session_;
    std::ostream& out_;
    std::ostream& err_;
    const menu::Menu* current_;
    ItemNumbers numbers_;
    // globals_ is the tree's process store of globals (console/globals.hpp), or own_globals_ when it has none;
    // global_view_ holds the copies FindVariable hands out (a :set of one is written back).
    std::shared_ptr<Globals> own_globals_;
    Globals* globals_;
    Scope global_view_;
    int width_ = 160;
    bool quit_ = false;
    std::size_t call_depth_ = 0;      // user function calls in progress, at most kMaxCallDepth
    std::optional<Running> running_;  // the innermost command of the tree being run
    std::function<bool()> interrupted_;
    std::function<std::optional<std::string>(std::string_view)> ask_secret_;
};

}  // namespace certos::console
