#pragma once
// AcmeModule: the daemon's part of the ACME client. It answers HTTP-01 challenges at
// /.well-known/acme-challenge/<token> (RFC 8555 §8.3) from the tokens an order — started by any process on
// the same store — left there, and runs the renewal job (RouterOS's 80 % rule, ARI when offered, backoff
// after failures). The verbs are /certificate's own (menu/certificate_acme_verbs.cpp), so the console, REST
// and the API have them without the daemon.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "modules/module.hpp"

namespace certos::modules {

// AcmePorts: the key authorisation of a token (nullopt: unknown token), and the renewals due at a time.
struct AcmePorts {
    std::function<std::optional<std::string>(std::string_view token)> challenge;
    LinesPort renew_due;
    LogPort log;
};

class AcmeModule final : public Module {
public:
    static constexpr std::string_view kPrefix = "/.well-known/acme-challenge/";
    // kInterval is how often the renewal job looks: certificates of 90 days renew on day 72, so an hour is
    // plenty, and a failure backs off per entry (acme/renewal.cpp).
    static constexpr std::chrono::hours kInterval{1};

    explicit AcmeModule(AcmePorts ports) : ports_(std::move(ports)) {}

    std::string_view Name() const override { return "acme"; }
    std::vector<Route> Routes() override;
    std::vector<system::Job> Jobs() override;

    // Serve answers one challenge request: 200 with the key authorisation (application/octet-stream),
    // 404 for an unknown token.
    net::HttpResponse Serve(const net::HttpRequest& request) const;

private:
    AcmePorts ports_;
};

}  // namespace certos::modules
