#include "api/mapping.hpp"

#include "api/error_table.hpp"
#include "core/error.hpp"
#include "menu/api_query.hpp"

namespace certos::api {
namespace {

std::vector<std::string> SplitComma(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) {
            comma = text.size();
        }
        if (comma > start) {
            out.emplace_back(text.substr(start, comma - start));
        }
        start = comma + 1;
    }
    return out;
}

std::string Join(const std::vector<std::string>& values) {
    std::string out;
    for (const std::string& value : values) {
        out += (out.empty() ? "" : ",") + value;
    }
    return out;
}

// Attribute splits `=name=value` (the value may hold `=` and be empty); nullopt for a malformed word.
std::optional<std::pair<std::string, std::string>> Attribute(const std::string& word) {
    std::size_t second = word.find('=', 1);
    if (word.size() < 2 || word[0] != '=' || second == std::string::npos || second == 1) {
        return std::nullopt;
    }
    return std::make_pair(word.substr(1, second - 1), word.substr(second + 1));
}

CommandKind KindOf(const std::string& command) {
    if (command == "/login") {
        return CommandKind::kLogin;
    }
    if (command == "/cancel") {
        return CommandKind::kCancel;
    }
    if (command == "/quit") {
        return CommandKind::kQuit;
    }
    return CommandKind::kTree;
}

}  // namespace

std::optional<std::string> FindTag(const Sentence& sentence) {
    for (std::size_t i = 1; i < sentence.size(); ++i) {
        if (sentence[i].starts_with(".tag=") && sentence[i].size() > 5) {
            return sentence[i].substr(5);
        }
    }
    return std::nullopt;
}

Command ParseCommand(const Sentence& sentence) {
    Command command;
    command.tag = FindTag(sentence);
    if (sentence.empty() || sentence[0].size() < 2 || sentence[0][0] != '/') {
        throw core::Error(core::ErrorCategory::kMissingItem, "no such command");
    }
    const std::string& first = sentence[0];
    command.kind = KindOf(first);
    menu::Request request;
    std::size_t slash = first.rfind('/');
    request.path = slash == 0 ? "/" : first.substr(0, slash);
    request.verb = first.substr(slash + 1);
    if (request.verb == "getall") {
        request.verb = "print";
    }
    std::vector<std::string> query;
    std::vector<std::string> unset;
    for (std::size_t i = 1; i < sentence.size(); ++i) {
        const std::string& word = sentence[i];
        if (word.starts_with(".tag=")) {
            continue;
        }
        if (word.starts_with("?")) {
            query.push_back(word);
            continue;
        }
        std::optional<std::pair<std::string, std::string>> attribute = Attribute(word);
        if (!attribute) {
            throw core::ArgumentError("unknown parameter " + word);
        }
        auto& [name, value] = *attribute;
        if (command.kind != CommandKind::kTree) {
            command.attributes.emplace_back(std::move(name), std::move(value));
        } else if (name == ".proplist") {
            request.proplist = SplitComma(value);
        } else if (name.size() > 1 && name[0] == '!') {
            unset.push_back(name.substr(1));
        } else {
            request.args.emplace_back(std::move(name), std::move(value));
        }
    }
    if (command.kind != CommandKind::kTree) {
        return command;
    }
    if (!query.empty()) {
        request.filter = menu::ParseApiQuery(query);
    }
    if (unset.empty()) {
        command.requests.push_back(std::move(request));
        return command;
    }
    // `=!prop=` (community.routeros api_modify): the item's other properties are set first, then the named
    // ones go back to their defaults through the tree's `unset`.
    menu::Request reset;
    reset.path = request.path;
    reset.verb = "unset";
    for (const auto& [name, value] : request.args) {
        if (name == ".id" || name == "numbers" || name == "number") {
            reset.args.emplace_back(name, value);
        }
    }
    reset.args.emplace_back("value-name", Join(unset));
    if (request.args.size() + 1 > reset.args.size()) {
        command.requests.push_back(std::move(request));
    }
    command.requests.push_back(std::move(reset));
    return command;
}

void RenderSentence(Sentence sentence, const ReplyOptions& options, std::string& out) {
    if (options.tag) {
        sentence.push_back(".tag=" + *options.tag);
    }
    EncodeSentence(sentence, out);
}

void RenderRecord(const menu::Record& record, const ReplyOptions& options, std::string& out) {
    Sentence sentence{"!re"};
    sentence.reserve(record.fields().size() + 2);
    for (const auto& [key, value] : record.fields()) {
        std::string word = "=";
        word += key;
        word += '=';
        word += value;
        sentence.push_back(std::move(word));
    }
    RenderSentence(std::move(sentence), options, out);
}

void RenderResult(const menu::Result& result, const ReplyOptions& options, std::string& out) {
    for (const menu::Record& record : result.records) {
        RenderRecord(record, options, out);
    }
    if (options.empty_reply && result.records.empty() && !result.ret) {
        RenderSentence({"!empty"}, options, out);
    }
    Sentence done{"!done"};
    if (result.ret) {
        done.push_back("=ret=" + *result.ret);
    }
    RenderSentence(std::move(done), options, out);
}

void RenderTrap(const core::Error& error, const ReplyOptions& options, std::string& out) {
    RenderSentence(TrapSentence(error), options, out);
    RenderSentence({"!done"}, options, out);
}

}  // namespace certos::api
