#include "acme/solver.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "acme/dns_check.hpp"
#include "acme/service.hpp"
#include "core/error.hpp"

extern char** environ;

namespace certos::acme {

std::string DnsRecordName(std::string_view domain) {
    if (domain.starts_with("*.")) {
        domain.remove_prefix(2);  // RFC 8555 §8.4 with §7.1.3: the wildcard's base domain
    }
    return "_acme-challenge." + std::string(domain) + ".";
}

void RunHook(const std::string& program, const std::vector<std::string>& args) {
    std::vector<std::string> all{program};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(all.size() + 1);
    for (std::string& arg : all) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    int error = posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ);
    if (error != 0) {
        throw core::Failure("dns-hook " + program + ": " + std::strerror(error));
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw core::Failure("dns-hook " + program + " " + args.front() + ": exit status " +
                            std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
    }
}

void WaitForTxt(const std::vector<std::string>& servers, const std::string& name, const std::string& value) {
    auto deadline = std::chrono::steady_clock::now() + kPropagationTimeout;
    std::chrono::milliseconds delay{10};
    for (const std::string& server : servers) {
        while (true) {
            std::vector<std::string> texts = TxtRecords(server, name);
            if (std::find(texts.begin(), texts.end(), value) != texts.end()) {
                break;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                std::string message = "DNS-01: the TXT record " + name;
                message += " is not visible at " + server;
                message += " after " + std::to_string(kPropagationTimeout.count()) + " s";
                throw core::Failure(message);
            }
            std::this_thread::sleep_for(delay);
            delay = std::min(delay * 2, std::chrono::milliseconds(1000));
        }
    }
}

bool StoreSolver::Supports(std::string_view type) const {
    return type == "http-01" || (type == "dns-01" && !dns_hook_.empty());
}

void StoreSolver::Present(std::string_view type, std::string_view domain, std::string_view token,
                          std::string_view key_authorization) {
    if (type == "dns-01") {
        std::string value = DnsChallengeValue(key_authorization);
        dns_values_[std::string(token)] = value;
        RunHook(dns_hook_, {"present", DnsRecordName(domain), value});
        if (check_.server == "none") {
            return;
        }
        if (!check_.server.empty()) {
            WaitForTxt({check_.server}, DnsRecordName(domain), value);
            return;
        }
        Authority authority = FindAuthority(check_.resolver, DnsRecordName(domain));
        WaitForTxt(authority.servers, authority.name, value);
        return;
    }
    auto tx = store_->Begin(store::TxMode::kWrite);
    store::ItemRow row;
    row.name = std::string(token);
    row.props["key-authorization"] = std::string(key_authorization);
    row.props["domain"] = std::string(domain);
    if (std::optional<store::ItemRow> existing = tx->FindItemByName(kChallengeKind, token)) {
        row.id = existing->id;
        tx->UpdateItem(kChallengeKind, row);
    } else {
        tx->InsertItem(kChallengeKind, row);
    }
    tx->Commit();
}

void StoreSolver::CleanUp(std::string_view type, std::string_view domain, std::string_view token) {
    if (type == "dns-01") {
        RunHook(dns_hook_, {"cleanup", DnsRecordName(domain), dns_values_[std::string(token)]});
        return;
    }
    auto tx = store_->Begin(store::TxMode::kWrite);
    if (std::optional<store::ItemRow> existing = tx->FindItemByName(kChallengeKind, token)) {
        tx->DeleteItem(kChallengeKind, existing->id);
    }
    tx->Commit();
}

}  // namespace certos::acme
