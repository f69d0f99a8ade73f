#include "menu/item_menu.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/value.hpp"

namespace certos::menu {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

const PropertySpec* FindSpec(const std::vector<PropertySpec>& specs, std::string_view name) {
    for (const PropertySpec& spec : specs) {
        if (spec.name == name) {
            return &spec;
        }
    }
    return nullptr;
}

std::string PropOf(const store::ItemRow& row, const PropertySpec& spec) {
    auto it = row.props.find(spec.name);
    if (it != row.props.end()) {
        return it->second;
    }
    return spec.default_value.value_or("");
}

// Exported is whether `export` writes property `spec` of an item menu with `options`.
bool Exported(const ItemMenuSpec& spec, const PropertySpec& property, const ExportOptions& options) {
    return property.name != "name" && Contains(spec.settable, property.name) &&
           !Contains(spec.write_only, property.name) && (!property.sensitive || options.show_sensitive);
}

// ChangedArguments are the `k=v` words of `row`'s exported properties that differ from `base` (the default
// entry), or from the property defaults when there is no base, in name order.
std::vector<std::string> ChangedArguments(const ItemMenuSpec& spec, const store::ItemRow& row,
                                          const store::ItemRow* base, const ExportOptions& options) {
    std::vector<std::string> words;
    for (const PropertySpec& property : spec.properties) {
        if (!Exported(spec, property, options) || (!row.props.contains(property.name) && !options.verbose)) {
            continue;
        }
        std::string value = PropOf(row, property);
        std::string fallback = base != nullptr ? PropOf(*base, property) : property.default_value.value_or("");
        if (options.verbose || value != fallback) {
            words.push_back(ExportArgument(&property, property.name, value));
        }
    }
    std::sort(words.begin(), words.end());
    return words;
}

std::string FindByName(std::string_view name) {
    return "[ find name=" + ExportArgument(nullptr, "", name).substr(1) + " ]";
}

}  // namespace

std::string ExportArgument(const PropertySpec* spec, std::string_view name, std::string_view wire) {
    std::string value = ConsoleValue(spec, wire);
    bool bare = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               std::string_view("-_.,:/*@+").find(c) != std::string_view::npos;
    });
    return std::string(name) + "=" + (bare ? value : core::QuoteValue(value));
}

std::vector<std::string> ExportItems(const ItemMenuSpec& spec, store::Transaction& tx, const ExportOptions& options) {
    std::vector<store::ItemRow> defaults =
        spec.default_entries ? spec.default_entries() : std::vector<store::ItemRow>{};
    auto default_named = [&](std::string_view name) -> const store::ItemRow* {
        auto it =
            std::find_if(defaults.begin(), defaults.end(), [&](const store::ItemRow& d) { return d.name == name; });
        return it == defaults.end() ? nullptr : &*it;
    };
    std::vector<std::string> lines;
    std::vector<std::string> present;
    for (const store::ItemRow& row : tx.ListItems(spec.kind)) {
        present.push_back(row.name);
        const store::ItemRow* base = default_named(row.name);
        std::vector<std::string> words = ChangedArguments(spec, row, base, options);
        if (base != nullptr) {
            if (!words.empty()) {
                lines.push_back("set " + FindByName(row.name) + " " + core::JoinList(words, ' '));
            }
            continue;
        }
        words.push_back(ExportArgument(nullptr, "name", row.name));
        std::sort(words.begin(), words.end());
        lines.push_back("add " + core::JoinList(words, ' '));
    }
    for (const store::ItemRow& entry : defaults) {
        if (!Contains(present, entry.name)) {
            lines.push_back("remove " + FindByName(entry.name));
        }
    }
    return lines;
}

std::vector<std::string> ExportSettings(const Menu& menu, std::string_view section, store::Transaction& tx,
                                        const ExportOptions& options) {
    std::vector<std::string> words;
    for (const PropertySpec& spec : menu.properties) {
        std::optional<std::string> value = tx.GetSetting(section, spec.name);
        std::string fallback = spec.default_value.value_or("");
        if ((spec.sensitive && !options.show_sensitive) || (!options.verbose && value.value_or(fallback) == fallback)) {
            continue;
        }
        words.push_back(ExportArgument(&spec, spec.name, value.value_or(fallback)));
    }
    if (words.empty()) {
        return {};
    }
    std::sort(words.begin(), words.end());
    return {"set " + core::JoinList(words, ' ')};
}

Record ItemModel::ToRecord(const store::ItemRow& row) const {
    Record r;
    r.Set(".id", row.id.ToString());
    for (const PropertySpec& spec : spec_.properties) {
        if (Contains(spec_.write_only, spec.name)) {
            continue;
        }
        if (spec.name == "name") {
            r.Set("name", row.name);
            continue;
        }
        auto it = row.props.find(spec.name);
        if (it != row.props.end()) {
            r.Set(spec.name, it->second);
        } else if (spec.default_value) {
            r.Set(spec.name, *spec.default_value);
        }
    }
    if (spec_.decorate) {
        spec_.decorate(r, row);
    }
    return r;
}

std::vector<Record> ItemModel::Items(store::Transaction& tx) const {
    std::vector<Record> out;
    for (const store::ItemRow& row : tx.ListItems(spec_.kind)) {
        out.push_back(ToRecord(row));
    }
    return out;
}

core::ObjectId ItemModel::Add(Call& call) const {
    store::ItemRow row;
    row.name = call.args.GetOr("name");
    for (const PropertySpec& spec : spec_.properties) {
        if (spec.name != "name" && spec.default_value) {
            row.props[spec.name] = *spec.default_value;
        }
    }
    for (const auto& [key, value] : call.args.values()) {
        if (key != "name") {
            row.props[key] = value;
        }
    }
    if (spec_.check) {
        spec_.check(call, row, true);
    }
    return call.Tx().InsertItem(spec_.kind, row);
}

void ItemModel::Set(Call& call, core::ObjectId id) const { SetProperties(call, id, call.args.values()); }

void ItemModel::SetProperties(Call& call, core::ObjectId id,
                              const std::map<std::string, std::string, std::less<>>& values) const {
    std::optional<store::ItemRow> row = call.Tx().GetItem(spec_.kind, id);
    if (!row) {
        throw core::NoSuchItem();
    }
    for (const auto& [key, value] : values) {
        if (key == "numbers") {
            continue;
        }
        if (key == "name") {
            row->name = value;
        } else {
            row->props[key] = value;
        }
    }
    if (spec_.check) {
        spec_.check(call, *row, false);
    }
    call.Tx().UpdateItem(spec_.kind, *row);
}

void ItemModel::Unset(Call& call, core::ObjectId id, const std::vector<std::string>& properties) const {
    std::optional<store::ItemRow> row = call.Tx().GetItem(spec_.kind, id);
    if (!row) {
        throw core::NoSuchItem();
    }
    for (const std::string& name : properties) {
        const PropertySpec* spec = FindSpec(spec_.properties, name);
        if (spec != nullptr && spec->default_value) {
            row->props[name] = *spec->default_value;
        } else {
            row->props.erase(name);
        }
    }
    if (spec_.check) {
        spec_.check(call, *row, false);
    }
    call.Tx().UpdateItem(spec_.kind, *row);
}

void ItemModel::Remove(Call& call, core::ObjectId id) const {
    std::optional<store::ItemRow> row = call.Tx().GetItem(spec_.kind, id);
    if (!row) {
        throw core::NoSuchItem();
    }
    if (spec_.before_remove) {
        spec_.before_remove(call, *row);
    }
    call.Tx().DeleteItem(spec_.kind, id);
}

std::string ItemModel::CanonicalName(std::string_view name) const {
    auto it = spec_.name_aliases.find(name);
    return it == spec_.name_aliases.end() ? std::string(name) : it->second;
}

void InstallItemMenu(Menu& menu, ItemMenuSpec spec, std::vector<std::string> table_columns) {
    menu.properties = spec.properties;
    menu.layout.table_columns = [columns = std::move(table_columns)](const std::vector<Record>&) { return columns; };
    ListVerbs verbs;
    verbs.write_policy = spec.write_policy;
    verbs.remove = !spec.fixed_entries;
    for (const std::string& name : spec.settable) {
        const PropertySpec* property = FindSpec(spec.properties, name);
        if (property == nullptr) {
            continue;
        }
        PropertySpec arg_spec = *property;
        arg_spec.default_value.reset();  // defaults are applied by Add, so set never resets a property
        if (!spec.fixed_entries) {
            verbs.add_args.push_back(ArgSpec{.spec = arg_spec, .required = name == "name"});
        }
        verbs.set_args.push_back(ArgSpec{.spec = arg_spec});
        if (name != "name" && property->default_value) {
            verbs.unset_properties.push_back(name);
        }
    }
    bool enable_disable = spec.enable_disable;
    auto model = std::make_shared<ItemModel>(std::move(spec));
    menu.export_lines = [model](store::Transaction& tx, const ExportOptions& options) {
        return ExportItems(model->spec(), tx, options);
    };
    InstallListVerbs(menu, model, verbs);
    if (enable_disable) {
        for (bool disable : {false, true}) {
            menu.verbs.push_back(Verb{
                .name = disable ? "disable" : "enable",
                .help = disable ? "disable items" : "enable items",
                .args = {Arg("numbers", "items, by number or name",
                             {.type = ValueType::kItem, .required = true, .unnamed = true})},
                .policy = verbs.write_policy,
                .tx = TxNeed::kWrite,
                .log_form = LogForm::kChanged,
                .handler =
                    [model, disable](Call& call) {
                        const std::map<std::string, std::string, std::less<>> values = {
                            {"disabled", disable ? "true" : "false"}};
                        for (core::ObjectId id : ResolveItems(model->Items(call.Tx()), call.args.GetOr("numbers"))) {
                            model->SetProperties(call, id, values);
                        }
                        return Result{};
                    },
            });
        }
    }
}

void AddSingleEntryGet(Menu& menu, std::function<Record(Call&)> read, TxNeed tx) {
    menu.verbs.push_back(Verb{
        .name = "get",
        .help = "return the settings or one of them",
        // Tree::Execute refuses a sensitive property here without the sensitive policy.
        .args = {Arg("value-name", "property", {.unnamed = true, .property_ref = PropertyRef::kNames})},
        .tx = tx,
        .handler =
            [read = std::move(read)](Call& call) {
                Record entry = read(call);
                Result result;
                if (auto name = call.args.Get("value-name")) {
                    auto value = entry.Get(*name);
                    if (!value && call.menu.FindProperty(*name) == nullptr) {
                        throw core::ArgumentError("no such property: " + *name);
                    }
                    result.ret = std::string(value.value_or(""));
                } else {
                    result.records.push_back(std::move(entry));
                }
                return result;
            },
    });
}

}  // namespace certos::menu
