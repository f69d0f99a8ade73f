#pragma once
// Two certificate jobs with no HTTP part: the expiry warnings (pki::WarnExpiring, hourly) and the start-up
// warm-up of the certificate list's cache (once, in every process).

#include <chrono>
#include <functional>

#include "modules/module.hpp"

namespace certos::modules {

// ExpiryWarningsModule runs "expiry-warnings" at start and every hour: `warn_expiring` returns the warnings
// due at `now`, logged as certificate,warning; a failure is logged as "expiry check failed: REASON".
class ExpiryWarningsModule final : public Module {
public:
    static constexpr std::chrono::hours kInterval{1};

    ExpiryWarningsModule(LinesPort warn_expiring, LogPort log)
        : warn_expiring_(std::move(warn_expiring)), log_(std::move(log)) {}

    std::string_view Name() const override { return "expiry-warnings"; }
    std::vector<system::Job> Jobs() override;

private:
    LinesPort warn_expiring_;
    LogPort log_;
};

// ListWarmUpModule runs "list-warm-up" once at start in this process (no lease: the cache is the process's
// own): `render_list` renders the certificate list into the tree's cache, so that the first listing a client
// asks for is served from it (reading and rendering 10,000 rows takes ~0.4 s). A failure is logged as
// system,error "cannot render the certificate list: REASON" and not retried.
class ListWarmUpModule final : public Module {
public:
    explicit ListWarmUpModule(std::function<void()> render_list) : render_list_(std::move(render_list)) {}

    std::string_view Name() const override { return "list-warm-up"; }
    std::vector<system::Job> Jobs() override;

private:
    std::function<void()> render_list_;
};

}  // namespace certos::modules
