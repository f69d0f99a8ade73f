#include "pki/expiry.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

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

// The marks are written in batches of short write transactions, each mark read again under the write lock:
// two processes checking at once (two stores on the same data, in two threads) log each certificate once
// between them, over more certificates than one batch holds; a mark whose certificate is gone is let go.
TEST_F(ExpiryTest, TwoChecksAtOnceLogEachCertificateOnceOverManyBatches) {
    constexpr int kCount = 600;
    for (int i = 0; i < kCount; ++i) {
        Sign("c" + std::to_string(i), 5);
    }
    core::ObjectId gone = Sign("gone", 5);
    std::unique_ptr<store::Store> other = store::OpenSqliteStore(dir_);
    std::vector<std::string> here;
    std::vector<std::string> there;
    std::thread beside([&] { there = WarnExpiring(*other); });
    here = WarnExpiring(*store_);
    beside.join();
    std::set<std::string> names;
    for (const std::vector<std::string>* lines : {&here, &there}) {
        for (const std::string& line : *lines) {
            EXPECT_TRUE(line.starts_with("certificate c") || line.starts_with("certificate gone")) << line;
            names.insert(line.substr(0, line.find(" expires")));
        }
    }
    EXPECT_EQ(here.size() + there.size(), static_cast<std::size_t>(kCount + 1));
    EXPECT_EQ(names.size(), static_cast<std::size_t>(kCount + 1));
    EXPECT_TRUE(WarnExpiring(*store_).empty());
    {
        auto tx = store_->Begin(store::TxMode::kWrite);
        tx->DeleteCertificate(gone);
        tx->Commit();
    }
    EXPECT_TRUE(WarnExpiring(*store_).empty());
    auto tx = store_->Begin(store::TxMode::kRead);
    EXPECT_EQ(tx->ListItems(kExpiryWarningKind).size(), static_cast<std::size_t>(kCount));
    EXPECT_FALSE(tx->FindItemByName(kExpiryWarningKind, gone.ToString()));
}

}  // namespace
}  // namespace certos::pki
