#include "menu/record.hpp"

#include <algorithm>

namespace certos::menu {

void Record::Set(std::string name, std::string value) {
    for (auto& [key, existing] : fields_) {
        if (key == name) {
            existing = std::move(value);
            return;
        }
    }
    fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Record::Get(std::string_view name) const {
    for (const auto& [key, value] : fields_) {
        if (key == name) {
            return std::string_view(value);
        }
    }
    return std::nullopt;
}

std::string Record::GetOr(std::string_view name, std::string_view fallback) const {
    auto value = Get(name);
    return std::string(value ? *value : fallback);
}

void Record::Erase(std::string_view name) {
    std::erase_if(fields_, [&](const auto& field) { return field.first == name; });
}

}  // namespace certos::menu
