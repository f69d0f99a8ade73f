#pragma once
// Key sealing above the backend: the master key, its check value, and the layer that seals private keys
// before any backend sees them (so every backend stores the same sealed bytes).

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/id.hpp"
#include "crypto/seal.hpp"
#include "store/store.hpp"

namespace certos::store {

// KeySealer seals and opens private keys under one master key (AES-256-GCM, crypto::MasterKey), binding each
// to its row id ("*1"), so a sealed key copied onto another row does not open. Immutable; shared by the
// transactions of a store, which may outlive it.
class KeySealer {
public:
    explicit KeySealer(crypto::MasterKey key) : key_(std::move(key)) {}

    std::string Seal(core::ObjectId id, std::string_view pkcs8_der) const;
    // Open throws core::Error (kFailure) when `sealed` was altered or belongs to another row or key.
    std::string Open(core::ObjectId id, std::string_view sealed) const;

    // SealCheck / OpensCheck make and test the master key's check value: a known text sealed under the key,
    // with an AAD no row id has, so the check value cannot stand in for a sealed key nor the other way round.
    std::string SealCheck() const;
    bool OpensCheck(std::string_view sealed) const;

private:
    crypto::MasterKey key_;
};

// kMasterKeySection / kMasterKeyCheck name the setting that holds the check value (lowercase hex of the
// sealed check text).
inline constexpr std::string_view kMasterKeySection = "store";
inline constexpr std::string_view kMasterKeyCheck = "master-key-check";

// OpenKeySealer returns the sealer for the master key in `key_file`, making sure it is the key `backend`'s
// private keys are sealed under:
//  - a key file that does not open the store's check value (or, in a store from before the check value, its
//    first sealed key) is refused: "master key K does not match the store S ...";
//  - a missing key file is refused when the store has a check value or any sealed key (a new key could not
//    open them, and keys sealed under two master keys would lose the old ones): "master key K is missing ...";
//  - otherwise (a new store) the key is created (crypto::MasterKey::Create, in a 0700 directory).
// The check value is written (InsertSetting) when the store has none; when another process wrote one first,
// it must match too. `store_name` only names the store in messages. Throws core::Error (kFailure).
std::shared_ptr<const KeySealer> OpenKeySealer(Store& backend, const std::filesystem::path& key_file,
                                               const std::string& store_name);

// SealKeys wraps `backend`: every transaction it begins seals and opens private keys with `sealer`
// (Transaction::StorePrivateKey / LoadPrivateKey); everything else is the backend's own.
std::unique_ptr<Store> SealKeys(std::unique_ptr<Store> backend, std::shared_ptr<const KeySealer> sealer);

}  // namespace certos::store
