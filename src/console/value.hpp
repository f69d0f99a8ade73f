#pragma once

#include <string>
#include <utility>
#include <vector>

namespace certos::console {

// Value is what a console expression evaluates to: a string, or an array (what `find` returns).
// RouterOS prints an array with ';' between elements and passes it to an item argument as a comma list.
struct Value {
    std::string text;
    std::vector<std::string> items;
    bool is_array = false;

    static Value Text(std::string text) {
        Value value;
        value.text = std::move(text);
        return value;
    }
    static Value Array(std::vector<std::string> items) {
        Value value;
        value.items = std::move(items);
        value.is_array = true;
        return value;
    }

    // ToString is the value as `:put` prints it.
    std::string ToString() const { return is_array ? Join(';') : text; }
    // ToArgument is the value as a command argument (`remove [find]` passes "*1,*2").
    std::string ToArgument() const { return is_array ? Join(',') : text; }

private:
    std::string Join(char separator) const {
        std::string out;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i > 0) {
                out += separator;
            }
            out += items[i];
        }
        return out;
    }
};

}  // namespace certos::console
