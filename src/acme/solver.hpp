#pragma once
// StoreSolver answers ACME challenges for certos: HTTP-01 by writing the token and its key authorisation to
// the store (kind "acme-challenge"), where the ACME module's route /.well-known/acme-challenge/ of whichever
// process runs the www listener finds it; DNS-01 by calling the entry's dns-hook the way lego's exec
// provider and certbot's manual hooks are called: `HOOK present _acme-challenge.DOMAIN. VALUE`, and
// `HOOK cleanup ...` afterwards.

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "acme/client.hpp"
#include "store/store.hpp"

namespace certos::acme {

class StoreSolver final : public ChallengeSolver {
public:
    // StoreSolver writes to `store` (which must outlive it); `dns_hook` empty: HTTP-01 only. With `dns_server`
    // (the zone's authoritative server, IPv4[:port]) Present returns only once the TXT record is served there.
    StoreSolver(store::Store& store, std::string dns_hook, std::string dns_server = {})
        : store_(&store), dns_hook_(std::move(dns_hook)), dns_server_(std::move(dns_server)) {}

    bool Supports(std::string_view type) const override;
    // Present throws core::Error when the hook fails (exit status, or it cannot be run).
    void Present(std::string_view type, std::string_view domain, std::string_view token,
                 std::string_view key_authorization) override;
    void CleanUp(std::string_view type, std::string_view domain, std::string_view token) override;

private:
    store::Store* store_;
    std::string dns_hook_;
    std::string dns_server_;
    std::map<std::string, std::string> dns_values_;  // token -> the DNS-01 value presented, for cleanup
};

// DnsRecordName is the owner of a DNS-01 record: "_acme-challenge.<domain>." without the wildcard label.
std::string DnsRecordName(std::string_view domain);

// kPropagationTimeout is how long Present waits for the TXT record at the authoritative server.
inline constexpr std::chrono::seconds kPropagationTimeout{60};

// WaitForTxt polls `server` for `value` at `name` (first after 10 ms, doubling up to 1 s) until it is there;
// throws core::Error (kFailure) "DNS-01: ... not visible at SERVER" after kPropagationTimeout.
void WaitForTxt(const std::string& server, const std::string& name, const std::string& value);

// RunHook runs `program` with `args` (no shell) and waits; throws core::Error (kFailure) "dns-hook ...: exit
// status N" unless it exits with 0.
void RunHook(const std::string& program, const std::vector<std::string>& args);

}  // namespace certos::acme
