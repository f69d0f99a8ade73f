#pragma once
// The console evaluates words into the scripting language's values (script/value.hpp).

#include "script/value.hpp"

namespace certos::console {

// Value is what a console word or expression evaluates to.
using Value = script::Value;

}  // namespace certos::console
