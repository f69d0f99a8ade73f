#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certos::core {

// ObjectId is an item's stable `.id`: printed as `*` and upper-case hex (`*1`, `*A`, `*1A`). Ids are
// allocated by the store, never change and are never reused.
class ObjectId {
public:
    constexpr ObjectId() = default;
    constexpr explicit ObjectId(std::uint64_t value) : value_(value) {}

    constexpr std::uint64_t value() const { return value_; }
    std::string ToString() const;

    // Parse accepts `*` followed by 1..16 hex digits (either case); anything else gives nullopt.
    static std::optional<ObjectId> Parse(std::string_view text);

    friend constexpr bool operator==(ObjectId, ObjectId) = default;
    // NOLINTNEXTLINE(modernize-use-nullptr): a false positive of clang-tidy 14 on a defaulted operator<=>
    friend constexpr auto operator<=>(ObjectId, ObjectId) = default;

private:
    std::uint64_t value_ = 0;
};

}  // namespace certos::core
