#include "console/command.hpp"

#include <algorithm>

#include "console/script_words.hpp"
#include "console/where.hpp"
#include "core/error.hpp"
#include "core/value.hpp"
#include "menu/monitor.hpp"

namespace certos::console {
namespace {

bool IsNumber(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// UniquePrefix returns the one candidate that starts with `prefix`, or nullptr for none or several.
template <typename T, typename NameOf>
const T* UniquePrefix(const std::vector<const T*>& candidates, std::string_view prefix, NameOf name_of) {
    const T* found = nullptr;
    for (const T* candidate : candidates) {
        if (std::string_view(name_of(*candidate)).starts_with(prefix)) {
            if (found != nullptr) {
                return nullptr;
            }
            found = candidate;
        }
    }
    return found;
}

// FindFlag resolves a bare word to a flag argument (`detail`, `count-only`). A prefix (`det`) is taken
// only when the verb has no unnamed argument the word could be a value of.
const menu::ArgSpec* FindFlag(const menu::Verb& verb, std::string_view word) {
    std::vector<const menu::ArgSpec*> flags;
    bool has_unnamed = false;
    for (const menu::ArgSpec& arg : verb.args) {
        has_unnamed = has_unnamed || arg.unnamed;
        if (arg.spec.type == menu::ValueType::kFlag) {
            if (arg.spec.name == word) {
                return &arg;
            }
            flags.push_back(&arg);
        }
    }
    if (has_unnamed || word.empty()) {
        return nullptr;
    }
    return UniquePrefix(flags, word, [](const menu::ArgSpec& arg) { return arg.spec.name; });
}

// ConvertNumbers replaces console numbers in an item list ("0,*3,name") by the ids of the last print.
std::string ConvertNumbers(const ItemNumbers& numbers, const std::string& path, const std::string& value) {
    std::vector<std::string> items = core::SplitList(value);
    bool changed = false;
    for (std::string& item : items) {
        if (IsNumber(item)) {
            std::optional<std::string> id = item.size() < 10 ? numbers.Lookup(path, std::stoul(item)) : std::nullopt;
            if (!id) {
                throw core::NoSuchItem();
            }
            item = *id;
            changed = true;
        }
    }
    return changed ? core::JoinList(items) : value;
}

// SplitComponents splits a path word at '/', keeping each component's source offset.
std::vector<std::pair<std::string, std::size_t>> SplitComponents(std::string_view text, std::size_t offset) {
    std::vector<std::pair<std::string, std::size_t>> parts;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('/', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        if (end > pos) {
            parts.emplace_back(std::string(text.substr(pos, end - pos)), offset + pos);
        }
        pos = end + 1;
    }
    return parts;
}

// TakeGroup turns the `( ... )` group starting at words[i] into one `$( ... )` piece (an argument written as an
// expression: `get ($ids->0) name`) and moves `i` to its last word. Throws ParseError kExpectedEnd when it is
// not closed.
Piece TakeGroup(const std::vector<Word>& words, std::size_t& i) {
    Piece group;
    group.kind = Piece::Kind::kExpression;
    group.offset = words[i].offset;
    Statement inner;
    inner.offset = words[i].offset;
    std::size_t last = GroupEnd(words, i);
    inner.words.assign(words.begin() + static_cast<long>(i), words.begin() + static_cast<long>(last) + 1);
    i = last;
    group.body.push_back(std::move(inner));
    return group;
}

bool OpensGroup(const std::vector<Word>& words, std::size_t i) {
    return i < words.size() && words[i].pieces.front().kind == Piece::Kind::kOpen;
}

}  // namespace

std::optional<std::string> ItemNumbers::Lookup(std::string_view path, std::size_t index) const {
    auto it = ids_.find(path);
    if (it == ids_.end() || index >= it->second.size()) {
        return std::nullopt;
    }
    return it->second[index];
}

Entry FindEntry(const menu::Menu& menu, std::string_view name) {
    if (const menu::Menu* child = menu.FindChild(name)) {
        return {child, nullptr};
    }
    if (const menu::Verb* verb = menu.FindVerb(name)) {
        return {nullptr, verb};
    }
    Entry found;
    int matches = 0;
    for (const auto& child : menu.children) {
        if (std::string_view(child->name).starts_with(name)) {
            found = {child.get(), nullptr};
            ++matches;
        }
    }
    for (const menu::Verb& verb : menu.verbs) {
        if (std::string_view(verb.name).starts_with(name)) {
            found = {nullptr, &verb};
            ++matches;
        }
    }
    return matches == 1 ? found : Entry{};
}

const menu::Menu& ParentOf(const menu::Tree& tree, const menu::Menu& menu) {
    std::string_view path = menu.path;
    std::size_t slash = path.rfind('/');
    if (slash == std::string_view::npos || slash == 0) {
        return tree.root();
    }
    const menu::Menu* parent = tree.FindMenu(path.substr(0, slash));
    return parent != nullptr ? *parent : tree.root();
}

Target ResolveTarget(const menu::Tree& tree, const menu::Menu& current, const Statement& statement) {
    const menu::Menu* menu = &current;
    for (std::size_t i = 0; i < statement.words.size(); ++i) {
        const Word& word = statement.words[i];
        if (!word.IsText()) {
            throw ParseError(ParseError::Kind::kSyntax, word.offset);
        }
        std::string_view text = word.Text();
        if (text.starts_with('/')) {
            menu = &tree.root();
        }
        auto components = SplitComponents(text, word.offset);
        for (std::size_t c = 0; c < components.size(); ++c) {
            const auto& [name, offset] = components[c];
            if (name == "..") {
                menu = &ParentOf(tree, *menu);
                continue;
            }
            Entry entry = FindEntry(*menu, name);
            if (entry.child != nullptr) {
                menu = entry.child;
            } else if (entry.verb != nullptr && c + 1 == components.size()) {
                return Target{menu, entry.verb, i + 1};
            } else {
                const auto& [bad, bad_offset] = entry.verb != nullptr ? components[c + 1] : components[c];
                throw ParseError(ParseError::Kind::kBadCommand, bad_offset, bad);
            }
        }
    }
    return Target{menu, nullptr, statement.words.size()};
}

const menu::ArgSpec* FindArgument(const menu::Verb& verb, std::string_view name) {
    if (const menu::ArgSpec* arg = verb.FindArg(name)) {
        return arg;
    }
    if (name == ".id" || name == "number" || name == "numbers") {
        for (std::string_view alias : {"numbers", "number"}) {
            if (const menu::ArgSpec* arg = verb.FindArg(alias)) {
                return arg;
            }
        }
    }
    std::vector<const menu::ArgSpec*> all;
    for (const menu::ArgSpec& arg : verb.args) {
        all.push_back(&arg);
    }
    return name.empty() ? nullptr : UniquePrefix(all, name, [](const menu::ArgSpec& arg) { return arg.spec.name; });
}

namespace {

// TakeRepeat takes `follow`, `follow-only` and `interval=TIME` of a print into `command` (the console repeats
// the print; the tree never sees them). False for any other word.
bool TakeRepeat(Command& command, const Word& word, const PieceEvaluator& evaluate) {
    std::string_view head = word.Text();
    if (head == "follow" || head == "follow-only") {
        command.follow = true;
        command.follow_only = head == "follow-only";
        return true;
    }
    if (!head.starts_with("interval=")) {
        return false;
    }
    std::vector<Piece> pieces = word.pieces;
    pieces.front().text.erase(0, std::string_view("interval=").size());
    command.interval = evaluate(pieces).ToArgument();
    return true;
}

// TakeMonitorDo takes `do={...}` of a verb with monitor arguments into `command` (the console runs the block for
// each status; the tree never sees it). False for any other word.
bool TakeMonitorDo(Command& command, const Word& word) {
    if (const Piece* block = NamedBlock(word, "do")) {
        command.monitor_do = *block;
        return true;
    }
    if (!word.pieces.empty() && word.pieces.front().kind == Piece::Kind::kText &&
        word.pieces.front().text.starts_with("do=")) {
        throw core::ArgumentError("do= takes a script block: do={...}");
    }
    return false;
}

}  // namespace

Command BuildCommand(const Target& target, const Statement& statement, const PieceEvaluator& evaluate,
                     const ItemNumbers* numbers) {
    Command command;
    command.menu = target.menu;
    command.verb = target.verb;
    const menu::Verb& verb = *target.verb;
    command.request.path = target.menu->path;
    command.request.verb = verb.name;

    auto& args = command.request.args;
    std::vector<std::string> unnamed;
    std::vector<std::size_t> unnamed_offsets;
    const auto& words = statement.words;
    for (std::size_t i = target.first_argument; i < words.size(); ++i) {
        const Word& word = words[i];
        std::string_view head = word.Text();
        if (verb.takes_filter && word.IsText() && head == "where" && verb.FindArg("where") == nullptr) {
            std::size_t end = word.offset + head.size();
            command.request.filter = ParseWhere(*target.menu, std::span(words).subspan(i + 1), evaluate, end);
            break;
        }
        if (verb.name == "print" && word.IsText() && TakeRepeat(command, word, evaluate)) {
            continue;
        }
        if (menu::IsMonitorVerb(verb) && TakeMonitorDo(command, word)) {
            continue;
        }
        std::size_t eq = head.find('=');
        if (eq != std::string_view::npos && eq > 0) {
            const menu::ArgSpec* arg = FindArgument(verb, head.substr(0, eq));
            if (arg == nullptr) {
                throw ParseError(ParseError::Kind::kExpectedEnd, word.offset);
            }
            std::vector<Piece> pieces = word.pieces;
            pieces.front().text.erase(0, eq + 1);
            pieces.front().offset += eq + 1;
            if (pieces.size() == 1 && pieces.front().text.empty() && OpensGroup(words, i + 1)) {
                pieces = {TakeGroup(words, ++i)};  // name=( ... )
            }
            args.emplace_back(arg->spec.name, evaluate(pieces).ToArgument());
            if (arg->spec.type == menu::ValueType::kFlag) {
                command.flags.insert(arg->spec.name);
            }
        } else if (const menu::ArgSpec* flag = word.IsText() ? FindFlag(verb, head) : nullptr) {
            args.emplace_back(flag->spec.name, "");
            command.flags.insert(flag->spec.name);
        } else if (OpensGroup(words, i)) {
            unnamed_offsets.push_back(word.offset);
            Piece group = TakeGroup(words, i);
            unnamed.push_back(evaluate(std::span(&group, 1)).ToArgument());
        } else {
            unnamed.push_back(evaluate(word.pieces).ToArgument());
            unnamed_offsets.push_back(word.offset);
        }
    }

    std::size_t places = static_cast<std::size_t>(
        std::count_if(verb.args.begin(), verb.args.end(), [](const menu::ArgSpec& arg) { return arg.unnamed; }));
    if (unnamed.size() > places) {
        throw ParseError(ParseError::Kind::kExpectedEnd, unnamed_offsets[places]);
    }
    for (auto& bound : menu::BindUnnamed(verb, unnamed)) {
        args.push_back(std::move(bound));
    }

    for (auto& [name, value] : args) {
        const menu::ArgSpec* arg = verb.FindArg(name);
        if (arg != nullptr && arg->spec.type == menu::ValueType::kItem && numbers != nullptr) {
            value = ConvertNumbers(*numbers, target.menu->path, value);
        }
        if (name == "proplist") {
            // The console numbers rows and remembers their ids, so it always asks for `.id`.
            command.proplist = core::SplitList(value);
            if (std::find(command.proplist.begin(), command.proplist.end(), ".id") == command.proplist.end()) {
                value.insert(0, value.empty() ? ".id" : ".id,");
            }
        }
    }
    return command;
}

}  // namespace certos::console
