#include "acme/dns_check.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <cstring>
#include <memory>

#include "core/error.hpp"

namespace certos::acme {
namespace {

// ResolverState owns one libresolv state (res_ninit ... res_nclose).
struct ResolverState {
    struct __res_state state {};
    ResolverState() {
        if (res_ninit(&state) != 0) {
            throw core::Failure("DNS: cannot initialise the resolver");
        }
    }
    ~ResolverState() { res_nclose(&state); }
    ResolverState(const ResolverState&) = delete;
    ResolverState& operator=(const ResolverState&) = delete;
};

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
        throw core::Failure("dns-server " + server + " is not an IPv4 address[:port]");
    }
    return address;
}

}  // namespace

std::vector<std::string> TxtRecords(const std::string& server, const std::string& name) {
    sockaddr_in address = ServerAddress(server);
    ResolverState resolver;
    resolver.state.nscount = 1;
    resolver.state.nsaddr_list[0] = address;
    resolver.state.options &= ~static_cast<unsigned long>(RES_RECURSE | RES_DNSRCH | RES_DEFNAMES);
    resolver.state.retry = 2;
    resolver.state.retrans = 1;
    std::vector<unsigned char> answer(NS_PACKETSZ * 4);
    int length =
        res_nquery(&resolver.state, name.c_str(), ns_c_in, ns_t_txt, answer.data(), static_cast<int>(answer.size()));
    std::vector<std::string> texts;
    ns_msg message{};
    if (length <= 0 || ns_initparse(answer.data(), length, &message) != 0) {
        return texts;
    }
    for (int i = 0; i < ns_msg_count(message, ns_s_an); ++i) {
        ns_rr record{};
        if (ns_parserr(&message, ns_s_an, i, &record) != 0 || ns_rr_type(record) != ns_t_txt) {
            continue;
        }
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
    }
    return texts;
}

}  // namespace certos::acme
