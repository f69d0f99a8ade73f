#include "modules/certificate_jobs.hpp"

namespace certos::modules {

std::vector<system::Job> ExpiryWarningsModule::Jobs() {
    return {
        ReportingJob("expiry-warnings", kInterval, "certificate,warning", "expiry check failed", warn_expiring_, log_)};
}

std::vector<system::Job> ListWarmUpModule::Jobs() {
    system::Job job;
    job.name = "list-warm-up";
    job.interval = std::chrono::milliseconds::zero();  // once
    job.shared = false;
    job.error_topics = "system,error";
    job.error_text = "cannot render the certificate list";
    job.run = [render = render_list_](system::TimePoint) {
        render();
        return true;
    };
    return {job};
}

}  // namespace certos::modules
