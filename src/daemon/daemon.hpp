#pragma once
// The daemon (`certos serve`): the store, the command tree, the listeners of `/ip service` and the modules
// (src/modules: the CRL endpoint and jobs, metrics, expiry warnings; SCEP, ACME challenges and the web UI
// later) with the scheduler that runs their jobs. REST stays in the daemon core.

#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "menu/record.hpp"

namespace certos::daemon {

struct DaemonOptions {
    std::filesystem::path data_dir = "./var";
    std::string store_url;  // store::OpenStore's URL; empty: sqlite:<data_dir>
    // listen_address is where the www and www-ssl listeners bind ("::" is every IPv6 and IPv4 address);
    // `/ip service address` then limits which clients may connect.
    std::string listen_address = "::";
    std::chrono::milliseconds read_timeout{10000};  // HTTP: one whole request, or the TLS handshake
    std::chrono::milliseconds poll_interval{1000};  // how often the store's change feed is checked
    bool public_metrics = false;                    // /metrics without a login
};

// ServiceHook receives the `/ip service` records whenever they or the certificates change (a certificate a
// service is bound to may be renewed in place, under the same name); the API protocol front end (api, api-ssl)
// plugs in here.
using ServiceHook = std::function<void(const std::vector<menu::Record>& services)>;

class Daemon {
public:
    // Daemon opens the data directory, bootstraps it (default groups, services, user admin: a generated
    // password is printed once to `out`), and starts the listeners. SIGTERM and SIGINT are blocked in the
    // calling thread (and so in every thread it starts) and consumed by Run. Throws core::Error when the
    // store cannot be opened.
    Daemon(DaemonOptions options, std::ostream& out, std::ostream& err);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // AddServiceHook registers a hook and calls it at once with the current services.
    void AddServiceHook(ServiceHook hook);

    // Run polls the change feed every poll_interval (rebinding the listeners when `/ip service` or a
    // certificate they use changed) until SIGTERM or SIGINT arrives, then stops the listeners. Returns the
    // process exit code.
    int Run();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// RunDaemon is `certos serve`: a Daemon, run until a signal. Returns the exit code.
int RunDaemon(const DaemonOptions& options);

}  // namespace certos::daemon
