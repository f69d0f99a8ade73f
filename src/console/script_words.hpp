#pragma once
// How script commands find their parts among a statement's words: `name=value` words, `do={...}` blocks and
// which blocks are code (run) rather than array literals (values).

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "console/syntax.hpp"

namespace certos::console {

// CommandName is the name of a script command statement (`:put` -> "put"); "" for other statements.
inline std::string_view CommandName(const Statement& statement) {
    std::string_view head = statement.words.front().Text();
    return head.starts_with(':') ? head.substr(1) : std::string_view();
}

// NamedBlock returns the block of a `name={...}` word; nullptr when `word` is not one.
inline const Piece* NamedBlock(const Word& word, std::string_view name) {
    if (word.pieces.size() == 2 && word.pieces[1].kind == Piece::Kind::kBlock &&
        word.pieces[0].kind == Piece::Kind::kText && word.pieces[0].text.size() == name.size() + 1 &&
        word.pieces[0].text.starts_with(name) && word.pieces[0].text.back() == '=') {
        return &word.pieces[1];
    }
    return nullptr;
}

// BareBlock returns the block of a word that is only `{...}`; nullptr otherwise.
inline const Piece* BareBlock(const Word& word) {
    return word.pieces.size() == 1 && word.pieces[0].kind == Piece::Kind::kBlock ? &word.pieces[0] : nullptr;
}

// CodeBlockOf returns the block of `word` when the statement runs it as code: `do=`, `else=` and `on-error=`
// blocks, the body of `:do`, `:time`, `:execute` and `:onerror` (also its `in=`), and a statement that is one
// block. Other blocks (`:local a {1;2}`, `:foreach x in={1;2}`) are array literals: nullptr.
inline const Piece* CodeBlockOf(const Statement& statement, const Word& word) {
    for (std::string_view name : {"do", "else", "on-error"}) {
        if (const Piece* block = NamedBlock(word, name)) {
            return block;
        }
    }
    std::string_view command = CommandName(statement);
    if (command == "onerror") {
        if (const Piece* block = NamedBlock(word, "in")) {
            return block;
        }
    }
    const Piece* bare = BareBlock(word);
    bool runs_bare = command == "do" || command == "time" || command == "execute" || command == "onerror" ||
                     (statement.words.size() == 1 && command.empty());
    return bare != nullptr && runs_bare ? bare : nullptr;
}

// IsNamed is true for a `name=value` word (not a comparison such as `$a=1` or `(x>=2)`).
inline bool IsNamed(const Word& word) {
    std::string_view text = word.Text();
    std::size_t eq = text.find('=');
    return eq != std::string_view::npos && eq > 0 && text.find_first_of("()!<>") == std::string_view::npos &&
           !text.starts_with('$');
}

// ScriptArgs are a script command's words after its name, split into unnamed values and `name=value` ones. A
// value is its words: one word, or a `( ... )` group (also after `name=`: `while=($i < 3)`).
struct ScriptArgs {
    std::vector<std::vector<Word>> unnamed;
    std::map<std::string, std::vector<Word>, std::less<>> named;
    std::map<std::string, std::size_t, std::less<>> named_offsets;

    // Named returns the words of `name=`; nullptr when absent.
    const std::vector<Word>* Named(std::string_view name) const {
        auto it = named.find(name);
        return it == named.end() ? nullptr : &it->second;
    }
};

// SplitArgs splits `words` into ScriptArgs; throws ParseError kExpectedEnd for a `( ... )` group left open.
ScriptArgs SplitArgs(std::span<const Word> words);

}  // namespace certos::console
