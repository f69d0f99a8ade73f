#include "store/files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::store {
namespace {

std::filesystem::path FreshDir(const char* tag) {
    auto dir = std::filesystem::temp_directory_path() / ("certos-files-" + std::to_string(getpid()) + tag);
    std::filesystem::remove_all(dir);
    return dir;
}

TEST(FileAreaTest, WritesReadsListsAndRemoves) {
    FileArea files(FreshDir("a"));
    files.Write("cert_export_x.crt", "PEM");
    files.Write("sub/y.key", "KEY", true);
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

}  // namespace
}  // namespace certos::store
