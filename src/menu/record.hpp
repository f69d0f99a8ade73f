#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certos::menu {

// Record is one item as every front end sees it: ordered (name, value) pairs, values as wire strings
// (booleans "true"/"false"). The order is the menu's property order; `.id` comes first when present.
class Record {
public:
    Record() = default;

    void Set(std::string name, std::string value);
    // Append adds a property the record does not have yet (no search: for models building whole records).
    void Append(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
    void Reserve(std::size_t count) { fields_.reserve(count); }
    // Get returns the value, or nullopt when the record lacks the property.
    std::optional<std::string_view> Get(std::string_view name) const;
    std::string GetOr(std::string_view name, std::string_view fallback = {}) const;
    bool Has(std::string_view name) const { return Get(name).has_value(); }
    bool IsTrue(std::string_view name) const { return GetOr(name) == "true"; }
    void Erase(std::string_view name);

    const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
    bool empty() const { return fields_.empty(); }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace certos::menu
