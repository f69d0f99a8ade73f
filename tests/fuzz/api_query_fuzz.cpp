// libFuzzer target for API queries (src/menu/api_query.cpp), which REST `.query` shares: the input is cut into
// words at newlines (at most 1,000, as the API protocol allows), parsed, and the filter walked as the command
// tree walks it. A query the parser accepts must be within the filter bounds (the parser bounds what it builds).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "menu/api_query.hpp"
#include "menu/filter.hpp"
#include "menu/schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace certos;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start <= input.size() && words.size() < 1000) {
        std::size_t end = input.find('\n', start);
        if (end == std::string_view::npos) {
            end = input.size();
        }
        words.emplace_back(input.substr(start, end - start));
        start = end + 1;
    }
    menu::Filter filter;
    try {
        filter = menu::ParseApiQuery(words);
    } catch (const core::Error&) {
        return 0;
    }
    try {
        filter.CheckBounds();
    } catch (const core::Error&) {
        std::abort();  // the parser let a filter beyond the bounds through
    }
    static const std::vector<menu::PropertySpec> properties = [] {
        menu::PropertySpec name;
        name.name = "name";
        menu::PropertySpec days;
        days.name = "days-valid";
        days.type = menu::ValueType::kInteger;
        menu::PropertySpec trusted;
        trusted.name = "trusted";
        trusted.type = menu::ValueType::kBool;
        return std::vector<menu::PropertySpec>{name, days, trusted};
    }();
    try {
        filter.Normalize(properties);
        menu::Record record;
        record.Set(".id", "*1");
        record.Set("name", "ca");
        record.Set("days-valid", "365");
        record.Set("trusted", "true");
        filter.Matches(record);
    } catch (const core::Error&) {
    }
    return 0;
}
