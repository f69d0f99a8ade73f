#include "menu/menus.hpp"

namespace certos::menu {

void InstallMenus(Tree& tree) {
    InstallCertificateMenu(tree);
    InstallFileMenu(tree);
    InstallSystemMenus(tree);
    InstallBackupMenu(tree);
    InstallExport(tree);  // last: every menu gets `export`
}

}  // namespace certos::menu
