#pragma once
// The global variables of a process's scripts: what `:global` sets in one console or script run is seen by
// every later run and every other session of the process, as on RouterOS (which keeps them in memory until
// reboot), and `/system script environment` lists and removes them.

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "console/value.hpp"
#include "menu/tree.hpp"

namespace certos::console {

// kMaxGlobals bounds how many globals a process keeps, kMaxGlobalBytes the bytes of all their values together
// (strings, keys and code counted by their text), so that scripts cannot grow a daemon's memory without end.
inline constexpr std::size_t kMaxGlobals = 1000;
inline constexpr std::size_t kMaxGlobalBytes = 16 * 1024 * 1024;

// Globals is the process's store of script globals. Thread-safe: every call takes its lock, and values are
// copied in and out, so no caller holds a reference into it.
class Globals final : public menu::ScriptEnvironment {
public:
    // Get returns a copy of global `name`, nullopt when there is none.
    std::optional<Value> Get(std::string_view name) const;
    // Set makes `name` hold `value`. Throws core::Error (kScript) "too many global variables" beyond
    // kMaxGlobals, "global variables too large" beyond kMaxGlobalBytes; then nothing changes.
    void Set(const std::string& name, Value value);
    // Declare makes `name` a global holding nil unless it exists already (`:global name` with no value).
    void Declare(const std::string& name);

    std::vector<std::pair<std::string, std::string>> List() const override;
    bool Remove(std::string_view name) override;

private:
    void SetLocked(const std::string& name, Value value);

    mutable std::mutex mutex_;
    std::map<std::string, Value, std::less<>> values_;
    std::map<std::string, std::size_t, std::less<>> sizes_;
    std::size_t bytes_ = 0;
};

// ValueBytes is about how much memory `value` holds (its text, keys and code), for the bounds above.
std::size_t ValueBytes(const Value& value);

// InstallGlobals gives `tree` a process store of globals (Tree::set_environment) and returns it; the
// interpreters of that tree share it. Without one, each interpreter keeps its own globals.
std::shared_ptr<Globals> InstallGlobals(menu::Tree& tree);

// GlobalsOf is the store `tree` was given by InstallGlobals, or null.
Globals* GlobalsOf(const menu::Tree& tree);

}  // namespace certos::console
