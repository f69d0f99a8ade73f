#include "daemon/daemon.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "acme/service.hpp"
#include "api/connection.hpp"
#include "console/console.hpp"
#include "core/error.hpp"
#include "core/time_format.hpp"
#include "menu/auth.hpp"
#include "menu/item_menu.hpp"
#include "menu/login_cache.hpp"
#include "menu/login_throttle.hpp"
#include "menu/menus.hpp"
#include "menu/system_scripts.hpp"
#include "modules/acme.hpp"
#include "modules/certificate_jobs.hpp"
#include "modules/crl.hpp"
#include "modules/metrics.hpp"
#include "modules/scep.hpp"
#include "modules/system_scheduler.hpp"
#include "net/api_server.hpp"
#include "net/http_server.hpp"
#include "pki/crl.hpp"
#include "pki/expiry.hpp"
#include "pki/service_credentials.hpp"
#include "rest/rest_api.hpp"
#include "rest/route.hpp"
#include "scep/enrol.hpp"
#include "scep/server.hpp"
#include "store/files.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "system/scheduler.hpp"
#include "trust/crl_download.hpp"
#include "trust/trust_store.hpp"

namespace certos::daemon {
namespace {

sigset_t StopSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

// BlockStopSignals runs before any thread starts, so that every thread inherits the mask and Run alone
// receives SIGTERM/SIGINT through sigtimedwait.
bool BlockStopSignals() {
    sigset_t set = StopSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
    return true;
}

// The daemon's own reads of /ip service run with every policy, as the system.
menu::Session SystemSession() {
    menu::Session session;
    session.user = "system";
    session.policies = menu::kAllPolicies;
    session.via = "daemon";
    return session;
}

net::TlsVersion ParseTlsVersion(std::string_view text) {
    if (text == "only-1.2") {
        return net::TlsVersion::kOnly12;
    }
    if (text == "only-1.3") {
        return net::TlsVersion::kOnly13;
    }
    return net::TlsVersion::kAny;
}

std::string Describe(const std::vector<menu::Record>& records) {
    std::string out;
    for (const menu::Record& record : records) {
        for (const auto& [key, value] : record.fields()) {
            out += key;
            out += '=';
            out += value;
            out += '\n';
        }
        out += '\n';
    }
    return out;
}

}  // namespace

// How long an API connection may take to log in (librouteros waits 10 s for an answer): it holds one of the
// few places for connections that have not logged in until then.
constexpr std::chrono::seconds kApiLoginTimeout{10};
// The longest a refused REST login's answer is held back (LoginThrottle::Penalty).
constexpr std::chrono::milliseconds kMaxPenalty{2000};
// How much lower than the daemon's the priority of the scheduler's jobs is (SchedulerOptions::niceness).
constexpr int kJobNiceness = 10;
// The least number of places per listener for connections that have not logged in yet.
constexpr std::size_t kMaxUnauthenticated = 64;

struct Daemon::Impl {
    Impl(DaemonOptions daemon_options, std::ostream& out_stream, std::ostream& err_stream)
        : options(std::move(daemon_options)),
          out(out_stream),
          err(err_stream),
          store(store::OpenStore(options.store_url, {options.data_dir})),
          files(options.data_dir / "files"),
          tree(*store),
          throttle(ThrottleOptionsFor()),
          rest(tree, RestOptionsFor()),
          server(ServerOptionsFor()) {
        tree.set_files(&files);
        console::InstallScriptRunner(tree);
        menu::InstallMenus(tree);
        for (const std::unique_ptr<modules::Module>& module : modules) {
            module->InstallMenus(tree);
        }
        menu::Bootstrap(tree);
        if (std::optional<std::string> created = menu::EnsureAdmin(tree, /*check_given=*/true)) {
            out << "certos: " << *created << std::endl;
        }
        server.Route(
            "/rest/",
            [this](const net::HttpRequest& request) {
                net::HttpResponse response = rest.Handle(request);
                if (response.status == 401 && request.connection) {
                    // A throttled address gets its refusals slowly (on a timer, no worker waits for it).
                    response.delay = std::min(throttle.Penalty(request.connection->remote_address()), kMaxPenalty);
                }
                return response;
            },
            [this](const net::HttpRequest& request) { return RestSlow(request); });
        // The modules' routes, and their jobs (the scheduler starts in Run).
        for (const std::unique_ptr<modules::Module>& module : modules) {
            for (modules::Route& route : module->Routes()) {
                server.Route(std::move(route.prefix), std::move(route.handler), std::move(route.slow));
            }
            for (system::Job& job : module->Jobs()) {
                scheduler.Add(std::move(job));
            }
        }
        Log("system,info", "certos serve started");
        last_version = store->DataVersion();
        hooks.emplace_back([this](const std::vector<menu::Record>& services) { ApplyApiServices(services); });
        ApplyServices();
    }

    // RestSlow tells whether a REST request calls a verb that declares itself slow (menu::Verb::slow): it is
    // then served on the HTTP server's pool of slow requests.
    bool RestSlow(const net::HttpRequest& request) const {
        std::string_view path = request.path;
        path.remove_prefix(std::min(path.size(), rest::RestApi::kPrefix.size()));
        rest::RestRoute route = rest::ResolveRoute(tree, request.method, path);
        if (route.action != rest::RestAction::kCommand) {
            return false;
        }
        return tree.IsSlow(route.menu->path, route.verb);
    }

    // ModulesFor composes the daemon's modules, each with adapters over the store and the tree for the narrow
    // ports it needs (modules/module.hpp).
    std::vector<std::unique_ptr<modules::Module>> ModulesFor() {
        modules::LogPort log = [this](std::string_view topics, std::string_view message) { Log(topics, message); };
        std::vector<std::unique_ptr<modules::Module>> composed;
        // Counted once at start (the store's count through its index: bounded at any size), which brings the
        // certificate table's pages in; listings stream from the store (menu::Session::rows) and the list cache
        // (CertificateModel) holds small stores only, so nothing is rendered ahead.
        composed.push_back(std::make_unique<modules::ListWarmUpModule>([this] {
            menu::Request print;
            print.path = "/certificate";
            print.verb = "print";
            print.args = {{"count-only", "yes"}};
            tree.Execute(print, menu::Session{});
        }));
        composed.push_back(std::make_unique<modules::CrlModule>(
            modules::CrlPorts{[this](std::string_view skid_hex) { return pki::LocalCrlBySkid(*store, skid_hex); },
                              [this](system::TimePoint now) { return pki::RefreshLocalCrls(*store, now); }, log}));
        composed.push_back(std::make_unique<modules::CrlDownloadModule>(
            modules::CrlDownloadPorts{[this](system::TimePoint now) {
                                          trust::DownloadOptions download;
                                          download.now = now;
                                          return trust::DownloadCrls(*store, download);
                                      },
                                      log},
            trust::kDownloadInterval));
        composed.push_back(std::make_unique<modules::ExpiryWarningsModule>(
            [this](system::TimePoint now) { return pki::WarnExpiring(*store, now); }, log));
        modules::MetricsPorts metrics;
        metrics.render = [this](system::TimePoint now) { return tree.metrics().Render(tree, now); };
        metrics.authenticated = [this](const net::HttpRequest& request,
                                       const std::function<net::HttpResponse(bool may_read)>& serve) {
            return rest.Authenticated(request, [&](const menu::Session& session) {
                return serve((session.policies & menu::kPolicyRead) != 0);
            });
        };
        metrics.public_metrics = options.public_metrics;
        composed.push_back(std::make_unique<modules::MetricsModule>(std::move(metrics)));
        modules::AcmePorts acme_ports;
        acme_ports.challenge = [this](std::string_view token) { return acme::ChallengeAnswer(*store, token); };
        acme_ports.renew_due = [this, log](system::TimePoint now) {
            acme::Environment env{*store, acme_trust, {}, {}, log};
            return acme::RenewDue(env, now);
        };
        acme_ports.log = log;
        composed.push_back(std::make_unique<modules::AcmeModule>(std::move(acme_ports)));
        modules::ScepPorts scep_ports;
        scep_ports.serve = [this, log](const modules::ScepQuery& query) {
            scep::Answer answer =
                scep::Serve(*store, scep::Query{query.path, query.operation, query.message}, scep::Clock::now(), log);
            return modules::ScepAnswer{answer.status, std::move(answer.content_type), std::move(answer.body)};
        };
        scep_ports.client_due = [this, log](system::TimePoint now) {
            scep::ClientEnvironment env{*store, acme_trust, {}, log};
            return scep::ClientDue(env, now);
        };
        scep_ports.log = log;
        composed.push_back(std::make_unique<modules::ScepModule>(std::move(scep_ports)));
        composed.push_back(std::make_unique<modules::SystemSchedulerModule>(modules::SystemSchedulerPorts{
            [this](system::TimePoint now) { menu::RunDueSchedules(tree, now, holder); },
            [this](system::TimePoint now) { menu::RunStartupSchedules(tree, now, holder); }}));
        return composed;
    }

    // The scheduler of the modules' jobs: leases in the store, failures in /log.
    system::SchedulerOptions SchedulerOptionsFor() {
        system::SchedulerOptions scheduler_options;
        scheduler_options.clock = test_clock.get();
        scheduler_options.holder = holder;
        scheduler_options.store = store.get();
        scheduler_options.log = [this](std::string_view topics, std::string_view message) { Log(topics, message); };
        // The jobs are background work (some read many certificate rows): the requests come first.
        scheduler_options.niceness = kJobNiceness;
        return scheduler_options;
    }

    // TestClock is the scheduler's clock that the test-only CERTOS_TEST_CLOCK="START[,RATE]" asks for: from START
    // (`yyyy-mm-dd HH:MM:SS`, local time, or `now`), RATE times as fast as the machine's clock (docs/scripting.md).
    // Null without it: the scheduler's SystemClock.
    static std::unique_ptr<system::Clock> TestClock() {
        const char* value = std::getenv("CERTOS_TEST_CLOCK");
        if (value == nullptr || *value == '\0') {
            return nullptr;
        }
        std::string text = value;
        std::size_t comma = text.find(',');
        std::string start = text.substr(0, comma);
        double rate = comma == std::string::npos ? 1.0 : std::atof(text.c_str() + comma + 1);
        if (!(rate > 0)) {
            throw core::Failure("CERTOS_TEST_CLOCK: the rate must be a positive number");
        }
        system::TimePoint origin = start == "now" ? std::chrono::system_clock::now() : core::ParseDateTime(start);
        return std::make_unique<system::ScaledClock>(origin, rate);
    }

    // The API protocol (api, api-ssl; src/api): its options and listeners. Timeouts can be changed with
    // CERTOS_API_LOGIN_TIMEOUT and CERTOS_API_IDLE_TIMEOUT (seconds), see docs/api.md.
    std::shared_ptr<api::ApiProtocolOptions> ApiOptionsFor() {
        auto api_options = std::make_shared<api::ApiProtocolOptions>();
        // Logins (remembered across connections) and their refresh before every command: menu::Logins, shared
        // with REST.
        api_options->authenticate = [this](std::string_view user, std::string_view password, std::string_view address) {
            return logins.LogIn(user, password, address, "api", menu::kPolicyApi);
        };
        api_options->refresh = [this](menu::Session& session) { return logins.Refresh(session, menu::kPolicyApi); };
        api_options->execute = [this](const menu::Request& request, const menu::Session& session) {
            return tree.Execute(request, session);
        };
        api_options->slow = [this](const menu::Request& request) { return tree.IsSlow(request.path, request.verb); };
        api_options->refusal_delay = [this](std::string_view address) {
            return std::min(throttle.Penalty(address), kMaxPenalty);
        };
        api_options->empty_reply = [this](std::string_view service) {
            std::lock_guard lock(api_mutex);
            return api_empty_reply.contains(std::string(service));
        };
        api_options->log = [this](std::string_view topics, std::string_view message) { Log(topics, message); };
        api_options->login_timeout = kApiLoginTimeout;
        for (auto [variable, target] : {std::pair{"CERTOS_API_LOGIN_TIMEOUT", &api_options->login_timeout},
                                        std::pair{"CERTOS_API_IDLE_TIMEOUT", &api_options->idle_timeout}}) {
            if (const char* value = std::getenv(variable); value != nullptr && std::atof(value) > 0) {
                *target = std::chrono::milliseconds(static_cast<long>(std::atof(value) * 1000));
            }
        }
        return api_options;
    }

    net::ApiServerOptions ApiServerOptionsFor() {
        net::ApiServerOptions server_options;
        server_options.handshake_timeout = options.read_timeout;
        server_options.address_allowed = [](std::string_view allowed, std::string_view address) {
            return menu::AddressAllowed(allowed, address);
        };
        server_options.on_error = [this](std::string_view message) { Log("system,error", message); };
        server_options.protocol = [options = ApiOptionsFor()](std::shared_ptr<net::StreamPeer> peer) {
            return api::MakeApiProtocol(std::move(peer), options);
        };
        return server_options;
    }

    // ListenerFor turns an enabled /ip service record into a listener. A TLS service (www-ssl, api-ssl) needs
    // its certificate with a private key: without one it gets no listener, and `problems` says why.
    std::optional<net::ListenerConfig> ListenerFor(const menu::Record& record, bool tls,
                                                   std::set<std::string>& problems) {
        net::ListenerConfig config;
        config.name = record.GetOr("name");
        config.bind_address = options.listen_address;
        config.port = static_cast<std::uint16_t>(std::stoul(record.GetOr("port", "0")));
        config.allowed_from = record.GetOr("address");
        config.max_sessions = std::stoul(record.GetOr("max-sessions", "20"));
        // Connections that have not logged in have a budget of their own (net::ListenerConfig), at least as
        // large as max-sessions so that as many clients as may be logged in can log in at once.
        config.max_unauthenticated = std::max<std::size_t>(kMaxUnauthenticated, config.max_sessions);
        if (!tls) {
            return config;
        }
        std::string certificate = record.GetOr("certificate", "none");
        if (certificate.empty() || certificate == "none") {
            problems.insert(config.name + " has no certificate (/ip service set " + config.name + " certificate=NAME)");
            return std::nullopt;
        }
        try {
            pki::TlsCredentials credentials = pki::LoadTlsCredentials(*store, certificate);
            config.tls =
                net::TlsSettings{std::move(credentials.certificate_chain_pem), std::move(credentials.private_key_pem),
                                 ParseTlsVersion(record.GetOr("tls-version", "any"))};
        } catch (const core::Error& e) {
            problems.insert(config.name + ": certificate " + certificate + ": " + e.what());
            return std::nullopt;
        }
        return config;
    }

    // ApplyApiServices is the service hook of api and api-ssl: (re)binds their listeners.
    void ApplyApiServices(const std::vector<menu::Record>& services) {
        std::vector<net::ListenerConfig> configs;
        std::set<std::string> problems;
        std::set<std::string> empty_reply;
        for (const menu::Record& record : services) {
            std::string name = record.GetOr("name");
            if ((name != "api" && name != "api-ssl") || record.IsTrue("disabled")) {
                continue;
            }
            if (record.IsTrue("api-empty-reply")) {
                empty_reply.insert(name);
            }
            if (std::optional<net::ListenerConfig> config = ListenerFor(record, name == "api-ssl", problems)) {
                configs.push_back(std::move(*config));
            }
        }
        {
            std::lock_guard lock(api_mutex);
            api_empty_reply = std::move(empty_reply);
        }
        std::vector<std::string> errors = api_server.Reconfigure(configs);
        problems.insert(errors.begin(), errors.end());
        for (const net::ListenerStatus& listener : api_server.Listeners()) {
            std::string line = listener.name + " listening on " + listener.address + " port " +
                               std::to_string(listener.port) + (listener.tls ? " (TLS)" : "");
            if (!api_announced.contains(line)) {
                out << "certos: " << line << std::endl;
            }
            api_announced.insert(line);
        }
        for (const std::string& problem : problems) {
            if (!api_reported.contains(problem)) {
                err << "certos: " << problem << std::endl;
                Log("system,error", problem);
            }
        }
        api_reported = std::move(problems);
    }

    // Failed logins are throttled per address and user, and password checks run on a small pool of their own
    // (half the cores, at least two: one is kept for addresses without failures), so that guessing clients
    // cannot take the CPU or the request workers from those who know their password.
    menu::LoginThrottleOptions ThrottleOptionsFor() {
        menu::LoginThrottleOptions throttle_options;
        throttle_options.kdf_threads = std::max(2u, std::thread::hardware_concurrency() / 2);
        throttle_options.log = [this](std::string_view topics, std::string_view message) { Log(topics, message); };
        return throttle_options;
    }

    rest::RestOptions RestOptionsFor() {
        rest::RestOptions rest_options;
        rest_options.authenticate = [this](std::string_view user, std::string_view password, std::string_view address) {
            return logins.LogIn(user, password, address, "rest-api", menu::kPolicyRestApi);
        };
        rest_options.refresh = [this](menu::Session& session) { return logins.Refresh(session, menu::kPolicyRestApi); };
        rest_options.log = [this](std::string_view topics, std::string_view message) { Log(topics, message); };
        return rest_options;
    }

    net::ServerOptions ServerOptionsFor() {
        net::ServerOptions server_options;
        server_options.read_timeout = options.read_timeout;
        server_options.address_allowed = [](std::string_view allowed, std::string_view address) {
            return menu::AddressAllowed(allowed, address);
        };
        server_options.on_error = [this](std::string_view message) { Log("system,error", message); };
        return server_options;
    }

    // Log writes to /log; a failing log write must not take a request or the poll loop down with it.
    void Log(std::string_view topics, std::string_view message) {
        try {
            menu::WriteLog(tree, topics, message);
        } catch (const std::exception& e) {
            err << "certos: cannot write the log: " << e.what() << std::endl;
        }
    }

    void Poll() {
        std::uint64_t version = store->DataVersion();
        if (version == last_version && !retry) {
            return;
        }
        last_version = version;
        ApplyServices();
    }

    // ApplyServices turns /ip service into listener configurations (www, www-ssl) and applies them.
    void ApplyServices() {
        menu::Request request;
        request.path = "/ip/service";
        request.verb = "print";
        menu::Result services = tree.Execute(request, SystemSession());
        std::vector<net::ListenerConfig> configs;
        std::set<std::string> problems;
        for (const menu::Record& record : services.records) {
            std::string name = record.GetOr("name");
            if ((name != "www" && name != "www-ssl") || record.IsTrue("disabled")) {
                continue;
            }
            if (std::optional<net::ListenerConfig> config = ListenerFor(record, name == "www-ssl", problems)) {
                configs.push_back(std::move(*config));
            }
        }
        if (configs != applied || retry) {
            std::vector<std::string> errors = server.Reconfigure(configs);
            problems.insert(errors.begin(), errors.end());
            retry = !errors.empty();
            if (configs != applied) {
                Announce();
            }
            applied = std::move(configs);
        }
        Report(problems);
        // A bound certificate renewed in place (ACME, same name) changes no /ip service record: the hooks (api,
        // api-ssl) look again whenever the certificates changed, and rebind only what differs.
        std::string described =
            Describe(services.records) + std::to_string(store->Begin(store::TxMode::kRead)->Generation("certificate"));
        if (described != services_seen) {
            services_seen = std::move(described);
            for (const ServiceHook& hook : hooks) {
                hook(services.records);
            }
        }
    }

    // Announce prints the listeners that are new or changed since the last call.
    void Announce() {
        std::set<std::string> now;
        for (const net::ListenerStatus& listener : server.Listeners()) {
            std::string line = listener.name + " listening on " + listener.address + " port " +
                               std::to_string(listener.port) + (listener.tls ? " (TLS)" : "");
            if (!announced.contains(line)) {
                out << "certos: " << line << std::endl;
            }
            now.insert(std::move(line));
        }
        announced = std::move(now);
    }

    // Report logs each problem once, when it first appears.
    void Report(const std::set<std::string>& problems) {
        for (const std::string& problem : problems) {
            if (!reported.contains(problem)) {
                err << "certos: " << problem << std::endl;
                Log("system,error", problem);
            }
        }
        reported = problems;
    }

    DaemonOptions options;
    std::ostream& out;
    std::ostream& err;
    std::unique_ptr<store::Store> store;
    store::FileArea files;
    menu::Tree tree;
    menu::LoginThrottle throttle;  // before the logins and the front ends that use it
    menu::Logins logins{tree, &throttle};
    rest::RestApi rest;
    trust::StoreTrust acme_trust{*store};  // the renewals' trust (services "acme" and "scep")
    // The modules and the scheduler of their jobs live longer than the listeners that call the modules' routes.
    std::string holder = system::ProcessHolder();  // this process, as holder of store leases
    std::unique_ptr<system::Clock> test_clock{TestClock()};
    std::vector<std::unique_ptr<modules::Module>> modules{ModulesFor()};
    system::Scheduler scheduler{SchedulerOptionsFor()};
    net::HttpServer server;
    std::vector<ServiceHook> hooks;
    std::uint64_t last_version = 0;
    bool retry = false;
    std::vector<net::ListenerConfig> applied;
    std::set<std::string> reported;
    std::set<std::string> announced;
    std::string services_seen;
    std::mutex api_mutex;
    std::set<std::string> api_empty_reply;  // services that send `!empty` (api-empty-reply=yes)
    std::set<std::string> api_reported;
    std::set<std::string> api_announced;
    net::ApiServer api_server{ApiServerOptionsFor()};  // last: stopped first, before the tree goes
};

Daemon::Daemon(DaemonOptions options, std::ostream& out, std::ostream& err) {
    BlockStopSignals();
    impl_ = std::make_unique<Impl>(std::move(options), out, err);
}

Daemon::~Daemon() = default;

void Daemon::AddServiceHook(ServiceHook hook) {
    impl_->hooks.push_back(std::move(hook));
    impl_->services_seen.clear();
    impl_->ApplyServices();
}

int Daemon::Run() {
    sigset_t set = StopSignals();
    auto interval = impl_->options.poll_interval;
    timespec timeout{};
    timeout.tv_sec = static_cast<time_t>(interval.count() / 1000);
    timeout.tv_nsec = static_cast<long>(interval.count() % 1000) * 1000000L;
    // The modules' jobs (the list warm-up, CRL rebuild and download, expiry warnings) run on the scheduler's
    // threads, so that a slow CRL endpoint (up to 10 s each) never delays the change feed or a signal.
    impl_->scheduler.Start();
    while (true) {
        int signal_number = sigtimedwait(&set, nullptr, &timeout);
        if (signal_number == SIGTERM || signal_number == SIGINT) {
            break;
        }
        try {
            impl_->Poll();
        } catch (const std::exception& e) {
            impl_->err << "certos: " << e.what() << std::endl;
        }
    }
    impl_->scheduler.Stop();
    impl_->scheduler.ReleaseLeases();  // a restarted daemon runs the jobs at once, as before leases
    impl_->Log("system,info", "certos serve stopped");
    impl_->server.Stop();
    impl_->api_server.Stop();
    return 0;
}

int RunDaemon(const DaemonOptions& options) {
    try {
        Daemon daemon(options, std::cout, std::cerr);
        return daemon.Run();
    } catch (const std::exception& e) {
        std::cerr << "certos: " << e.what() << std::endl;
        return 2;
    }
}

}  // namespace certos::daemon
