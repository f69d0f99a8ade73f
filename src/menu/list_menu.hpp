#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/id.hpp"
#include "menu/tree.hpp"

namespace certos::menu {

// ListModel is the data behind a list menu. The generic verbs every list menu gets (add, set, unset,
// remove, print, get, find) are written once, in InstallListVerbs, over this interface.
class ListModel {
public:
    virtual ~ListModel() = default;
    // Items returns every item as a Record, `.id` first, properties in the menu's order.
    virtual std::vector<Record> Items(store::Transaction& tx) const = 0;
    // Item returns one item (what Items would hold for `id`), or nullopt. The default scans Items; models
    // with an index (the store's primary key) override it so that `print where .id=*X` costs one row.
    virtual std::optional<Record> Item(store::Transaction& tx, core::ObjectId id) const;
    // Selection is what Select found for a filter: the number of items it matches, or candidates for it.
    struct Selection {
        std::optional<std::size_t> count;  // when only the count was asked for, and the model knows it exactly
        std::vector<Record> records;       // else every item the filter matches, perhaps more, in Items' order
    };
    // Select lets a model whose store has indexes answer `print` and `find` (and find the items `set`, `remove`
    // and `get` name) without rendering every item:
    // given the normalized filter (Filter::True() for none), it returns the count (`count_only`) or the
    // candidates, which the caller still matches against the filter, so the result is the one Items would
    // give. nullopt (the default) when the model cannot narrow the items down: the caller uses Items.
    virtual std::optional<Selection> Select(store::Transaction& tx, const Filter& filter, bool count_only) const;
    // Scan calls `visit` with every item the normalized filter may match (candidates, as Select's records;
    // the caller still matches them), in Items' order. A model over a store cursor reads and renders them
    // one by one, in bounded memory (`print` streamed to Session::rows, `find`); the default visits what
    // Select or Items return.
    virtual void Scan(store::Transaction& tx, const Filter& filter, const std::function<void(Record&&)>& visit) const;
    // Add creates an item from validated arguments and returns its id.
    virtual core::ObjectId Add(Call& call) const;
    // Set changes the given properties of one item.
    virtual void Set(Call& call, core::ObjectId id) const;
    // Unset returns the named properties of one item to their defaults.
    virtual void Unset(Call& call, core::ObjectId id, const std::vector<std::string>& properties) const;
    // Remove deletes one item (and whatever must go with it).
    virtual void Remove(Call& call, core::ObjectId id) const;
    // CanonicalName is the name of the item that `name` stands for in `find name=`: itself, or the item an
    // alias names (the v6 seed's `/ip service set [find name=webfig-ssl]` is www-ssl).
    virtual std::string CanonicalName(std::string_view name) const { return std::string(name); }
};

// ListVerbs chooses which generic verbs a list menu has and their argument schemas.
struct ListVerbs {
    std::vector<ArgSpec> add_args;              // empty: no `add`
    std::vector<ArgSpec> set_args;              // empty: no `set` (a `numbers` argument is added)
    std::vector<std::string> unset_properties;  // empty: no `unset`
    bool remove = true;
    PolicySet write_policy = kPolicyWrite;
};

// InstallListVerbs adds add/set/unset/remove/print/get/find/export-less generic verbs to `menu`.
void InstallListVerbs(Menu& menu, std::shared_ptr<const ListModel> model, const ListVerbs& verbs);

// PrintArgs are the arguments every `print` accepts (detail, terse, brief, as-value, count-only, proplist,
// without-paging, show-ids, value-list, from).
std::vector<ArgSpec> PrintArgs();

// ResolveItems turns a `numbers` value ("*1,*3" or names, comma-separated) into ids, in the given order.
// Throws core::Error "no such item" when one does not exist; an empty value gives an empty list.
std::vector<core::ObjectId> ResolveItems(const std::vector<Record>& items, std::string_view numbers);
// ResolveNamed is ResolveItems over `model`'s items, looking up only the ones `numbers` names (by id, or by
// name through the model's Select) instead of reading every item.
std::vector<core::ObjectId> ResolveNamed(const ListModel& model, store::Transaction& tx, std::string_view numbers);

// ApplyPrint filters (where/query, `from`), projects (proplist) and counts records the way `print` does;
// shared by list menus and single-entry menus.
Result ApplyPrint(const Call& call, std::vector<Record> items);

// ApplyGet is `get`: the record of the item `number` names among `items`, or with `value-name` that property's
// value. Throws "no such item", or "no such property: X" for a name that is not a property of the menu.
Result ApplyGet(const Call& call, std::vector<Record> items);

}  // namespace certos::menu
