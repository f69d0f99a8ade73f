#include "crypto/seal.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::crypto {
namespace {

std::filesystem::path TempDir() {
    std::filesystem::path dir = std::filesystem::temp_directory_path() / ("certos-seal-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

TEST(SealTest, RoundTripsAndBindsAad) {
    MasterKey key = MasterKey::FromBytes(std::string(32, 'k'));
    std::string sealed = key.Seal("secret key bytes", "*1");
    EXPECT_EQ(sealed.find("secret"), std::string::npos);
    EXPECT_EQ(key.Open(sealed, "*1"), "secret key bytes");
    EXPECT_THROW(key.Open(sealed, "*2"), core::Error);
}

TEST(SealTest, DetectsTampering) {
    MasterKey key = MasterKey::FromBytes(std::string(32, 'k'));
    std::string sealed = key.Seal("payload", "");
    sealed[sealed.size() / 2] ^= 1;
    EXPECT_THROW(key.Open(sealed, ""), core::Error);
    EXPECT_THROW(key.Open("short", ""), core::Error);
}

TEST(SealTest, SealingTwiceUsesFreshNonces) {
    MasterKey key = MasterKey::FromBytes(std::string(32, 'k'));
    EXPECT_NE(key.Seal("same", ""), key.Seal("same", ""));
}

TEST(SealTest, KeyFileIsCreatedPrivateAndReloaded) {
    std::filesystem::path path = TempDir() / "master.key";
    std::filesystem::remove(path);
    MasterKey first = MasterKey::LoadOrCreate(path);
    struct stat st {};
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(st.st_size, 32);
    MasterKey second = MasterKey::LoadOrCreate(path);
    EXPECT_EQ(second.Open(first.Seal("x", "a"), "a"), "x");
}

TEST(SealTest, LoadTellsAMissingKeyFileAndCreateKeepsOneThatExists) {
    std::filesystem::path path = TempDir() / "created.key";
    std::filesystem::remove(path);
    EXPECT_FALSE(MasterKey::Load(path).has_value());
    EXPECT_FALSE(std::filesystem::exists(path));
    MasterKey first = MasterKey::Create(path);
    // A second Create (another process that also found no key) gets the key already installed.
    MasterKey second = MasterKey::Create(path);
    EXPECT_EQ(second.Open(first.Seal("x", "a"), "a"), "x");
    ASSERT_TRUE(MasterKey::Load(path).has_value());
    EXPECT_EQ(MasterKey::Load(path)->Open(first.Seal("y", "b"), "b"), "y");
    // No temporary file is left behind.
    for (const auto& entry : std::filesystem::directory_iterator(path.parent_path())) {
        EXPECT_EQ(entry.path().filename().string().find("created.key."), std::string::npos) << entry.path();
    }
}

TEST(SealTest, RejectsWorldReadableOrDamagedKeyFile) {
    std::filesystem::path path = TempDir() / "bad.key";
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << std::string(32, 'x');
    }
    chmod(path.c_str(), 0644);
    EXPECT_THROW(MasterKey::LoadOrCreate(path), core::Error);
    chmod(path.c_str(), 0600);
    EXPECT_NO_THROW(MasterKey::LoadOrCreate(path));
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << "short";
    }
    EXPECT_THROW(MasterKey::LoadOrCreate(path), core::Error);
}

}  // namespace
}  // namespace certos::crypto
