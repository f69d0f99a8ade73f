#include "acme/dns_check.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <memory>
#include <optional>

#include "core/error.hpp"

namespace certos::acme {
namespace {

// kMaxCnames bounds the CNAME chain followed from the record's name (lego follows up to 50; 8 is plenty for
// a delegated _acme-challenge and keeps a looping chain short).
constexpr int kMaxCnames = 8;

sockaddr_in ServerAddress(const std::string& server) {
    std::string host = server;
    unsigned long port = 53;
    if (std::size_t colon = server.rfind(':'); colon != std::string::npos) {
        host = server.substr(0, colon);
        port = std::strtoul(server.c_str() + colon + 1, nullptr, 10);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (port == 0 || port > 65535 || inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
        throw core::Failure("DNS server " + server + " is not an IPv4 address[:port]");
    }
    return address;
}

// Absolute is `name` in lower case with the final dot, the form names are compared in.
std::string Absolute(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name.empty() || name.back() != '.') {
        name += '.';
    }
    return name;
}

// Parent is the zone above `name` ("b.c." for "a.b.c.", "." for "c." and ".").
std::string Parent(const std::string& name) {
    std::size_t dot = name.find('.');
    return dot + 1 >= name.size() ? "." : name.substr(dot + 1);
}

// Response is one DNS answer, parsed in place: `message` points into `bytes`, so a Response does not move.
struct Response {
    std::array<unsigned char, 65536> bytes{};
    ns_msg message{};
    bool ok = false;

    Response() = default;
    Response(const Response&) = delete;
    Response& operator=(const Response&) = delete;

    // Each calls `visit` with every record of `type` in `section`.
    void Each(ns_sect section, ns_type type, const std::function<void(const ns_rr&)>& visit) const {
        for (int i = 0; ok && i < ns_msg_count(message, section); ++i) {
            ns_rr record{};
            if (ns_parserr(const_cast<ns_msg*>(&message), section, i, &record) == 0 && ns_rr_type(record) == type) {
                visit(record);
            }
        }
    }

    // Name is the domain name that `record`'s data holds (NS, CNAME).
    std::string Name(const ns_rr& record) const {
        std::array<char, NS_MAXDNAME> name{};
        if (dn_expand(ns_msg_base(message), ns_msg_end(message), ns_rr_rdata(record), name.data(),
                      static_cast<int>(name.size())) < 0) {
            return {};
        }
        return Absolute(name.data());
    }
};

std::string Owner(const ns_rr& record) { return Absolute(ns_rr_name(record)); }

// Resolver owns one libresolv state (res_ninit ... res_nclose), pointed at `server` unless that is empty.
class Resolver {
public:
    Resolver(const std::string& server, bool recurse) {
        std::optional<sockaddr_in> address;
        if (!server.empty()) {
            address = ServerAddress(server);  // before res_ninit: a throw must not leak the state
        }
        if (res_ninit(&state_) != 0) {
            throw core::Failure("DNS: cannot initialise the resolver");
        }
        if (address) {
            state_.nscount = 1;
            state_.nsaddr_list[0] = *address;
        }
        state_.options &= ~static_cast<unsigned long>(RES_DNSRCH | RES_DEFNAMES);
        if (!recurse) {
            state_.options &= ~static_cast<unsigned long>(RES_RECURSE);
        }
        state_.retry = 2;
        state_.retrans = 1;
    }
    ~Resolver() { res_nclose(&state_); }
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // Query asks for `type` records at `name`; `response.ok` is false when no server answered. Any rcode is
    // an answer (NXDOMAIN carries the zone's SOA in its authority section).
    void Query(const std::string& name, ns_type type, Response& response) {
        std::array<unsigned char, NS_PACKETSZ> query{};
        int length = res_nmkquery(&state_, ns_o_query, name.c_str(), ns_c_in, type, nullptr, 0, nullptr, query.data(),
                                  static_cast<int>(query.size()));
        if (length < 0) {
            response.ok = false;
            return;
        }
        int size =
            res_nsend(&state_, query.data(), length, response.bytes.data(), static_cast<int>(response.bytes.size()));
        response.ok = size > 0 && ns_initparse(response.bytes.data(), size, &response.message) == 0;
    }

private:
    struct __res_state state_ {};
};

// Zone finds the zone holding `name`: the owner of the SOA answered for it or for the nearest parent asked.
std::string Zone(Resolver& resolver, const std::string& name, const std::string& resolver_name) {
    auto response = std::make_unique<Response>();
    bool answered = false;
    for (std::string candidate = name;; candidate = Parent(candidate)) {
        resolver.Query(candidate, ns_t_soa, *response);
        answered = answered || response->ok;
        std::string zone;
        response->Each(ns_s_an, ns_t_soa, [&](const ns_rr& record) {
            if (Owner(record) == candidate) {
                zone = candidate;
            }
        });
        if (zone.empty()) {
            response->Each(ns_s_ns, ns_t_soa, [&](const ns_rr& record) { zone = Owner(record); });
        }
        if (!zone.empty()) {
            return zone;
        }
        if (candidate == ".") {
            break;
        }
    }
    throw core::Failure(answered ? "DNS-01: no zone (SOA record) found for " + name
                                 : "DNS-01: the resolver " + resolver_name + " does not answer");
}

}  // namespace

std::vector<std::string> TxtRecords(const std::string& server, const std::string& name) {
    Resolver resolver(server, false);
    auto response = std::make_unique<Response>();
    resolver.Query(name, ns_t_txt, *response);
    std::vector<std::string> texts;
    response->Each(ns_s_an, ns_t_txt, [&](const ns_rr& record) {
        // RFC 1035 §3.3.14: TXT-DATA is one or more <character-string>s, each a length byte and its bytes.
        const unsigned char* data = ns_rr_rdata(record);
        std::size_t size = ns_rr_rdlen(record);
        std::string text;
        for (std::size_t at = 0; at < size;) {
            std::size_t part = data[at];
            text.append(reinterpret_cast<const char*>(data) + at + 1, std::min(part, size - at - 1));
            at += 1 + part;
        }
        texts.push_back(std::move(text));
    });
    return texts;
}

Authority FindAuthority(const std::string& resolver_address, const std::string& name) {
    std::string resolver_name = resolver_address.empty() ? "of /etc/resolv.conf" : resolver_address;
    Resolver resolver(resolver_address, true);
    auto response = std::make_unique<Response>();
    Authority authority;
    authority.name = Absolute(name);
    for (int hop = 0;; ++hop) {
        std::string target;
        resolver.Query(authority.name, ns_t_cname, *response);
        response->Each(ns_s_an, ns_t_cname, [&](const ns_rr& record) {
            if (Owner(record) == authority.name) {
                target = response->Name(record);
            }
        });
        if (target.empty()) {
            break;
        }
        if (hop == kMaxCnames) {
            throw core::Failure("DNS-01: more than " + std::to_string(kMaxCnames) + " CNAMEs from " + name);
        }
        authority.name = target;
    }
    authority.zone = Zone(resolver, authority.name, resolver_name);

    resolver.Query(authority.zone, ns_t_ns, *response);
    std::vector<std::string> hosts;
    response->Each(ns_s_an, ns_t_ns, [&](const ns_rr& record) {
        if (Owner(record) == authority.zone) {
            hosts.push_back(response->Name(record));
        }
    });
    if (hosts.empty()) {
        throw core::Failure("DNS-01: no NS records for the zone " + authority.zone + " of " + authority.name);
    }
    auto address = std::make_unique<Response>();
    for (const std::string& host : hosts) {
        resolver.Query(host, ns_t_a, *address);
        address->Each(ns_s_an, ns_t_a, [&](const ns_rr& record) {
            std::array<char, INET_ADDRSTRLEN> text{};
            if (ns_rr_rdlen(record) == 4 && inet_ntop(AF_INET, ns_rr_rdata(record), text.data(), text.size())) {
                std::string server = std::string(text.data()) + ":53";
                if (std::find(authority.servers.begin(), authority.servers.end(), server) == authority.servers.end()) {
                    authority.servers.push_back(std::move(server));
                }
            }
        });
    }
    if (authority.servers.empty()) {
        throw core::Failure("DNS-01: no IPv4 address for the name servers of " + authority.zone);
    }
    return authority;
}

}  // namespace certos::acme
