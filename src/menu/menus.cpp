#include "menu/menus.hpp"

namespace certos::menu {

void InstallMenus(Tree& tree) {
    InstallCertificateMenu(tree);
    InstallFileMenu(tree);
    InstallSystemMenus(tree);
}

}  // namespace certos::menu
