#pragma once
// The /system scheduler module: runs the entries of `/system scheduler` on the daemon's one scheduler. Its job
// looks every second (of the scheduler's clock) for the entries that are due; the work (claiming an entry with
// its store lease, running its script, logging a failure) is the port's, menu::RunDueSchedules.

#include <chrono>
#include <functional>

#include "modules/module.hpp"

namespace certos::modules {

// SystemSchedulerPorts: `run_due` runs the entries due at `now`; `run_startup` the start-time=startup ones.
struct SystemSchedulerPorts {
    std::function<void(system::TimePoint now)> run_due;
    std::function<void(system::TimePoint now)> run_startup;
};

// SystemSchedulerModule has two jobs, "system-scheduler-startup" (once, at start) and "system-scheduler" (every
// kPoll). Neither takes the scheduler's job lease: every daemon looks, and each entry's own lease makes one of
// them run it. A failure of the look itself (the store) is logged as script,error "scheduler failed: REASON".
class SystemSchedulerModule final : public Module {
public:
    static constexpr std::chrono::seconds kPoll{1};

    explicit SystemSchedulerModule(SystemSchedulerPorts ports) : ports_(std::move(ports)) {}

    std::string_view Name() const override { return "system-scheduler"; }
    std::vector<system::Job> Jobs() override;

private:
    SystemSchedulerPorts ports_;
};

}  // namespace certos::modules
