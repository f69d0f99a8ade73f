// The scheduler's store lease, on real SQLite files: schedulers of different holders (in one process, and in
// two forked processes each with its own connection) run a shared job once per interval.
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.hpp"
#include "system/scheduler.hpp"

namespace certos::system {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

const TimePoint kT0 = TimePoint(milliseconds(1'800'000'000'000));

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "certos-scheduler-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// LoggingJob appends one /log line per run to `store`, at the run's time: the effect that must happen once.
Job LoggingJob(store::Store& store, std::string message, bool shared = true) {
    Job job;
    job.name = "crl-rebuild";
    job.interval = 1h;
    job.shared = shared;
    job.run = [&store, message = std::move(message)](TimePoint now) {
        auto tx = store.Begin(store::TxMode::kWrite);
        tx->AppendLog(store::LogEntry{0, now, "test", message});
        tx->Commit();
        return true;
    };
    return job;
}

std::vector<store::LogEntry> Log(store::Store& store) { return store.Begin(store::TxMode::kRead)->ListLog(); }

class SchedulerLeaseTest : public ::testing::Test {
protected:
    std::unique_ptr<Scheduler> Make(store::Store& store, std::string holder) {
        SchedulerOptions options;
        options.clock = &clock;
        options.store = &store;
        options.holder = std::move(holder);
        return std::make_unique<Scheduler>(std::move(options));
    }

    TempDir dir;
    ManualClock clock{kT0};
};

TEST_F(SchedulerLeaseTest, ASharedJobRunsOncePerIntervalWhicheverHolderComesFirst) {
    auto store_a = store::OpenSqliteStore(dir.path());
    auto store_b = store::OpenSqliteStore(dir.path());
    auto a = Make(*store_a, "a");
    auto b = Make(*store_b, "b");
    a->Add(LoggingJob(*store_a, "by a"));
    b->Add(LoggingJob(*store_b, "by b"));
    EXPECT_EQ(a->RunDue(kT0), kT0 + 1h);
    EXPECT_EQ(b->RunDue(kT0), kT0 + 1h);       // skipped: a holds the lease until its next run
    EXPECT_EQ(b->RunDue(kT0 + 1h), kT0 + 2h);  // b first this time
    EXPECT_EQ(a->RunDue(kT0 + 1h), kT0 + 2h);
    EXPECT_EQ(a->RunDue(kT0 + 2h), kT0 + 3h);  // a again: its own lease, or an expired one, it does not matter
    EXPECT_EQ(b->RunDue(kT0 + 2h), kT0 + 3h);
    std::vector<store::LogEntry> log = Log(*store_a);
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[0].message, "by a");
    EXPECT_EQ(log[1].message, "by b");
    EXPECT_EQ(log[2].message, "by a");
    EXPECT_EQ(log[2].time, kT0 + 2h);
    EXPECT_EQ(a->Status()[0].runs, 2u);
    EXPECT_EQ(b->Status()[0].runs, 1u);
}

TEST_F(SchedulerLeaseTest, AFailedRunFreesTheLeaseForAnotherHolder) {
    auto store = store::OpenSqliteStore(dir.path());
    auto a = Make(*store, "a");
    auto b = Make(*store, "b");
    Job failing = LoggingJob(*store, "by a");
    failing.run = [](TimePoint) { return false; };
    a->Add(std::move(failing));
    b->Add(LoggingJob(*store, "by b"));
    EXPECT_EQ(a->RunDue(kT0), kT0 + 1min);
    a->RenewLeases(kT0 + 5min);  // a's run is over: no renewal retakes the lease it freed
    EXPECT_EQ(b->RunDue(kT0), kT0 + 1h);
    ASSERT_EQ(Log(*store).size(), 1u);
    EXPECT_EQ(Log(*store)[0].message, "by b");
    // b's success holds the lease: a's retry finds the job done and waits an interval.
    EXPECT_EQ(a->RunDue(kT0 + 1min), kT0 + 1min + 1h);
    EXPECT_EQ(a->Status()[0].failures, 0u);
    EXPECT_EQ(a->Status()[0].runs, 1u);
}

TEST_F(SchedulerLeaseTest, ReleasedLeasesLetTheNextProcessRunAtOnce) {
    auto store = store::OpenSqliteStore(dir.path());
    auto stopping = Make(*store, "a");
    stopping->Add(LoggingJob(*store, "by a"));
    stopping->RunDue(kT0);
    stopping->Stop();
    stopping->ReleaseLeases();
    // A restarted daemon (another holder) runs the job when it first looks, not an interval later.
    auto restarted = Make(*store, "a-restarted");
    restarted->Add(LoggingJob(*store, "by a, restarted"));
    restarted->RunDue(kT0 + 1min);
    std::vector<store::LogEntry> log = Log(*store);
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[1].message, "by a, restarted");
    // Without the release, it would have been skipped.
    auto third = Make(*store, "c");
    third->Add(LoggingJob(*store, "by c"));
    third->RunDue(kT0 + 2min);
    EXPECT_EQ(Log(*store).size(), 2u);
}

TEST_F(SchedulerLeaseTest, AHolderThatDiedHoldsTheJobOnlyForTheLeaseTtl) {
    auto store = store::OpenSqliteStore(dir.path());
    {
        // A process took the lease for a run and was killed: it never renews or releases it.
        auto tx = store->Begin(store::TxMode::kWrite);
        ASSERT_TRUE(tx->AcquireLease("scheduler:crl-rebuild", "dead", kT0, 10min));
        tx->Commit();
    }
    auto b = Make(*store, "b");
    Job job = LoggingJob(*store, "by b");
    job.interval = 5min;
    b->Add(std::move(job));
    EXPECT_EQ(b->RunDue(kT0), kT0 + 5min);
    EXPECT_EQ(b->RunDue(kT0 + 5min), kT0 + 10min);
    EXPECT_TRUE(Log(*store).empty());
    EXPECT_EQ(b->RunDue(kT0 + 10min), kT0 + 15min);
    EXPECT_EQ(Log(*store).size(), 1u);
}

TEST_F(SchedulerLeaseTest, AJobOfEachProcessTakesNoLease) {
    auto store = store::OpenSqliteStore(dir.path());
    auto a = Make(*store, "a");
    auto b = Make(*store, "b");
    a->Add(LoggingJob(*store, "by a", /*shared=*/false));
    b->Add(LoggingJob(*store, "by b", /*shared=*/false));
    a->RunDue(kT0);
    b->RunDue(kT0);
    EXPECT_EQ(Log(*store).size(), 2u);
}

// LongRunTest has two holders on one data directory, each with its own connection: "a" with a shared job
// (lease_ttl 10 min) whose run, at its start, fulfils `started` and then waits for `finish` before it logs
// "by a" (a run that lasts as long as the test wants), and "b" with the same job as a plain LoggingJob.
class LongRunTest : public SchedulerLeaseTest {
protected:
    void SetUp() override {
        store_a = store::OpenSqliteStore(dir.path());
        store_b = store::OpenSqliteStore(dir.path());
        a = Make(*store_a, "a");
        b = Make(*store_b, "b");
        Job job = LoggingJob(*store_a, "by a");
        job.lease_ttl = 10min;
        job.run = [this, done = finish.get_future().share()](TimePoint now) {
            started.set_value();
            done.wait();
            auto tx = store_a->Begin(store::TxMode::kWrite);
            tx->AppendLog(store::LogEntry{0, now, "test", "by a"});
            tx->Commit();
            return true;
        };
        a->Add(std::move(job));
        b->Add(LoggingJob(*store_b, "by b"));
    }

    std::unique_ptr<store::Store> store_a;
    std::unique_ptr<store::Store> store_b;
    std::unique_ptr<Scheduler> a;
    std::unique_ptr<Scheduler> b;
    std::promise<void> started;
    std::promise<void> finish;
};

TEST_F(LongRunTest, ALongRunRenewsItsLeaseSoNoOtherHolderStartsTheJob) {
    std::thread run([&] { a->RunDue(kT0); });
    started.get_future().wait();
    EXPECT_EQ(a->Status()[0].lease_until, kT0 + 10min);
    a->RenewLeases(kT0 + 2min);  // not yet a third of the ttl: nothing to do
    EXPECT_EQ(a->Status()[0].lease_until, kT0 + 10min);
    a->RenewLeases(kT0 + 4min);
    a->RenewLeases(kT0 + 8min);
    a->RenewLeases(kT0 + 12min);
    EXPECT_EQ(a->Status()[0].lease_until, kT0 + 22min);
    // 15 minutes into a's run: without the renewals the lease would have ended at 10 minutes.
    EXPECT_EQ(b->RunDue(kT0 + 15min), kT0 + 15min + 1h);
    EXPECT_EQ(b->Status()[0].runs, 0u);
    finish.set_value();
    run.join();
    EXPECT_EQ(a->Status()[0].lease_until, std::nullopt);
    std::vector<store::LogEntry> log = Log(*store_a);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].message, "by a");
    // After the run a keeps the lease until its next run (kT0 + 1h), whatever a late renewal call says.
    a->RenewLeases(kT0 + 1h + 10min);
    EXPECT_EQ(b->RunDue(kT0 + 15min + 1h), kT0 + 15min + 2h);
    EXPECT_EQ(b->Status()[0].runs, 1u);
}

TEST_F(LongRunTest, StartsThreadRenewsTheLeaseOfARunningJobWhenWoken) {
    a->Start();
    started.get_future().wait();
    clock.Advance(4min);
    a->Wake();
    while (a->Status()[0].lease_until != kT0 + 14min) {
        std::this_thread::yield();  // the thread renews on its next look at the clock
    }
    EXPECT_EQ(b->RunDue(kT0 + 12min), kT0 + 12min + 1h);
    EXPECT_EQ(b->Status()[0].runs, 0u);
    finish.set_value();
    a->Stop();
    EXPECT_EQ(Log(*store_a).size(), 1u);
}

// RunRounds is one forked process: its own store connection and scheduler (with a holder of its own) on the
// shared file, run at kT0, kT0 + 1h, ... Returns the exit code: 0 when every round went as expected.
int RunRounds(const std::filesystem::path& data_dir, int rounds) {
    try {
        auto store = store::OpenSqliteStore(data_dir);
        ManualClock clock(kT0);
        bool failed = false;
        SchedulerOptions options;
        options.clock = &clock;
        options.store = store.get();
        options.log = [&failed](std::string_view, std::string_view) { failed = true; };
        Scheduler scheduler(std::move(options));
        scheduler.Add(LoggingJob(*store, "by " + std::to_string(getpid())));
        for (int round = 0; round < rounds; ++round) {
            TimePoint now = kT0 + round * 1h;
            clock.Set(now);
            if (scheduler.RunDue(now) != now + 1h || failed) {
                return 3;
            }
        }
        return 0;
    } catch (...) {
        return 2;
    }
}

TEST_F(SchedulerLeaseTest, TwoProcessesOnOneStoreRunTheJobOncePerInterval) {
    constexpr int kRounds = 20;
    { store::OpenSqliteStore(dir.path()); }  // created and migrated before the processes start
    int go[2];
    ASSERT_EQ(pipe(go), 0);
    std::vector<pid_t> children;
    for (int i = 0; i < 2; ++i) {
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            close(go[1]);
            char byte = 0;
            // Both start together, so that their rounds interleave.
            _exit(read(go[0], &byte, 1) == 1 ? RunRounds(dir.path(), kRounds) : 4);
        }
        children.push_back(pid);
    }
    close(go[0]);
    ASSERT_EQ(write(go[1], "gg", 2), 2);
    close(go[1]);
    for (pid_t pid : children) {
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child exit status " << status;
    }
    auto store = store::OpenSqliteStore(dir.path());
    std::map<TimePoint, int> runs_per_round;
    std::map<std::string, int> runs_per_process;
    for (const store::LogEntry& entry : Log(*store)) {
        ++runs_per_round[entry.time];
        ++runs_per_process[entry.message];
    }
    ASSERT_EQ(runs_per_round.size(), static_cast<std::size_t>(kRounds));
    for (int round = 0; round < kRounds; ++round) {
        EXPECT_EQ(runs_per_round[kT0 + round * 1h], 1) << "round " << round;
    }
    EXPECT_LE(runs_per_process.size(), 2u);
}

}  // namespace
}  // namespace certos::system
