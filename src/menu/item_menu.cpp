#include "menu/item_menu.hpp"

#include <algorithm>

#include "core/error.hpp"

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

}  // namespace

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
