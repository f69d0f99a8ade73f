#pragma once
// The DNS-01 propagation check: before a challenge is answered, the TXT record the dns-hook published is
// looked up at every authoritative server of its zone, the way lego checks propagation, so that the CA does not
// look before the record is there. The servers are found through a recursive resolver (the system's, from
// /etc/resolv.conf, or dns-resolver=): the zone from the SOA, its servers from the NS records, their IPv4
// addresses from A records; a CNAME at the record's name is followed first, as lego does.

#include <string>
#include <vector>

namespace certos::acme {

// TxtRecords asks `server` ("192.0.2.1" or "192.0.2.1:5353", IPv4) directly, without recursion, for the TXT
// records at `name` and returns their texts (each record's strings joined). Throws core::Error (kFailure)
// for an unusable server address; a server that does not answer, NXDOMAIN or no TXT give an empty list.
std::vector<std::string> TxtRecords(const std::string& server, const std::string& name);

// Authority is where a DNS-01 record lives: `name` (the record's name after CNAMEs, absolute, with the final
// dot), its `zone`, and the zone's authoritative servers as "IPv4:53".
struct Authority {
    std::string name;
    std::string zone;
    std::vector<std::string> servers;
};

// FindAuthority asks `resolver` (IPv4[:port]; empty: the system's resolvers) where `name` lives. Throws
// core::Error (kFailure) "DNS-01: ..." when the zone, its servers or their addresses cannot be found.
Authority FindAuthority(const std::string& resolver, const std::string& name);

}  // namespace certos::acme
