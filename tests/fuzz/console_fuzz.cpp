// libFuzzer target for the console's parsers: the lexer (src/console/lexer.cpp) on the input as one console line
// and as a script read statement by statement, then every `where` expression in it (src/console/where.cpp) over a
// small menu, and the filter it gives through the walks the command tree runs (bounds, Normalize, Matches).
// Nothing may crash, overflow the stack or throw anything but ParseError and core::Error.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "console/lexer.hpp"
#include "console/where.hpp"
#include "core/error.hpp"
#include "menu/filter.hpp"
#include "menu/tree.hpp"

namespace {

using namespace certos;

const menu::Menu& FuzzMenu() {
    static const menu::Menu* menu = [] {
        auto* m = new menu::Menu();
        m->name = "certificate";
        m->path = "/certificate";
        menu::PropertySpec name;
        name.name = "name";
        menu::PropertySpec days;
        days.name = "days-valid";
        days.type = menu::ValueType::kInteger;
        menu::PropertySpec trusted;
        trusted.name = "trusted";
        trusted.type = menu::ValueType::kBool;
        menu::PropertySpec usage;
        usage.name = "key-usage";
        usage.type = menu::ValueType::kEnumList;
        usage.values = {"digital-signature", "key-cert-sign", "crl-sign", "tls-server"};
        menu::PropertySpec valid;
        valid.name = "expires-after";
        valid.type = menu::ValueType::kDuration;
        m->properties = {name, days, trusted, usage, valid};
        return m;
    }();
    return *menu;
}

console::Value Text(std::span<const console::Piece> pieces) {
    std::string text;
    for (const console::Piece& piece : pieces) {
        text += piece.text;
    }
    return console::Value::Str(text);
}

void Where(const console::Statement& statement) {
    for (std::size_t i = 0; i < statement.words.size(); ++i) {
        if (statement.words[i].Text() != "where") {
            continue;
        }
        try {
            menu::Filter filter =
                console::ParseWhere(FuzzMenu(), std::span(statement.words).subspan(i + 1), Text, statement.offset);
            filter.CheckBounds();
            filter.Normalize(FuzzMenu().properties);
            menu::Record record;
            record.Set(".id", "*1");
            record.Set("name", "ca");
            record.Set("days-valid", "365");
            record.Set("trusted", "true");
            record.Set("key-usage", "key-cert-sign,crl-sign");
            record.Set("expires-after", "1w2d");
            filter.Matches(record);
        } catch (const console::ParseError&) {
        } catch (const core::Error&) {
        }
        return;
    }
}

void Nested(const console::Statement& statement) {
    Where(statement);
    for (const console::Word& word : statement.words) {
        for (const console::Piece& piece : word.pieces) {
            for (const console::Statement& inner : piece.body) {
                Nested(inner);  // bounded: the lexer refuses more than kMaxNesting levels
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view source(reinterpret_cast<const char*>(data), size);
    try {
        for (const console::Statement& statement : console::Lexer(source).ParseAll()) {
            Nested(statement);
        }
    } catch (const console::ParseError& error) {
        if (error.offset() > source.size()) {
            std::abort();  // positions must point into the source
        }
    }
    console::Lexer script(source);
    try {
        while (auto statement = script.Next()) {
            Nested(*statement);
        }
    } catch (const console::ParseError&) {
    }
    return 0;
}
