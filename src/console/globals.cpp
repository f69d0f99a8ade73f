#include "console/globals.hpp"

#include "core/error.hpp"

namespace certos::console {
namespace {

// kCodeBytes is what a function value counts for: its statements are shared, not copied, by each holder.
constexpr std::size_t kCodeBytes = 256;

}  // namespace

std::size_t ValueBytes(const Value& value) {
    std::size_t bytes = sizeof(Value) + value.text.size() + (value.code ? kCodeBytes : 0);
    for (const script::Element& element : value.elements) {
        bytes += element.key.size();
        for (const Value& item : element.value) {
            bytes += ValueBytes(item);
        }
    }
    return bytes;
}

std::optional<Value> Globals::Get(std::string_view name) const {
    std::lock_guard lock(mutex_);
    auto it = values_.find(name);
    if (it == values_.end()) {
        return std::nullopt;
    }
    return it->second;
}

void Globals::Set(const std::string& name, Value value) {
    std::lock_guard lock(mutex_);
    SetLocked(name, std::move(value));
}

void Globals::SetLocked(const std::string& name, Value value) {
    std::size_t size = ValueBytes(value) + name.size();
    auto old = sizes_.find(name);
    std::size_t old_size = old == sizes_.end() ? 0 : old->second;
    if (old == sizes_.end() && values_.size() >= kMaxGlobals) {
        throw core::Error(core::ErrorCategory::kScript,
                          "too many global variables (more than " + std::to_string(kMaxGlobals) + ")");
    }
    if (bytes_ - old_size + size > kMaxGlobalBytes) {
        throw core::Error(core::ErrorCategory::kScript, "global variables too large");
    }
    bytes_ = bytes_ - old_size + size;
    sizes_[name] = size;
    values_[name] = std::move(value);
}

void Globals::Declare(const std::string& name) {
    std::lock_guard lock(mutex_);
    if (!values_.contains(name)) {
        SetLocked(name, Value{});
    }
}

std::vector<std::pair<std::string, std::string>> Globals::List() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(values_.size());
    for (const auto& [name, value] : values_) {
        out.emplace_back(name, value.ToString());
    }
    return out;
}

bool Globals::Remove(std::string_view name) {
    std::lock_guard lock(mutex_);
    auto it = values_.find(name);
    if (it == values_.end()) {
        return false;
    }
    auto size = sizes_.find(name);
    bytes_ -= size->second;
    sizes_.erase(size);
    values_.erase(it);
    return true;
}

std::shared_ptr<Globals> InstallGlobals(menu::Tree& tree) {
    auto globals = std::make_shared<Globals>();
    tree.set_environment(globals);
    return globals;
}

Globals* GlobalsOf(const menu::Tree& tree) { return dynamic_cast<Globals*>(tree.environment()); }

}  // namespace certos::console
