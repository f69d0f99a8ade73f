#include "modules/metrics.hpp"

namespace certos::modules {

std::vector<Route> MetricsModule::Routes() {
    return {Route{std::string(kPath), [this](const net::HttpRequest& request) { return Serve(request); }, {}}};
}

net::HttpResponse MetricsModule::Serve(const net::HttpRequest& request) const {
    if (ports_.public_metrics) {
        return Render(request, /*may_read=*/true);
    }
    return ports_.authenticated(request, [&](bool may_read) { return Render(request, may_read); });
}

net::HttpResponse MetricsModule::Render(const net::HttpRequest& request, bool may_read) const {
    net::HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (request.path != kPath || (request.method != "GET" && request.method != "HEAD")) {
        response.status = request.path != kPath ? 404 : 405;
        return response;
    }
    if (!may_read) {
        response.status = 403;
        return response;
    }
    const system::Clock& clock = ports_.clock != nullptr ? *ports_.clock : system_clock_;
    response.body = ports_.render(clock.Now());
    return response;
}

}  // namespace certos::modules
