#include "rest/route.hpp"

#include <vector>

#include "core/error.hpp"
#include "core/id.hpp"
#include "net/http.hpp"

namespace certos::rest {
namespace {

core::Error NoSuchCommand() { return core::Error(core::ErrorCategory::kMissingItem, "no such command"); }

core::Error NoSuchPath(std::string_view segment) {
    return core::Error(core::ErrorCategory::kMissingItem,
                       "no such command or directory (" + std::string(segment) + ")");
}

std::vector<std::string> Segments(std::string_view path) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < path.size()) {
        std::size_t end = path.find('/', pos);
        std::string_view raw = path.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        if (!raw.empty()) {
            std::optional<std::string> decoded = net::PercentDecode(raw);
            if (!decoded) {
                throw NoSuchPath(raw);
            }
            out.push_back(std::move(*decoded));
        }
        if (end == std::string_view::npos) {
            break;
        }
        pos = end + 1;
    }
    return out;
}

// ItemReference canonicalises `*a` to `*A`; a name is checked against the menu having names at all.
std::string ItemReference(const menu::Menu& menu, const std::string& segment) {
    if (auto id = core::ObjectId::Parse(segment)) {
        return id->ToString();
    }
    if (menu.FindProperty("name") == nullptr) {
        throw core::Error(core::ErrorCategory::kMissingItem, "no such command prefix");
    }
    return segment;
}

}  // namespace

RestRoute ResolveRoute(const menu::Tree& tree, std::string_view method, std::string_view path) {
    std::vector<std::string> segments = Segments(path);
    const menu::Menu* menu = &tree.root();
    std::size_t used = 0;
    while (used < segments.size()) {
        const menu::Menu* child = menu->FindChild(segments[used]);
        if (child == nullptr) {
            break;
        }
        menu = child;
        ++used;
    }
    if (menu == &tree.root()) {
        throw segments.empty() ? NoSuchCommand() : NoSuchPath(segments.front());
    }
    if (segments.size() - used > 1) {
        throw NoSuchPath(segments[used]);
    }
    // A menu that only holds menus (/system, whose one verb is `export`) has no items: what follows it that is
    // not one of its verbs is an unknown menu, named as the API names it (Tree::Run): `no such command or
    // directory (nope)`.
    if (used < segments.size() && menu->properties.empty() && menu->FindVerb(segments[used]) == nullptr) {
        throw NoSuchPath(segments[used]);
    }
    RestRoute route;
    route.menu = menu;
    bool has_last = used < segments.size();
    std::string last = has_last ? segments[used] : std::string();
    if (method == "GET") {
        if (!has_last) {
            route.action = RestAction::kPrint;
        } else if (!core::ObjectId::Parse(last) && menu->FindVerb(last) != nullptr) {
            throw NoSuchCommand();  // GET on a command path
        } else {
            route.action = RestAction::kGet;
            route.item = ItemReference(*menu, last);
        }
    } else if (method == "PUT") {
        if (has_last) {
            throw NoSuchCommand();
        }
        route.action = RestAction::kAdd;
    } else if (method == "PATCH") {
        if (!has_last && !menu->layout.single_entry) {
            throw NoSuchCommand();
        }
        route.action = RestAction::kSet;
        route.item = has_last ? ItemReference(*menu, last) : std::string();
    } else if (method == "DELETE") {
        if (!has_last && !menu->layout.single_entry) {
            throw NoSuchCommand();
        }
        // DELETE of a single-entry menu (/certificate/settings) is refused later, like any menu without remove.
        route.action = RestAction::kRemove;
        route.item = has_last ? ItemReference(*menu, last) : std::string();
    } else if (method == "POST") {
        if (!has_last) {
            throw NoSuchCommand();
        }
        route.action = RestAction::kCommand;
        route.verb = last;
    } else {
        throw NoSuchCommand();
    }
    return route;
}

}  // namespace certos::rest
