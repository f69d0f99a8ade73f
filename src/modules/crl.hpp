#pragma once
// The CRL modules: the `/crl/<CA skid>.crl` endpoint with the hourly rebuild of local CAs' CRLs (pki), and
// the hourly download of the CRLs of trusted certificates (trust, `crl-download=yes`).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modules/module.hpp"

namespace certos::modules {

// CrlPorts are what the CRL endpoint and its rebuild job need of the local CAs.
struct CrlPorts {
    // crl_by_skid returns the current DER CRL of the local CA whose subject key id is `skid_hex` (any case),
    // or none (pki::LocalCrlBySkid).
    std::function<std::optional<std::string>(std::string_view skid_hex)> crl_by_skid;
    // rebuild_due rebuilds the CRLs that are due at `now` and returns one line per CA for the log
    // (pki::RefreshLocalCrls).
    LinesPort rebuild_due;
    LogPort log;
};

// CrlModule serves GET /crl/<CA skid>.crl, the distribution point that certificates of a local CA signed with
// ca-crl-host name (pki/sign.cpp), with that CA's current DER CRL; no login, CRLs are public. Its job
// "crl-rebuild" rebuilds due CRLs at start and every hour.
class CrlModule final : public Module {
public:
    static constexpr std::string_view kPrefix = "/crl/";
    static constexpr std::chrono::hours kInterval{1};

    explicit CrlModule(CrlPorts ports) : ports_(std::move(ports)) {}

    std::string_view Name() const override { return "crl"; }
    std::vector<Route> Routes() override;
    std::vector<system::Job> Jobs() override;

    // Serve answers one request under kPrefix: 200 with the CRL, 404 for an unknown or malformed name, 405
    // for a method other than GET or HEAD.
    net::HttpResponse Serve(const net::HttpRequest& request) const;

private:
    CrlPorts ports_;
};

// CrlDownloadPorts are what the CRL download job needs.
struct CrlDownloadPorts {
    // download_due fetches the downloaded CRLs that are due at `now` (nothing when crl-download=no) and returns
    // one line per entry fetched for the log (trust::DownloadCrls).
    LinesPort download_due;
    LogPort log;
};

// CrlDownloadModule runs the job "crl-download" at start and every `interval` (trust::kDownloadInterval).
class CrlDownloadModule final : public Module {
public:
    CrlDownloadModule(CrlDownloadPorts ports, std::chrono::milliseconds interval)
        : ports_(std::move(ports)), interval_(interval) {}

    std::string_view Name() const override { return "crl-download"; }
    std::vector<system::Job> Jobs() override;

private:
    CrlDownloadPorts ports_;
    std::chrono::milliseconds interval_;
};

// kCrlJobError is the log text of a CRL job that failed ("scheduled CRL work failed: REASON").
inline constexpr std::string_view kCrlJobError = "scheduled CRL work failed";

}  // namespace certos::modules
