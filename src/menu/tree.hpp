#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/id.hpp"
#include "menu/filter.hpp"
#include "menu/metrics.hpp"
#include "menu/record.hpp"
#include "menu/schema.hpp"
#include "store/files.hpp"
#include "store/store.hpp"

namespace certos::menu {

// Request is one command in front-end-neutral form: what the console, REST and the API protocol each
// parse their wire form into.
struct Request {
    std::string path;  // menu path, "/certificate" ("/" for the root)
    std::string verb;  // "add", "print", ...
    // Named arguments as given (raw text). Unnamed console values are bound by the front end with
    // BindUnnamed() before the request is made. `.id`, `number` and `numbers` are accepted as aliases.
    std::vector<std::pair<std::string, std::string>> args;
    std::optional<Filter> filter;       // print/find: `where` or API query
    std::vector<std::string> proplist;  // print: `.proplist` / `proplist=`
};

struct Grant;

// Session is who runs the request and through which front end.
struct Session {
    std::string user = "admin";
    PolicySet policies = kAllPolicies;
    std::string via = "console";  // console | api | rest-api | web
    std::string address;          // the client's address; empty for the local console
    // grant is what a login was granted on (menu/auth.hpp), so that the session can be checked again when
    // /user or /user/group change (menu::Logins::Refresh); null for sessions no login made (the console).
    std::shared_ptr<const Grant> grant;
    // progress receives the statuses of long-running verbs while they run (`progress=...`; the console prints
    // them, menu/monitor.hpp); an empty record only asks whether to go on, and the console throws there on
    // Ctrl-C. May be empty (REST, the API: a verb's final status is its record).
    std::function<void(const Record& status)> progress;
    // output receives what a script that a call runs prints (`/system script run`'s `:put`s): the console
    // shows it. Empty (REST, the API): the verb returns that text as its value instead.
    std::function<void(std::string_view)> output;
    // rows, when set, receives the records of a listing one by one as they are read (`print` of a list menu,
    // which then returns no Result::records), so that a front end writes them as they come in bounded memory:
    // REST's chunked array, the API's `!re` stream, the console's `print detail`/`terse`. Verbs that cannot
    // stream ignore it and fill Result::records, so a front end that sets it writes those too. It may throw to
    // stop the listing (an API `/cancel`); the exception leaves Tree::Execute.
    std::function<void(Record&& row)> rows;
};

// Result is what a verb returns: records (API `!re`, REST array, console table), and/or a return value
// (API `!done =ret=`, console `:put [...]`).
struct Result {
    std::vector<Record> records = {};
    std::optional<std::string> ret = std::nullopt;
};

class Tree;
struct Menu;

// ScriptRunner runs script text for `session` from the root menu, printing to `out` and its first error to
// `err` ("... (line 3)"); it returns whether the script ran to its end. The menu layer has no interpreter: the
// console and the daemon install theirs (console::RunScriptText) with Tree::set_script_runner.
using ScriptRunner =
    std::function<bool(const Session& session, std::string_view source, std::ostream& out, std::ostream& err)>;

// ScriptEnvironment is the global variables of the scripts of this process (`/system script environment`):
// the console layer keeps them (console::Globals) and installs them with Tree::set_environment, so that
// every console session and script run of the process shares them. Thread-safe.
class ScriptEnvironment {
public:
    virtual ~ScriptEnvironment() = default;
    // List is every global, by name, with its value as `:put` prints it.
    virtual std::vector<std::pair<std::string, std::string>> List() const = 0;
    // Remove deletes global `name`; false when there is none.
    virtual bool Remove(std::string_view name) = 0;
};

// Args are the validated, canonical arguments of a call (name -> wire value); absent optional
// arguments without a default are missing.
class Args {
public:
    std::optional<std::string> Get(std::string_view name) const;
    std::string GetOr(std::string_view name, std::string_view fallback = {}) const;
    bool Has(std::string_view name) const { return Get(name).has_value(); }
    void Set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }
    const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

private:
    std::map<std::string, std::string, std::less<>> values_;
};

// Call is what a handler sees: the validated arguments, the request, the session and the store. When the
// verb's tx_mode is kRead or kWrite, `tx` is the one transaction the dispatcher opened (and commits after
// the handler returns); with TxMode kNone the handler opens its own, exactly one write transaction.
struct Call {
    const Tree& tree;
    const Menu& menu;
    const Request& request;
    const Session& session;
    const Args& args;
    store::Store& store;
    store::Transaction* tx = nullptr;
    bool audited = false;  // the handler wrote the audit entry itself (AuditIn)
    // audit_items names the items the call acts on, for its audit entry: resolved (ids to names) before the
    // handler runs, so that a removed or renamed item is still named as it was (menu/audit.hpp).
    std::string audit_items = {};

    store::Transaction& Tx() const;
    // Progress reports `line` as the status `progress=LINE` ("progress: " before it is dropped) to the session;
    // an empty line only asks whether to go on.
    void Progress(std::string_view line) const;
};

using Handler = std::function<Result(Call&)>;

// TxNeed is the transaction a verb runs in: none (the handler opens its own), a read or a write transaction.
enum class TxNeed { kNone, kRead, kWrite };

// LogForm is how a verb's audit entry words the action (menu/audit.hpp): "certificate CA added by admin (...)"
// (kAdded, kChanged, kRemoved), or the verb itself: "certificate sign CA by admin (...)" (kVerb).
enum class LogForm { kVerb, kAdded, kChanged, kRemoved };

// Verb is one command of a menu: its argument schema, the policy it needs, what it does to the store and its
// handler. Verbs are written with designated initialisers, so every field is named where it is set:
//   Verb{.name = "print", .help = "print items", .args = PrintArgs(), .tx = TxNeed::kRead, .takes_filter = true,
//        .handler = ...}
struct Verb {
    std::string name = {};
    std::string help = {};
    std::vector<ArgSpec> args = {};
    PolicySet policy = kPolicyRead;
    // tx is the transaction the dispatcher opens for the handler; it also says whether the verb reads or writes.
    TxNeed tx = TxNeed::kRead;
    // changes declares that a call changes what certos holds (store or /file), so that a successful one leaves
    // one audit entry in /log (menu/audit.hpp). Unset: a verb changes something exactly when tx is kWrite.
    std::optional<bool> changes = std::nullopt;
    LogForm log_form = LogForm::kVerb;  // the words of its audit entry
    bool takes_filter = false;          // accepts `where` / queries
    // slow: a call may take seconds of CPU (key generation). Front ends run such calls on a bounded pool of
    // their own, so that they never hold up the quick ones.
    bool slow = false;
    // shows_ret: the return value is text that the console prints as it is (`export`'s script).
    bool shows_ret = false;
    Handler handler = {};

    const ArgSpec* FindArg(std::string_view name) const;
    bool Changes() const { return changes.value_or(tx == TxNeed::kWrite); }
};

// FlagSpec is one flag letter of a menu's print: letter, legend name and the property behind it. The flag is
// set when that property is truthy: present, not empty and not "false" (`revoked` holds a date).
struct FlagSpec {
    char letter;
    std::string legend;    // "PRIVATE-KEY"
    std::string property;  // "private-key"
    // Shares a column with the previous flag (RouterOS's "I - ISSUED, R - REVOKED").
    bool shares_previous_column = false;
};

// PrintLayout tells the console how to lay out this menu's records.
struct PrintLayout {
    std::vector<FlagSpec> flags;
    // TableColumns picks the columns of a plain `print` for the records at hand.
    std::function<std::vector<std::string>(const std::vector<Record>&)> table_columns;
    // DetailProperties picks, in order, the properties `print detail` shows for one record (default: all).
    std::function<std::vector<std::string>(const Record&)> detail_properties;
    // single_entry menus (/certificate/settings, /system/resource) print their one record as
    // right-aligned `name: value` lines.
    bool single_entry = false;
};

// ExportOptions are the arguments of `export` that change what a menu exports (menu/export.hpp).
struct ExportOptions {
    bool verbose = false;         // every settable property, defaults included
    bool show_sensitive = false;  // sensitive properties too; never write-only ones (passwords)
};

// ExportLines gives the commands `export` writes for one menu, without the menu's path line: what turns
// the menu of a new store into this one (`set [ find name=www ] port=8080`, `add name=ops policy=read`).
using ExportLines = std::function<std::vector<std::string>(store::Transaction& tx, const ExportOptions& options)>;

// Menu is a node of the command tree (`/certificate`, `/certificate/settings`).
struct Menu {
    std::string name;  // "certificate"
    std::string path;  // "/certificate"
    std::string help;
    std::vector<PropertySpec> properties;  // item properties (print, where, proplist, completion)
    std::vector<Verb> verbs;
    std::vector<std::unique_ptr<Menu>> children;
    PrintLayout layout;
    // ItemName, when set, is the name of item `id` (empty when it has none or does not exist), so that every
    // front end's audit entry names an item the same way, whether the client sent `*2` or its name.
    std::function<std::string(const Call& call, core::ObjectId id)> item_name;
    // export_lines, when set, is what `export` writes for this menu (item menus and settings menus set it).
    ExportLines export_lines;

    const Verb* FindVerb(std::string_view name) const;
    const Menu* FindChild(std::string_view name) const;
    const PropertySpec* FindProperty(std::string_view name) const;
    Menu& AddChild(std::string child_name, std::string child_help);
};

// Tree owns the menus and runs requests against them. Thread-safe for concurrent Execute calls.
class Tree {
public:
    explicit Tree(store::Store& store);
    Tree(const Tree&) = delete;
    Tree& operator=(const Tree&) = delete;

    Menu& root() { return root_; }
    const Menu& root() const { return root_; }
    store::Store& store() const { return store_; }
    // files is `/file` (<data>/files); set once at start-up. Throws core::Error when none was set.
    store::FileArea& files() const;
    void set_files(store::FileArea* files) { files_ = files; }
    // set_script_runner installs what runs scripts (`/system script run`, `/system scheduler`); set once at
    // start-up, before any request.
    void set_script_runner(ScriptRunner runner) { script_runner_ = std::move(runner); }
    // set_environment installs the process's script globals; set once at start-up, before any request.
    // environment() is null when none was installed.
    void set_environment(std::shared_ptr<ScriptEnvironment> environment) { environment_ = std::move(environment); }
    ScriptEnvironment* environment() const { return environment_.get(); }
    // RunScript runs `source` for `session` through the installed runner. Throws core::Error (failure) when
    // none is installed.
    bool RunScript(const Session& session, std::string_view source, std::ostream& out, std::ostream& err) const;

    // FindMenu resolves an absolute path ("/certificate/settings"); nullptr when there is none.
    const Menu* FindMenu(std::string_view path) const;

    // IsSlow tells whether `verb` of the menu at `path` declares itself slow (Verb::slow), so that a front end
    // runs the call on its pool of slow requests; false when there is no such menu or verb.
    bool IsSlow(std::string_view path, std::string_view verb) const;

    // Execute runs one request: resolve menu and verb, check the session's policies, validate and
    // canonicalise the arguments against the verb's schema (before any handler runs), open the
    // transaction, run the handler, commit. Throws core::Error; on error nothing is changed.
    Result Execute(const Request& request, const Session& session) const;

    // metrics counts what Execute runs (per front end, menu, verb, outcome and latency) and failed logins.
    Metrics& metrics() const { return metrics_; }

    // Validate only checks a request (menu, verb, argument names/values) without running it.
    Args Validate(const Request& request, const Verb& verb) const;

private:
    Result Run(const Request& request, const Session& session) const;

    store::Store& store_;
    store::FileArea* files_ = nullptr;
    ScriptRunner script_runner_;
    std::shared_ptr<ScriptEnvironment> environment_;
    Menu root_;
    mutable Metrics metrics_;
};

// BindUnnamed gives each unnamed value the name of the next unnamed argument of `verb`; throws
// core::Error "expected end of command" when there are more values than unnamed arguments.
std::vector<std::pair<std::string, std::string>> BindUnnamed(const Verb& verb, const std::vector<std::string>& unnamed);

}  // namespace certos::menu
