#pragma once
// Test support for console/ tests: a small tree with a fake `/widget` list menu (in-memory items with
// flags and enum, boolean and integer properties), a `/widget/settings` single-entry menu, and a console
// writing to string streams. The tree needs a store for its constructor: a real SQLite store in a
// temporary directory (the fake menus keep their data in memory).

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include "console/console.hpp"
#include "core/error.hpp"
#include "menu/list_menu.hpp"
#include "menu/monitor.hpp"
#include "menu/tree.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace certos::console::testing {

inline menu::PropertySpec Property(std::string name, menu::ValueType type = menu::ValueType::kString,
                                   std::vector<std::string> values = {}) {
    menu::PropertySpec spec;
    spec.name = std::move(name);
    spec.type = type;
    spec.values = std::move(values);
    spec.help = "the " + spec.name;
    return spec;
}

inline menu::ArgSpec Arg(menu::PropertySpec spec) { return menu::ArgSpec{.spec = std::move(spec)}; }

// WidgetModel keeps widgets in memory: .id, name, kind, size, enabled, comment and the flag properties.
class WidgetModel : public menu::ListModel {
public:
    static std::vector<menu::PropertySpec> Properties() {
        menu::PropertySpec size = Property("size", menu::ValueType::kInteger);
        size.min = 1;
        size.max = 1000;
        return {Property("name"),
                Property("kind", menu::ValueType::kEnum, {"small", "medium", "large"}),
                size,
                Property("enabled", menu::ValueType::kBool),
                Property("comment"),
                Property("locked", menu::ValueType::kBool),
                Property("active", menu::ValueType::kBool),
                Property("issued", menu::ValueType::kBool),
                Property("revoked", menu::ValueType::kBool)};
    }

    std::vector<menu::Record> Items(store::Transaction&) const override { return items_; }
    const std::vector<menu::Record>& All() const { return items_; }

    core::ObjectId Add(menu::Call& call) const override {
        std::string name = call.args.GetOr("name", "widget" + std::to_string(next_id_));
        EnsureUnique(name, "");
        menu::Record record;
        core::ObjectId id(next_id_++);
        record.Set(".id", id.ToString());
        record.Set("name", name);
        record.Set("kind", call.args.GetOr("kind", "small"));
        record.Set("size", call.args.GetOr("size", "1"));
        record.Set("enabled", call.args.GetOr("enabled", "true"));
        record.Set("comment", call.args.GetOr("comment"));
        for (const char* flag : {"locked", "active", "issued", "revoked"}) {
            record.Set(flag, call.args.GetOr(flag, "false"));
        }
        items_.push_back(record);
        return id;
    }

    void Set(menu::Call& call, core::ObjectId id) const override {
        menu::Record& record = Find(id);
        for (const auto& [name, value] : call.args.values()) {
            if (name == "numbers") {
                continue;
            }
            if (name == "name") {
                EnsureUnique(value, record.GetOr(".id"));
            }
            record.Set(name, value);
        }
    }

    void Remove(menu::Call&, core::ObjectId id) const override {
        std::erase_if(items_, [&](const menu::Record& r) { return r.GetOr(".id") == id.ToString(); });
    }

    menu::Record& Find(core::ObjectId id) const {
        for (menu::Record& record : items_) {
            if (record.GetOr(".id") == id.ToString()) {
                return record;
            }
        }
        throw core::NoSuchItem();
    }

private:
    void EnsureUnique(const std::string& name, const std::string& self) const {
        for (const menu::Record& record : items_) {
            if (record.GetOr("name") == name && record.GetOr(".id") != self) {
                throw core::Failure("widget with the same name already exists");
            }
        }
    }

    mutable std::vector<menu::Record> items_;
    mutable std::uint64_t next_id_ = 1;
};

// InstallWidgetMenu adds `/widget` (list verbs plus `sign` with progress and `fail` that throws any error
// category) and `/widget/settings` (single entry: mode, verbose).
inline void InstallWidgetMenu(menu::Tree& tree, const std::shared_ptr<WidgetModel>& model) {
    menu::Menu& widget = tree.root().AddChild("widget", "widget management");
    widget.properties = WidgetModel::Properties();
    widget.layout.flags = {{.letter = 'L', .legend = "LOCKED", .property = "locked"},
                           {.letter = 'A', .legend = "ACTIVE", .property = "active"},
                           {.letter = 'I', .legend = "ISSUED", .property = "issued"},
                           {.letter = 'R', .legend = "REVOKED", .property = "revoked", .shares_previous_column = true}};
    widget.layout.table_columns = [](const std::vector<menu::Record>& records) {
        std::vector<std::string> columns = {"name", "kind", "size"};
        for (const menu::Record& record : records) {
            if (!record.GetOr("comment").empty()) {
                columns.emplace_back("comment");
                break;
            }
        }
        return columns;
    };
    menu::ListVerbs verbs;
    for (const menu::PropertySpec& spec : widget.properties) {
        verbs.add_args.push_back(Arg(spec));
        verbs.set_args.push_back(Arg(spec));
    }
    menu::InstallListVerbs(widget, model, verbs);

    menu::PropertySpec number = Property("number", menu::ValueType::kItem);
    menu::Verb sign{
        .name = "sign",
        .help = "sign a widget",
        .args = {menu::ArgSpec{.spec = number, .required = true, .unnamed = true}},
        .policy = menu::kPolicyWrite,
        .tx = menu::TxNeed::kNone,
        .handler =
            [model](menu::Call& call) {
                // `steps=N` (a widget's own argument) reports N statuses, one a second on the monitor's clock
                // (which the widget advances itself: tests never sleep), before the final one.
                auto now = std::make_shared<std::chrono::steady_clock::time_point>();
                menu::Monitor monitor(call, "sign", [now] { return *now; });
                auto report = monitor.Reporter();
                int steps = std::stoi(call.args.GetOr("steps", "0"));
                for (int i = 1; i <= steps; ++i) {
                    *now += std::chrono::seconds(1);
                    report("progress: step " + std::to_string(i));
                }
                std::string id = call.args.GetOr("number");
                auto ids = menu::ResolveItems(model->All(), id);
                model->Find(ids.front()).Set("active", "true");
                return monitor.Finish();
            },
    };
    sign.args.push_back(menu::Arg("steps", "statuses before the final one", {.type = menu::ValueType::kInteger}));
    menu::AddMonitorArgs(sign);
    widget.verbs.push_back(std::move(sign));
    menu::PropertySpec category = Property("category", menu::ValueType::kInteger);
    category.max = 200;
    widget.verbs.push_back(menu::Verb{
        .name = "fail",
        .help = "fail with an error category",
        .args = {menu::ArgSpec{.spec = category, .required = true, .unnamed = true}},
        .tx = menu::TxNeed::kNone,
        .handler = [](menu::Call& call) -> menu::Result {
            auto c = static_cast<core::ErrorCategory>(std::stoi(call.args.GetOr("category")));
            throw core::Error(c, "boom");
        },
    });

    menu::Menu& settings = widget.AddChild("settings", "widget settings");
    settings.properties = {Property("mode", menu::ValueType::kEnum, {"fast", "slow"}),
                           Property("verbose", menu::ValueType::kBool)};
    auto state = std::make_shared<menu::Record>();
    state->Set("mode", "fast");
    state->Set("verbose", "false");
    settings.verbs.push_back(menu::Verb{
        .name = "print",
        .help = "print settings",
        .args = menu::PrintArgs(),
        .tx = menu::TxNeed::kNone,
        .takes_filter = true,
        .handler = [state](menu::Call& call) { return menu::ApplyPrint(call, {*state}); },
    });
    settings.verbs.push_back(menu::Verb{
        .name = "set",
        .help = "change settings",
        .args = {Arg(settings.properties[0]), Arg(settings.properties[1])},
        .policy = menu::kPolicyWrite,
        .tx = menu::TxNeed::kNone,
        .handler =
            [state](menu::Call& call) {
                for (const auto& [name, value] : call.args.values()) {
                    state->Set(name, value);
                }
                return menu::Result{};
            },
    });
}

// ConsoleFixture is a console over a tree with the widget menus, writing to string streams.
class ConsoleFixture {
public:
    ConsoleFixture() {
        static std::atomic<int> counter{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("certos-console-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(dir_);
        store_ = store::OpenSqliteStore(dir_);
        tree_ = std::make_unique<menu::Tree>(*store_);
        files_ = std::make_unique<store::FileArea>(dir_ / "files");
        tree_->set_files(files_.get());
        model_ = std::make_shared<WidgetModel>();
        InstallWidgetMenu(*tree_, model_);
        console_ = std::make_unique<Console>(*tree_, menu::Session{}, out_, err_);
        console_->set_width(80);
    }
    ~ConsoleFixture() {
        console_.reset();
        tree_.reset();
        files_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    Console& console() { return *console_; }
    menu::Tree& tree() { return *tree_; }
    store::FileArea& files() { return *files_; }

    // Run runs one line and returns what it printed (output, then errors), clearing both streams.
    std::string Run(std::string_view line) {
        console_->RunLine(line);
        return Take();
    }

    std::string Take() {
        std::string text = out_.str() + err_.str();
        out_.str("");
        err_.str("");
        return text;
    }
    std::string TakeOut() {
        std::string text = out_.str();
        out_.str("");
        return text;
    }
    std::string TakeErr() {
        std::string text = err_.str();
        err_.str("");
        return text;
    }

private:
    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<menu::Tree> tree_;
    std::unique_ptr<store::FileArea> files_;
    std::shared_ptr<WidgetModel> model_;
    std::ostringstream out_;
    std::ostringstream err_;
    std::unique_ptr<Console> console_;
};

}  // namespace certos::console::testing
