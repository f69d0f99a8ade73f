#pragma once
// The `/system backup` file: the whole content of a store (Transaction::DumpContent) in one file that loads on
// any certos, whatever its master key. docs/backup.md describes the format.

#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace certos::store {

// kBackupScrypt are the scrypt parameters a password-encrypted backup is saved with (recorded in its header).
inline constexpr std::uint64_t kBackupScryptN = std::uint64_t{1} << 15;
inline constexpr std::uint64_t kBackupScryptR = 8;
inline constexpr std::uint64_t kBackupScryptP = 1;

// kMaxBackupSize is the largest backup file certos reads.
inline constexpr std::uint64_t kMaxBackupSize = std::uint64_t{1} << 30;

// SaveBackup returns the bytes of a backup of what `tx` holds.
//  - With a password: the content, private keys included as plain PKCS#8 (opened with this store's master
//    key), is encrypted with AES-256-GCM under a key scrypt derives from the password; it loads on any certos.
//  - Without one (RouterOS since 6.43 saves such a backup unencrypted): the content is stored in the clear
//    with a SHA-256 digest against damage, and the private keys stay sealed under this store's master key, so
//    that no key is ever written to disk in the clear; it loads, keys included, only where that master key is.
// Needs a transaction of a store opened through OpenStore (its sealer opens the keys).
std::string SaveBackup(Transaction& tx, const std::optional<std::string>& password);

// ReadBackup checks and opens a backup file made by SaveBackup (its integrity, then the password) and returns
// its content with every private key sealed under `tx`'s master key, ready for ReplaceContent. Nothing is
// changed. Throws core::Error (kFailure): "not a certos backup file", "backup file is damaged", "wrong
// password" (also for a password-encrypted file given no password), or, for a backup saved without a password
// whose keys are sealed under another master key, a message that says so.
StoreContent ReadBackup(Transaction& tx, std::string_view file, const std::optional<std::string>& password);

}  // namespace certos::store
