// The command tree's nodes (Menu, Verb): lookups by name, and building the tree. Tree itself (running
// requests) is in tree.cpp; these are apart so that parsers that only need a menu's schema (the console's
// `where`, its fuzz target) link without the request pipeline.
#include "menu/tree.hpp"

namespace certos::menu {

const ArgSpec* Verb::FindArg(std::string_view arg_name) const {
    for (const ArgSpec& arg : args) {
        if (arg.spec.name == arg_name) {
            return &arg;
        }
    }
    return nullptr;
}

const Verb* Menu::FindVerb(std::string_view verb_name) const {
    for (const Verb& verb : verbs) {
        if (verb.name == verb_name) {
            return &verb;
        }
    }
    return nullptr;
}

const Menu* Menu::FindChild(std::string_view child_name) const {
    for (const auto& child : children) {
        if (child->name == child_name) {
            return child.get();
        }
    }
    return nullptr;
}

const PropertySpec* Menu::FindProperty(std::string_view property_name) const {
    for (const PropertySpec& spec : properties) {
        if (spec.name == property_name) {
            return &spec;
        }
    }
    return nullptr;
}

Menu& Menu::AddChild(std::string child_name, std::string child_help) {
    auto child = std::make_unique<Menu>();
    child->path = (path == "/" ? "" : path) + "/" + child_name;
    child->name = std::move(child_name);
    child->help = std::move(child_help);
    children.push_back(std::move(child));
    return *children.back();
}

}  // namespace certos::menu
