// /system logging and /system logging action, and the routing of every log line through them.

#include "menu/logging.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <tuple>

#include "core/error.hpp"
#include "core/time_format.hpp"
#include "core/value.hpp"
#include "menu/item_menu.hpp"
#include "menu/policy.hpp"

namespace certos::menu {
namespace {

std::string Get(const store::ItemRow& row, std::string_view name) {
    auto it = row.props.find(std::string(name));
    return it == row.props.end() ? std::string() : it->second;
}

// --- rules and actions as stored ---------------------------------------------------------------------------

// Action is one /system logging action, read from its item.
struct Action {
    std::string name;
    std::string target;  // memory | disk | echo
    std::size_t memory_lines = 1000;
    bool memory_stop_on_full = false;
    std::string disk_file_name = "log";
    std::size_t disk_lines_per_file = 1000;
    std::size_t disk_file_count = 2;
    bool disk_stop_on_full = false;
};

// Rule is one /system logging rule: the topics it needs and refuses, its action, prefix and regex.
struct Rule {
    std::vector<std::string> topics;
    std::vector<std::string> refused;  // the `!topic`s
    std::string action;
    std::string prefix;
    std::string regex;
};

std::size_t Number(const store::ItemRow& row, std::string_view name, std::size_t fallback) {
    std::string text = Get(row, name);
    try {
        return text.empty() ? fallback : static_cast<std::size_t>(std::stoull(text));
    } catch (const std::exception&) {
        return fallback;
    }
}

Action ReadAction(const store::ItemRow& row) {
    Action action;
    action.name = row.name;
    action.target = Get(row, "target");
    action.memory_lines = Number(row, "memory-lines", action.memory_lines);
    action.memory_stop_on_full = Get(row, "memory-stop-on-full") == "true";
    action.disk_file_name = Get(row, "disk-file-name").empty() ? action.disk_file_name : Get(row, "disk-file-name");
    action.disk_lines_per_file = Number(row, "disk-lines-per-file", action.disk_lines_per_file);
    action.disk_file_count = Number(row, "disk-file-count", action.disk_file_count);
    action.disk_stop_on_full = Get(row, "disk-stop-on-full") == "true";
    return action;
}

Rule ReadRule(const store::ItemRow& row) {
    Rule rule;
    for (const std::string& topic : core::SplitList(Get(row, "topics"))) {
        if (topic.starts_with('!')) {
            rule.refused.push_back(topic.substr(1));
        } else {
            rule.topics.push_back(topic);
        }
    }
    rule.action = Get(row, "action");
    rule.prefix = Get(row, "prefix");
    rule.regex = Get(row, "regex");
    return rule;
}

store::ItemRow ActionRow(const char* name, const char* target) {
    store::ItemRow row;
    row.name = name;
    row.props = {{"target", target}, {"default", "true"}};
    return row;
}

// DefaultActions and DefaultRules are what RouterOS v7 ships (less `remote`, which certos cannot send to).
std::vector<store::ItemRow> DefaultActions() {
    return {ActionRow("memory", "memory"), ActionRow("disk", "disk"), ActionRow("echo", "echo")};
}

std::vector<store::ItemRow> DefaultRules() {
    std::vector<store::ItemRow> rows;
    for (const auto& [topic, action] : std::initializer_list<std::pair<const char*, const char*>>{
             {"info", "memory"}, {"error", "memory"}, {"warning", "memory"}, {"critical", "echo"}}) {
        store::ItemRow& row = rows.emplace_back();
        row.name = std::string("default-") + topic;
        row.props = {{"topics", topic}, {"action", action}, {"default", "true"}};
    }
    return rows;
}

// Routing is the rules and actions a line is routed by: the stored ones, or the defaults before
// BootstrapLogging stored them.
struct Routing {
    std::vector<store::ItemRow> rules;
    std::map<std::string, Action, std::less<>> actions;
};

Routing ReadRouting(store::Transaction& tx) {
    Routing routing;
    std::vector<store::ItemRow> actions = tx.ListItems(kLogActionKind);
    if (actions.empty()) {
        actions = DefaultActions();
        routing.rules = DefaultRules();
    } else {
        routing.rules = tx.ListItems(kLogRuleKind);
    }
    for (const store::ItemRow& row : actions) {
        routing.actions.emplace(row.name, ReadAction(row));
    }
    return routing;
}

bool Matches(const Rule& rule, const std::vector<std::string>& topics, std::string_view message) {
    auto has = [&](const std::string& topic) { return std::find(topics.begin(), topics.end(), topic) != topics.end(); };
    if (!std::all_of(rule.topics.begin(), rule.topics.end(), has) ||
        std::any_of(rule.refused.begin(), rule.refused.end(), has)) {
        return false;
    }
    if (rule.regex.empty()) {
        return true;
    }
    try {
        return std::regex_search(message.begin(), message.end(), std::regex(rule.regex, std::regex::extended));
    } catch (const std::regex_error&) {
        return false;  // refused when stored; a rule from elsewhere (a backup) that does not compile matches nothing
    }
}

// --- disk ---------------------------------------------------------------------------------------------------

std::mutex& DiskMutex() {
    static std::mutex mutex;
    return mutex;
}

std::string DiskFile(const Action& action, std::size_t index) {
    return action.disk_file_name + "." + std::to_string(index) + ".txt";
}

std::size_t CountLines(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return static_cast<std::size_t>(
        std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// WriteDisk appends `line` to the action's newest file, first shifting the files along (NAME.0.txt becomes
// NAME.1.txt, ...; the oldest beyond disk-file-count goes) when it is full; with disk-stop-on-full, once every
// file is full, the line is dropped instead.
void WriteDisk(const store::FileArea& files, const Action& action, const std::string& line) {
    std::lock_guard lock(DiskMutex());
    std::filesystem::path newest = files.Resolve(DiskFile(action, 0));
    std::error_code ec;
    if (std::filesystem::exists(newest, ec) && CountLines(newest) >= action.disk_lines_per_file) {
        std::size_t count = std::max<std::size_t>(action.disk_file_count, 1);
        std::filesystem::path oldest = files.Resolve(DiskFile(action, count - 1));
        if (action.disk_stop_on_full && std::filesystem::exists(oldest, ec)) {
            return;
        }
        std::filesystem::remove(oldest, ec);
        for (std::size_t k = count - 1; k > 0; --k) {
            std::filesystem::path from = files.Resolve(DiskFile(action, k - 1));
            if (std::filesystem::exists(from, ec)) {
                std::filesystem::rename(from, files.Resolve(DiskFile(action, k)), ec);
            }
        }
        std::filesystem::remove(newest, ec);  // disk-file-count=1: the full file starts again
    }
    store::MakePrivateDirectories(newest.parent_path());
    int fd = open(newest.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw core::Failure("cannot write log file " + DiskFile(action, 0) + ": " + std::strerror(errno));
    }
    std::string text = line + "\n";
    ssize_t written = write(fd, text.data(), text.size());
    int saved = errno;
    close(fd);
    if (written != static_cast<ssize_t>(text.size())) {
        throw core::Failure("cannot write log file " + DiskFile(action, 0) + ": " + std::strerror(saved));
    }
}

// --- echo ---------------------------------------------------------------------------------------------------

struct EchoSinks {
    std::mutex mutex;
    std::uint64_t next = 1;
    std::map<std::uint64_t, std::function<void(std::string_view)>> sinks;
};

EchoSinks& Echo() {
    static EchoSinks sinks;
    return sinks;
}

void WriteEcho(const std::string& line) {
    EchoSinks& echo = Echo();
    std::lock_guard lock(echo.mutex);
    for (const auto& [id, sink] : echo.sinks) {
        sink(line);
    }
}

// --- the journal --------------------------------------------------------------------------------------------

thread_local LogJournal* t_journal = nullptr;

bool SameLine(const store::LogEntry& a, const store::LogEntry& b) {
    return a.time == b.time && a.topics == b.topics && a.message == b.message;
}

// --- menus --------------------------------------------------------------------------------------------------

// CheckTopics canonicalises a rule's topics: known topics, each at most once, `!` for a refused one.
std::string CheckTopics(std::string_view raw) {
    std::vector<std::string> out;
    for (const std::string& topic : core::SplitList(raw)) {
        std::string name = topic.starts_with('!') ? topic.substr(1) : topic;
        const std::vector<std::string>& known = LogTopics();
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            throw core::ArgumentError("input does not match any value of topics");
        }
        if (std::find(out.begin(), out.end(), topic) == out.end()) {
            out.push_back(topic);
        }
    }
    if (out.empty()) {
        throw core::ArgumentError("invalid value for argument topics");
    }
    return core::JoinList(out);
}

void InstallActions(Menu& logging) {
    Menu& menu = logging.AddChild("action", "where log lines go: memory, disk files or the consoles");
    ItemMenuSpec spec;
    spec.kind = std::string(kLogActionKind);
    PropertySpec target = Prop("target", ValueType::kEnum, {}, "memory, disk or echo");
    target.values = {"memory", "disk", "echo"};
    auto count = [](const char* name, const char* fallback, const char* help) {
        PropertySpec spec = Prop(name, ValueType::kInteger, fallback, help);
        spec.min = 1;
        spec.max = 65535;
        return spec;
    };
    spec.properties = {Prop("name"),
                       target,
                       count("memory-lines", "1000", "memory: lines /log print keeps"),
                       Prop("memory-stop-on-full", ValueType::kBool, "false", "memory: stop when full"),
                       Prop("disk-file-name", ValueType::kString, "log", "disk: files NAME.0.txt ... under /file"),
                       count("disk-lines-per-file", "1000", "disk: lines per file"),
                       count("disk-file-count", "2", "disk: files kept"),
                       Prop("disk-stop-on-full", ValueType::kBool, "false", "disk: stop when every file is full"),
                       Prop("remember", ValueType::kBool, "true", "echo: accepted; consoles show lines as they come"),
                       Prop("default", ValueType::kBool, "false")};
    spec.settable = {"name",
                     "target",
                     "memory-lines",
                     "memory-stop-on-full",
                     "disk-file-name",
                     "disk-lines-per-file",
                     "disk-file-count",
                     "disk-stop-on-full",
                     "remember"};
    spec.check = [](Call& call, store::ItemRow& row, bool adding) {
        if (row.name.empty()) {
            throw core::ArgumentError("invalid value for argument name");
        }
        if (Get(row, "target").empty()) {
            throw core::ArgumentError("missing value(s) of argument(s) target");
        }
        if (!adding) {
            std::optional<store::ItemRow> old = call.Tx().GetItem(kLogActionKind, row.id);
            if (old && Get(*old, "default") == "true" &&
                (old->name != row.name || Get(*old, "target") != Get(row, "target"))) {
                throw core::Failure("can not change name or target of default action");
            }
        } else {
            row.props.erase("default");
        }
        if (auto file = row.props.find("disk-file-name"); file != row.props.end()) {
            if (file->second.empty() || file->second.ends_with('/')) {
                throw core::ArgumentError("invalid value for argument disk-file-name");
            }
            call.tree.files().Resolve(file->second + ".0.txt");  // refuses names that leave /file
        }
    };
    spec.before_remove = [](Call& call, const store::ItemRow& row) {
        if (Get(row, "default") == "true") {
            throw core::Failure("can not remove default action");
        }
        for (const store::ItemRow& rule : call.Tx().ListItems(kLogRuleKind)) {
            if (Get(rule, "action") == row.name) {
                throw core::Failure("action " + row.name + " is used by a logging rule");
            }
        }
    };
    spec.write_policy = kPolicyWrite | kPolicyPolicy;  // the audit trail goes where these say
    spec.default_entries = DefaultActions;
    InstallItemMenu(menu, std::move(spec), {"name", "target"});
    menu.layout.flags = {{.letter = '*', .legend = "DEFAULT", .property = "default"}};
    // `print detail` shows the properties of the action's target, as RouterOS does.
    menu.layout.detail_properties = [](const Record& r) {
        std::string_view target = r.Get("target").value_or("");
        std::vector<std::string> names = {"name", "target"};
        if (target == "memory") {
            names.insert(names.end(), {"memory-lines", "memory-stop-on-full"});
        } else if (target == "disk") {
            names.insert(names.end(),
                         {"disk-file-name", "disk-lines-per-file", "disk-file-count", "disk-stop-on-full"});
        } else if (target == "echo") {
            names.emplace_back("remember");
        }
        return names;
    };
}

// RuleWords are a rule's settable properties as `add` takes them, for export.
std::string RuleWords(const Menu& menu, const store::ItemRow& row) {
    std::vector<std::string> words;
    for (const char* name : {"action", "disabled", "prefix", "regex", "topics"}) {
        std::string value = Get(row, name);
        if (!value.empty() && !(std::string_view(name) == "disabled" && value == "false")) {
            words.push_back(ExportArgument(menu.FindProperty(name), name, value));
        }
    }
    return core::JoinList(words, ' ');
}

void InstallRules(Menu& system) {
    Menu& menu = system.AddChild("logging", "which log lines go to which action");
    InstallActions(menu);
    ItemMenuSpec spec;
    spec.kind = std::string(kLogRuleKind);
    PropertySpec topics = Prop("topics", ValueType::kString, {}, "topics a line must have; !topic: must not");
    topics.quoted = false;
    topics.check = CheckTopics;
    PropertySpec action = Prop("action", ValueType::kString, "memory", "the action lines go to");
    action.quoted = false;
    spec.properties = {topics,
                       action,
                       Prop("prefix", ValueType::kString, "", "text put before each line's message"),
                       Prop("regex", ValueType::kString, "", "only lines whose message matches"),
                       Prop("disabled", ValueType::kBool, "false"),
                       Prop("default", ValueType::kBool, "false")};
    spec.settable = {"topics", "action", "prefix", "regex", "disabled"};
    spec.enable_disable = true;
    // Whoever changes the rules decides whether the audit trail reaches /log: that takes `policy`, as /user does.
    spec.write_policy = kPolicyWrite | kPolicyPolicy;
    spec.check = [](Call& call, store::ItemRow& row, bool adding) {
        if (adding) {
            if (Get(row, "topics").empty()) {
                throw core::ArgumentError("missing value(s) of argument(s) topics");
            }
            // Rules have no name; the store's items need a unique one.
            row.name = "rule-" + std::to_string(call.Tx().NextCounter("logging.rule-name"));
            row.props.erase("default");
        }
        if (!call.Tx().FindItemByName(kLogActionKind, Get(row, "action"))) {
            throw core::ArgumentError("input does not match any value of action");
        }
        try {
            std::regex(Get(row, "regex"), std::regex::extended);
        } catch (const std::regex_error&) {
            throw core::ArgumentError("invalid value for argument regex");
        }
    };
    InstallItemMenu(menu, std::move(spec), {"topics", "action", "prefix"});
    menu.layout.flags = {{.letter = 'X', .legend = "DISABLED", .property = "disabled"},
                         {.letter = '*', .legend = "DEFAULT", .property = "default"}};
    // The rules are a list without names: when they differ from a new store's, export writes them all.
    menu.export_lines = [&menu](store::Transaction& tx, const ExportOptions&) {
        std::vector<store::ItemRow> rules = tx.ListItems(kLogRuleKind);
        std::vector<store::ItemRow> defaults = DefaultRules();
        auto words = [&menu](const std::vector<store::ItemRow>& rows) {
            std::vector<std::string> out;
            out.reserve(rows.size());
            for (const store::ItemRow& row : rows) {
                out.push_back("add " + RuleWords(menu, row));
            }
            return out;
        };
        std::vector<std::string> lines = words(rules);
        if (lines == words(defaults) || (rules.empty() && tx.ListItems(kLogActionKind).empty())) {
            return std::vector<std::string>{};
        }
        lines.insert(lines.begin(), "remove [ find ]");
        return lines;
    };
}

}  // namespace

const std::vector<std::string>& LogTopics() {
    static const std::vector<std::string> topics = {"account", "acme", "backup",   "certificate", "critical", "debug",
                                                    "error",   "info", "scep",     "script",      "system",   "warning",
                                                    "web",     "api",  "rest-api", "crl",         "event",    "manager",
                                                    "packet",  "raw",  "async"};
    return topics;
}

void InstallLoggingMenus(Menu& system) { InstallRules(system); }

bool LoggingMissing(store::Transaction& tx) { return tx.ListItems(kLogActionKind).empty(); }

void BootstrapLogging(store::Transaction& tx) {
    for (const store::ItemRow& row : DefaultActions()) {
        tx.InsertItem(kLogActionKind, row);
    }
    for (const store::ItemRow& row : DefaultRules()) {
        tx.InsertItem(kLogRuleKind, row);
    }
}

void RouteLog(const Tree& tree, store::Transaction& tx, const store::LogEntry& entry) {
    Routing routing = ReadRouting(tx);
    std::vector<std::string> topics = core::SplitList(entry.topics);
    std::set<std::string, std::less<>> used;  // each action gets a line once
    std::vector<store::LogEntry> memory;
    for (const store::ItemRow& row : routing.rules) {
        if (Get(row, "disabled") == "true") {
            continue;
        }
        Rule rule = ReadRule(row);
        auto action = routing.actions.find(rule.action);
        if (action == routing.actions.end() || used.contains(rule.action) || !Matches(rule, topics, entry.message)) {
            continue;
        }
        used.insert(rule.action);
        store::LogEntry line = entry;
        if (!rule.prefix.empty()) {
            line.message = rule.prefix + " " + line.message;
        }
        const Action& target = action->second;
        if (target.target == "memory") {
            if (std::none_of(memory.begin(), memory.end(), [&](const auto& m) { return SameLine(m, line); }) &&
                !(target.memory_stop_on_full && tx.ListLog().size() >= target.memory_lines)) {
                memory.push_back(line);
            }
        } else if (target.target == "disk") {
            try {
                WriteDisk(tree.files(), target,
                          core::FormatDateTime(line.time) + " " + line.topics + " " + line.message);
            } catch (const core::Error& e) {
                std::cerr << "certos: log action " << target.name << ": " << e.what() << std::endl;
            }
        } else if (target.target == "echo") {
            WriteEcho(core::FormatLogTime(line.time, std::chrono::system_clock::now()) + " " + line.topics + " " +
                      line.message);
        }
    }
    for (const store::LogEntry& line : memory) {
        tx.AppendLog(line);
        if (t_journal != nullptr) {
            t_journal->lines_.push_back(line);
        }
    }
}

std::size_t MemoryLines(store::Transaction& tx) {
    std::size_t lines = 0;
    for (const auto& [name, action] : ReadRouting(tx).actions) {
        if (action.target == "memory") {
            lines = std::max(lines, action.memory_lines);
        }
    }
    return std::min(lines == 0 ? store::kLogCapacity : lines, store::kLogCapacity);
}

EchoRegistration& EchoRegistration::operator=(EchoRegistration&& other) noexcept {
    if (this != &other) {
        EchoRegistration old(std::exchange(id_, std::exchange(other.id_, 0)));
    }
    return *this;
}

EchoRegistration::~EchoRegistration() {
    if (id_ != 0) {
        EchoSinks& echo = Echo();
        std::lock_guard lock(echo.mutex);
        echo.sinks.erase(id_);
    }
}

EchoRegistration AddEchoSink(std::function<void(std::string_view line)> sink) {
    EchoSinks& echo = Echo();
    std::lock_guard lock(echo.mutex);
    std::uint64_t id = echo.next++;
    echo.sinks.emplace(id, std::move(sink));
    return EchoRegistration(id);
}

LogJournal::LogJournal(const Tree& tree) : tree_(tree), parent_(t_journal) { t_journal = this; }

LogJournal::~LogJournal() {
    t_journal = parent_;
    if (!inherited_.empty() && !Write(inherited_) && parent_ != nullptr) {
        parent_->inherited_.insert(parent_->inherited_.end(), inherited_.begin(), inherited_.end());
    }
}

bool LogJournal::Write(const std::vector<store::LogEntry>& lines) noexcept {
    try {
        auto tx = tree_.store().Begin(store::TxMode::kWrite);
        std::vector<store::LogEntry> kept = tx->ListLog();
        for (const store::LogEntry& line : lines) {
            if (std::none_of(kept.begin(), kept.end(), [&](const auto& k) { return SameLine(k, line); })) {
                tx->AppendLog(line);
            }
        }
        tx->Commit();
        return true;
    } catch (const std::exception& e) {
        if (parent_ == nullptr) {
            std::cerr << "certos: cannot write the log: " << e.what() << std::endl;
        }
        return false;
    }
}

void LogJournal::Recover() noexcept {
    std::vector<store::LogEntry> lines = std::move(lines_);
    lines_.clear();
    if (!lines.empty() && !Write(lines) && parent_ != nullptr) {
        parent_->inherited_.insert(parent_->inherited_.end(), lines.begin(), lines.end());
    }
}

}  // namespace certos::menu
