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

}  // namespace certos::system
