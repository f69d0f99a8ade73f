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
    ArgSpec arg;
    arg.spec.name = std::move(name);
    arg.spec.type = ValueType::kItem;
    arg.spec.help = "list of item numbers";
    arg.required = true;
    arg.unnamed = true;
    return arg;
}

ArgSpec Flag(std::string name, std::string help) {
    ArgSpec arg;
    arg.spec.name = std::move(name);
    arg.spec.type = ValueType::kFlag;
    arg.spec.help = std::move(help);
    return arg;
}

std::vector<core::ObjectId> Targets(const ListModel& model, Call& call) {
    return ResolveItems(model.Items(call.Tx()), call.args.GetOr("numbers"));
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
    ArgSpec proplist;
    proplist.spec.name = "proplist";
    proplist.spec.help = "properties to print";
    proplist.property_ref = PropertyRef::kNames;
    args.push_back(proplist);
    ArgSpec from;
    from.spec.name = "from";
    from.spec.type = ValueType::kItem;
    from.spec.help = "print only these items";
    args.push_back(from);
    return args;
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
    std::vector<std::string> proplist = call.request.proplist;
    for (const std::string& name : core::SplitList(call.args.GetOr("proplist"))) {
        proplist.push_back(name);
    }
    // Sensitive properties: Tree::Execute refuses a proplist that names them and strips them from the records.
    if (!proplist.empty()) {
        for (Record& item : items) {
            Record projected;
            for (const std::string& name : proplist) {
                if (auto value = item.Get(name)) {
                    projected.Set(name, std::string(*value));
                }
            }
            item = std::move(projected);
        }
    }
    result.records = std::move(items);
    return result;
}

void InstallListVerbs(Menu& menu, std::shared_ptr<const ListModel> model, const ListVerbs& verbs) {
    if (!verbs.add_args.empty()) {
        menu.verbs.push_back(Verb{"add", "create a new item", verbs.add_args, verbs.write_policy, TxNeed::kWrite, false,
                                  [model](Call& call) {
                                      Result result;
                                      result.ret = model->Add(call).ToString();
                                      return result;
                                  }});
    }
    if (!verbs.set_args.empty()) {
        std::vector<ArgSpec> args = {NumbersArg()};
        args.insert(args.end(), verbs.set_args.begin(), verbs.set_args.end());
        menu.verbs.push_back(
            Verb{"set", "change item properties", args, verbs.write_policy, TxNeed::kWrite, false, [model](Call& call) {
                     for (core::ObjectId id : Targets(*model, call)) {
                         model->Set(call, id);
                     }
                     return Result{};
                 }});
    }
    if (!verbs.unset_properties.empty()) {
        ArgSpec value_name;
        value_name.spec.name = "value-name";
        value_name.spec.type = ValueType::kEnumList;
        value_name.spec.values = verbs.unset_properties;
        value_name.spec.help = "properties to return to their defaults";
        value_name.required = true;
        value_name.unnamed = true;
        menu.verbs.push_back(Verb{"unset",
                                  "return properties to their defaults",
                                  {NumbersArg(), value_name},
                                  verbs.write_policy,
                                  TxNeed::kWrite,
                                  false,
                                  [model](Call& call) {
                                      auto names = core::SplitList(call.args.GetOr("value-name"));
                                      for (core::ObjectId id : Targets(*model, call)) {
                                          model->Unset(call, id, names);
                                      }
                                      return Result{};
                                  }});
    }
    if (verbs.remove) {
        menu.verbs.push_back(Verb{
            "remove", "remove items", {NumbersArg()}, verbs.write_policy, TxNeed::kWrite, false, [model](Call& call) {
                for (core::ObjectId id : Targets(*model, call)) {
                    model->Remove(call, id);
                }
                return Result{};
            }});
    }
    menu.verbs.push_back(
        Verb{"print", "print items", PrintArgs(), kPolicyRead, TxNeed::kRead, true, [model](Call& call) {
                 if (auto id = SingleId(call.request.filter); id && !call.args.Has("from")) {
                     std::vector<Record> one;
                     if (auto record = model->Item(call.Tx(), *id)) {
                         one.push_back(std::move(*record));
                     }
                     return ApplyPrint(call, std::move(one));
                 }
                 return ApplyPrint(call, model->Items(call.Tx()));
             }});

    ArgSpec get_number = NumbersArg("number");
    ArgSpec get_value;
    get_value.spec.name = "value-name";
    get_value.spec.help = "the property to return";
    get_value.unnamed = true;
    get_value.property_ref = PropertyRef::kNames;
    menu.verbs.push_back(Verb{"get",
                              "return an item or one of its properties",
                              {get_number, get_value},
                              kPolicyRead,
                              TxNeed::kRead,
                              false,
                              [model](Call& call) {
                                  std::vector<Record> items = model->Items(call.Tx());
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
                              }});

    // find: `find where <expr>` or the shorthand `find name=x` (equality on each given property).
    std::vector<ArgSpec> find_args;
    for (const PropertySpec& spec : menu.properties) {
        ArgSpec arg;
        arg.spec.name = spec.name;
        arg.spec.help = spec.help;
        arg.spec.values = spec.values;
        arg.property_ref = PropertyRef::kSelf;
        find_args.push_back(arg);
    }
    menu.verbs.push_back(Verb{"find", "return the ids of matching items", find_args, kPolicyRead, TxNeed::kRead, true,
                              [model](Call& call) {
                                  std::vector<Filter> terms;
                                  for (const auto& [name, value] : call.args.values()) {
                                      terms.push_back(Filter::Compare(Filter::Op::kEq, name, value));
                                  }
                                  if (call.request.filter) {
                                      terms.push_back(*call.request.filter);
                                  }
                                  Filter filter = Filter::And(std::move(terms));
                                  filter.Normalize(call.menu.properties);
                                  std::vector<std::string> ids;
                                  for (const Record& item : model->Items(call.Tx())) {
                                      if (filter.Matches(item)) {
                                          ids.push_back(item.GetOr(".id"));
                                      }
                                  }
                                  Result result;
                                  result.ret = core::JoinList(ids, ';');
                                  return result;
                              }});
}

}  // namespace certos::menu
