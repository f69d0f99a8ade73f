#include "store/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>

#include "core/error.hpp"

namespace certos::store {
namespace {

[[noreturn]] void ThrowErrno(std::string_view what, std::string_view name) {
    throw core::Failure(std::string(what) + " " + std::string(name) + ": " + std::strerror(errno));
}

// CreationTime is when `path` was made, to the nanosecond: its birth time where the file system keeps one (a
// file is written under a temporary name and renamed, which keeps it), else its modification time. Files
// written within one second (an export's .crt and .key) keep their order.
std::chrono::system_clock::time_point CreationTime(const std::filesystem::path& path, const struct stat& st) {
    auto at = [](std::int64_t sec, std::int64_t nsec) {
        return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(sec) + std::chrono::nanoseconds(nsec)));
    };
    struct statx stx {};
    if (statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) == 0 && (stx.stx_mask & STATX_BTIME)) {
        return at(stx.stx_btime.tv_sec, stx.stx_btime.tv_nsec);
    }
    return at(st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

// SortByCreation puts entries in creation order, as RouterOS's `/file print` lists them (the seed: exports in
// the order they were made), with a directory's contents right after it: siblings by when they were made, then
// by name.
void SortByCreation(std::vector<FileInfo>& entries) {
    std::map<std::string, std::chrono::system_clock::time_point, std::less<>> created;
    for (const FileInfo& info : entries) {
        created.emplace(info.name, info.modified);
    }
    auto sibling_less = [&](const std::string& a, const std::string& b) {
        auto ta = created.find(a);
        auto tb = created.find(b);
        if (ta != created.end() && tb != created.end() && ta->second != tb->second) {
            return ta->second < tb->second;
        }
        return a < b;
    };
    std::sort(entries.begin(), entries.end(), [&](const FileInfo& a, const FileInfo& b) {
        // The first path component where the two differ decides; an ancestor comes before what it holds.
        std::size_t start = 0;
        while (true) {
            std::size_t end_a = a.name.find('/', start);
            std::size_t end_b = b.name.find('/', start);
            std::string head_a = a.name.substr(0, end_a);
            std::string head_b = b.name.substr(0, end_b);
            if (head_a != head_b) {
                return sibling_less(head_a, head_b);
            }
            if (end_a == std::string::npos || end_b == std::string::npos) {
                return end_a == std::string::npos && end_b != std::string::npos;
            }
            start = end_a + 1;
        }
    });
}

}  // namespace

void MakePrivateDirectories(const std::filesystem::path& dir) {
    std::error_code ec;
    if (dir.empty() || std::filesystem::is_directory(dir, ec)) {
        return;
    }
    MakePrivateDirectories(dir.parent_path());
    if (mkdir(dir.c_str(), 0700) != 0) {
        if (errno == EEXIST && std::filesystem::is_directory(dir, ec)) {
            return;  // made meanwhile by another thread or process
        }
        ThrowErrno("cannot create", dir.string());
    }
    // mkdir's mode is masked by the umask, which may take away the owner's own access.
    chmod(dir.c_str(), 0700);
}

FileArea::FileArea(std::filesystem::path root) : root_(std::move(root)) { MakePrivateDirectories(root_); }

std::filesystem::path FileArea::Resolve(std::string_view name) const {
    if (name.empty() || name.front() == '/' || name.find('\0') != std::string_view::npos) {
        throw core::Failure("invalid file name");
    }
    std::filesystem::path relative(name);
    for (const auto& part : relative) {
        if (part == ".." || part == ".") {
            throw core::Failure("invalid file name");
        }
    }
    return root_ / relative;
}

std::vector<FileInfo> FileArea::List() const {
    std::vector<FileInfo> out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(root_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const auto& entry = *it;
        std::string name = std::filesystem::relative(entry.path(), root_).generic_string();
        if (name.ends_with(".tmp") && name.find(".certos-") != std::string::npos) {
            continue;  // an interrupted write
        }
        struct stat st {};
        if (lstat(entry.path().c_str(), &st) != 0) {
            continue;
        }
        FileInfo info;
        info.name = name;
        info.directory = S_ISDIR(st.st_mode);
        info.size = info.directory ? 0 : static_cast<std::uint64_t>(st.st_size);
        // `modified` is when the file was made (a file is only ever written whole, then renamed), to the
        // nanosecond, so that List can keep creation order.
        info.modified = CreationTime(entry.path(), st);
        out.push_back(std::move(info));
    }
    SortByCreation(out);
    return out;
}

bool FileArea::Exists(std::string_view name) const {
    std::error_code ec;
    return std::filesystem::exists(Resolve(name), ec);
}

std::string FileArea::Read(std::string_view name, std::uint64_t max_size) const {
    std::filesystem::path path = Resolve(name);
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec)) {
        throw core::Failure("no such file " + std::string(name));
    }
    std::uint64_t size = std::filesystem::file_size(path, ec);
    if (ec || size > max_size) {
        throw core::Failure("file " + std::string(name) + " is too large (limit " + std::to_string(max_size >> 20) +
                            " MiB)");
    }
    std::string data(size, '\0');
    in.read(data.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::uint64_t>(in.gcount()) != size) {
        throw core::Failure("cannot read file " + std::string(name));
    }
    return data;
}

void FileArea::Write(std::string_view name, std::string_view contents) const {
    std::filesystem::path path = Resolve(name);
    MakePrivateDirectories(path.parent_path());
    // A temporary name of its own for every write (mkostemps: unique, mode 0600), so concurrent writes of one
    // file never share one; List() hides such names.
    constexpr std::string_view kSuffix = ".tmp";
    std::string tmp = (path.parent_path() / (".certos-" + path.filename().string() + ".XXXXXX")).string();
    tmp += kSuffix;
    int fd = mkostemps(tmp.data(), static_cast<int>(kSuffix.size()), O_CLOEXEC);
    if (fd < 0) {
        ThrowErrno("cannot create file", name);
    }
    const char* p = contents.data();
    std::size_t left = contents.size();
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n <= 0) {
            int saved = errno;
            close(fd);
            unlink(tmp.c_str());
            errno = saved;
            ThrowErrno("cannot write file", name);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    int sync_error = fsync(fd) == 0 ? 0 : errno;
    int close_error = close(fd) == 0 ? 0 : errno;
    if (sync_error != 0 || close_error != 0) {
        unlink(tmp.c_str());
        errno = sync_error != 0 ? sync_error : close_error;
        ThrowErrno("cannot write file", name);
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        int saved = errno;
        unlink(tmp.c_str());
        errno = saved;
        ThrowErrno("cannot write file", name);
    }
}

void FileArea::Remove(std::string_view name) const {
    std::filesystem::path path = Resolve(name);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        throw core::NoSuchItem();
    }
    std::filesystem::remove_all(path, ec);
    if (ec) {
        throw core::Failure("cannot remove " + std::string(name) + ": " + ec.message());
    }
}

}  // namespace certos::store
