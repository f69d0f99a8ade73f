#include "console/render.hpp"

#include <algorithm>
#include <cstdio>

#include "core/value.hpp"

namespace certos::console {
namespace {

// IsSet: a flag shows when its property is truthy: present, not empty and not "false" (`revoked` holds
// the revocation date).
bool IsSet(const menu::Record& record, const menu::FlagSpec& flag) {
    auto value = record.Get(flag.property);
    return value && !value->empty() && *value != "false";
}

// FlagColumn is one character position of the flag area: one flag, or several sharing it (I/R).
struct FlagColumn {
    std::vector<const menu::FlagSpec*> flags;

    bool AnySet(const menu::Record& record) const {
        return std::any_of(flags.begin(), flags.end(), [&](const menu::FlagSpec* f) { return IsSet(record, *f); });
    }
    // Letter is the last set flag of the column (R wins over I), or a space.
    char Letter(const menu::Record& record) const {
        char letter = ' ';
        for (const menu::FlagSpec* flag : flags) {
            if (IsSet(record, *flag)) {
                letter = flag->letter;
            }
        }
        return letter;
    }
};

// FlagColumns is the flag area of `menu`; with a proplist, only the flags whose property it names.
std::vector<FlagColumn> FlagColumns(const menu::Menu& menu, const std::vector<std::string>& proplist) {
    std::vector<FlagColumn> columns;
    for (const menu::FlagSpec& flag : menu.layout.flags) {
        if (!proplist.empty() && std::find(proplist.begin(), proplist.end(), flag.property) == proplist.end()) {
            continue;
        }
        if (!flag.shares_previous_column || columns.empty()) {
            columns.emplace_back();
        }
        columns.back().flags.push_back(&flag);
    }
    return columns;
}

// Legend writes `Flags: K - PRIVATE-KEY; I - ISSUED, R - REVOKED` for the flags `show` accepts.
template <typename Show>
std::string Legend(const std::vector<FlagColumn>& columns, Show show) {
    std::string line;
    for (const FlagColumn& column : columns) {
        bool first_in_column = true;
        for (const menu::FlagSpec* flag : column.flags) {
            if (!show(*flag)) {
                continue;
            }
            line += line.empty() ? "Flags: " : (first_in_column ? "; " : ", ");
            line += flag->letter;
            line += " - " + flag->legend;
            first_in_column = false;
        }
    }
    return line.empty() ? line : line + "\n";
}

std::string FlagArea(const std::vector<FlagColumn>& columns, const menu::Record& record) {
    std::string area;
    for (const FlagColumn& column : columns) {
        area += column.Letter(record);
    }
    return area;
}

std::string TrimRight(std::string line) {
    while (!line.empty() && line.back() == ' ') {
        line.pop_back();
    }
    return line;
}

std::string PadLeft(std::string_view text, std::size_t width) {
    return std::string(width > text.size() ? width - text.size() : 0, ' ') + std::string(text);
}

std::string PadRight(std::string_view text, std::size_t width) {
    return std::string(text) + std::string(width > text.size() ? width - text.size() : 0, ' ');
}

bool IsFlagProperty(const menu::Menu& menu, std::string_view name) {
    return std::any_of(menu.layout.flags.begin(), menu.layout.flags.end(),
                       [&](const menu::FlagSpec& flag) { return flag.property == name; });
}

std::vector<std::string> DefaultColumns(const menu::Menu& menu, const std::vector<menu::Record>& records) {
    std::vector<std::string> columns;
    for (const menu::Record& record : records) {
        for (const auto& [name, value] : record.fields()) {
            if (name != ".id" && !IsFlagProperty(menu, name) &&
                std::find(columns.begin(), columns.end(), name) == columns.end()) {
                columns.push_back(name);
            }
        }
    }
    return columns;
}

// DetailProperties is what detail and terse show of `record`: the proplist when there is one (less the
// flags, which the flag area shows), else the menu's detail layout.
std::vector<std::string> DetailProperties(const menu::Menu& menu, const menu::Record& record,
                                          const std::vector<std::string>& proplist) {
    std::vector<std::string> names;
    if (!proplist.empty()) {
        std::copy_if(proplist.begin(), proplist.end(), std::back_inserter(names),
                     [&](const std::string& name) { return !IsFlagProperty(menu, name); });
    } else if (menu.layout.detail_properties) {
        names = menu.layout.detail_properties(record);
    } else {
        for (const auto& [name, value] : record.fields()) {
            names.push_back(name);
        }
    }
    std::erase_if(names, [&](const std::string& name) { return name == ".id" || !record.Has(name); });
    return names;
}

// DetailValue is one value of `print detail`: quoted for string properties that RouterOS quotes.
std::string DetailValue(const menu::Menu& menu, const std::string& name, std::string_view wire) {
    const menu::PropertySpec* spec = menu.FindProperty(name);
    if (spec == nullptr) {
        bool plain = !wire.empty() && wire.find_first_of(" \t\"\\;") == std::string_view::npos;
        return plain ? std::string(wire) : QuoteValue(wire);
    }
    if (spec->type == menu::ValueType::kString && spec->quoted) {
        return QuoteValue(wire);
    }
    return menu::ConsoleValue(spec, wire);
}

std::string ConsoleCell(const menu::Menu& menu, const std::string& name, std::string_view wire) {
    return menu::ConsoleValue(menu.FindProperty(name), wire);
}

// RecordPrefix is the index right-aligned in two columns, a space, every flag column and a space.
std::string RecordPrefix(std::size_t index, const std::vector<FlagColumn>& columns, const menu::Record& record) {
    std::string prefix = PadLeft(std::to_string(index), 2) + " ";
    if (!columns.empty()) {
        prefix += FlagArea(columns, record) + " ";
    }
    return prefix;
}

// FitHeaders returns the width of each column of `cells` (row 0 is the header). A table wider than the
// terminal cuts a header longer than its column's values to the values' width, as RouterOS does (the seed at
// 80 columns: `COMMON` over `CAtemp`, listed as `COMMON-name` in `Columns:`).
std::vector<std::size_t> FitHeaders(const std::vector<std::vector<std::string>>& cells, int terminal_width) {
    const std::size_t count = cells.front().size();
    std::vector<std::size_t> values(count, 0);
    for (std::size_t r = 1; r < cells.size(); ++r) {
        for (std::size_t c = 0; c < count; ++c) {
            values[c] = std::max(values[c], cells[r][c].size());
        }
    }
    std::vector<std::size_t> widths(count, 0);
    std::size_t total = 2 * (count - 1);
    for (std::size_t c = 0; c < count; ++c) {
        widths[c] = std::max(values[c], cells[0][c].size());
        total += widths[c];
    }
    if (terminal_width > 0 && total > static_cast<std::size_t>(terminal_width)) {
        for (std::size_t c = 1; c < count; ++c) {
            if (values[c] > 0) {
                widths[c] = values[c];
            }
        }
    }
    return widths;
}

}  // namespace

std::string RenderTable(const menu::Menu& menu, const std::vector<menu::Record>& records,
                        const RenderOptions& options) {
    const std::vector<std::string>& proplist = options.proplist;
    std::vector<std::string> columns;
    if (!proplist.empty()) {
        std::copy_if(proplist.begin(), proplist.end(), std::back_inserter(columns),
                     [&](const std::string& name) { return name != ".id" && !IsFlagProperty(menu, name); });
    } else if (menu.layout.table_columns) {
        columns = menu.layout.table_columns(records);
    } else {
        columns = DefaultColumns(menu, records);
    }

    std::vector<FlagColumn> flag_columns = FlagColumns(menu, proplist);
    std::erase_if(flag_columns, [&](const FlagColumn& column) {
        return std::none_of(records.begin(), records.end(), [&](const menu::Record& r) { return column.AnySet(r); });
    });
    std::string out = Legend(flag_columns, [&](const menu::FlagSpec& flag) {
        return std::any_of(records.begin(), records.end(), [&](const menu::Record& r) { return IsSet(r, flag); });
    });

    // cells[row][column]; column 0 is `#`, then the flag area when there is one, then the properties.
    std::vector<std::vector<std::string>> cells;
    std::vector<bool> right_aligned = {true};
    std::vector<std::string> header = {"#"};
    if (!flag_columns.empty()) {
        header.emplace_back();
        right_aligned.push_back(false);
    }
    const std::size_t first_property = header.size();
    for (const std::string& column : columns) {
        header.push_back(core::ToUpperAscii(column));
        const menu::PropertySpec* spec = menu.FindProperty(column);
        right_aligned.push_back(spec != nullptr && spec->type == menu::ValueType::kInteger);
    }
    cells.push_back(header);
    for (std::size_t i = 0; i < records.size(); ++i) {
        const menu::Record& record = records[i];
        std::vector<std::string> row = {options.show_ids ? record.GetOr(".id")
                                                         : std::to_string(options.first_index + i)};
        if (!flag_columns.empty()) {
            row.push_back(FlagArea(flag_columns, record));
        }
        for (const std::string& column : columns) {
            row.push_back(ConsoleCell(menu, column, record.GetOr(column)));
        }
        cells.push_back(std::move(row));
    }

    std::vector<std::size_t> widths = FitHeaders(cells, options.width);
    std::string column_list;
    for (std::size_t c = first_property; c < header.size(); ++c) {
        std::size_t shown = std::min(widths[c], header[c].size());
        column_list += (column_list.empty() ? "" : ", ") + header[c].substr(0, shown) +
                       core::ToLowerAscii(header[c].substr(shown));
    }
    if (options.rows_only) {
        out.clear();
    } else {
        out += "Columns: " + column_list + "\n";
    }
    for (std::size_t r = options.rows_only ? 1 : 0; r < cells.size(); ++r) {
        std::string line;
        for (std::size_t c = 0; c < cells[r].size(); ++c) {
            std::string cell = r == 0 ? cells[r][c].substr(0, widths[c]) : cells[r][c];
            line += c == 0 ? "" : "  ";
            line += right_aligned[c] ? PadLeft(cell, widths[c]) : PadRight(cell, widths[c]);
        }
        // The header row keeps its padding, as RouterOS prints it (the seed's `FINGERPRINT` and
        // `CREATION-TIME` headers are padded to their columns' width).
        out += (r == 0 ? line : TrimRight(std::move(line))) + "\n";
    }
    return out;
}

std::string RenderDetail(const menu::Menu& menu, const std::vector<menu::Record>& records,
                         const RenderOptions& options) {
    std::vector<FlagColumn> flag_columns = FlagColumns(menu, options.proplist);
    // RouterOS ends the legend and every `prop=value` of `print detail` with a space (the seed's transcript).
    std::string out = Legend(flag_columns, [](const menu::FlagSpec&) { return true; });
    if (options.rows_only) {
        out.clear();
    } else if (!out.empty()) {
        out.insert(out.size() - 1, " ");
    }
    std::size_t width = options.width > 0 ? static_cast<std::size_t>(options.width) : 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const menu::Record& record = records[i];
        if (i > 0) {
            out += "\n";
        }
        std::string prefix = RecordPrefix(options.first_index + i, flag_columns, record);
        std::string line = prefix;
        bool first = true;
        for (const std::string& name : DetailProperties(menu, record, options.proplist)) {
            std::string pair = name + "=" + DetailValue(menu, name, *record.Get(name)) + " ";
            if (!first && width > 0 && line.size() + pair.size() - 1 > width) {  // the trailing space does not count
                out += line + "\n";
                line = std::string(prefix.size(), ' ') + pair;
            } else {
                line += pair;
            }
            first = false;
        }
        out += (first ? TrimRight(std::move(line)) : line) + "\n";
    }
    return out;
}

std::string RenderTerse(const menu::Menu& menu, const std::vector<menu::Record>& records,
                        const RenderOptions& options) {
    std::vector<FlagColumn> flag_columns = FlagColumns(menu, options.proplist);
    std::string out;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const menu::Record& record = records[i];
        std::string line = RecordPrefix(options.first_index + i, flag_columns, record);
        bool first = true;
        for (const std::string& name : DetailProperties(menu, record, options.proplist)) {
            line += (first ? "" : " ") + name + "=" + ConsoleCell(menu, name, *record.Get(name));
            first = false;
        }
        out += TrimRight(std::move(line)) + "\n";
    }
    return out;
}

std::vector<std::string> AsValueItems(const std::vector<menu::Record>& records) {
    std::vector<std::string> items;
    for (const menu::Record& record : records) {
        for (const auto& [name, value] : record.fields()) {
            std::string item = name;
            item += '=';
            item += value;
            items.push_back(std::move(item));
        }
    }
    return items;
}

std::string RenderAsValue(const std::vector<menu::Record>& records) {
    return core::JoinList(AsValueItems(records), ';') + "\n";
}

std::string RenderKeyValues(const menu::Menu& menu, const std::vector<menu::Record>& records) {
    std::string out;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (i > 0) {
            out += "\n";
        }
        std::size_t width = 0;
        for (const auto& [name, value] : records[i].fields()) {
            width = name == ".id" ? width : std::max(width, name.size());
        }
        for (const auto& [name, value] : records[i].fields()) {
            if (name == ".id") {
                continue;
            }
            out += TrimRight(PadLeft(name, width + 2) + ": " + ConsoleCell(menu, name, value)) + "\n";
        }
    }
    return out;
}

}  // namespace certos::console
