#include "menu/menus.hpp"

namespace certos::menu {

void InstallMenus(Tree& tree) {
    InstallCertificateMenu(tree);
}

}  // namespace certos::menu
