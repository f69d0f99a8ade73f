#include "pki/expiry.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include "pki/sign.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace certos::pki {
namespace {

using std::chrono::hours;

class ExpiryTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("certos-expiry-" + std::to_string(getpid()) + "-" + std::to_string(n++));
        std::filesystem::remove_all(dir_);
        store_ = store::OpenSqliteStore(dir_);
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    // Sign makes a self-signed certificate valid for `days` from now.
    core::ObjectId Sign(const std::string& name, int days) {
        auto tx = store_->Begin(store::TxMode::kWrite);
        store::CertificateRow row;
        row.name = name;
        row.props = {{"common-name", name}, {"key-size", "prime256v1"}, {"days-valid", std::to_string(days)}};
        core::ObjectId id = tx->InsertCertificate(row);
        tx->Commit();
        SignTemplate(*store_, id, SignOptions{}, nullptr);
        return id;
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
};

TEST_F(ExpiryTest, EachThresholdIsLoggedOnceThenTheExpiry) {
    Sign("www", 40);
    Sign("far", 365);
    auto now = std::chrono::system_clock::now();
    EXPECT_TRUE(WarnExpiring(*store_, now).empty());  // 40 days left: nothing yet
    auto at_31 = now + hours(24 * 10);                // 30 days left
    std::vector<std::string> lines = WarnExpiring(*store_, at_31);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(lines[0].starts_with("certificate www expires in 4w")) << lines[0];
    EXPECT_TRUE(WarnExpiring(*store_, at_31 + hours(1)).empty());  // once per threshold
    lines = WarnExpiring(*store_, now + hours(24 * 34));           // 6 days left
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(lines[0].starts_with("certificate www expires in 5d") ||
                lines[0].starts_with("certificate www expires in 6d"))
        << lines[0];
    // A check that was skipped past two thresholds logs the nearest one only.
    lines = WarnExpiring(*store_, now + hours(24 * 41));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(lines[0].starts_with("certificate www has expired (invalid-after ")) << lines[0];
    EXPECT_TRUE(WarnExpiring(*store_, now + hours(24 * 42)).empty());
}

TEST_F(ExpiryTest, ASecondStoreOnTheSameDataSharesWhatWasLogged) {
    Sign("www", 5);
    std::unique_ptr<store::Store> other = store::OpenSqliteStore(dir_);  // another process
    EXPECT_EQ(WarnExpiring(*store_).size(), 1u);
    EXPECT_TRUE(WarnExpiring(*other).empty());
}

}  // namespace
}  // namespace certos::pki
