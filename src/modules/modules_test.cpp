// The daemon's modules through their ports: the routes they serve (what each answers for good and bad
// requests) and their jobs, run on a scheduler with an injected clock (what reaches the ports and the log).
// The ports' real adapters over the store are exercised by tests/integration (test_revocation.py,
// test_metrics.py) through the daemon.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "modules/certificate_jobs.hpp"
#include "modules/crl.hpp"
#include "modules/metrics.hpp"

namespace certos::modules {
namespace {

using namespace std::chrono_literals;

const system::TimePoint kT0 = system::TimePoint(std::chrono::milliseconds(1'800'000'000'000));

struct Logged {
    std::string topics;
    std::string message;
    friend bool operator==(const Logged&, const Logged&) = default;
};

net::HttpRequest Get(std::string path, std::string method = "GET") {
    net::HttpRequest request;
    request.method = std::move(method);
    request.path = path;
    request.target = std::move(path);
    return request;
}

class ModulesTest : public ::testing::Test {
protected:
    LogPort log = [this](std::string_view topics, std::string_view message) {
        logged.push_back({std::string(topics), std::string(message)});
    };

    // RunJobs adds `module`'s jobs to a scheduler on the test's clock and runs what is due at kT0.
    std::optional<system::TimePoint> RunJobs(Module& module) {
        system::SchedulerOptions options;
        options.clock = &clock;
        options.log = log;
        scheduler = std::make_unique<system::Scheduler>(std::move(options));
        for (system::Job& job : module.Jobs()) {
            scheduler->Add(std::move(job));
        }
        return scheduler->RunDue(kT0);
    }

    system::ManualClock clock{kT0};
    std::unique_ptr<system::Scheduler> scheduler;
    std::vector<Logged> logged;
};

TEST_F(ModulesTest, CrlModuleServesTheCrlOfAKnownSkidOnly) {
    std::map<std::string, std::string> crls = {{"0a1b", std::string("\x30\x82\x01\x00", 4)}};
    std::vector<std::string> asked;
    CrlModule module(CrlPorts{[&](std::string_view skid) -> std::optional<std::string> {
                                  asked.emplace_back(skid);
                                  auto found = crls.find(std::string(skid));
                                  return found == crls.end() ? std::nullopt : std::optional(found->second);
                              },
                              {},
                              log});
    std::vector<Route> routes = module.Routes();
    ASSERT_EQ(routes.size(), 1u);
    EXPECT_EQ(routes[0].prefix, "/crl/");
    net::HttpResponse found = routes[0].handler(Get("/crl/0a1b.crl"));
    EXPECT_EQ(found.status, 200);
    EXPECT_EQ(found.content_type, "application/pkix-crl");
    EXPECT_EQ(found.body, crls["0a1b"]);
    EXPECT_EQ(module.Serve(Get("/crl/0a1b.crl", "HEAD")).status, 200);
    for (const char* path : {"/crl/ffff.crl", "/crl/0a1b", "/crl/.crl", "/crl/x/0a1b.crl", "/crl/"}) {
        net::HttpResponse missing = module.Serve(Get(path));
        EXPECT_EQ(missing.status, 404) << path;
        EXPECT_EQ(missing.body, "no such CRL\n");
    }
    EXPECT_EQ(module.Serve(Get("/crl/0a1b.crl", "POST")).status, 405);
    // Only well-formed names reach the port, without the suffix.
    EXPECT_EQ(asked, (std::vector<std::string>{"0a1b", "0a1b", "ffff"}));
}

TEST_F(ModulesTest, CrlRebuildRunsHourlyAndLogsItsLines) {
    std::vector<system::TimePoint> rebuilt_at;
    CrlModule module(CrlPorts{{},
                              [&](system::TimePoint now) {
                                  rebuilt_at.push_back(now);
                                  return std::vector<std::string>{"CRL of CA rebuilt (number 3)"};
                              },
                              log});
    std::vector<system::Job> jobs = module.Jobs();
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].name, "crl-rebuild");
    EXPECT_EQ(jobs[0].interval, 1h);
    EXPECT_TRUE(jobs[0].shared);
    std::optional<system::TimePoint> next = RunJobs(module);
    ASSERT_TRUE(next);
    EXPECT_GE(*next, kT0 + 1h);
    EXPECT_LE(*next, kT0 + 66min);  // 10 % jitter at most
    EXPECT_EQ(rebuilt_at, std::vector<system::TimePoint>{kT0});
    EXPECT_EQ(logged, (std::vector<Logged>{{"certificate,info", "CRL of CA rebuilt (number 3)"}}));
}

TEST_F(ModulesTest, CrlDownloadFailureIsLoggedAsScheduledCrlWork) {
    CrlDownloadModule module(
        CrlDownloadPorts{
            [](system::TimePoint) -> std::vector<std::string> { throw core::Failure("database is locked"); }, log},
        30min);
    std::vector<system::Job> jobs = module.Jobs();
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].name, "crl-download");
    EXPECT_EQ(jobs[0].interval, 30min);
    std::optional<system::TimePoint> retry = RunJobs(module);  // the backoff's first retry, jitter included
    ASSERT_TRUE(retry);
    EXPECT_GE(*retry, kT0 + 1min);
    EXPECT_LE(*retry, kT0 + 66s);
    EXPECT_EQ(logged, (std::vector<Logged>{{"certificate,error", "scheduled CRL work failed: database is locked"}}));
}

TEST_F(ModulesTest, ExpiryWarningsAreLoggedAsWarnings) {
    ExpiryWarningsModule module(
        [](system::TimePoint now) {
            return std::vector<std::string>{now == kT0 ? "certificate www expires in 6d23h59m" : "wrong time"};
        },
        log);
    RunJobs(module);
    EXPECT_EQ(logged, (std::vector<Logged>{{"certificate,warning", "certificate www expires in 6d23h59m"}}));
    ExpiryWarningsModule failing([](system::TimePoint) -> std::vector<std::string> { throw std::runtime_error("x"); },
                                 log);
    logged.clear();
    RunJobs(failing);
    EXPECT_EQ(logged, (std::vector<Logged>{{"certificate,error", "expiry check failed: x"}}));
}

TEST_F(ModulesTest, ListWarmUpRunsOnceInEveryProcess) {
    int renders = 0;
    ListWarmUpModule module([&] {
        ++renders;
        throw core::Failure("disk I/O error");
    });
    std::vector<system::Job> jobs = module.Jobs();
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_FALSE(jobs[0].shared);
    EXPECT_EQ(jobs[0].interval, 0ms);
    EXPECT_EQ(RunJobs(module), std::nullopt);  // failed, and not retried
    EXPECT_EQ(scheduler->RunDue(kT0 + 24h), std::nullopt);
    EXPECT_EQ(renders, 1);
    EXPECT_EQ(logged, (std::vector<Logged>{{"system,error", "cannot render the certificate list: disk I/O error"}}));
}

TEST_F(ModulesTest, MetricsNeedALoginWithTheReadPolicyUnlessPublic) {
    bool may_read = true;
    int logins = 0;
    MetricsPorts ports;
    ports.render = [](system::TimePoint now) {
        return "certos_time " + std::to_string(std::chrono::system_clock::to_time_t(now)) + "\n";
    };
    ports.authenticated = [&](const net::HttpRequest&, const std::function<net::HttpResponse(bool)>& serve) {
        ++logins;
        return serve(may_read);
    };
    ports.clock = &clock;
    MetricsModule module(ports);
    ASSERT_EQ(module.Routes().size(), 1u);
    EXPECT_EQ(module.Routes()[0].prefix, "/metrics");
    net::HttpResponse ok = module.Serve(Get("/metrics"));
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.body, "certos_time 1800000000\n");
    EXPECT_EQ(ok.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(module.Serve(Get("/metrics/x")).status, 404);
    EXPECT_EQ(module.Serve(Get("/metrics", "POST")).status, 405);
    may_read = false;
    EXPECT_EQ(module.Serve(Get("/metrics")).status, 403);
    EXPECT_EQ(logins, 4);

    ports.public_metrics = true;
    MetricsModule open(ports);
    EXPECT_EQ(open.Serve(Get("/metrics")).status, 200);
    EXPECT_EQ(logins, 4);  // no login asked
}

}  // namespace
}  // namespace certos::modules
