#include "menu/list_menu.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/value.hpp"

namespace certos::menu {
namespace {

core::Error NotSupported(std::string_view verb) {
    return core::Error(core::ErrorCategory::kMissingItem, "no such command or directory (" + std::string(verb) + ")");
}

ArgSpec NumbersArg(std::string name = "numbers") {
    return Arg(std::move(name), "list of item numbers", {.type = ValueType::kItem, .required = true, .unnamed = true});
}

ArgSpec Flag(std::string name, std::string help) {
    return Arg(std::move(name), std::move(help), {.type = ValueType::kFlag});
}

// kMaxLookups is how many items a `numbers` list may name for them to be looked up one by one; a longer list
// is resolved against Items once (a model without an index scans Items for every lookup).
constexpr std::size_t kMaxLookups = 64;

// Named returns what ResolveItems needs to resolve `numbers`: the items it names, each looked up through the
// model (Item for an id, Select for a name) when the model can do that, else every item.
std::vector<Record> Named(const ListModel& model, store::Transaction& tx, std::string_view numbers) {
    std::vector<std::string> tokens = core::SplitList(numbers);
    if (tokens.size() > kMaxLookups) {
        return model.Items(tx);
    }
    std::vector<Record> found;
    for (const std::string& token : tokens) {
        if (auto id = core::ObjectId::Parse(token)) {
            if (std::optional<Record> record = model.Item(tx, *id)) {
                found.push_back(std::move(*record));
            }
            continue;
        }
        std::optional<ListModel::Selection> selection =
            model.Select(tx, Filter::Compare(Filter::Op::kEq, "name", token), /*count_only=*/false);
        if (!selection) {
            return model.Items(tx);
        }
        for (Record& record : selection->records) {
            if (record.GetOr("name") == token) {
                found.push_back(std::move(record));
            }
        }
    }
    return found;
}

std::vector<core::ObjectId> Targets(const ListModel& model, Call& call) {
    return ResolveNamed(model, call.Tx(), call.args.GetOr("numbers"));
}

}  // namespace

std::optional<Record> ListModel::Item(store::Transaction& tx, core::ObjectId id) const {
    std::string wanted = id.ToString();
    for (Record& record : Items(tx)) {
        if (record.GetOr(".id") == wanted) {
            return std::move(record);
        }
    }
    return std::nullopt;
}

// SingleId recognises the filter of a one-item print (`.id=*X`, what REST GET /rest/<menu>/*X sends).
static std::optional<core::ObjectId> SingleId(const std::optional<Filter>& filter) {
    if (!filter || filter->op != Filter::Op::kEq || filter->property != ".id") {
        return std::nullopt;
    }
    return core::ObjectId::Parse(filter->value);
}

std::optional<ListModel::Selection> ListModel::Select(store::Transaction&, const Filter&, bool) const {
    return std::nullopt;
}

void ListModel::Scan(store::Transaction& tx, const Filter& filter, const std::function<void(Record&&)>& visit) const {
    std::optional<Selection> selection = Select(tx, filter, /*count_only=*/false);
    for (Record& record : selection ? std::move(selection->records) : Items(tx)) {
        visit(std::move(record));
    }
}

core::ObjectId ListModel::Add(Call&) const { throw NotSupported("add"); }
void ListModel::Set(Call&, core::ObjectId) const { throw NotSupported("set"); }
void ListModel::Unset(Call&, core::ObjectId, const std::vector<std::string>&) const { throw NotSupported("unset"); }
void ListModel::Remove(Call&, core::ObjectId) const { throw NotSupported("remove"); }

std::vector<ArgSpec> PrintArgs() {
    std::vector<ArgSpec> args = {
        Flag("detail", "print all properties"),
        Flag("terse", "one item per line, unquoted"),
        Flag("brief", "table form"),
        Flag("as-value", "return the items as a value"),
        Flag("count-only", "print only the number of items"),
        Flag("without-paging", "print everything at once"),
        Flag("show-ids", "print .id instead of item numbers"),
        Flag("value-list", "print each property on its own line"),
        Flag("show-sensitive", "print sensitive values too"),
    };
    args.push_back(Arg("proplist", "properties to print", {.property_ref = PropertyRef::kNames}));
    args.push_back(Arg("from", "print only these items", {.type = ValueType::kItem}));
    return args;
}

std::vector<core::ObjectId> ResolveNamed(const ListModel& model, store::Transaction& tx, std::string_view numbers) {
    return ResolveItems(Named(model, tx, numbers), numbers);
}

std::vector<core::ObjectId> ResolveItems(const std::vector<Record>& items, std::string_view numbers) {
    std::vector<core::ObjectId> out;
    for (const std::string& token : core::SplitList(numbers)) {
        const Record* found = nullptr;
        if (auto id = core::ObjectId::Parse(token)) {
            std::string canonical = id->ToString();
            for (const Record& item : items) {
                if (item.GetOr(".id") == canonical) {
                    found = &item;
                    break;
                }
            }
        } else {
            for (const Record& item : items) {
                if (item.GetOr("name") == token) {
                    found = &item;
                    break;
                }
            }
        }
        if (found == nullptr) {
            throw core::NoSuchItem();
        }
        core::ObjectId id = *core::ObjectId::Parse(found->GetOr(".id"));
        if (std::find(out.begin(), out.end(), id) == out.end()) {
            out.push_back(id);
        }
    }
    return out;  // an empty list (`remove [find name=nothing]`) does nothing, as in RouterOS
}

namespace {

// Proplist is what `print` projects its records on: `.proplist` / `proplist=` (none: every property).
std::vector<std::string> Proplist(const Call& call) {
    std::vector<std::string> proplist = call.request.proplist;
    for (const std::string& name : core::SplitList(call.args.GetOr("proplist"))) {
        proplist.push_back(name);
    }
    return proplist;
}

// Project keeps the properties of `proplist` (non-empty), in its order. Sensitive properties: Tree::Execute
// refuses a proplist that names them and strips them from the records.
void Project(const std::vector<std::string>& proplist, Record& item) {
    Record projected;
    for (const std::string& name : proplist) {
        if (auto value = item.Get(name)) {
            projected.Set(name, std::string(*value));
        }
    }
    item = std::move(projected);
}

}  // namespace

Result ApplyPrint(const Call& call, std::vector<Record> items) {
    if (auto from = call.args.Get("from")) {
        std::vector<core::ObjectId> ids = ResolveItems(items, *from);
        std::erase_if(items, [&](const Record& r) {
            auto id = core::ObjectId::Parse(r.GetOr(".id"));
            return !id || std::find(ids.begin(), ids.end(), *id) == ids.end();
        });
    }
    if (call.request.filter) {
        Filter filter = *call.request.filter;
        filter.Normalize(call.menu.properties);
        std::erase_if(items, [&](const Record& r) { return !filter.Matches(r); });
    }
    Result result;
    if (call.args.GetOr("count-only") == "true") {
        result.ret = std::to_string(items.size());
        return result;
    }
    std::vector<std::string> proplist = Proplist(call);
    if (!proplist.empty()) {
        for (Record& item : items) {
            Project(proplist, item);
        }
    }
    result.records = std::move(items);
    return result;
}

Result ApplyGet(const Call& call, std::vector<Record> items) {
    std::vector<core::ObjectId> ids = ResolveItems(items, call.args.GetOr("number"));
    if (ids.empty()) {
        throw core::NoSuchItem();
    }
    Result result;
    std::string wanted = ids.front().ToString();
    for (Record& item : items) {
        if (item.GetOr(".id") != wanted) {
            continue;
        }
        if (auto name = call.args.Get("value-name")) {
            auto value = item.Get(*name);
            if (!value && call.menu.FindProperty(*name) == nullptr) {
                throw core::ArgumentError("no such property: " + *name);
            }
            result.ret = std::string(value.value_or(""));
        } else {
            result.records.push_back(std::move(item));
        }
        break;
    }
    return result;
}

namespace {

// FindItems is `find where <expr>` or the shorthand `find name=x` (equality on each given property).
Result FindItems(const ListModel& model, Call& call) {
    std::vector<Filter> terms;
    for (const auto& [name, value] : call.args.values()) {
        terms.push_back(Filter::Compare(Filter::Op::kEq, name, name == "name" ? model.CanonicalName(value) : value));
    }
    if (call.request.filter) {
        terms.push_back(*call.request.filter);
    }
    Filter filter = Filter::And(std::move(terms));
    filter.Normalize(call.menu.properties);
    std::vector<std::string> ids;
    model.Scan(call.Tx(), filter, [&](Record&& item) {
        if (filter.Matches(item)) {
            ids.push_back(item.GetOr(".id"));
        }
    });
    Result result;
    result.ret = core::JoinList(ids, ';');
    return result;
}

// StreamItems is `print` written to the session's row sink as the model reads the items: what ApplyPrint
// would return (`from`, the filter, the proplist), one record at a time, so that no list of them is held.
Result StreamItems(const ListModel& model, Call& call) {
    std::optional<std::vector<core::ObjectId>> from;
    if (auto numbers = call.args.Get("from")) {
        from = ResolveNamed(model, call.Tx(), *numbers);
    }
    Filter filter = call.request.filter.value_or(Filter::True());
    filter.Normalize(call.menu.properties);
    std::vector<std::string> proplist = Proplist(call);
    model.Scan(call.Tx(), filter, [&](Record&& item) {
        if (from) {
            auto id = core::ObjectId::Parse(item.GetOr(".id"));
            if (!id || std::find(from->begin(), from->end(), *id) == from->end()) {
                return;
            }
        }
        if (!filter.Matches(item)) {
            return;
        }
        if (!proplist.empty()) {
            Project(proplist, item);
        }
        call.session.rows(std::move(item));
    });
    return Result{};
}

Result PrintItems(const ListModel& model, Call& call) {
    if (call.session.rows && call.args.GetOr("count-only") != "true" && !SingleId(call.request.filter)) {
        return StreamItems(model, call);
    }
    if (auto id = SingleId(call.request.filter); id && !call.args.Has("from")) {
        std::vector<Record> one;
        if (auto record = model.Item(call.Tx(), *id)) {
            one.push_back(std::move(*record));
        }
        return ApplyPrint(call, std::move(one));
    }
    if (!call.args.Has("from")) {
        Filter filter = call.request.filter.value_or(Filter::True());
        filter.Normalize(call.menu.properties);
        bool count_only = call.args.GetOr("count-only") == "true";
        if (std::optional<ListModel::Selection> selection = model.Select(call.Tx(), filter, count_only)) {
            if (selection->count) {
                return Result{.records = {}, .ret = std::to_string(*selection->count)};
            }
            return ApplyPrint(call, std::move(selection->records));
        }
    }
    return ApplyPrint(call, model.Items(call.Tx()));
}

std::vector<ArgSpec> FindArgs(const Menu& menu) {
    std::vector<ArgSpec> find_args;
    for (const PropertySpec& spec : menu.properties) {
        find_args.push_back(Arg(spec.name, spec.help, {.values = spec.values, .property_ref = PropertyRef::kSelf}));
    }
    return find_args;
}

}  // namespace

void InstallListVerbs(Menu& menu, std::shared_ptr<const ListModel> model, const ListVerbs& verbs) {
    menu.item_name = [model](const Call& call, core::ObjectId id) {
        auto name_in = [&](store::Transaction& tx) {
            std::optional<Record> item = model->Item(tx, id);
            return item ? item->GetOr("name") : std::string();
        };
        return call.tx != nullptr ? name_in(*call.tx) : name_in(*call.store.Begin(store::TxMode::kRead));
    };
    if (!verbs.add_args.empty()) {
        menu.verbs.push_back(Verb{
            .name = "add",
            .help = "create a new item",
            .args = verbs.add_args,
            .policy = verbs.write_policy,
            .tx = TxNeed::kWrite,
            .log_form = LogForm::kAdded,
            .handler = [model](Call& call) { return Result{.records = {}, .ret = model->Add(call).ToString()}; },
        });
    }
    if (!verbs.set_args.empty()) {
        std::vector<ArgSpec> args = {NumbersArg()};
        args.insert(args.end(), verbs.set_args.begin(), verbs.set_args.end());
        menu.verbs.push_back(Verb{
            .name = "set",
            .help = "change item properties",
            .args = args,
            .policy = verbs.write_policy,
            .tx = TxNeed::kWrite,
            .log_form = LogForm::kChanged,
            .handler =
                [model](Call& call) {
                    for (core::ObjectId id : Targets(*model, call)) {
                        model->Set(call, id);
                    }
                    return Result{};
                },
        });
    }
    if (!verbs.unset_properties.empty()) {
        menu.verbs.push_back(Verb{
            .name = "unset",
            .help = "return properties to their defaults",
            .args = {NumbersArg(), Arg("value-name", "properties to return to their defaults",
                                       {.type = ValueType::kEnumList,
                                        .required = true,
                                        .unnamed = true,
                                        .values = verbs.unset_properties})},
            .policy = verbs.write_policy,
            .tx = TxNeed::kWrite,
            .log_form = LogForm::kChanged,
            .handler =
                [model](Call& call) {
                    auto names = core::SplitList(call.args.GetOr("value-name"));
                    for (core::ObjectId id : Targets(*model, call)) {
                        model->Unset(call, id, names);
                    }
                    return Result{};
                },
        });
    }
    if (verbs.remove) {
        menu.verbs.push_back(Verb{
            .name = "remove",
            .help = "remove items",
            .args = {NumbersArg()},
            .policy = verbs.write_policy,
            .tx = TxNeed::kWrite,
            .log_form = LogForm::kRemoved,
            .handler =
                [model](Call& call) {
                    for (core::ObjectId id : Targets(*model, call)) {
                        model->Remove(call, id);
                    }
                    return Result{};
                },
        });
    }
    menu.verbs.push_back(Verb{
        .name = "print",
        .help = "print items",
        .args = PrintArgs(),
        .tx = TxNeed::kRead,
        .takes_filter = true,
        .handler = [model](Call& call) { return PrintItems(*model, call); },
    });
    menu.verbs.push_back(Verb{
        .name = "get",
        .help = "return an item or one of its properties",
        .args = {NumbersArg("number"),
                 // Tree::Execute refuses a sensitive property here without the sensitive policy.
                 Arg("value-name", "the property to return", {.unnamed = true, .property_ref = PropertyRef::kNames})},
        .tx = TxNeed::kRead,
        .handler = [model](Call& call) { return ApplyGet(call, Named(*model, call.Tx(), call.args.GetOr("number"))); },
    });
    menu.verbs.push_back(Verb{
        .name = "find",
        .help = "return the ids of matching items",
        .args = FindArgs(menu),
        .tx = TxNeed::kRead,
        .takes_filter = true,
        .handler = [model](Call& call) { return FindItems(*model, call); },
    });
}

}  // namespace certos::menu
