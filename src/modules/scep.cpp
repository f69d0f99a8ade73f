#include "modules/scep.hpp"

#include <optional>

#include "crypto/base64.hpp"
#include "net/http.hpp"

namespace certos::modules {
namespace {

struct Parsed {
    std::string operation;
    std::string message;
};

std::optional<Parsed> ParseQueryOf(const net::HttpRequest& request) {
    auto pairs = net::ParseQuery(request.query);
    if (!pairs) {
        return std::nullopt;
    }
    Parsed parsed;
    for (auto& [name, value] : *pairs) {
        if (name == "operation") {
            parsed.operation = std::move(value);
        } else if (name == "message") {
            parsed.message = std::move(value);
        }
    }
    return parsed;
}

net::HttpResponse Plain(int status, std::string body) {
    net::HttpResponse response;
    response.status = status;
    response.content_type = "text/plain";
    response.body = std::move(body) + "\n";
    return response;
}

}  // namespace

std::vector<Route> ScepModule::Routes() {
    // PKIOperation signs, issues and writes the store: served on the pool of slow requests, off the io threads.
    auto slow = [](const net::HttpRequest& request) {
        std::optional<Parsed> parsed = ParseQueryOf(request);
        return parsed && parsed->operation == "PKIOperation";
    };
    return {Route{std::string(kPrefix), [this](const net::HttpRequest& request) { return Serve(request); }, slow}};
}

std::vector<system::Job> ScepModule::Jobs() {
    if (!ports_.client_due) {
        return {};
    }
    return {ReportingJob("scep-client", kClientInterval, "certificate,scep,info", "SCEP client job failed",
                         ports_.client_due, ports_.log)};
}

net::HttpResponse ScepModule::Serve(const net::HttpRequest& request) const {
    bool post = request.method == "POST";
    if (request.method != "GET" && request.method != "HEAD" && !post) {
        return Plain(405, "method not allowed");
    }
    std::optional<Parsed> parsed = ParseQueryOf(request);
    if (!parsed || parsed->operation.empty()) {
        return Plain(400, "badRequest: no operation");
    }
    ScepQuery query{request.path, parsed->operation, {}};
    if (parsed->operation == "PKIOperation") {
        if (post) {
            query.message = request.body;
        } else {
            // RFC 8894 §4.1: base64 in the query; '+' may have arrived as a space when not percent-encoded.
            std::string text = parsed->message;
            for (char& c : text) {
                if (c == ' ') {
                    c = '+';
                }
            }
            std::erase_if(text, [](char c) { return c == '\n' || c == '\r'; });
            std::optional<std::string> der = crypto::FromBase64(text);
            if (!der) {
                return Plain(400, "badRequest: message is not base64");
            }
            query.message = std::move(*der);
        }
    } else if (post) {
        return Plain(405, "only PKIOperation may be posted");
    } else {
        query.message = parsed->message;
    }
    ScepAnswer answer = ports_.serve(query);
    net::HttpResponse response;
    response.status = answer.status;
    response.content_type = answer.content_type;
    response.body = std::move(answer.body);
    return response;
}

}  // namespace certos::modules
