#pragma once
// The RouterOS-style console: a thin skin over the command tree. It parses console text into
// menu::Request, runs it with menu::Tree::Execute and renders the menu::Result; it never touches the store
// or crypto.

#include <filesystem>
#include <memory>
#include <ostream>
#include <string_view>

#include "menu/tree.hpp"

namespace certos::console {

class Interpreter;

// Console runs console lines, scripts and the interactive REPL for one session. Output goes to `out`,
// error messages to `err`; both must outlive the console, as must the tree.
class Console {
public:
    Console(const menu::Tree& tree, menu::Session session, std::ostream& out, std::ostream& err);
    ~Console();
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    // RunLine runs one console line (commands separated by ';' allowed); prints output and errors;
    // returns false on error.
    bool RunLine(std::string_view line);

    // RunScript runs a .rsc text line by line (with '\' continuation and '#' comments) from the root menu;
    // stops at the first error, printing it with the line ("... (line 3)"); returns 0 or 1.
    int RunScript(std::string_view text, std::string_view source_name);

    // RunInteractive is the libedit REPL: prompt "[admin@certos] /certificate> " (certos: the /system identity),
    // history (kept in
    // `history_file` when it is not empty), Tab completion and '?' help. Returns 0 on end of input or
    // `/quit`.
    int RunInteractive(const std::filesystem::path& history_file);

    // set_width sets the terminal width print layouts use (default: $COLUMNS, else the terminal's width
    // when `out` is a terminal, else 160).
    void set_width(int columns);

    // Prompt is the interactive prompt for the current menu: "[USER@IDENTITY] /path> ", IDENTITY being
    // `/system identity`'s name (read for every prompt, so that another process's `set name=` shows).
    std::string Prompt() const;

private:
    // RefreshWidth follows the terminal's size between commands, unless the width was given.
    void RefreshWidth();

    std::unique_ptr<Interpreter> interpreter_;
    bool width_given_ = false;
    std::ostream& out_;
    std::ostream& err_;
};

// RunScriptText runs `source` as a script (`certos FILE.rsc`, `/system script run`, the scheduler) for `session`,
// from the root menu with fresh local variables (the globals are the tree's, console/globals.hpp): output to `out`, the
// first error to `err` with its line
// ("... (line 3)"). Returns true when the script ran to its end (or `:return`ed).
bool RunScriptText(const menu::Tree& tree, menu::Session session, std::string_view source, std::ostream& out,
                   std::ostream& err);

// InstallScriptRunner makes RunScriptText the tree's script runner (menu::Tree::set_script_runner), so that
// `/system script run` and the scheduler run scripts with this interpreter, and gives the tree its process
// store of globals (console::InstallGlobals) unless it has one. The tree must outlive its use.
void InstallScriptRunner(menu::Tree& tree);

}  // namespace certos::console
