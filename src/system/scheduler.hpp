#pragma once
// The scheduler: every job certos runs by itself (CRL rebuild and download, expiry warnings, the start-up
// warm-up; later ACME and SCEP renewals and `/system scheduler`) with a next-run time, an interval, jitter,
// exponential backoff after a failure, an injectable clock and random source, and a store lease, so that a
// job runs once however many processes (a console, daemons) share one store.
//
// Two ways to drive it: RunDue(now) runs what is due in the calling thread and returns the next wake-up
// time (what tests do, on a ManualClock: nothing ever sleeps); Start() runs it on a thread of its own, each
// run on a worker thread of its own, so that a slow job never holds up the others.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/store.hpp"
#include "system/clock.hpp"

namespace certos::system {

// Backoff is how long a job waits after consecutive failures: `initial`, then `factor` times longer after
// each further failure, never more than `max` (zero: the job's interval).
struct Backoff {
    std::chrono::milliseconds initial{std::chrono::minutes(1)};
    double factor = 2;
    std::chrono::milliseconds max{0};
};

// JobFunction runs a job once at `now` (the scheduler's clock). It returns true on success; false, or an
// exception, is a failure and the job is retried after its backoff. An exception is logged (Job::error_text);
// a job that returns false has logged why itself.
using JobFunction = std::function<bool(TimePoint now)>;

// Job is one scheduled task. Its first run is due when it is added (plus first_delay); after a run that
// succeeded, the next is due `interval` later; after a failure, after the backoff. Each wait grows by a random
// part of at most `jitter` times itself, so that several processes spread out: a wait W becomes W..W*(1+jitter).
struct Job {
    std::string name;                       // unique per scheduler; the lease is "scheduler:<name>"
    std::chrono::milliseconds interval{0};  // zero: the job runs once (and is not retried unless backoff.max)
    double jitter = 0;                      // 0..1
    Backoff backoff;
    std::chrono::milliseconds first_delay{0};
    // shared jobs take the store lease: one process runs them per interval. A job with an effect of its own
    // process (warming this process's cache) is not shared: every process runs it.
    bool shared = true;
    // lease_ttl is how long the lease lasts once taken: a holder that died frees the job after it. While a run
    // goes on, Start()'s thread renews the lease every third of lease_ttl (RenewLeases), so a run longer than
    // lease_ttl keeps it. After a run that succeeded the lease is kept until the next run is due.
    std::chrono::milliseconds lease_ttl{std::chrono::minutes(10)};
    std::string error_topics = "system,error";  // the /log topics of a failure
    std::string error_text;                     // its message before ": <reason>"; empty: "<name> failed"
    JobFunction run;
};

// JobStatus is the state of one job, for tests and (later) `/system scheduler print`.
struct JobStatus {
    std::string name;
    std::optional<TimePoint> next_run;  // none: a one-time job that is done
    std::uint64_t runs = 0;             // runs that this process started (not those skipped for the lease)
    std::uint64_t failures = 0;         // consecutive failures, 0 after a success
    bool running = false;
    std::optional<TimePoint> lease_until;  // while a shared job runs: when its lease ends, as last taken or renewed
};

// SchedulerOptions are the scheduler's collaborators; each may be left empty.
struct SchedulerOptions {
    const Clock* clock = nullptr;    // empty: a SystemClock. Must outlive the scheduler.
    store::Store* store = nullptr;   // where leases are taken; empty: none (one process alone)
    std::string holder;              // this process's name as lease holder; empty: ProcessHolder()
    std::function<double()> random;  // uniform in [0, 1) for jitter; empty: a seeded std::mt19937_64
    // log receives failures ("certificate,error", "scheduled CRL work failed: REASON"); it must not throw.
    std::function<void(std::string_view topics, std::string_view message)> log;
    // niceness is added to the nice value of each thread Start() runs a job on (Linux keeps one per thread), so
    // that background work (a job reading many rows) yields the cores to the threads that answer requests. 0:
    // the jobs run at the process's priority.
    int niceness = 0;
};

class Scheduler {
public:
    explicit Scheduler(SchedulerOptions options = {});
    // ~Scheduler stops the thread (Stop) and waits for runs in progress.
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // Add schedules `job`, first due at the clock's now + first_delay. Throws core::Error (kInternal) for a
    // programmer's error: no name, a name already added, no run function, jitter outside 0..1, a negative
    // interval, or a backoff factor below 1.
    void Add(Job job);

    // RunDue runs, one after another in the calling thread, every job due at `now` that is not running, and
    // returns when the next one is due (none: no job will run again). Do not mix with Start().
    std::optional<TimePoint> RunDue(TimePoint now);

    // Start runs the scheduler on its own thread until Stop: it wakes when a job is due (reading the clock at
    // least every minute, and at once on Wake), and runs each due job on a thread of its own.
    void Start();
    // Wake makes the thread look at the clock now (after a ManualClock moved, or a job was added).
    void Wake();
    // Stop ends the thread at once and waits for the runs in progress to finish. Idempotent.
    void Stop();
    // ReleaseLeases frees the store leases this scheduler holds (after Stop: no run is in progress), so that
    // the process that comes next (a restarted daemon, another one) runs the jobs when it first looks rather
    // than an interval after this process's last run. Store failures are ignored: the leases then run out.
    void ReleaseLeases();
    // RenewLeases extends to now + lease_ttl the lease of every shared job that is running and took or renewed
    // it a third of lease_ttl or more before `now`. Start()'s thread calls it whenever it wakes (and wakes for
    // it); whoever drives RunDue with a long job calls it from another thread. A renewal that finds the lease
    // taken by another holder (it ran out meanwhile) is logged ("system,warning") and not tried again.
    void RenewLeases(TimePoint now);

    std::vector<JobStatus> Status() const;

private:
    struct State;

    std::vector<State*> TakeDue(TimePoint now);
    void Execute(State& state, TimePoint now);
    bool TakeLease(const Job& job, TimePoint now, std::chrono::milliseconds ttl);
    void FreeLease(const Job& job);
    void Renew(State& state, TimePoint now);
    std::chrono::milliseconds Jittered(std::chrono::milliseconds wait, double jitter);
    std::optional<TimePoint> NextWake() const;
    void Loop();

    SchedulerOptions options_;
    SystemClock system_clock_;
    const Clock* clock_;
    std::mutex random_mutex_;  // options_.random need not be thread-safe
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::unique_ptr<State>> jobs_;
    bool stopping_ = false;
    bool woken_ = false;
    std::thread loop_;
};

// ProcessHolder names this process as a lease holder: host, process id and a random part (a pid can be
// reused after a restart, and a forked child must not pass for its parent). A new name on every call.
std::string ProcessHolder();

}  // namespace certos::system
