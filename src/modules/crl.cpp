#include "modules/crl.hpp"

#include <algorithm>

namespace certos::modules {

std::vector<Route> CrlModule::Routes() {
    return {Route{std::string(kPrefix), [this](const net::HttpRequest& request) { return Serve(request); }, {}}};
}

std::vector<system::Job> CrlModule::Jobs() {
    return {ReportingJob("crl-rebuild", kInterval, "certificate,info", kCrlJobError, ports_.rebuild_due, ports_.log)};
}

net::HttpResponse CrlModule::Serve(const net::HttpRequest& request) const {
    net::HttpResponse response;
    response.content_type = "text/plain";
    std::string_view name = std::string_view(request.path).substr(std::min(request.path.size(), kPrefix.size()));
    if (request.method != "GET" && request.method != "HEAD") {
        response.status = 405;
        return response;
    }
    std::optional<std::string> der;
    if (name.ends_with(".crl") && name.size() > 4 && name.find('/') == std::string_view::npos) {
        der = ports_.crl_by_skid(name.substr(0, name.size() - 4));
    }
    if (!der) {
        response.status = 404;
        response.body = "no such CRL\n";
        return response;
    }
    response.content_type = "application/pkix-crl";
    response.body = std::move(*der);
    return response;
}

std::vector<system::Job> CrlDownloadModule::Jobs() {
    return {ReportingJob("crl-download", interval_, "certificate,info", kCrlJobError, ports_.download_due, ports_.log)};
}

}  // namespace certos::modules
