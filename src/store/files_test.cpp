#include "store/files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::store {
namespace {

std::filesystem::path FreshDir(const char* tag) {
    auto dir = std::filesystem::temp_directory_path() / ("certos-files-" + std::to_string(getpid()) + tag);
    std::filesystem::remove_all(dir);
    return dir;
}

// `/file print` lists in creation order, as the seed shows its three exports (issue 16), not by name.
TEST(FileAreaTest, ListsInCreationOrder) {
    FileArea files(FreshDir("order"));
    for (const char* name : {"cert_export_CA-Template.crt", "cert_export_ServerCA.crt", "cert_export_ServerCA.key",
                             "cert_export_Client.crt", "cert_export_Client.key"}) {
        files.Write(name, "x");
    }
    std::vector<std::string> names;
    for (const FileInfo& info : files.List()) {
        names.push_back(info.name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"cert_export_CA-Template.crt", "cert_export_ServerCA.crt",
                                               "cert_export_ServerCA.key", "cert_export_Client.crt",
                                               "cert_export_Client.key"}));
}

TEST(FileAreaTest, WritesReadsListsAndRemoves) {
    FileArea files(FreshDir("a"));
    files.Write("cert_export_x.crt", "PEM");
    files.Write("sub/y.key", "KEY");
    EXPECT_EQ(files.Read("cert_export_x.crt"), "PEM");
    auto list = files.List();
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].name, "cert_export_x.crt");
    EXPECT_EQ(list[0].size, 3u);
    EXPECT_EQ(list[1].name, "sub");
    EXPECT_TRUE(list[1].directory);
    EXPECT_EQ(list[2].name, "sub/y.key");
    struct stat st {};
    ASSERT_EQ(stat(files.Resolve("sub/y.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    files.Remove("cert_export_x.crt");
    EXPECT_FALSE(files.Exists("cert_export_x.crt"));
    EXPECT_THROW(files.Remove("cert_export_x.crt"), core::Error);
}

TEST(FileAreaTest, RefusesNamesOutsideTheDirectory) {
    FileArea files(FreshDir("b"));
    for (const char* bad : {"../etc/passwd", "/etc/passwd", "a/../../b", "", "./x"}) {
        EXPECT_THROW(files.Resolve(bad), core::Error) << bad;
    }
}

TEST(FileAreaTest, ReadLimitsSizeAndReportsMissingFiles) {
    FileArea files(FreshDir("c"));
    files.Write("big", std::string(2048, 'x'));
    EXPECT_THROW(files.Read("big", 1024), core::Error);
    EXPECT_EQ(files.Read("big", 4096).size(), 2048u);
    EXPECT_THROW(files.Read("missing"), core::Error);
}

TEST(FileAreaTest, OverwriteIsAtomicAndLeavesNoTemporaryFiles) {
    FileArea files(FreshDir("d"));
    files.Write("f", "one");
    files.Write("f", "two");
    EXPECT_EQ(files.Read("f"), "two");
    EXPECT_EQ(files.List().size(), 1u);
}

TEST(FileAreaTest, ConcurrentWritesOfOneFileAllSucceed) {
    FileArea files(FreshDir("e"));
    constexpr int kThreads = 8;
    constexpr int kWrites = 40;
    std::vector<std::string> contents;
    for (int t = 0; t < kThreads; ++t) {
        contents.push_back(std::string(64 << 10, static_cast<char>('a' + t)));
    }
    std::atomic<int> failures{0};
    std::string first_failure;
    std::mutex failure_mutex;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kWrites; ++i) {
                try {
                    files.Write("shared.crt", contents[t]);
                } catch (const core::Error& e) {
                    if (failures.fetch_add(1) == 0) {
                        std::lock_guard lock(failure_mutex);
                        first_failure = e.what();
                    }
                }
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0) << first_failure;
    // The file is one whole write, never a mix, and no temporary file is left.
    std::string final = files.Read("shared.crt");
    EXPECT_NE(std::find(contents.begin(), contents.end(), final), contents.end());
    std::size_t entries = 0;
    for (const auto& entry : std::filesystem::directory_iterator(files.root())) {
        ++entries;
        EXPECT_EQ(entry.path().filename(), "shared.crt");
    }
    EXPECT_EQ(entries, 1u);
}

TEST(FileAreaTest, FilesAndDirectoriesAreOwnerOnlyWhateverTheUmask) {
    mode_t saved = umask(022);
    std::filesystem::path root = FreshDir("f") / "files";
    FileArea files(root);
    files.Write("upload.key", "KEY");
    files.Write("sub/dir/export.crt", "PEM");
    umask(saved);
    auto mode = [](const std::filesystem::path& path) {
        struct stat st {};
        EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
        return st.st_mode & 07777;
    };
    EXPECT_EQ(mode(root), 0700u);
    EXPECT_EQ(mode(root.parent_path()), 0700u);
    EXPECT_EQ(mode(root / "upload.key"), 0600u);
    EXPECT_EQ(mode(root / "sub"), 0700u);
    EXPECT_EQ(mode(root / "sub/dir"), 0700u);
    EXPECT_EQ(mode(root / "sub/dir/export.crt"), 0600u);
}

}  // namespace
}  // namespace certos::store
