#pragma once
// Simple list menus over store::ItemRow (/user, /user/group, /ip/service, ...): the properties are
// PropertySpecs, and the generic verbs come from InstallListVerbs. Each menu adds its rules as hooks.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "menu/list_menu.hpp"

namespace certos::menu {

// ItemMenuSpec describes one item menu.
struct ItemMenuSpec {
    std::string kind;                      // store kind, e.g. "user"
    std::vector<PropertySpec> properties;  // every property in print order, "name" first; defaults included
    std::vector<std::string> settable;     // properties add/set accept (add also takes "name" unless fixed)
    std::vector<std::string> write_only;   // accepted by add/set, never returned (password)
    bool fixed_entries = false;            // no add/remove; entries made by Bootstrap (/ip/service)
    bool enable_disable = false;           // `enable`/`disable` verbs set `disabled` (numbers or names)
    PolicySet write_policy = kPolicyWrite;
    // Check runs before an item is stored (add and set): validate across properties, hash secrets, refuse.
    std::function<void(Call&, store::ItemRow& row, bool adding)> check;
    // BeforeRemove may refuse a removal (default groups, the last full user).
    std::function<void(Call&, const store::ItemRow& row)> before_remove;
    // Decorate adds computed properties to a record (flags such as `invalid`).
    std::function<void(Record&, const store::ItemRow& row)> decorate;
    // name_aliases are other names `find name=` accepts for an item (alias -> name).
    std::map<std::string, std::string, std::less<>> name_aliases;
    // DefaultEntries are the items a new store has (the default groups, admin, the services), so that `export`
    // writes `set [ find name=X ] ...` for what changed in them, `remove [ find name=X ]` for one removed, and
    // `add ...` only for the others.
    std::function<std::vector<store::ItemRow>()> default_entries;
};

// ItemModel is the ListModel of an item menu.
class ItemModel : public ListModel {
public:
    explicit ItemModel(ItemMenuSpec spec) : spec_(std::move(spec)) {}
    std::vector<Record> Items(store::Transaction& tx) const override;
    core::ObjectId Add(Call& call) const override;
    void Set(Call& call, core::ObjectId id) const override;
    // SetProperties changes the item's properties to `values` (the check hook runs, as for set).
    void SetProperties(Call& call, core::ObjectId id,
                       const std::map<std::string, std::string, std::less<>>& values) const;
    void Unset(Call& call, core::ObjectId id, const std::vector<std::string>& properties) const override;
    void Remove(Call& call, core::ObjectId id) const override;
    std::string CanonicalName(std::string_view name) const override;
    const ItemMenuSpec& spec() const { return spec_; }

private:
    Record ToRecord(const store::ItemRow& row) const;
    ItemMenuSpec spec_;
};

// InstallItemMenu makes `menu` an item menu: properties, layout columns and the generic verbs.
void InstallItemMenu(Menu& menu, ItemMenuSpec spec, std::vector<std::string> table_columns);

// ExportItems is an item menu's `export` (Menu::export_lines): the rows of `spec.kind` as `set`, `add` and
// `remove` lines, with the settable properties that differ from the defaults (all with `verbose`), sorted by
// name as RouterOS writes them; write-only properties never, sensitive ones only with `show_sensitive`.
std::vector<std::string> ExportItems(const ItemMenuSpec& spec, store::Transaction& tx, const ExportOptions& options);

// ExportSettings is a settings menu's `export`: `set k=v` for the properties of `menu` stored in `section`
// (Transaction::GetSetting) that differ from their defaults.
std::vector<std::string> ExportSettings(const Menu& menu, std::string_view section, store::Transaction& tx,
                                        const ExportOptions& options);

// ExportArgument is `name=value` as `export` writes it: booleans as yes/no, a value with anything but letters,
// digits and -_.,:/*@+ quoted (core::QuoteValue).
std::string ExportArgument(const PropertySpec* spec, std::string_view name, std::string_view wire);

// AddSingleEntryGet gives a single-entry menu (/certificate/settings, /system/resource) RouterOS's `get`:
// `get crl-use` returns that property's value, `get` alone the whole entry. `read` makes the entry, in a
// transaction of `tx` when it needs one. An unknown property is an argument error ("no such property: x").
void AddSingleEntryGet(Menu& menu, std::function<Record(Call&)> read, TxNeed tx);

// Bootstrap creates what a new data directory needs: default groups, the /ip/service entries. Idempotent;
// run by the console and the daemon at start (one write transaction, only when something is missing).
void Bootstrap(const Tree& tree);

}  // namespace certos::menu
