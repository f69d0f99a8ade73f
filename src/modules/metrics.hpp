#pragma once
// The metrics module: GET /metrics in Prometheus's text format, behind REST's login and the read policy
// unless the daemon runs with --public-metrics.

#include <functional>
#include <string>

#include "modules/module.hpp"

namespace certos::modules {

// MetricsPorts are what /metrics needs.
struct MetricsPorts {
    // render is the exposition text at `now` (menu::Metrics::Render).
    std::function<std::string(system::TimePoint now)> render;
    // authenticated answers `request` behind REST's login (401 and its body when there is none), calling
    // `serve` with whether the logged-in user has the read policy (rest::RestApi::Authenticated).
    std::function<net::HttpResponse(const net::HttpRequest& request,
                                    const std::function<net::HttpResponse(bool may_read)>& serve)>
        authenticated;
    bool public_metrics = false;           // no login
    const system::Clock* clock = nullptr;  // empty: the system clock
};

// MetricsModule serves kPath: 200 with the metrics, 404 below it, 405 for a method other than GET or HEAD,
// 403 without the read policy.
class MetricsModule final : public Module {
public:
    static constexpr std::string_view kPath = "/metrics";

    explicit MetricsModule(MetricsPorts ports) : ports_(std::move(ports)) {}

    std::string_view Name() const override { return "metrics"; }
    std::vector<Route> Routes() override;

    net::HttpResponse Serve(const net::HttpRequest& request) const;

private:
    net::HttpResponse Render(const net::HttpRequest& request, bool may_read) const;

    MetricsPorts ports_;
    system::SystemClock system_clock_;
};

}  // namespace certos::modules
