#pragma once
// Test support for menu/ tests: a real SQLite store in a fresh temporary directory and a tree with every menu.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "menu/menus.hpp"
#include "menu/tree.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace certos::menu::testing {

class TreeFixture {
public:
    TreeFixture() {
        static std::atomic<int> counter{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("certos-menu-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(dir_);
        store_ = store::OpenSqliteStore(dir_);
        tree_ = std::make_unique<Tree>(*store_);
        files_ = std::make_unique<store::FileArea>(dir_ / "files");
        tree_->set_files(files_.get());
        InstallMenus(*tree_);
    }
    ~TreeFixture() {
        tree_.reset();
        files_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    Tree& tree() { return *tree_; }
    store::FileArea& files() { return *files_; }
    const std::filesystem::path& dir() const { return dir_; }

    Result Run(std::string path, std::string verb, std::vector<std::pair<std::string, std::string>> args = {},
               const Session& session = Session{}) {
        Request request;
        request.path = std::move(path);
        request.verb = std::move(verb);
        request.args = std::move(args);
        return tree_->Execute(request, session);
    }

    // Certificate is `/certificate get number=<name>`: the certificate's record.
    Record Certificate(const std::string& name) { return Run("/certificate", "get", {{"number", name}}).records.at(0); }

private:
    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<store::FileArea> files_;
    std::unique_ptr<Tree> tree_;
};

// Flags renders the certificate flags a record carries as the console's flag columns do ("KLAIET", blanks for
// the ones it lacks).
inline std::string Flags(const Record& r) {
    std::string flags;
    for (const auto& [letter, property] : std::vector<std::pair<char, std::string>>{{'K', "private-key"},
                                                                                    {'L', "crl"},
                                                                                    {'A', "authority"},
                                                                                    {'I', "issued"},
                                                                                    {'E', "expired"},
                                                                                    {'T', "trusted"}}) {
        flags += r.IsTrue(property) ? letter : ' ';
    }
    return flags;
}

}  // namespace certos::menu::testing
