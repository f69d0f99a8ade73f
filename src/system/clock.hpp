#pragma once
// The clocks the scheduler and its jobs read. Jobs never read std::chrono::system_clock themselves: they are
// given the time, so that tests run them on a ManualClock and never sleep.

#include <chrono>
#include <mutex>

namespace certos::system {

using TimePoint = std::chrono::system_clock::time_point;

// Clock tells the time. Implementations are safe to call from any thread.
class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint Now() const = 0;
};

// SystemClock is the wall clock (std::chrono::system_clock): leases in a shared store compare the times of
// several processes, and of several hosts later, so the scheduler keeps wall-clock times throughout.
class SystemClock final : public Clock {
public:
    TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// ManualClock is the clock tests inject: it stands still until Set or Advance moves it.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start) : now_(start) {}

    TimePoint Now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void Set(TimePoint now) {
        std::lock_guard lock(mutex_);
        now_ = now;
    }
    void Advance(std::chrono::milliseconds by) {
        std::lock_guard lock(mutex_);
        now_ += by;
    }

private:
    mutable std::mutex mutex_;
    TimePoint now_;
};

// ScaledClock starts at `origin` and runs `rate` times as fast as the machine's clock: what `certos serve` uses
// instead of the SystemClock when the test-only CERTOS_TEST_CLOCK asks for it (docs/scripting.md), so that an
// integration test sees a daily or weekly /system scheduler entry run within seconds. The scheduler's thread still
// sleeps real time (its waits are at most a minute), so its jobs run at most that late.
class ScaledClock final : public Clock {
public:
    ScaledClock(TimePoint origin, double rate)
        : origin_(origin), rate_(rate), started_(std::chrono::steady_clock::now()) {}

    TimePoint Now() const override {
        std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - started_;
        return origin_ + std::chrono::duration_cast<TimePoint::duration>(elapsed * rate_);
    }

private:
    TimePoint origin_;
    double rate_;
    std::chrono::steady_clock::time_point started_;
};

}  // namespace certos::system
