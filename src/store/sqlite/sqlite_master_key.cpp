#include "store/sqlite/sqlite_master_key.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/id.hpp"

namespace certos::store::sqlite {
namespace {

// The check value is this text sealed with this AAD; the AAD differs from every row id ("*1"), so the check
// value cannot stand in for a sealed private key, nor the other way round.
constexpr std::string_view kCheckText = "certos master key check 1";
constexpr std::string_view kCheckAad = "master-key-check";

std::optional<std::string> ReadCheck(Connection& conn) {
    Query query = conn.Prepare("SELECT sealed FROM master_key_check WHERE id = 1");
    if (!query.Step()) {
        return std::nullopt;
    }
    return query.Blob(0);
}

// SealedSample is one sealed private key of the database and the id it is bound to.
struct SealedSample {
    std::string aad;
    std::string sealed;
};

std::optional<SealedSample> FirstSealedKey(Connection& conn) {
    Query query =
        conn.Prepare("SELECT id, key_sealed FROM certificates WHERE key_sealed IS NOT NULL ORDER BY id LIMIT 1");
    if (!query.Step()) {
        return std::nullopt;
    }
    return SealedSample{core::ObjectId(static_cast<std::uint64_t>(query.Int(0))).ToString(), query.Blob(1)};
}

bool Opens(const crypto::MasterKey& key, std::string_view sealed, std::string_view aad,
           std::optional<std::string_view> expected) {
    try {
        std::string plain = key.Open(sealed, aad);
        return !expected || plain == *expected;
    } catch (const core::Error&) {
        return false;
    }
}

[[noreturn]] void ThrowMismatch(const std::filesystem::path& key_file, const std::filesystem::path& db_file) {
    throw core::Failure("master key " + key_file.string() + " does not match the store " + db_file.string() +
                        " (its private keys are sealed under another key): restore the right key file");
}

// WriteCheck stores the check value of `key` unless another process stored one first, which must then match.
void WriteCheck(Connection& conn, const crypto::MasterKey& key, const std::filesystem::path& key_file,
                const std::filesystem::path& db_file) {
    conn.Exec("BEGIN IMMEDIATE");
    try {
        if (std::optional<std::string> check = ReadCheck(conn)) {
            if (!Opens(key, *check, kCheckAad, kCheckText)) {
                ThrowMismatch(key_file, db_file);
            }
        } else {
            conn.Prepare("INSERT INTO master_key_check (id, sealed) VALUES (1, ?)")
                .BindBlob(1, key.Seal(kCheckText, kCheckAad))
                .Run();
        }
        conn.Exec("COMMIT");
    } catch (...) {
        conn.Rollback();
        throw;
    }
}

}  // namespace

crypto::MasterKey OpenMasterKey(Connection& conn, const std::filesystem::path& key_file,
                                const std::filesystem::path& db_file) {
    std::optional<std::string> check;
    std::optional<SealedSample> sample;
    {
        // One snapshot for both reads.
        conn.Exec("BEGIN");
        try {
            check = ReadCheck(conn);
            sample = check ? std::nullopt : FirstSealedKey(conn);
            conn.Exec("COMMIT");
        } catch (...) {
            conn.Rollback();
            throw;
        }
    }
    std::optional<crypto::MasterKey> key = crypto::MasterKey::Load(key_file);
    if (!key) {
        if (check || sample) {
            throw core::Failure("master key " + key_file.string() + " is missing, and the store " + db_file.string() +
                                " was set up with one (its private keys are sealed under it): restore the key "
                                "file; certos makes a new key only for a new store");
        }
        key = crypto::MasterKey::Create(key_file);
    }
    if (check) {
        if (!Opens(*key, *check, kCheckAad, kCheckText)) {
            ThrowMismatch(key_file, db_file);
        }
        return std::move(*key);
    }
    if (sample && !Opens(*key, sample->sealed, sample->aad, std::nullopt)) {
        ThrowMismatch(key_file, db_file);
    }
    WriteCheck(conn, *key, key_file, db_file);
    return std::move(*key);
}

}  // namespace certos::store::sqlite
