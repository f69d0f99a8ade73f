#include "crypto/seal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"
#include "crypto/aead.hpp"
#include "crypto/random.hpp"

namespace certos::crypto {
namespace {

constexpr std::size_t kKeySize = 32;
constexpr char kVersion = 1;

[[noreturn]] void ThrowIo(const std::filesystem::path& path, std::string_view what) {
    throw core::Failure(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

std::string ReadKeyFile(const std::filesystem::path& path, int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        ThrowIo(path, "cannot stat master key");
    }
    if ((st.st_mode & 077) != 0) {
        throw core::Failure("master key " + path.string() + " is readable by others (chmod 600 it)");
    }
    std::string key(kKeySize + 1, '\0');
    ssize_t n = read(fd, key.data(), key.size());
    if (n != static_cast<ssize_t>(kKeySize)) {
        throw core::Failure("master key " + path.string() + " is damaged (expected 32 bytes)");
    }
    key.resize(kKeySize);
    return key;
}

void SyncDirectory(const std::filesystem::path& dir) {
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int saved = errno;
        if (fd >= 0) {
            close(fd);
        }
        errno = saved;
        ThrowIo(dir, "cannot sync directory of master key");
    }
    close(fd);
}

}  // namespace

std::optional<MasterKey> MasterKey::Load(const std::filesystem::path& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        ThrowIo(path, "cannot open master key");
    }
    std::string key;
    try {
        key = ReadKeyFile(path, fd);
    } catch (...) {
        close(fd);
        throw;
    }
    close(fd);
    return MasterKey(std::move(key));
}

MasterKey MasterKey::Create(const std::filesystem::path& path) {
    std::string key = RandomBytes(kKeySize);
    // Write to a temporary file and link it into place, so a crash never leaves a short key behind. The
    // temporary name is unique (mkostemp, mode 0600), so two processes creating at once do not share it.
    std::string tmp = path.string() + ".XXXXXX";
    int fd = mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) {
        ThrowIo(path, "cannot create master key");
    }
    bool ok = write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && fsync(fd) == 0;
    close(fd);
    if (!ok) {
        unlink(tmp.c_str());
        ThrowIo(tmp, "cannot write master key");
    }
    // link() fails if another process created the key meanwhile; then that key wins.
    if (link(tmp.c_str(), path.c_str()) != 0) {
        int saved = errno;
        unlink(tmp.c_str());
        if (saved == EEXIST) {
            if (std::optional<MasterKey> existing = Load(path)) {
                return std::move(*existing);
            }
        }
        errno = saved;
        ThrowIo(path, "cannot install master key");
    }
    unlink(tmp.c_str());
    // The new directory entry must reach the disk before anything is sealed under the key: a crash that kept
    // sealed keys in the database but lost the key file would lose them all.
    SyncDirectory(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
    return MasterKey(std::move(key));
}

MasterKey MasterKey::LoadOrCreate(const std::filesystem::path& path) {
    if (std::optional<MasterKey> key = Load(path)) {
        return std::move(*key);
    }
    return Create(path);
}

MasterKey MasterKey::FromBytes(std::string_view key) {
    if (key.size() != kKeySize) {
        throw core::Failure("master key must be 32 bytes");
    }
    return MasterKey(std::string(key));
}

std::string MasterKey::Seal(std::string_view plaintext, std::string_view aad) const {
    std::string nonce = RandomBytes(kAeadNonceSize);
    std::string out(1, kVersion);
    out += nonce;
    out += AeadSeal(key_, nonce, plaintext, aad);
    return out;
}

std::string MasterKey::Open(std::string_view sealed, std::string_view aad) const {
    if (sealed.size() < 1 + kAeadNonceSize + kAeadTagSize || sealed[0] != kVersion) {
        throw core::Failure("sealed key is damaged");
    }
    std::optional<std::string> out =
        AeadOpen(key_, sealed.substr(1, kAeadNonceSize), sealed.substr(1 + kAeadNonceSize), aad);
    if (!out) {
        throw core::Failure("sealed key failed authentication (wrong master key or damaged data)");
    }
    return std::move(*out);
}

}  // namespace certos::crypto
