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

// DnsCheck says where the DNS-01 propagation check looks: `server` (IPv4[:port]) alone when given ("none": no
// check, the hook is trusted), otherwise every authoritative server of the record's zone, found through
// `resolver` (IPv4[:port]; empty: the system's resolvers).
struct DnsCheck {
    std::string server;
    std::string resolver;
};

class StoreSolver final : public ChallengeSolver {
public:
    // StoreSolver writes to `store` (which must outlive it); `dns_hook` empty: HTTP-01 only. Present returns a
    // DNS-01 challenge only once the TXT record is served by `check`'s servers.
    StoreSolver(store::Store& store, std::string dns_hook, DnsCheck check = {})
        : store_(&store), dns_hook_(std::move(dns_hook)), check_(std::move(check)) {}

    bool Supports(std::string_view type) const override;
    // Present throws core::Error when the hook fails (exit status, or it cannot be run).
    void Present(std::string_view type, std::string_view domain, std::string_view token,
                 std::string_view key_authorization) override;
    void CleanUp(std::string_view type, std::string_view domain, std::string_view token) override;

private:
    store::Store* store_;
    std::string dns_hook_;
    DnsCheck check_;
    std::map<std::string, std::string> dns_values_;  // token -> the DNS-01 value presented, for cleanup
};

// DnsRecordName is the owner of a DNS-01 record: "_acme-challenge.<domain>." without the wildcard label.
std::string DnsRecordName(std::string_view domain);

// kPropagationTimeout is how long Present waits for the TXT record at the authoritative server.
inline constexpr std::chrono::seconds kPropagationTimeout{60};

// WaitForTxt polls each of `servers` for `value` at `name` (first after 10 ms, doubling up to 1 s) until every
// one serves it; throws core::Error (kFailure) "DNS-01: ... not visible at SERVER" after kPropagationTimeout.
void WaitForTxt(const std::vector<std::string>& servers, const std::string& name, const std::string& value);

// RunHook runs `program` with `args` (no shell) and waits; throws core::Error (kFailure) "dns-hook ...: exit
// status N" unless it exits with 0.
void RunHook(const std::string& program, const std::vector<std::string>& args);

}  // namespace certos::acme
