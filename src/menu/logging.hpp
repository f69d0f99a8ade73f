#pragma once
// /system logging: where log lines go. Every line (menu::AppendLog, menu::WriteLog) is routed through the rules
// of `/system logging` to the actions of `/system logging action`, as RouterOS v7 routes them:
//   memory  the store's log table, which /log print shows (the newest memory-lines lines);
//   disk    rotating text files under /file: NAME.0.txt (the newest) ... NAME.<disk-file-count - 1>.txt;
//   echo    the interactive consoles of the process (AddEchoSink).
// A rule matches a line that has every topic it names and none it names with `!`; every enabled rule that
// matches sends the line to its action (with its prefix), each action at most once.
//
// Log lines outlive a rollback: LogJournal (held by Tree::Execute) writes the memory lines of a command that
// failed again, in their own transaction, after its transaction rolled back.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "menu/tree.hpp"

namespace certos::menu {

inline constexpr std::string_view kLogRuleKind = "logging-rule";
inline constexpr std::string_view kLogActionKind = "logging-action";

// LogTopics are the topics a rule may name (what certos's lines carry, in RouterOS's words).
const std::vector<std::string>& LogTopics();

// InstallLoggingMenus adds /system/logging and /system/logging/action to `system`.
void InstallLoggingMenus(Menu& system);

// LoggingMissing says whether the store has no logging actions yet; BootstrapLogging then stores RouterOS's
// defaults: actions memory, disk and echo, rules info, error and warning to memory and critical to echo.
// Until it has run, lines are routed by those defaults.
bool LoggingMissing(store::Transaction& tx);
void BootstrapLogging(store::Transaction& tx);

// RouteLog sends `entry` (escaped and bounded already) where the rules in `tx` say: memory lines are appended
// in `tx` (and journalled, see LogJournal), disk and echo lines are written at once. Throws core::Error when
// `tx` cannot take the memory line (a read transaction, a full disk); disk failures are reported to stderr.
void RouteLog(const Tree& tree, store::Transaction& tx, const store::LogEntry& entry);

// MemoryLines is how many of the newest lines /log print shows: the largest memory-lines of the memory
// actions (at most store::kLogCapacity, which the store keeps).
std::size_t MemoryLines(store::Transaction& tx);

// AddEchoSink makes `sink` receive every line an echo action gets in this process ("HH:MM:SS topics message"),
// until the returned registration is destroyed. `sink` may be called from any thread, one line at a time.
class EchoRegistration {
public:
    EchoRegistration() = default;
    explicit EchoRegistration(std::uint64_t id) : id_(id) {}
    EchoRegistration(EchoRegistration&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
    EchoRegistration& operator=(EchoRegistration&& other) noexcept;
    EchoRegistration(const EchoRegistration&) = delete;
    EchoRegistration& operator=(const EchoRegistration&) = delete;
    ~EchoRegistration();

private:
    std::uint64_t id_ = 0;
};
EchoRegistration AddEchoSink(std::function<void(std::string_view line)> sink);

// LogJournal collects, for one command on this thread, the memory lines RouteLog appended in its
// transactions. Recover, called after the command failed (its transaction rolled back), writes those of them
// the store lacks in a transaction of their own; when it cannot (this thread holds another write transaction),
// the enclosing journal takes them and writes them when it ends. Journals nest (a script's commands inside `/system
// script run`).
class LogJournal {
public:
    explicit LogJournal(const Tree& tree);
    ~LogJournal();
    LogJournal(const LogJournal&) = delete;
    LogJournal& operator=(const LogJournal&) = delete;

    void Recover() noexcept;

private:
    friend void RouteLog(const Tree& tree, store::Transaction& tx, const store::LogEntry& entry);

    // Write stores those of `lines` the store lacks, in a transaction of its own; false when it could not.
    bool Write(const std::vector<store::LogEntry>& lines) noexcept;

    const Tree& tree_;
    LogJournal* parent_;
    std::vector<store::LogEntry> lines_;      // appended in this command's transactions
    std::vector<store::LogEntry> inherited_;  // a nested command's, that it could not write: written at the end
};

}  // namespace certos::menu
