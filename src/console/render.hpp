#pragma once
// Rendering print results the way RouterOS's console shows them. Records carry wire strings; booleans are
// shown as yes/no through menu::ConsoleValue. Every function returns whole lines, each ending in '\n'.
// Trailing spaces are RouterOS's: a table's header row is padded to its columns, and `print detail` ends
// its legend and each `prop=value` with a space (the seed's transcripts); no other line has any.

#include <string>
#include <string_view>
#include <vector>

#include "core/value.hpp"
#include "menu/tree.hpp"

namespace certos::console {

struct RenderOptions {
    int width = 160;        // terminal columns; `print detail` wraps lines that would be longer
    bool show_ids = false;  // table: show `.id` in the `#` column instead of row numbers
    // proplist, when not empty, is `print proplist=`: every mode shows those properties only, in that order,
    // and only the flags whose property it names (no flag area when it names none).
    std::vector<std::string> proplist;
    // first_index numbers the records from this value; rows_only leaves out the legend and the table header
    // (`print follow` showing the items that appeared or changed).
    std::size_t first_index = 0;
    bool rows_only = false;
};

// RenderTable is plain `print`: a `Flags:` legend of the flags present in the rows (none when no row has a
// flag), `Columns:`, a `#` header and rows numbered from 0 with one flag column per letter present.
// options.proplist, when not empty, chooses the columns instead of the menu's layout.
std::string RenderTable(const menu::Menu& menu, const std::vector<menu::Record>& records, const RenderOptions& options);

// RenderDetail is `print detail`: the full legend, then per record the index (2 columns), every flag
// column, and `prop=value` pairs (strings quoted), wrapped at options.width; a blank line between records.
std::string RenderDetail(const menu::Menu& menu, const std::vector<menu::Record>& records,
                         const RenderOptions& options);

// RenderTerse is `print terse`: one line per record with the same index and flag prefix as detail and
// unquoted values.
std::string RenderTerse(const menu::Menu& menu, const std::vector<menu::Record>& records,
                        const RenderOptions& options = {});

// RenderAsValue is what `:put [print as-value]` shows: `.id=*1;name=x;...`, records joined by ';'.
std::string RenderAsValue(const std::vector<menu::Record>& records);

// AsValueItems returns the `name=value` items of every record in order (the array `as-value` returns).
std::vector<std::string> AsValueItems(const std::vector<menu::Record>& records);

// RenderKeyValues shows records without a table (single-entry menus such as `/certificate settings`, and
// the result of commands such as `import`): one `name: value` line per property, names right-aligned.
std::string RenderKeyValues(const menu::Menu& menu, const std::vector<menu::Record>& records);

// QuoteValue is core::QuoteValue: the console writes its literals as `/export` does.
using core::QuoteValue;

}  // namespace certos::console
