#include "crypto/seal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"
#include "crypto/ossl.hpp"
#include "crypto/random.hpp"

namespace certos::crypto {
namespace {

constexpr std::size_t kKeySize = 32;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
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
    std::string nonce = RandomBytes(kNonceSize);
    UniquePtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
    const auto* key = reinterpret_cast<const unsigned char*>(key_.data());
    const auto* iv = reinterpret_cast<const unsigned char*>(nonce.data());
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, iv) != 1) {
        ThrowOpenSsl("sealing key");
    }
    int len = 0;
    if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                                          static_cast<int>(aad.size())) != 1) {
        ThrowOpenSsl("sealing key");
    }
    std::string out;
    out.reserve(1 + kNonceSize + plaintext.size() + kTagSize);
    out += kVersion;
    out += nonce;
    std::size_t body = out.size();
    out.resize(body + plaintext.size() + kTagSize);
    auto* dst = reinterpret_cast<unsigned char*>(out.data() + body);
    if (EVP_EncryptUpdate(ctx.get(), dst, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), dst + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, dst + plaintext.size()) != 1) {
        ThrowOpenSsl("sealing key");
    }
    return out;
}

std::string MasterKey::Open(std::string_view sealed, std::string_view aad) const {
    if (sealed.size() < 1 + kNonceSize + kTagSize || sealed[0] != kVersion) {
        throw core::Failure("sealed key is damaged");
    }
    std::string_view nonce = sealed.substr(1, kNonceSize);
    std::string_view body = sealed.substr(1 + kNonceSize, sealed.size() - 1 - kNonceSize - kTagSize);
    std::string tag(sealed.substr(sealed.size() - kTagSize));
    UniquePtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    std::string out(body.size(), '\0');
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    if (!ctx ||
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                           reinterpret_cast<const unsigned char*>(nonce.data())) != 1 ||
        (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                                           static_cast<int>(aad.size())) != 1) ||
        EVP_DecryptUpdate(ctx.get(), dst, &len, reinterpret_cast<const unsigned char*>(body.data()),
                          static_cast<int>(body.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) != 1) {
        ThrowOpenSsl("opening sealed key");
    }
    if (EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) != 1) {
        ERR_clear_error();
        throw core::Failure("sealed key failed authentication (wrong master key or damaged data)");
    }
    return out;
}

}  // namespace certos::crypto
