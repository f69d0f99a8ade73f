#pragma once

#include "menu/tree.hpp"

namespace certos::menu {

// InstallMenus adds every menu certos has to the tree: /certificate (and its sub-menus), /file, ...
void InstallMenus(Tree& tree);

// The menus, one installer each (used by InstallMenus and by tests that want one menu alone).
void InstallCertificateMenu(Tree& tree);
void InstallFileMenu(Tree& tree);
// InstallBackupMenu adds /system backup (save, load).
void InstallBackupMenu(Tree& tree);
// InstallExport gives every menu of the tree so far an `export` verb (menus installed later have none) and the
// root `/import`.
void InstallExport(Tree& tree);
// InstallSystemMenus adds /certificate/settings, /user, /user/group, /ip/service, /log, /system/resource,
// /system/script, /system/scheduler, /system/clock and /system/identity.
void InstallSystemMenus(Tree& tree);

}  // namespace certos::menu
