#include "console/console.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "console/globals.hpp"
#include "console/interpreter.hpp"
#include "core/error.hpp"

namespace certos::console {
namespace {

int EnvironmentWidth() {
    const char* columns = std::getenv("COLUMNS");
    int value = columns != nullptr ? std::atoi(columns) : 0;
    return value > 0 ? value : 0;
}

int TerminalWidth(const std::ostream& out) {
    winsize size{};
    if (&out == &std::cout && isatty(STDOUT_FILENO) != 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
        size.ws_col > 0) {
        return size.ws_col;
    }
    return 0;
}

}  // namespace

Console::Console(const menu::Tree& tree, menu::Session session, std::ostream& out, std::ostream& err)
    : interpreter_(std::make_unique<Interpreter>(tree, std::move(session), out, err)), out_(out), err_(err) {
    int width = EnvironmentWidth();
    width_given_ = width > 0;
    interpreter_->set_width(width > 0 ? width : (TerminalWidth(out) > 0 ? TerminalWidth(out) : 160));
}

void Console::RefreshWidth() {
    if (int width = TerminalWidth(out_); !width_given_ && width > 0) {
        interpreter_->set_width(width);
    }
}

Console::~Console() = default;

bool Console::RunLine(std::string_view line) { return interpreter_->Run(line, Interpreter::Mode::kLine); }

int Console::RunScript(std::string_view text, std::string_view /*source_name*/) {
    // RouterOS's `/import` names only the line; the caller knows which file it ran.
    return interpreter_->Run(text, Interpreter::Mode::kScript) ? 0 : 1;
}

bool RunScriptText(const menu::Tree& tree, menu::Session session, std::string_view source, std::ostream& out,
                   std::ostream& err) {
    return Interpreter(tree, std::move(session), out, err).Run(source, Interpreter::Mode::kScript);
}

void InstallScriptRunner(menu::Tree& tree) {
    if (GlobalsOf(tree) == nullptr) {
        InstallGlobals(tree);
    }
    tree.set_script_runner([&tree](const menu::Session& session, std::string_view source, std::ostream& out,
                                   std::ostream& err) { return RunScriptText(tree, session, source, out, err); });
}

void Console::set_width(int columns) {
    width_given_ = true;
    interpreter_->set_width(columns);
}

std::string Console::Prompt() const {
    const std::string& path = interpreter_->current_menu().path;
    std::string identity = "certos";
    try {
        menu::Request get;
        get.path = "/system/identity";
        get.verb = "get";
        get.args = {{"value-name", "name"}};
        identity = interpreter_->tree().Execute(get, interpreter_->session()).ret.value_or(identity);
    } catch (const core::Error&) {
        // A session that may not read it, or a tree without the menu: the default name.
    }
    return "[" + interpreter_->session().user + "@" + identity + "] " + (path == "/" ? "" : path) + "> ";
}

}  // namespace certos::console
