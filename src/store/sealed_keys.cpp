#include "store/sealed_keys.hpp"

#include <utility>
#include <vector>

#include "core/error.hpp"
#include "crypto/digest.hpp"
#include "store/files.hpp"

namespace certos::store {
namespace {

constexpr std::string_view kCheckText = "certos master key check 1";
constexpr std::string_view kCheckAad = "master-key-check";

const KeySealer& RequireSealer(const std::shared_ptr<const KeySealer>& sealer) {
    if (!sealer) {
        throw core::Error(core::ErrorCategory::kInternal, "private keys need a store opened through OpenStore");
    }
    return *sealer;
}

// SealedSample is one sealed private key of a store from before the check value, and its row.
struct SealedSample {
    core::ObjectId id;
    std::string sealed;
};

// StoredCheck is what the store holds of the master key: its check value, or else one sealed key.
struct StoredCheck {
    std::optional<std::string> check;
    std::optional<SealedSample> sample;
};

StoredCheck ReadStoredCheck(Store& backend) {
    StoredCheck stored;
    std::unique_ptr<Transaction> tx = backend.Begin(TxMode::kRead);  // one snapshot for both reads
    std::optional<std::string> hex = tx->GetSetting(kMasterKeySection, kMasterKeyCheck);
    if (hex) {
        stored.check = crypto::FromHex(*hex).value_or(std::string());  // damaged hex opens nothing
        return stored;
    }
    // Only a store from before the check value gets here, once: the scan of every row is affordable.
    for (const CertificateRow& row : tx->ListCertificates()) {
        if (row.has_key) {
            if (std::optional<std::string> sealed = tx->LoadSealedKey(row.id)) {
                stored.sample = SealedSample{row.id, std::move(*sealed)};
                break;
            }
        }
    }
    return stored;
}

[[noreturn]] void ThrowMismatch(const std::filesystem::path& key_file, const std::string& store_name) {
    throw core::Failure("master key " + key_file.string() + " does not match the store " + store_name +
                        " (its private keys are sealed under another key): restore the right key file");
}

bool OpensSample(const KeySealer& sealer, const SealedSample& sample) {
    try {
        sealer.Open(sample.id, sample.sealed);
        return true;
    } catch (const core::Error&) {
        return false;
    }
}

// WriteCheck stores the check value of `sealer` unless another process stored one first, which must then match.
void WriteCheck(Store& backend, const KeySealer& sealer, const std::filesystem::path& key_file,
                const std::string& store_name) {
    std::unique_ptr<Transaction> tx = backend.Begin(TxMode::kWrite);
    if (!tx->InsertSetting(kMasterKeySection, kMasterKeyCheck, crypto::HexLower(sealer.SealCheck()))) {
        std::optional<std::string> hex = tx->GetSetting(kMasterKeySection, kMasterKeyCheck);
        std::optional<std::string> check = hex ? crypto::FromHex(*hex) : std::nullopt;
        if (!check || !sealer.OpensCheck(*check)) {
            ThrowMismatch(key_file, store_name);
        }
    }
    tx->Commit();
}

class SealedStore final : public Store {
public:
    SealedStore(std::unique_ptr<Store> backend, std::shared_ptr<const KeySealer> sealer)
        : backend_(std::move(backend)), sealer_(std::move(sealer)) {}

    std::unique_ptr<Transaction> Begin(TxMode mode) override {
        std::unique_ptr<Transaction> tx = backend_->Begin(mode);
        tx->UseSealer(sealer_);
        return tx;
    }
    std::uint64_t DataVersion() override { return backend_->DataVersion(); }

private:
    std::unique_ptr<Store> backend_;
    std::shared_ptr<const KeySealer> sealer_;
};

}  // namespace

std::string KeySealer::Seal(core::ObjectId id, std::string_view pkcs8_der) const {
    return key_.Seal(pkcs8_der, id.ToString());
}

std::string KeySealer::Open(core::ObjectId id, std::string_view sealed) const {
    return key_.Open(sealed, id.ToString());
}

std::string KeySealer::SealCheck() const { return key_.Seal(kCheckText, kCheckAad); }

bool KeySealer::OpensCheck(std::string_view sealed) const {
    try {
        return key_.Open(sealed, kCheckAad) == kCheckText;
    } catch (const core::Error&) {
        return false;
    }
}

void Transaction::StorePrivateKey(core::ObjectId id, std::string_view pkcs8_der) {
    StoreSealedKey(id, RequireSealer(sealer_).Seal(id, pkcs8_der));
}

std::optional<std::string> Transaction::LoadPrivateKey(core::ObjectId id) {
    const KeySealer& sealer = RequireSealer(sealer_);
    std::optional<std::string> sealed = LoadSealedKey(id);
    if (!sealed) {
        return std::nullopt;
    }
    return sealer.Open(id, *sealed);
}

std::shared_ptr<const KeySealer> OpenKeySealer(Store& backend, const std::filesystem::path& key_file,
                                               const std::string& store_name) {
    StoredCheck stored = ReadStoredCheck(backend);
    std::optional<crypto::MasterKey> key = crypto::MasterKey::Load(key_file);
    if (!key) {
        if (stored.check || stored.sample) {
            throw core::Failure("master key " + key_file.string() + " is missing, and the store " + store_name +
                                " was set up with one (its private keys are sealed under it): restore the key "
                                "file; certos makes a new key only for a new store");
        }
        MakePrivateDirectories(key_file.parent_path());
        key = crypto::MasterKey::Create(key_file);
    }
    auto sealer = std::make_shared<const KeySealer>(std::move(*key));
    if (stored.check) {
        if (!sealer->OpensCheck(*stored.check)) {
            ThrowMismatch(key_file, store_name);
        }
        return sealer;
    }
    if (stored.sample && !OpensSample(*sealer, *stored.sample)) {
        ThrowMismatch(key_file, store_name);
    }
    WriteCheck(backend, *sealer, key_file, store_name);
    return sealer;
}

std::unique_ptr<Store> SealKeys(std::unique_ptr<Store> backend, std::shared_ptr<const KeySealer> sealer) {
    return std::make_unique<SealedStore>(std::move(backend), std::move(sealer));
}

}  // namespace certos::store
