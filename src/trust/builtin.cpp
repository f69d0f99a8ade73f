#include "trust/builtin.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/value.hpp"

namespace certos::trust {
namespace {

std::string Field(const crypto::Certificate& cert, std::string_view key) {
    for (const auto& [name, value] : cert.SubjectFields()) {
        if (name == key) {
            return value;
        }
    }
    return {};
}

std::vector<BuiltinRoot> Load() {
    const char* env = std::getenv("CERTOS_BUILTIN_ROOTS");
    std::ifstream in(env != nullptr ? std::string(env) : std::string(kBuiltinRootsFile), std::ios::binary);
    std::vector<BuiltinRoot> roots;
    if (!in) {
        return roots;
    }
    std::stringstream text;
    text << in.rdbuf();
    // Split on PEM blocks so that one damaged certificate does not hide the others.
    const std::string bundle = text.str();
    const std::string begin = "-----BEGIN CERTIFICATE-----";
    const std::string end = "-----END CERTIFICATE-----";
    for (std::size_t at = bundle.find(begin); at != std::string::npos; at = bundle.find(begin, at + 1)) {
        std::size_t stop = bundle.find(end, at);
        if (stop == std::string::npos) {
            break;
        }
        try {
            crypto::Certificate cert = crypto::Certificate::FromPem(bundle.substr(at, stop + end.size() - at));
            BuiltinRoot root{
                {},  Field(cert, "CN"), Field(cert, "O"), cert.SkidHex(), cert.FingerprintSha256(), cert.NotAfter(),
                cert};
            root.name = !root.common_name.empty()    ? root.common_name
                        : !root.organization.empty() ? root.organization
                                                     : Field(cert, "OU");
            roots.push_back(std::move(root));
        } catch (const core::Error&) {
            continue;
        }
    }
    return roots;
}

}  // namespace

const std::vector<BuiltinRoot>& BuiltinRoots() {
    static const std::vector<BuiltinRoot> roots = Load();  // C++11 guarantees one thread-safe initialisation
    return roots;
}

bool BuiltinTrustedFor(std::string_view setting, std::string_view service) {
    std::vector<std::string> services;
    for (const std::string& item : core::SplitList(setting)) {
        if (item == "default") {
            services.insert(services.end(), kDefaultBuiltinServices.begin(), kDefaultBuiltinServices.end());
        } else if (item != "untrusted") {
            services.push_back(item);
        }
    }
    if (services.empty()) {
        return false;
    }
    if (service.empty() || std::find(services.begin(), services.end(), "all") != services.end()) {
        return true;
    }
    return std::find(services.begin(), services.end(), service) != services.end();
}

}  // namespace certos::trust
