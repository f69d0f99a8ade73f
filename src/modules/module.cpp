#include "modules/module.hpp"

namespace certos::modules {

system::Job ReportingJob(std::string name, std::chrono::milliseconds interval, std::string_view topics,
                         std::string_view error_text, LinesPort work, LogPort log) {
    system::Job job;
    job.name = std::move(name);
    job.interval = interval;
    job.jitter = 0.1;  // daemons sharing a store spread out; the lease lets one of them run it
    job.error_topics = "certificate,error";
    job.error_text = std::string(error_text);
    job.run = [topics = std::string(topics), work = std::move(work), log = std::move(log)](system::TimePoint now) {
        for (const std::string& line : work(now)) {
            log(topics, line);
        }
        return true;
    };
    return job;
}

}  // namespace certos::modules
