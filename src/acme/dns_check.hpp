#pragma once
// The DNS-01 propagation check: before a challenge is answered, the TXT record the dns-hook published is
// looked up at the zone's authoritative server (given as dns-server=), the way lego checks propagation,
// so that the CA does not look before the record is there.

#include <string>
#include <vector>

namespace certos::acme {

// TxtRecords asks `server` ("192.0.2.1" or "192.0.2.1:5353", IPv4) directly, without recursion, for the TXT
// records at `name` and returns their texts (each record's strings joined). Throws core::Error (kFailure)
// for an unusable server address; a server that does not answer, NXDOMAIN or no TXT give an empty list.
std::vector<std::string> TxtRecords(const std::string& server, const std::string& name);

}  // namespace certos::acme
