#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace certos::store {

// MakePrivateDirectories creates `dir` and its missing parents with mode 0700 (whatever the umask leaves);
// directories that exist are left as they are. Throws core::Error (kFailure) when one cannot be made.
void MakePrivateDirectories(const std::filesystem::path& dir);

// FileInfo is one entry of `/file`.
struct FileInfo {
    std::string name;  // relative path below the files directory, '/'-separated
    bool directory = false;
    std::uint64_t size = 0;
    std::chrono::system_clock::time_point modified;
};

// FileArea is `/file`: a real directory (<data>/files) that exports land in and imports read from.
// Names are relative paths; anything that would leave the directory (`..`, absolute paths, NUL) is
// refused with core::Error. Writes are atomic (a temporary file of their own, fsync, rename), so a crash or
// a full disk never leaves a half-written file under the final name, and concurrent writes of one name
// each succeed (the last rename wins). Files are created with mode 0600 and directories with 0700, whatever
// the umask: /file holds private keys.
class FileArea {
public:
    explicit FileArea(std::filesystem::path root);

    const std::filesystem::path& root() const { return root_; }
    std::vector<FileInfo> List() const;
    bool Exists(std::string_view name) const;
    // Read returns the contents; throws core::Error "no such file" when missing, or when the file is
    // larger than `max_size` bytes.
    std::string Read(std::string_view name, std::uint64_t max_size = 64ull << 20) const;
    void Write(std::string_view name, std::string_view contents) const;
    void Remove(std::string_view name) const;

    // Resolve maps a name to its path, refusing names that escape the directory.
    std::filesystem::path Resolve(std::string_view name) const;

private:
    std::filesystem::path root_;
};

}  // namespace certos::store
