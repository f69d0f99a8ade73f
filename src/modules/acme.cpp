#include "modules/acme.hpp"

#include <algorithm>

namespace certos::modules {

std::vector<Route> AcmeModule::Routes() {
    return {Route{std::string(kPrefix), [this](const net::HttpRequest& request) { return Serve(request); }, {}}};
}

std::vector<system::Job> AcmeModule::Jobs() {
    // A renewal that waits on a slow CA for minutes keeps its lease: the scheduler renews it while it runs.
    return {ReportingJob("acme-renewal", kInterval, "certificate,acme,info", "ACME renewal failed", ports_.renew_due,
                         ports_.log)};
}

net::HttpResponse AcmeModule::Serve(const net::HttpRequest& request) const {
    net::HttpResponse response;
    response.content_type = "application/octet-stream";
    if (request.method != "GET" && request.method != "HEAD") {
        response.status = 405;
        return response;
    }
    std::string_view token = std::string_view(request.path).substr(std::min(request.path.size(), kPrefix.size()));
    // RFC 8555 §8.1: tokens are base64url, so anything else is not ours.
    bool well_formed = !token.empty() && std::all_of(token.begin(), token.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
    });
    std::optional<std::string> answer = well_formed ? ports_.challenge(token) : std::nullopt;
    if (!answer) {
        response.status = 404;
        response.content_type = "text/plain";
        response.body = "no such challenge\n";
        return response;
    }
    response.body = std::move(*answer);
    return response;
}

}  // namespace certos::modules
