#include "system/scheduler.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <random>
#include <utility>

#include "core/error.hpp"

namespace certos::system {
namespace {

using std::chrono::milliseconds;

// kMaxNap bounds the thread's sleep, so that a wall clock set forward (or a ManualClock nobody woke us for)
// is noticed within a minute.
constexpr milliseconds kMaxNap{std::chrono::minutes(1)};

[[noreturn]] void Misuse(std::string message) {
    throw core::Error(core::ErrorCategory::kInternal, "scheduler: " + std::move(message));
}

// LowerPriority adds `niceness` to the calling thread's nice value (on Linux, setpriority of a thread id applies
// to that thread alone). A failure leaves the thread as it was: only its share of the CPU is at stake.
void LowerPriority(int niceness) {
    if (niceness <= 0) {
        return;
    }
    auto thread = static_cast<id_t>(gettid());
    errno = 0;
    int current = getpriority(PRIO_PROCESS, thread);
    if (errno == 0) {
        setpriority(PRIO_PROCESS, thread, std::min(current + niceness, 19));
    }
}

std::string LeaseName(const Job& job) { return "scheduler:" + job.name; }

// RenewEvery is how often a running job's lease is renewed: a third of its ttl, so that two renewals may fail
// (a busy store) before it runs out.
milliseconds RenewEvery(const Job& job) { return std::max(job.lease_ttl / 3, milliseconds(1)); }

// BackoffAfter is the wait after `failures` consecutive failures (at least 1), before jitter; zero when the
// job is not retried (a one-time job without backoff.max).
milliseconds BackoffAfter(const Job& job, std::uint64_t failures) {
    milliseconds cap = job.backoff.max > milliseconds::zero() ? job.backoff.max : job.interval;
    if (cap <= milliseconds::zero()) {
        return milliseconds::zero();
    }
    double wait = static_cast<double>(std::max(job.backoff.initial, milliseconds(1)).count());
    for (std::uint64_t n = 1; n < failures && wait < static_cast<double>(cap.count()); ++n) {
        wait *= job.backoff.factor;
    }
    return std::min(cap,
                    milliseconds(static_cast<milliseconds::rep>(std::min(wait, static_cast<double>(cap.count())))));
}

}  // namespace

struct Scheduler::State {
    Job job;  // never changes once added
    std::optional<TimePoint> next_run;
    std::uint64_t runs = 0;
    std::uint64_t failures = 0;
    bool running = false;
    bool holds_lease = false;  // as far as this process knows: the lease may have run out since
    std::thread worker;        // the last run started by Start()'s thread; joined before the next
    // While a run holds the lease: RenewLeases renews it (renewable), at renew_at, until lease_until. These
    // three are guarded by the scheduler's mutex_. lease_mutex is held around each renewal's store write and
    // taken (before mutex_) by the run's end to clear renewable, so no renewal writes after the run's own last
    // lease step (kept until the next run, or freed).
    std::mutex lease_mutex;
    bool renewable = false;
    std::optional<TimePoint> renew_at;
    std::optional<TimePoint> lease_until;
};

Scheduler::Scheduler(SchedulerOptions options)
    : options_(std::move(options)), clock_(options_.clock != nullptr ? options_.clock : &system_clock_) {
    if (options_.holder.empty()) {
        options_.holder = ProcessHolder();
    }
    if (!options_.random) {
        auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
        options_.random = [engine] { return std::uniform_real_distribution<double>(0, 1)(*engine); };
    }
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Add(Job job) {
    if (job.name.empty() || !job.run) {
        Misuse("a job needs a name and a run function");
    }
    if (!(job.jitter >= 0 && job.jitter <= 1) || job.interval < milliseconds::zero() || !(job.backoff.factor >= 1)) {
        Misuse("job " + job.name + ": jitter must be 0..1, the interval not negative, the backoff factor at least 1");
    }
    auto state = std::make_unique<State>();
    state->next_run = clock_->Now() + job.first_delay;
    state->job = std::move(job);
    {
        std::lock_guard lock(mutex_);
        for (const auto& other : jobs_) {
            if (other->job.name == state->job.name) {
                Misuse("job " + state->job.name + " is already scheduled");
            }
        }
        jobs_.push_back(std::move(state));
        woken_ = true;
    }
    changed_.notify_all();
}

std::vector<Scheduler::State*> Scheduler::TakeDue(TimePoint now) {
    std::vector<State*> due;
    for (const auto& state : jobs_) {
        if (!state->running && state->next_run && *state->next_run <= now) {
            state->running = true;
            due.push_back(state.get());
        }
    }
    return due;
}

std::optional<TimePoint> Scheduler::NextWake() const {
    std::optional<TimePoint> next;
    for (const auto& state : jobs_) {
        // A running job's next run is known when it ends, which wakes the thread; its lease renewal is due.
        std::optional<TimePoint> at = state->running ? state->renew_at : state->next_run;
        if (at && (!next || *at < *next)) {
            next = at;
        }
    }
    return next;
}

std::optional<TimePoint> Scheduler::RunDue(TimePoint now) {
    std::vector<State*> due;
    {
        std::lock_guard lock(mutex_);
        due = TakeDue(now);
    }
    for (State* state : due) {
        Execute(*state, now);
    }
    std::lock_guard lock(mutex_);
    return NextWake();
}

// Execute runs one due job (marked running) without the lock, then records when it is due next.
void Scheduler::Execute(State& state, TimePoint now) {
    const Job& job = state.job;
    const bool leasing = job.shared && options_.store != nullptr;
    bool leased = false;
    bool ran = false;
    bool ok = false;
    std::string error;
    try {
        leased = !leasing || TakeLease(job, now, job.lease_ttl);
        if (leased && leasing) {
            std::lock_guard lock(mutex_);
            state.renewable = true;
            state.renew_at = now + RenewEvery(job);
            state.lease_until = now + job.lease_ttl;
        }
        if (leased) {
            ran = true;
            ok = job.run(now);
        }
    } catch (const std::exception& e) {
        error = e.what();
    } catch (...) {
        error = "unknown error";
    }
    if (!error.empty() && options_.log) {
        options_.log(job.error_topics, (job.error_text.empty() ? job.name + " failed" : job.error_text) + ": " + error);
    }
    {
        std::lock_guard renewal(state.lease_mutex);  // waits for a renewal in progress
        std::lock_guard lock(mutex_);
        state.renewable = false;
        state.renew_at.reset();
        state.lease_until.reset();
    }
    const bool skipped = !leased && error.empty();  // another process holds the lease
    std::uint64_t failures = state.failures;        // only this run writes it
    bool holds = false;                             // the lease, once this run is over
    std::optional<TimePoint> next;
    if (skipped || ok) {
        // Done, here or by another process: due again an interval later.
        failures = 0;
        if (job.interval > milliseconds::zero()) {
            next = now + Jittered(job.interval, job.jitter);
        }
        if (ok && leasing && next) {
            // Kept until the next run is due, so that no other process runs the job again within the interval.
            try {
                holds = TakeLease(job, now, std::chrono::ceil<milliseconds>(*next - now));
            } catch (const std::exception&) {
                // The lease then ends after lease_ttl: at worst another process runs the job early.
            }
        }
    } else {
        ++failures;
        if (milliseconds wait = BackoffAfter(job, failures); wait > milliseconds::zero()) {
            next = now + Jittered(wait, job.jitter);
        }
        if (leased && leasing) {
            // The job is not done: whichever process comes to it next may try.
            FreeLease(job);
        }
    }
    {
        std::lock_guard lock(mutex_);
        state.runs += ran ? 1 : 0;
        state.failures = failures;
        state.next_run = next;
        state.running = false;
        state.holds_lease = holds;
        woken_ = true;
    }
    changed_.notify_all();
}

bool Scheduler::TakeLease(const Job& job, TimePoint now, milliseconds ttl) {
    auto tx = options_.store->Begin(store::TxMode::kWrite);
    bool taken = tx->AcquireLease(LeaseName(job), options_.holder, now, ttl);
    tx->Commit();
    return taken;
}

void Scheduler::RenewLeases(TimePoint now) {
    std::vector<State*> due;
    {
        std::lock_guard lock(mutex_);
        for (const auto& state : jobs_) {
            if (state->renewable && state->renew_at && *state->renew_at <= now) {
                due.push_back(state.get());
            }
        }
    }
    for (State* state : due) {
        Renew(*state, now);
    }
}

// Renew renews one running job's lease, unless its run ended meanwhile.
void Scheduler::Renew(State& state, TimePoint now) {
    const Job& job = state.job;
    std::lock_guard renewal(state.lease_mutex);
    {
        std::lock_guard lock(mutex_);
        if (!state.renewable) {
            return;
        }
    }
    bool kept = false;
    bool failed = false;
    try {
        kept = TakeLease(job, now, job.lease_ttl);
    } catch (const std::exception&) {
        failed = true;  // tried again sooner
    }
    if (!failed && !kept && options_.log) {
        options_.log("system,warning", "scheduler: " + job.name + " lost its lease while running");
    }
    std::lock_guard lock(mutex_);
    if (failed) {
        state.renew_at = now + RenewEvery(job) / 2;
    } else if (kept) {
        state.renew_at = now + RenewEvery(job);
        state.lease_until = now + job.lease_ttl;
    } else {
        state.renewable = false;
        state.renew_at.reset();
        state.lease_until.reset();
    }
}

void Scheduler::FreeLease(const Job& job) {
    try {
        auto tx = options_.store->Begin(store::TxMode::kWrite);
        tx->ReleaseLease(LeaseName(job), options_.holder);
        tx->Commit();
    } catch (const std::exception&) {
        // Then the lease runs out after lease_ttl.
    }
}

milliseconds Scheduler::Jittered(milliseconds wait, double jitter) {
    if (jitter <= 0) {
        return wait;
    }
    double draw = 0;
    {
        std::lock_guard lock(random_mutex_);
        draw = std::clamp(options_.random(), 0.0, 1.0);
    }
    auto extra = static_cast<milliseconds::rep>(std::floor(static_cast<double>(wait.count()) * jitter * draw));
    return wait + milliseconds(extra);
}

void Scheduler::Start() {
    std::lock_guard lock(mutex_);
    if (loop_.joinable() || stopping_) {
        Misuse("Start called twice, or after Stop");
    }
    loop_ = std::thread([this] { Loop(); });
}

void Scheduler::Wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    changed_.notify_all();
}

void Scheduler::Loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        woken_ = false;
        TimePoint now = clock_->Now();
        lock.unlock();
        RenewLeases(now);
        lock.lock();
        if (stopping_) {
            break;
        }
        for (State* state : TakeDue(now)) {
            if (state->worker.joinable()) {
                state->worker.join();  // its last run has ended (running was false): only the exit is left
            }
            state->worker = std::thread([this, state, now] {
                LowerPriority(options_.niceness);
                Execute(*state, now);
            });
        }
        milliseconds nap = kMaxNap;
        if (std::optional<TimePoint> next = NextWake()) {
            nap = std::clamp(std::chrono::ceil<milliseconds>(*next - clock_->Now()), milliseconds::zero(), kMaxNap);
        }
        changed_.wait_for(lock, nap, [this] { return stopping_ || woken_; });
    }
}

void Scheduler::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (loop_.joinable()) {
        loop_.join();
    }
    // The runs in progress need the lock to finish: they are joined without it.
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(mutex_);
        for (const auto& state : jobs_) {
            if (state->worker.joinable()) {
                workers.push_back(std::move(state->worker));
            }
        }
    }
    for (std::thread& worker : workers) {
        worker.join();
    }
}

void Scheduler::ReleaseLeases() {
    if (options_.store == nullptr) {
        return;
    }
    std::vector<const Job*> held;
    {
        std::lock_guard lock(mutex_);
        for (const auto& state : jobs_) {
            if (state->holds_lease && !state->running) {
                state->holds_lease = false;
                held.push_back(&state->job);
            }
        }
    }
    for (const Job* job : held) {
        FreeLease(*job);
    }
}

std::vector<JobStatus> Scheduler::Status() const {
    std::lock_guard lock(mutex_);
    std::vector<JobStatus> status;
    for (const auto& state : jobs_) {
        status.push_back(
            {state->job.name, state->next_run, state->runs, state->failures, state->running, state->lease_until});
    }
    return status;
}

std::string ProcessHolder() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) {
        host[0] = '\0';
    }
    std::random_device random;
    char tag[9];
    std::snprintf(tag, sizeof tag, "%08x", static_cast<unsigned>(random()));
    return std::string(host) + ":" + std::to_string(getpid()) + ":" + tag;
}

}  // namespace certos::system
