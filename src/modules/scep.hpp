#pragma once
// ScepModule: the daemon's part of SCEP (RFC 8894 §4): the server's route and the client's job. It serves
// /scep/<path>?operation=... on the www and www-ssl listeners: GetCACaps, GetCACert, GetNextCACert and PKIOperation
// (GET with a base64 message, or POST with the DER body). The server itself (scep/server.hpp) is behind one port; the
// menus that configure it (`/certificate scep-server`) are /certificate's own, so the console has them too.

#include <functional>
#include <string>

#include "modules/module.hpp"

namespace certos::modules {

// ScepQuery is one request decoded from HTTP: the path, the operation and the message bytes.
struct ScepQuery {
    std::string path;
    std::string operation;
    std::string message;
};

// ScepAnswer is the server's answer.
struct ScepAnswer {
    int status = 200;
    std::string content_type;
    std::string body;
};

// ScepPorts: serve answers one query (it never throws); client_due does the SCEP client's work due at a time
// (polls held requests, renews at 3/4 of the lifetime, follows the next CA) and may be empty.
struct ScepPorts {
    std::function<ScepAnswer(const ScepQuery& query)> serve;
    LinesPort client_due = {};
    LogPort log = {};
};

class ScepModule final : public Module {
public:
    static constexpr std::string_view kPrefix = "/scep/";
    // kClientInterval is how often the client job looks: a held request is polled about once a minute
    // (RFC 8894 §3.3.3 leaves the interval to the client), and a failure backs off per entry (scep/enrol.cpp).
    static constexpr std::chrono::minutes kClientInterval{1};

    explicit ScepModule(ScepPorts ports) : ports_(std::move(ports)) {}

    std::string_view Name() const override { return "scep"; }
    std::vector<Route> Routes() override;
    std::vector<system::Job> Jobs() override;

    // Serve decodes one HTTP request: 400 for a missing operation or a GET message that is not base64, 405
    // for methods other than GET, HEAD and POST (POST only for PKIOperation).
    net::HttpResponse Serve(const net::HttpRequest& request) const;

private:
    ScepPorts ports_;
};

}  // namespace certos::modules
