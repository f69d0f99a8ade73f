#include "console/completion.hpp"

#include <algorithm>
#include <optional>

#include "console/command.hpp"
#include "console/interpreter.hpp"
#include "console/render.hpp"
#include "core/value.hpp"

namespace certos::console {
namespace {

struct Word {
    std::string text;
    std::size_t start = 0;
};

// Analysis is where the cursor is: in which menu, after which verb, typing which word.
struct Analysis {
    bool valid = false;
    const menu::Menu* menu = nullptr;
    const menu::Verb* verb = nullptr;
    std::vector<std::string> arguments;  // complete words after the verb
    std::string partial;                 // the word being typed
    std::size_t partial_start = 0;
};

// SplitWords splits at blanks outside quotes and brackets.
std::vector<Word> SplitWords(std::string_view text, std::size_t base, bool& ends_in_blank) {
    std::vector<Word> words;
    bool quoted = false;
    int depth = 0;
    ends_in_blank = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        bool blank = !quoted && depth == 0 && (c == ' ' || c == '\t');
        if (!blank) {
            if (ends_in_blank) {
                words.push_back({"", base + i});
            }
            words.back().text += c;
            if (c == '\\' && i + 1 < text.size()) {
                words.back().text += text[++i];
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '[') {
                ++depth;
            } else if (!quoted && c == ']' && depth > 0) {
                --depth;
            }
        }
        ends_in_blank = blank;
    }
    return words;
}

// WalkPath follows path words from `menu`; stops at the first verb. False when a name is unknown.
bool WalkPath(const menu::Tree& tree, const std::vector<Word>& words, const menu::Menu*& menu, const menu::Verb*& verb,
              std::size_t& next) {
    for (next = 0; next < words.size() && verb == nullptr; ++next) {
        std::string_view text = words[next].text;
        if (text.starts_with('/')) {
            menu = &tree.root();
        }
        for (const std::string& part : core::SplitList(text, '/')) {
            if (part.empty()) {
                continue;
            }
            if (verb != nullptr) {
                return false;
            }
            if (part == "..") {
                menu = &ParentOf(tree, *menu);
                continue;
            }
            Entry entry = FindEntry(*menu, part);
            if (entry.child == nullptr && entry.verb == nullptr) {
                return false;
            }
            menu = entry.child != nullptr ? entry.child : menu;
            verb = entry.verb;
        }
    }
    return true;
}

Analysis Analyze(const CompletionContext& context, std::string_view line) {
    // Segments: the text after the last unclosed '[' (or '{'), after the last ';' within it.
    struct Level {
        std::size_t start;
        std::size_t open;
    };
    std::vector<Level> levels = {{0, 0}};
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (c == '\\') {
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (quoted) {
            continue;
        } else if (c == '[' || c == '{') {
            levels.push_back({i + 1, i});
        } else if ((c == ']' || c == '}') && levels.size() > 1) {
            levels.pop_back();
        } else if (c == ';' || c == '\n') {
            levels.back().start = i + 1;
        }
    }
    // A line ending inside a quote is completed too: the partial word starts at the quote and only
    // quoted candidates (item names with blanks) can match it.
    Analysis analysis;
    const menu::Menu* menu = &context.current;
    for (std::size_t k = 0; k + 1 < levels.size(); ++k) {
        // A nested command runs in the menu of the command around it (`/certificate set [find ...]`).
        bool blank = false;
        auto words = SplitWords(line.substr(levels[k].start, levels[k + 1].open - levels[k].start), 0, blank);
        const menu::Verb* verb = nullptr;
        std::size_t next = 0;
        if (!words.empty() && !words.front().text.starts_with(':') &&
            !WalkPath(context.tree, words, menu, verb, next)) {
            return analysis;
        }
    }
    bool ends_in_blank = false;
    std::size_t start = levels.back().start;
    std::vector<Word> words = SplitWords(line.substr(start), start, ends_in_blank);
    if (!ends_in_blank && !words.empty()) {
        analysis.partial = words.back().text;
        analysis.partial_start = words.back().start;
        words.pop_back();
    } else {
        analysis.partial_start = line.size();
    }
    // Inside a global command nothing is completed; a first word starting with ':' is one being typed.
    if ((!words.empty() && words.front().text.starts_with(':')) ||
        (!words.empty() && analysis.partial.starts_with(':'))) {
        return analysis;
    }
    std::size_t next = 0;
    if (!WalkPath(context.tree, words, menu, analysis.verb, next)) {
        return analysis;
    }
    analysis.menu = menu;
    for (; next < words.size(); ++next) {
        analysis.arguments.push_back(words[next].text);
    }
    analysis.valid = true;
    return analysis;
}

// ItemChoice is an argument whose completion offers the items of menu `items_of` that match `where`.
struct ItemChoice {
    std::string_view menu;  // the verb's menu
    std::string_view verb;  // "" for every verb of the menu
    std::string_view arg;
    std::string_view items_of;
    menu::Filter (*where)();
};

menu::Filter Templates() { return menu::Filter::Unary(menu::Filter::Op::kLacks, "fingerprint"); }

menu::Filter WithKey() {
    return menu::Filter::And({menu::Filter::Unary(menu::Filter::Op::kHas, "fingerprint"),
                              menu::Filter::Unary(menu::Filter::Op::kTruthy, "private-key")});
}

menu::Filter CasWithKey() {
    return menu::Filter::And({WithKey(), menu::Filter::Unary(menu::Filter::Op::kTruthy, "authority")});
}

constexpr ItemChoice kItemChoices[] = {
    {"/certificate", "sign", "number", "/certificate", Templates},
    {"/certificate", "", "template", "/certificate", Templates},
    {"/certificate", "", "ca", "/certificate", CasWithKey},
    {"/ip/service", "", "certificate", "/certificate", WithKey},
};

// ChoiceValues are the item names an ItemChoice offers for argument `arg` of `verb`; nullopt when none
// applies.
std::optional<std::vector<std::string>> ChoiceValues(const CompletionContext& context, const menu::Menu& menu,
                                                     const menu::Verb* verb, std::string_view arg) {
    for (const ItemChoice& choice : kItemChoices) {
        if (choice.menu != menu.path || choice.arg != arg ||
            (!choice.verb.empty() && (verb == nullptr || choice.verb != verb->name))) {
            continue;
        }
        const menu::Menu* items = context.tree.FindMenu(choice.items_of);
        if (items == nullptr) {
            return std::vector<std::string>{};
        }
        if (context.matching_names) {
            return context.matching_names(*items, choice.where());
        }
        return context.item_names ? context.item_names(*items) : std::vector<std::string>{};
    }
    return std::nullopt;
}

// QuoteNames makes item names typed back in read as one value each.
std::vector<std::string> QuoteNames(std::vector<std::string> names) {
    for (std::string& name : names) {
        if (name.empty() || name.find_first_of(" \t\"\\;$[]{}()=?,") != std::string::npos) {
            name = QuoteValue(name);
        }
    }
    return names;
}

std::vector<std::string> ValuesOf(const CompletionContext& context, const menu::Menu& menu,
                                  const menu::PropertySpec& spec, const menu::Verb* verb = nullptr) {
    if (auto chosen = ChoiceValues(context, menu, verb, spec.name)) {
        return QuoteNames(std::move(*chosen));
    }
    switch (spec.type) {
        case menu::ValueType::kEnum:
        case menu::ValueType::kEnumList:
            return spec.values;
        case menu::ValueType::kBool:
            return {"no", "yes"};
        case menu::ValueType::kItem:
            return QuoteNames(context.item_names ? context.item_names(menu) : std::vector<std::string>{});
        default:
            return {};
    }
}

bool IsNamed(std::string_view word) {
    std::size_t eq = word.find('=');
    return eq != std::string_view::npos && eq > 0;
}

// PathCandidates: the children and verbs of the menu named by `partial` up to its last '/'.
Completion PathCandidates(const CompletionContext& context, const Analysis& analysis) {
    Completion completion;
    const menu::Menu* menu = analysis.menu;
    std::string_view partial = analysis.partial;
    std::size_t slash = partial.rfind('/');
    std::string_view tail = partial;
    if (slash != std::string_view::npos) {
        const menu::Verb* verb = nullptr;
        std::size_t next = 0;
        std::vector<Word> head = {{std::string(partial.substr(0, slash + 1)), 0}};
        if (!WalkPath(context.tree, head, menu, verb, next) || verb != nullptr) {
            return completion;
        }
        tail = partial.substr(slash + 1);
    }
    completion.start = analysis.partial_start + (slash == std::string_view::npos ? 0 : slash + 1);
    for (const auto& child : menu->children) {
        completion.candidates.push_back(child->name);
    }
    for (const menu::Verb& verb : menu->verbs) {
        completion.candidates.push_back(verb.name);
    }
    if (menu != &context.tree.root()) {
        completion.candidates.emplace_back("..");
    }
    if (slash == std::string_view::npos && (menu == &context.tree.root() || tail.starts_with(':'))) {
        for (std::string_view command : ScriptCommandNames()) {
            completion.candidates.push_back(":" + std::string(command));
        }
    }
    std::erase_if(completion.candidates, [&](const std::string& c) { return !c.starts_with(tail); });
    return completion;
}

Completion ArgumentCandidates(const CompletionContext& context, const Analysis& analysis) {
    Completion completion;
    const menu::Menu& menu = *analysis.menu;
    const menu::Verb& verb = *analysis.verb;
    std::string_view partial = analysis.partial;
    completion.start = analysis.partial_start;
    bool after_where =
        std::find(analysis.arguments.begin(), analysis.arguments.end(), "where") != analysis.arguments.end();
    if (after_where) {
        for (const menu::PropertySpec& spec : menu.properties) {
            completion.candidates.push_back(spec.name);
        }
    } else if (IsNamed(partial)) {
        std::size_t eq = partial.find('=');
        const menu::ArgSpec* arg = FindArgument(verb, partial.substr(0, eq));
        if (arg == nullptr) {
            return completion;
        }
        std::size_t value_start = eq + 1;
        if (arg->spec.type == menu::ValueType::kEnumList || arg->spec.type == menu::ValueType::kItem) {
            std::size_t comma = partial.rfind(',');
            value_start = comma != std::string_view::npos && comma > eq ? comma + 1 : value_start;
        }
        completion.start += value_start;
        partial = partial.substr(value_start);
        completion.candidates = ValuesOf(context, menu, arg->spec, &verb);
    } else {
        std::size_t unnamed_given = 0;
        for (const std::string& word : analysis.arguments) {
            bool flag = false;
            for (const menu::ArgSpec& arg : verb.args) {
                flag = flag || (arg.spec.type == menu::ValueType::kFlag && arg.spec.name == word);
            }
            unnamed_given += IsNamed(word) || flag ? 0 : 1;
        }
        std::size_t unnamed_seen = 0;
        for (const menu::ArgSpec& arg : verb.args) {
            if (arg.unnamed && unnamed_seen++ == unnamed_given) {
                for (std::string& value : ValuesOf(context, menu, arg.spec, &verb)) {
                    completion.candidates.push_back(std::move(value));
                }
            }
        }
        for (const menu::ArgSpec& arg : verb.args) {
            bool given = std::any_of(analysis.arguments.begin(), analysis.arguments.end(), [&](const std::string& w) {
                return w == arg.spec.name || w.starts_with(arg.spec.name + "=");
            });
            if (!given) {
                completion.candidates.push_back(arg.spec.name + (arg.spec.type == menu::ValueType::kFlag ? "" : "="));
            }
        }
        if (verb.takes_filter) {
            completion.candidates.emplace_back("where");
        }
    }
    std::erase_if(completion.candidates, [&](const std::string& c) { return !c.starts_with(partial); });
    return completion;
}

std::string HelpLine(std::string_view name, std::string_view help, std::size_t width) {
    std::string line(name);
    if (!help.empty()) {
        line += std::string(width > name.size() ? width - name.size() : 0, ' ') + " -- " + std::string(help);
    }
    return line;
}

std::vector<std::string> Aligned(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::size_t width = 0;
    for (const auto& [name, help] : entries) {
        width = std::max(width, name.size());
    }
    std::vector<std::string> lines;
    lines.reserve(entries.size());
    for (const auto& [name, help] : entries) {
        lines.push_back(HelpLine(name, help, width));
    }
    return lines;
}

}  // namespace

Completion Complete(const CompletionContext& context, std::string_view line) {
    Analysis analysis = Analyze(context, line);
    Completion completion;
    if (!analysis.valid) {
        return completion;
    }
    completion = analysis.verb == nullptr ? PathCandidates(context, analysis) : ArgumentCandidates(context, analysis);
    std::vector<std::string> unique;
    for (std::string& candidate : completion.candidates) {
        if (std::find(unique.begin(), unique.end(), candidate) == unique.end()) {
            unique.push_back(std::move(candidate));
        }
    }
    completion.candidates = std::move(unique);
    return completion;
}

std::vector<std::string> HelpLines(const CompletionContext& context, std::string_view line) {
    Analysis analysis = Analyze(context, line);
    if (!analysis.valid) {
        return {};
    }
    std::vector<std::pair<std::string, std::string>> entries;
    if (analysis.verb == nullptr) {
        Completion completion = PathCandidates(context, analysis);
        const menu::Menu* menu = analysis.menu;
        std::size_t slash = analysis.partial.rfind('/');
        if (slash != std::string::npos) {
            const menu::Verb* verb = nullptr;
            std::size_t next = 0;
            WalkPath(context.tree, {{analysis.partial.substr(0, slash + 1), 0}}, menu, verb, next);
        }
        for (const std::string& name : completion.candidates) {
            std::string help = name == ".." ? "go up one level" : name.starts_with(':') ? "global command" : "";
            if (const menu::Menu* child = menu->FindChild(name)) {
                help = child->help;
            } else if (const menu::Verb* verb = menu->FindVerb(name)) {
                help = verb->help;
            }
            entries.emplace_back(name, help);
        }
        return Aligned(entries);
    }
    const menu::Verb& verb = *analysis.verb;
    if (IsNamed(analysis.partial)) {
        const menu::ArgSpec* arg = FindArgument(verb, analysis.partial.substr(0, analysis.partial.find('=')));
        if (arg == nullptr) {
            return {};
        }
        std::vector<std::string> lines = {HelpLine(arg->spec.name, arg->spec.help, 0)};
        std::vector<std::string> values = ValuesOf(context, *analysis.menu, arg->spec, &verb);
        if (!values.empty()) {
            lines.push_back("  " + core::JoinList(values, ' '));
        }
        return lines;
    }
    entries.emplace_back(verb.name, verb.help);
    for (const menu::ArgSpec& arg : verb.args) {
        if (arg.spec.name.starts_with(analysis.partial)) {
            entries.emplace_back("  " + arg.spec.name, arg.spec.help);
        }
    }
    if (verb.takes_filter && std::string_view("where").starts_with(analysis.partial)) {
        entries.emplace_back("  where", "print only items that match an expression");
    }
    return Aligned(entries);
}

std::string CommonPrefix(const std::vector<std::string>& candidates) {
    if (candidates.empty()) {
        return {};
    }
    std::string prefix = candidates.front();
    for (const std::string& candidate : candidates) {
        std::size_t n = 0;
        while (n < prefix.size() && n < candidate.size() && prefix[n] == candidate[n]) {
            ++n;
        }
        prefix.resize(n);
    }
    return prefix;
}

bool InsideQuote(std::string_view line) {
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\\') {
            ++i;
        } else if (line[i] == '"') {
            quoted = !quoted;
        }
    }
    return quoted;
}

}  // namespace certos::console
