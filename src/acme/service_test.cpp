#include "acme/service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "store/sqlite/sqlite_store.hpp"
#include "system/clock.hpp"
#include "system/scheduler.hpp"

namespace certos::acme {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::hours;

Clock::time_point Day(int n) { return Clock::from_time_t(1'800'000'000) + hours(24 * n); }

long long Epoch(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

class RenewalTest : public ::testing::Test {
protected:
    RenewalTest() {
        static std::atomic<int> counter{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("certos-acme-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(dir_);
        store_ = store::OpenSqliteStore(dir_);
    }
    ~RenewalTest() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    // AddEntry stores an ACME entry valid from day `from` for `days` days (a placeholder DER: renewal reads only
    // the stored validity).
    void AddEntry(const std::string& name, int from, int days) {
        auto tx = store_->Begin(store::TxMode::kWrite);
        store::CertificateRow row;
        row.name = name;
        row.der = "x";
        row.props = {{"acme-managed", "true"},
                     {"not-before", std::to_string(Epoch(Day(from)))},
                     {"not-after", std::to_string(Epoch(Day(from + days)))}};
        tx->InsertCertificate(row);
        tx->Commit();
    }

    std::filesystem::path dir_;
    std::unique_ptr<store::Store> store_;
};

TEST(RenewalTimeTest, EightyPercentOfValidityOrAriWhenEarlier) {
    EXPECT_EQ(RenewalTime(Day(0), Day(90), std::nullopt), Day(72));
    EXPECT_EQ(RenewalTime(Day(0), Day(10), std::nullopt), Day(8));
    EXPECT_EQ(RenewalTime(Day(0), Day(90), RenewalWindow{Day(30), Day(31)}), Day(30));
    EXPECT_EQ(RenewalTime(Day(0), Day(90), RenewalWindow{Day(80), Day(81)}), Day(72));  // the later ARI waits not
}

// The renewal job on the scheduler's injected clock: nothing is due before 80 %, the entry is due after, and an
// ARI window that opens earlier makes it due earlier. No sleeping: RunDue on a ManualClock.
TEST_F(RenewalTest, SchedulerRunsRenewalAtEightyPercentAndAtAri) {
    AddEntry("short", 0, 10);  // due on day 8
    AddEntry("long", 0, 90);   // due on day 72, or day 20 by ARI
    system::ManualClock clock(Day(1));
    system::SchedulerOptions options;
    options.clock = &clock;
    system::Scheduler scheduler(options);
    std::vector<std::vector<std::string>> runs;
    AriPort ari = [](const store::CertificateRow& row) -> std::optional<RenewalWindow> {
        if (row.name == "long") {
            return RenewalWindow{Day(20), Day(21)};
        }
        return std::nullopt;
    };
    system::Job job;
    job.name = "acme-renewal";
    job.interval = hours(24);
    job.shared = false;
    job.run = [&](system::TimePoint now) {
        runs.push_back(RenewalsDue(*store_, now, ari));
        return true;
    };
    scheduler.Add(std::move(job));
    scheduler.RunDue(clock.Now());
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_TRUE(runs.back().empty());
    clock.Set(Day(8) + hours(1));
    scheduler.RunDue(clock.Now());
    EXPECT_EQ(runs.back(), std::vector<std::string>{"short"});
    clock.Set(Day(20) + hours(1));
    scheduler.RunDue(clock.Now());
    EXPECT_EQ(runs.back(), (std::vector<std::string>{"short", "long"}));
    // Without ARI the long one waits for its 80 %.
    EXPECT_EQ(RenewalsDue(*store_, Day(20) + hours(1), nullptr), std::vector<std::string>{"short"});
    EXPECT_EQ(RenewalsDue(*store_, Day(72) + hours(1), nullptr), (std::vector<std::string>{"short", "long"}));
}

TEST_F(RenewalTest, FailedEntryWaitsForItsRetryTime) {
    AddEntry("failed", 0, 10);
    {
        auto tx = store_->Begin(store::TxMode::kWrite);
        store::CertificateRow row = *tx->FindCertificateByName("failed");
        row.props["acme-retry-at"] = std::to_string(Epoch(Day(9)));
        tx->UpdateCertificate(row);
        tx->Commit();
    }
    EXPECT_TRUE(RenewalsDue(*store_, Day(8) + hours(1), nullptr).empty());
    EXPECT_EQ(RenewalsDue(*store_, Day(9) + hours(1), nullptr), std::vector<std::string>{"failed"});
}

TEST_F(RenewalTest, ChallengeTokenIsReadFromTheStore) {
    EXPECT_EQ(ChallengeAnswer(*store_, "tok"), std::nullopt);
    {
        auto tx = store_->Begin(store::TxMode::kWrite);
        store::ItemRow row;
        row.name = "tok";
        row.props["key-authorization"] = "tok.thumb";
        tx->InsertItem(kChallengeKind, row);
        tx->Commit();
    }
    EXPECT_EQ(ChallengeAnswer(*store_, "tok"), "tok.thumb");
}

}  // namespace
}  // namespace certos::acme
