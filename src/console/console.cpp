#include "console/console.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "console/interpreter.hpp"

namespace certos::console {
namespace {

int DefaultWidth(const std::ostream& out) {
    if (const char* columns = std::getenv("COLUMNS")) {
        int value = std::atoi(columns);
        if (value > 0) {
            return value;
        }
    }
    winsize size{};
    if (&out == &std::cout && isatty(STDOUT_FILENO) != 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
        size.ws_col > 0) {
        return size.ws_col;
    }
    return 160;
}

}  // namespace

Console::Console(const menu::Tree& tree, menu::Session session, std::ostream& out, std::ostream& err)
    : interpreter_(std::make_unique<Interpreter>(tree, std::move(session), out, err)), out_(out), err_(err) {
    interpreter_->set_width(DefaultWidth(out));
}

Console::~Console() = default;

bool Console::RunLine(std::string_view line) { return interpreter_->Run(line, Interpreter::Mode::kLine); }

int Console::RunScript(std::string_view text, std::string_view /*source_name*/) {
    // RouterOS's `/import` names only the line; the caller knows which file it ran.
    return interpreter_->Run(text, Interpreter::Mode::kScript) ? 0 : 1;
}

void Console::set_width(int columns) { interpreter_->set_width(columns); }

std::string Console::Prompt() const {
    const std::string& path = interpreter_->current_menu().path;
    return "[" + interpreter_->session().user + "@certos] " + (path == "/" ? "" : path) + "> ";
}

}  // namespace certos::console
