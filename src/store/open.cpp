#include "store/open.hpp"

#include "core/error.hpp"
#include "store/sealed_keys.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace certos::store {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite:";

// Directory is `dir` without a trailing separator: "var/" names the directory "var", whose parent is ".".
std::filesystem::path Directory(const std::filesystem::path& dir) {
    return dir.has_filename() ? dir : dir.parent_path();
}

std::unique_ptr<Store> OpenSqlite(const std::filesystem::path& dir, const OpenOptions& options) {
    std::unique_ptr<Store> backend = OpenSqliteBackend(dir);
    std::filesystem::path key_dir = options.data_dir.empty() ? Directory(dir) : Directory(options.data_dir);
    std::shared_ptr<const KeySealer> sealer =
        OpenKeySealer(*backend, key_dir / "master.key", (Directory(dir) / kSqliteDatabaseFile).string());
    return SealKeys(std::move(backend), std::move(sealer));
}

}  // namespace

std::string DefaultStoreUrl(const std::filesystem::path& data_dir) {
    return std::string(kSqliteScheme) + data_dir.string();
}

std::unique_ptr<Store> OpenStore(std::string_view url, const OpenOptions& options) {
    std::string text = url.empty() ? DefaultStoreUrl(options.data_dir) : std::string(url);
    if (text.starts_with(kSqliteScheme)) {
        std::string_view path = std::string_view(text).substr(kSqliteScheme.size());
        if (path.empty()) {
            throw core::Failure("store URL " + text + " names no directory (expected sqlite:DIR)");
        }
        return OpenSqlite(std::filesystem::path(path), options);
    }
    if (text.starts_with("postgresql://") || text.starts_with("postgres://")) {
        // The URL is not repeated: it may hold a password.
        throw core::Failure("PostgreSQL store is not built in yet");
    }
    throw core::Failure("unknown store URL scheme " + text.substr(0, text.find(':')) +
                        " (expected sqlite:DIR; postgresql://... is to come)");
}

std::unique_ptr<Store> OpenSqliteStore(const std::filesystem::path& data_dir) {
    return OpenStore(DefaultStoreUrl(data_dir), OpenOptions{data_dir});
}

}  // namespace certos::store
