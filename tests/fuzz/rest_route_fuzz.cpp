// libFuzzer target for REST route resolution (src/rest/route.cpp): rest::ResolveRoute on any method and path
// against the real command tree (menu::InstallMenus over a SQLite store in a temporary folder), as the daemon
// calls it for every /rest/ request (to pick the pool of slow requests) before the REST handler does. The first
// byte picks the method (GET, PUT, PATCH, DELETE, POST, HEAD, or the next bytes up to a space); the rest is the
// path after /rest, still percent-encoded. It may refuse with core::Error kMissingItem (400 "no such command
// ..."); a route it returns must name a menu of the tree, a verb that menu has for POST, a canonical `*ID` or a
// name for an item (or no item, for PATCH or DELETE of a single-entry menu). Anything else (a crash, a sanitizer
// report, another exception) is a finding.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/id.hpp"
#include "menu/menus.hpp"
#include "menu/tree.hpp"
#include "rest/route.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace certos;

void Check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

// RealTree is every menu certos serves, once per process; the store's folder goes at exit.
const menu::Tree& RealTree() {
    static const menu::Tree* tree = [] {
        static const std::filesystem::path dir =
            std::filesystem::temp_directory_path() / ("certos-route-fuzz-" + std::to_string(getpid()));
        std::filesystem::remove_all(dir);
        static std::unique_ptr<store::Store> store = store::OpenSqliteStore(dir);
        std::atexit([] { std::filesystem::remove_all(dir); });
        auto* made = new menu::Tree(*store);
        menu::InstallMenus(*made);
        return made;
    }();
    return *tree;
}

bool InTree(const menu::Menu& menu, const menu::Menu* wanted) {
    if (&menu == wanted) {
        return true;
    }
    for (const auto& child : menu.children) {
        if (InTree(*child, wanted)) {
            return true;
        }
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    static constexpr std::string_view kMethods[] = {"GET", "PUT", "PATCH", "DELETE", "POST", "HEAD"};
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string_view method;
    if (data[0] % 8 < 6) {
        method = kMethods[data[0] % 8];
    } else {
        std::size_t space = input.find(' ');
        method = input.substr(0, space);
        input.remove_prefix(space == std::string_view::npos ? input.size() : space + 1);
    }
    const menu::Tree& tree = RealTree();
    try {
        rest::RestRoute route = rest::ResolveRoute(tree, method, input);
        Check(route.menu != nullptr && route.menu != &tree.root() && InTree(tree.root(), route.menu));
        switch (route.action) {
            case rest::RestAction::kCommand:
                Check(method == "POST" && !route.verb.empty());
                break;
            case rest::RestAction::kGet:
                Check(!route.item.empty());
                [[fallthrough]];
            case rest::RestAction::kRemove:  // DELETE of a single-entry menu names no item (refused later, 406)
            case rest::RestAction::kSet:
                Check(!route.item.empty() || route.menu->layout.single_entry);
                if (route.item.starts_with('*') && core::ObjectId::Parse(route.item)) {
                    Check(core::ObjectId::Parse(route.item)->ToString() == route.item);
                }
                break;
            case rest::RestAction::kPrint:
                Check(method == "GET");
                break;
            case rest::RestAction::kAdd:
                Check(method == "PUT");
                break;
        }
    } catch (const core::Error& e) {
        Check(e.category() == core::ErrorCategory::kMissingItem);
    }
    return 0;
}
