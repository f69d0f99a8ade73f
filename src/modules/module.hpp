#pragma once
// A daemon module: one feature that serves HTTP paths under a prefix of its own, runs scheduled jobs and may
// add menus to the command tree. The daemon composes modules and holds none of their logic; a module is
// given narrow ports (std::functions over the few operations it needs: "the DER CRL of this CA", "rebuild
// the CRLs that are due") that the daemon's composition code implements over the store and the tree, never
// the whole store.
//
// Modules now: the CRL endpoint and rebuild (crl.hpp), the CRL download (crl.hpp), /metrics (metrics.hpp),
// the expiry warnings and the certificate list warm-up (certificate_jobs.hpp), ACME's challenge route and
// renewal job (acme.hpp), the SCEP server's /scep/ route (scep.hpp), the runs of /system scheduler's entries
// (system_scheduler.hpp). Later: the web UI (/).
//
// Verbs that the console, `certos -c`, REST and the API must all have belong to the menus of menu/ (ACME's
// add-acme, acme-renew and enable-ssl-certificate are /certificate verbs), not to a module: a module's menus
// and ports exist only in `certos serve`.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_server.hpp"
#include "system/scheduler.hpp"

namespace certos::menu {
class Tree;
}

namespace certos::modules {

// LogPort writes one line to /log ("certificate,info", "CRL downloaded from ..."). It must not throw.
using LogPort = std::function<void(std::string_view topics, std::string_view message)>;

// Route is one HTTP path prefix a module serves (net::HttpServer::Route): the longest matching prefix wins;
// `slow`, when set, picks the requests served on the server's pool of slow requests.
struct Route {
    std::string prefix;
    net::HttpHandler handler;
    net::SlowRequest slow;
};

// Module is what a feature contributes to the daemon. Each part may be empty. The daemon calls InstallMenus
// once, before the tree is bootstrapped, and takes Routes and Jobs once, at start; handlers and jobs then run
// on the HTTP server's and the scheduler's threads, concurrently, and must be thread-safe.
class Module {
public:
    virtual ~Module() = default;

    // Name names the module in messages ("crl", "metrics").
    virtual std::string_view Name() const = 0;
    // InstallMenus adds menus that only the daemon has (they may use the module's ports); none by default.
    virtual void InstallMenus(menu::Tree& /*tree*/) {}
    // Routes are the module's HTTP paths; none by default.
    virtual std::vector<Route> Routes() { return {}; }
    // Jobs are the module's scheduled jobs; none by default.
    virtual std::vector<system::Job> Jobs() { return {}; }
};

// LinesPort is the work of most jobs: do what is due at `now` and return what to log, one line each.
using LinesPort = std::function<std::vector<std::string>(system::TimePoint now)>;

// ReportingJob is a shared job that runs `work` every `interval` (10 % jitter) and logs its lines under
// `topics`; a failure is logged as "certificate,error", "<error_text>: REASON" and retried with backoff.
system::Job ReportingJob(std::string name, std::chrono::milliseconds interval, std::string_view topics,
                         std::string_view error_text, LinesPort work, LogPort log);

}  // namespace certos::modules
