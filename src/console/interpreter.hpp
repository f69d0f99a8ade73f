#pragma once

#include <map>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "console/command.hpp"
#include "console/syntax.hpp"
#include "console/value.hpp"
#include "menu/tree.hpp"

namespace certos::console {

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

    // ItemNames lists the `name` of each item of `menu` (completion); empty when the menu has none.
    std::vector<std::string> ItemNames(const menu::Menu& menu) const;

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

    // Check resolves every path and checks every argument name of `statements` (and of the substitutions
    // and blocks in them) without running anything, as RouterOS parses a whole line before running it.
    void Check(std::span<const Statement> statements, const menu::Menu* menu);
    static void CheckScriptCommand(const Statement& statement);
    Value Execute(const Statement& statement, Frame& frame);
    Value ExecuteBody(const std::vector<Statement>& body, Frame& frame);
    Value Evaluate(std::span<const Piece> pieces, Frame& frame, const menu::Menu& context);
    void Show(const Command& command, const menu::Result& result);
    static Value ValueOf(const Command& command, const menu::Result& result);

    // Script commands (`:put`, `:local`, ...), in script.cpp.
    Value ExecuteScriptCommand(const Statement& statement, Frame& frame);
    Value EvaluateExpression(std::span<const Word> words, Frame& frame, std::size_t end_offset);
    Value* FindVariable(std::string_view name, Scope* scope);
    void PrintLine(std::string_view line);

    const menu::Tree& tree_;
    menu::Session session_;
    std::ostream& out_;
    std::ostream& err_;
    const menu::Menu* current_;
    ItemNumbers numbers_;
    Scope globals_;
    int width_ = 160;
    bool quit_ = false;
};

}  // namespace certos::console
