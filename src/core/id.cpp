#include "core/id.hpp"

#include <charconv>

namespace certos::core {

std::string ObjectId::ToString() const {
    char buf[20];
    buf[0] = '*';
    auto [end, ec] = std::to_chars(buf + 1, buf + sizeof buf, value_, 16);
    for (char* p = buf + 1; p < end; ++p) {
        if (*p >= 'a' && *p <= 'f') {
            *p = static_cast<char>(*p - 'a' + 'A');
        }
    }
    return std::string(buf, end);
}

std::optional<ObjectId> ObjectId::Parse(std::string_view text) {
    if (text.size() < 2 || text.size() > 17 || text[0] != '*') {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), value, 16);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return ObjectId(value);
}

}  // namespace certos::core
