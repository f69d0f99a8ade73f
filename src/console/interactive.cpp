// The interactive console: libedit line editing, history, Tab completion and `?` help.

#include <histedit.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "console/completion.hpp"
#include "console/console.hpp"
#include "console/interpreter.hpp"
#include "menu/logging.hpp"

namespace certos::console {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void OnInterrupt(int) { g_interrupted = 1; }

// ReadSecret asks `prompt` on the terminal and reads one line without echo (RouterOS's `passphrase:`);
// nullopt at the end of input or on Ctrl-C.
std::optional<std::string> ReadSecret(std::string_view prompt) {
    std::fwrite(prompt.data(), 1, prompt.size(), stdout);
    std::fflush(stdout);
    termios saved{};
    bool terminal = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (terminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ICANON;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    bool ended = false;
    char c = 0;
    while (true) {
        ssize_t n = read(STDIN_FILENO, &c, 1);
        if (n <= 0 || g_interrupted != 0) {
            ended = true;
            break;
        }
        if (c == '\n' || c == '\r') {
            break;
        }
        line += c;
    }
    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    }
    std::fputs("\n", stdout);
    if (ended) {
        return std::nullopt;
    }
    return line;
}

struct EditLineDeleter {
    void operator()(EditLine* el) const { el_end(el); }
};
struct HistoryDeleter {
    void operator()(History* history) const { history_end(history); }
};

// Repl is one interactive session; libedit's callbacks find it through EL_CLIENTDATA.
class Repl {
public:
    Repl(Console& console, Interpreter& interpreter, std::ostream& out, std::filesystem::path history_file,
         std::function<void()> refresh_width)
        : console_(console),
          interpreter_(interpreter),
          out_(out),
          history_file_(std::move(history_file)),
          refresh_width_(std::move(refresh_width)) {}

    int Run() {
        struct sigaction action {};
        struct sigaction previous {};
        action.sa_handler = OnInterrupt;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &previous);  // no SA_RESTART: Ctrl-C interrupts the read

        std::unique_ptr<History, HistoryDeleter> hist(history_init());
        HistEvent event;
        ::history(hist.get(), &event, H_SETSIZE, 1000);
        ::history(hist.get(), &event, H_SETUNIQUE, 1);
        if (!history_file_.empty()) {
            ::history(hist.get(), &event, H_LOAD, history_file_.c_str());
        }
        std::unique_ptr<EditLine, EditLineDeleter> el(el_init("certos", stdin, stdout, stderr));
        el_set(el.get(), EL_CLIENTDATA, this);
        el_set(el.get(), EL_EDITOR, "emacs");
        el_set(el.get(), EL_SIGNAL, 1);
        el_set(el.get(), EL_PROMPT, &Repl::PromptOf);
        el_set(el.get(), EL_HIST, ::history, hist.get());
        el_set(el.get(), EL_ADDFN, "certos-complete", "complete the word", &Repl::OnTab);
        el_set(el.get(), EL_ADDFN, "certos-help", "show what can follow", &Repl::OnHelp);
        el_set(el.get(), EL_BIND, "^I", "certos-complete", nullptr);
        el_set(el.get(), EL_BIND, "?", "certos-help", nullptr);

        interpreter_.set_interrupted([] { return g_interrupted != 0; });  // Ctrl-C stops a running loop
        interpreter_.set_ask_secret(ReadSecret);
        std::string pending;
        while (!interpreter_.quit_requested()) {
            prompt_ = pending.empty() ? console_.Prompt() : "... ";
            int count = 0;
            g_interrupted = 0;
            const char* line = el_gets(el.get(), &count);
            if (line == nullptr) {
                if (g_interrupted != 0 || (count == -1 && errno == EINTR)) {
                    std::fputs("\n", stdout);
                    pending.clear();
                    continue;
                }
                std::fputs("\n", stdout);
                break;
            }
            std::string text(line);
            if (!text.empty() && text.back() == '\n') {
                text.pop_back();
            }
            if (text.find_first_not_of(" \t") != std::string::npos) {
                ::history(hist.get(), &event, H_ENTER, text.c_str());
                if (!history_file_.empty()) {
                    ::history(hist.get(), &event, H_SAVE, history_file_.c_str());
                }
            }
            pending += pending.empty() ? text : "\n" + text;
            if (Interpreter::IsIncomplete(pending)) {
                continue;
            }
            std::string source = std::move(pending);
            pending.clear();
            refresh_width_();
            g_interrupted = 0;
            interpreter_.Run(source, Interpreter::Mode::kLine);
            std::fflush(stdout);
        }
        sigaction(SIGINT, &previous, nullptr);
        interpreter_.set_interrupted({});
        return 0;
    }

private:
    static Repl& Of(EditLine* el) {
        void* self = nullptr;
        el_get(el, EL_CLIENTDATA, &self);
        return *static_cast<Repl*>(self);
    }

    static char* PromptOf(EditLine* el) { return Of(el).prompt_.data(); }

    static std::string BeforeCursor(EditLine* el) {
        const LineInfo* info = el_line(el);
        return std::string(info->buffer, static_cast<std::size_t>(info->cursor - info->buffer));
    }

    CompletionContext Context() const {
        return CompletionContext{
            interpreter_.tree(), interpreter_.current_menu(),
            [this](const menu::Menu& menu) { return interpreter_.ItemNames(menu); },
            [this](const menu::Menu& menu, const menu::Filter& where) { return interpreter_.ItemNames(menu, &where); }};
    }

    void Show(const std::vector<std::string>& lines) {
        out_ << "\n";
        for (const std::string& line : lines) {
            out_ << line << "\n";
        }
        out_.flush();
    }

    // ShowCandidates lists completion candidates in columns, as a shell does.
    void ShowCandidates(const std::vector<std::string>& candidates) {
        std::size_t widest = 0;
        for (const std::string& candidate : candidates) {
            widest = std::max(widest, candidate.size());
        }
        std::size_t per_line = std::max<std::size_t>(1, static_cast<std::size_t>(interpreter_.width()) / (widest + 2));
        std::vector<std::string> lines;
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            if (i % per_line == 0) {
                lines.emplace_back();
            }
            std::string cell = candidates[i];
            if ((i + 1) % per_line != 0 && i + 1 < candidates.size()) {
                cell.resize(widest + 2, ' ');
            }
            lines.back() += cell;
        }
        Show(lines);
    }

    static unsigned char OnTab(EditLine* el, int) {
        Repl& self = Of(el);
        std::string before = BeforeCursor(el);
        Completion completion = Complete(self.Context(), before);
        if (completion.candidates.empty()) {
            return CC_REFRESH_BEEP;
        }
        std::string typed = before.substr(std::min(completion.start, before.size()));
        std::string common = CommonPrefix(completion.candidates);
        std::string insert = common.size() > typed.size() ? common.substr(typed.size()) : "";
        if (completion.candidates.size() == 1 && !common.ends_with('=')) {
            insert += " ";
        }
        if (!insert.empty()) {
            el_insertstr(el, insert.c_str());
            return CC_REFRESH;
        }
        self.ShowCandidates(completion.candidates);
        return CC_REDISPLAY;
    }

    static unsigned char OnHelp(EditLine* el, int) {
        Repl& self = Of(el);
        std::string before = BeforeCursor(el);
        if (InsideQuote(before)) {
            el_insertstr(el, "?");
            return CC_REFRESH;
        }
        self.Show(HelpLines(self.Context(), before));
        return CC_REDISPLAY;
    }

    Console& console_;
    Interpreter& interpreter_;
    std::ostream& out_;
    std::filesystem::path history_file_;
    std::function<void()> refresh_width_;
    std::string prompt_;
};

}  // namespace

int Console::RunInteractive(const std::filesystem::path& history_file) {
    // The lines /system logging sends to `echo` show here, as on a RouterOS terminal. This process's lines are
    // logged by the commands it runs, between prompts, on this thread.
    menu::EchoRegistration echo = menu::AddEchoSink([this](std::string_view line) {
        out_ << line << "\n";
        out_.flush();
    });
    return Repl(*this, *interpreter_, out_, history_file, [this] { RefreshWidth(); }).Run();
}

}  // namespace certos::console
