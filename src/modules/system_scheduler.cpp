#include "modules/system_scheduler.hpp"

namespace certos::modules {
namespace {

system::Job EntriesJob(std::string name, std::chrono::milliseconds interval,
                       std::function<void(system::TimePoint)> run) {
    system::Job job;
    job.name = std::move(name);
    job.interval = interval;
    job.shared = false;  // each entry has its own lease (menu::RunDueSchedules)
    job.error_topics = "script,error";
    job.error_text = "scheduler failed";
    job.run = [run = std::move(run)](system::TimePoint now) {
        run(now);
        return true;
    };
    return job;
}

}  // namespace

std::vector<system::Job> SystemSchedulerModule::Jobs() {
    return {EntriesJob("system-scheduler-startup", std::chrono::milliseconds::zero(), ports_.run_startup),
            EntriesJob("system-scheduler", kPoll, ports_.run_due)};
}

}  // namespace certos::modules
