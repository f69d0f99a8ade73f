// The scheduler on an injected clock: first run, intervals, backoff, jitter bounds, failures in the log, and
// (with its own thread) that a slow job holds up no other, never runs twice at once, and that Stop is prompt.
// Nothing here sleeps: time only moves when a test moves the ManualClock.
#include "system/scheduler.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <future>
#include <latch>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::system {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

const TimePoint kT0 = TimePoint(milliseconds(1'800'000'000'000));

struct Logged {
    std::string topics;
    std::string message;
    friend bool operator==(const Logged&, const Logged&) = default;
};

// Runs records every run's time; Wait blocks until there were `count` (a thread-safe counter for the tests
// that use Start()).
class Runs {
public:
    void Add(TimePoint now) {
        {
            std::lock_guard lock(mutex_);
            times_.push_back(now);
        }
        changed_.notify_all();
    }
    void Wait(std::size_t count) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return times_.size() >= count; });
    }
    std::vector<TimePoint> times() const {
        std::lock_guard lock(mutex_);
        return times_;
    }
    std::size_t size() const { return times().size(); }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<TimePoint> times_;
};

class SchedulerTest : public ::testing::Test {
protected:
    std::unique_ptr<Scheduler> Make(std::function<double()> random = {}) {
        SchedulerOptions options;
        options.clock = &clock;
        options.random = std::move(random);
        options.log = [this](std::string_view topics, std::string_view message) {
            std::lock_guard lock(log_mutex);
            logged.push_back({std::string(topics), std::string(message)});
        };
        return std::make_unique<Scheduler>(std::move(options));
    }

    // Job is `name`, every `interval`, recording its runs in `runs`; `results` (when given) are what its runs
    // return one after another (then true).
    static Job MakeJob(std::string name, milliseconds interval, Runs& runs, std::vector<bool> results = {}) {
        Job job;
        job.name = std::move(name);
        job.interval = interval;
        auto left = std::make_shared<std::vector<bool>>(std::move(results));
        job.run = [&runs, left](TimePoint now) {
            runs.Add(now);
            if (left->empty()) {
                return true;
            }
            bool result = left->front();
            left->erase(left->begin());
            return result;
        };
        return job;
    }

    // Waits runs the scheduler `count` times from kT0, each time when it said the next run is due, and returns
    // each wait.
    static std::vector<milliseconds> Waits(Scheduler& scheduler, std::size_t count) {
        TimePoint now = kT0;
        std::vector<milliseconds> waits;
        for (std::size_t i = 0; i < count; ++i) {
            TimePoint next = *scheduler.RunDue(now);
            waits.push_back(std::chrono::duration_cast<milliseconds>(next - now));
            now = next;
        }
        return waits;
    }

    ManualClock clock{kT0};
    std::mutex log_mutex;
    std::vector<Logged> logged;
};

TEST_F(SchedulerTest, RunsAtOnceThenOncePerInterval) {
    auto scheduler = Make();
    Runs runs;
    scheduler->Add(MakeJob("job", 1h, runs));
    EXPECT_EQ(scheduler->RunDue(kT0), kT0 + 1h);
    EXPECT_EQ(scheduler->RunDue(kT0 + 30min), kT0 + 1h);  // not due: nothing runs
    EXPECT_EQ(runs.size(), 1u);
    // Late by 5 s: the next run is an interval after this one began.
    EXPECT_EQ(scheduler->RunDue(kT0 + 1h + 5s), kT0 + 2h + 5s);
    EXPECT_EQ(runs.times(), (std::vector<TimePoint>{kT0, kT0 + 1h + 5s}));
    ASSERT_EQ(scheduler->Status().size(), 1u);
    EXPECT_EQ(scheduler->Status()[0].runs, 2u);
    EXPECT_FALSE(scheduler->Status()[0].running);
}

TEST_F(SchedulerTest, FirstDelayPostponesTheFirstRunAndTheEarliestJobWakes) {
    auto scheduler = Make();
    Runs hourly;
    Runs later;
    scheduler->Add(MakeJob("hourly", 1h, hourly));
    Job job = MakeJob("later", 24h, later);
    job.first_delay = 10min;
    scheduler->Add(std::move(job));
    EXPECT_EQ(scheduler->RunDue(kT0), kT0 + 10min);
    EXPECT_EQ(later.size(), 0u);
    EXPECT_EQ(scheduler->RunDue(kT0 + 10min), kT0 + 1h);
    EXPECT_EQ(later.times(), std::vector<TimePoint>{kT0 + 10min});
    EXPECT_EQ(hourly.size(), 1u);
}

TEST_F(SchedulerTest, OneTimeJobRunsOnce) {
    auto scheduler = Make();
    Runs runs;
    scheduler->Add(MakeJob("warm-up", 0ms, runs));
    EXPECT_EQ(scheduler->RunDue(kT0), std::nullopt);
    EXPECT_EQ(scheduler->RunDue(kT0 + 1000h), std::nullopt);
    EXPECT_EQ(runs.size(), 1u);
    EXPECT_EQ(scheduler->Status()[0].next_run, std::nullopt);
}

TEST_F(SchedulerTest, FailuresBackOffExponentiallyUpToTheInterval) {
    auto scheduler = Make();
    Runs runs;
    scheduler->Add(MakeJob("job", 1h, runs, {false, false, false, false, false, false, false, false}));
    std::vector<milliseconds> waits = Waits(*scheduler, 9);
    // Eight failures (1, 2, 4 ... minutes, capped at the interval), then a success: the interval again.
    EXPECT_EQ(waits, (std::vector<milliseconds>{1min, 2min, 4min, 8min, 16min, 32min, 1h, 1h, 1h}));
    EXPECT_EQ(scheduler->Status()[0].failures, 0u);
    EXPECT_EQ(runs.size(), 9u);
    EXPECT_TRUE(logged.empty());  // returning false is no exception: the job logged why itself
}

TEST_F(SchedulerTest, BackoffMaxAndFactorShapeTheRetries) {
    auto scheduler = Make();
    Runs runs;
    Job job = MakeJob("job", 24h, runs, {false, false, false, false});
    job.backoff = Backoff{30s, 3, 5min};
    scheduler->Add(std::move(job));
    std::vector<milliseconds> waits = Waits(*scheduler, 4);
    EXPECT_EQ(waits, (std::vector<milliseconds>{30s, 90s, 270s, 5min}));
    EXPECT_EQ(scheduler->Status()[0].failures, 4u);
}

TEST_F(SchedulerTest, OneTimeJobIsRetriedOnlyWithABackoffMax) {
    auto scheduler = Make();
    Runs once;
    Runs retried;
    scheduler->Add(MakeJob("once", 0ms, once, {false}));
    Job job = MakeJob("retried", 0ms, retried, {false});
    job.backoff = Backoff{1min, 2, 1h};
    scheduler->Add(std::move(job));
    EXPECT_EQ(scheduler->RunDue(kT0), kT0 + 1min);
    EXPECT_EQ(scheduler->RunDue(kT0 + 1min), std::nullopt);
    EXPECT_EQ(once.size(), 1u);
    EXPECT_EQ(retried.size(), 2u);
}

TEST_F(SchedulerTest, AnExceptionIsLoggedWithTheJobsTopicsAndText) {
    auto scheduler = Make();
    Job crl;
    crl.name = "crl-rebuild";
    crl.interval = 1h;
    crl.error_topics = "certificate,error";
    crl.error_text = "scheduled CRL work failed";
    crl.run = [](TimePoint) -> bool { throw core::Failure("database is locked"); };
    scheduler->Add(std::move(crl));
    Job plain;
    plain.name = "plain";
    plain.interval = 1h;
    plain.run = [](TimePoint) -> bool { throw 42; };  // not even a std::exception
    scheduler->Add(std::move(plain));
    EXPECT_EQ(scheduler->RunDue(kT0), kT0 + 1min);
    EXPECT_EQ(logged, (std::vector<Logged>{{"certificate,error", "scheduled CRL work failed: database is locked"},
                                           {"system,error", "plain failed: unknown error"}}));
    EXPECT_EQ(scheduler->Status()[0].failures, 1u);
    EXPECT_EQ(scheduler->Status()[1].failures, 1u);
}

TEST_F(SchedulerTest, JitterLengthensEachWaitByAtMostItsFraction) {
    std::vector<double> draws = {0.0, 0.5, 0.999999, 1.0, 7.0, -3.0};
    std::size_t next_draw = 0;
    auto scheduler = Make([&] { return draws.at(next_draw++); });
    Runs runs;
    Job job = MakeJob("job", 1h, runs);
    job.jitter = 0.1;
    scheduler->Add(std::move(job));
    std::vector<milliseconds> waits = Waits(*scheduler, draws.size());
    // A draw outside 0..1 (a broken random source) is taken as its nearest bound.
    EXPECT_EQ(waits, (std::vector<milliseconds>{1h, 1h + 3min, 1h + 359'999ms, 1h + 6min, 1h + 6min, 1h}));
}

TEST_F(SchedulerTest, JitterAppliesToTheBackoffToo) {
    auto scheduler = Make([] { return 0.5; });
    Runs runs;
    Job job = MakeJob("job", 1h, runs, {false});
    job.jitter = 0.5;
    scheduler->Add(std::move(job));
    EXPECT_EQ(scheduler->RunDue(kT0), kT0 + 1min + 15s);
}

TEST_F(SchedulerTest, DefaultRandomSourceSpreadsWithinTheBounds) {
    auto scheduler = Make();
    Runs runs;
    Job job = MakeJob("job", 1h, runs);
    job.jitter = 0.25;
    scheduler->Add(std::move(job));
    std::set<milliseconds> distinct;
    for (milliseconds wait : Waits(*scheduler, 200)) {
        EXPECT_GE(wait, 1h);
        EXPECT_LE(wait, 75min);
        distinct.insert(wait);
    }
    EXPECT_GT(distinct.size(), 100u);  // drawn, not one fixed delay
}

TEST_F(SchedulerTest, MisusedJobsAreRefused) {
    auto scheduler = Make();
    Runs runs;
    auto refused = [&](Job job) {
        try {
            scheduler->Add(std::move(job));
            ADD_FAILURE() << "accepted";
        } catch (const core::Error& e) {
            EXPECT_EQ(e.category(), core::ErrorCategory::kInternal) << e.what();
        }
    };
    Job jitter = MakeJob("jitter", 1h, runs);
    jitter.jitter = 1.5;
    refused(jitter);
    jitter.jitter = -0.1;
    refused(jitter);
    Job factor = MakeJob("factor", 1h, runs);
    factor.backoff.factor = 0.5;
    refused(factor);
    refused(MakeJob("", 1h, runs));
    refused(MakeJob("negative", -1ms, runs));
    Job no_run;
    no_run.name = "no-run";
    refused(no_run);
    scheduler->Add(MakeJob("twice", 1h, runs));
    refused(MakeJob("twice", 1h, runs));
    EXPECT_EQ(scheduler->Status().size(), 1u);
}

// --- on the scheduler's own thread ------------------------------------------------------------------------

TEST_F(SchedulerTest, SlowJobHoldsUpNoOtherAndNeverRunsTwiceAtOnce) {
    auto scheduler = Make();
    Runs fast;
    Runs slow;
    std::latch release(1);
    scheduler->Add(MakeJob("fast", 1min, fast));
    Job blocking;
    blocking.name = "slow";
    blocking.interval = 1min;
    blocking.run = [&](TimePoint now) {
        slow.Add(now);
        release.wait();
        return true;
    };
    scheduler->Add(std::move(blocking));
    scheduler->Start();
    slow.Wait(1);
    fast.Wait(1);
    // Both are due again; the slow one is still in its first run.
    clock.Advance(1min);
    scheduler->Wake();
    fast.Wait(2);
    // Due jobs are started together, so the slow one would have been started with the fast one's second run.
    EXPECT_EQ(slow.size(), 1u);
    std::vector<JobStatus> status = scheduler->Status();
    EXPECT_TRUE(status[1].running);
    release.count_down();
    scheduler->Stop();
    EXPECT_FALSE(scheduler->Status()[1].running);
}

TEST_F(SchedulerTest, StopIsPromptWhileTheNextRunIsFarOff) {
    auto scheduler = Make();
    Runs runs;
    scheduler->Add(MakeJob("daily", 24h, runs));
    scheduler->Start();
    runs.Wait(1);
    scheduler->Stop();  // returns without waiting for the day (or the minute the thread naps at most)
    scheduler->Stop();  // idempotent
    EXPECT_EQ(runs.size(), 1u);
}

// With SchedulerOptions::niceness, a job started by Start() runs on a thread of lower priority than the
// process's; without it, at the same.
TEST_F(SchedulerTest, JobsRunAtTheLowerPriorityAsked) {
    errno = 0;
    int base = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
    ASSERT_EQ(errno, 0);
    for (int niceness : {0, 5}) {
        SchedulerOptions options;
        options.clock = &clock;
        options.niceness = niceness;
        Scheduler scheduler(std::move(options));
        std::promise<int> seen;
        Job job;
        job.name = "nice";
        job.run = [&seen](TimePoint) {
            seen.set_value(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())));
            return true;
        };
        scheduler.Add(std::move(job));
        scheduler.Start();
        EXPECT_EQ(seen.get_future().get(), std::min(base + niceness, 19)) << niceness;
        scheduler.Stop();
    }
}

TEST_F(SchedulerTest, AJobAddedAfterStartRunsAtOnce) {
    auto scheduler = Make();
    scheduler->Start();
    Runs runs;
    scheduler->Add(MakeJob("late", 1h, runs));
    runs.Wait(1);
    EXPECT_EQ(runs.times(), std::vector<TimePoint>{kT0});
    scheduler->Stop();
}

}  // namespace
}  // namespace certos::system
