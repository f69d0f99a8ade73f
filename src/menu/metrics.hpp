#pragma once
// Metrics counts what the command tree runs (per front end, menu, verb and outcome, with latencies) and the
// failed logins, and renders them with the store's state as Prometheus text (the exposition format 0.0.4,
// https://prometheus.io/docs/instrumenting/exposition_formats/) for the daemon's `/metrics`.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace certos::menu {

class Tree;

class Metrics {
public:
    // The latency histogram's upper bounds, in seconds (Prometheus `le`); the last bucket is +Inf.
    static constexpr std::array<double, 10> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0};

    // CountCommand records one command run through Tree::Execute. `path` and `verb` must come from the tree
    // (never from the request as sent), so the label set stays bounded whatever clients send.
    void CountCommand(std::string_view via, std::string_view path, std::string_view verb, bool ok,
                      std::chrono::steady_clock::duration took);
    // CountLoginFailure records one refused login of a front end ("api", "rest-api", ...).
    void CountLoginFailure(std::string_view via);

    // Render writes every counter, then the store's gauges: certificates by state, seconds until each
    // certificate's expiry, each local CRL's age and seconds until its next update. `now` is the wall clock.
    std::string Render(const Tree& tree, std::chrono::system_clock::time_point now) const;

private:
    struct Command {
        std::uint64_t ok = 0;
        std::uint64_t error = 0;
        std::array<std::uint64_t, kBuckets.size()> buckets{};  // not cumulative; Render sums them
        double seconds = 0;
    };

    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, std::string>, Command> commands_;  // (via, path, verb)
    std::map<std::string, std::uint64_t, std::less<>> login_failures_;               // via
};

}  // namespace certos::menu
