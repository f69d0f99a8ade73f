#include "menu/policy.hpp"

#include <array>

#include "core/error.hpp"
#include "core/value.hpp"

namespace certos::menu {
namespace {

struct PolicyName {
    std::string_view name;
    Policy bit;
};

// RouterOS's order of policy names.
constexpr std::array<PolicyName, 17> kPolicyNames = {{
    {"local", kPolicyLocal},
    {"telnet", kPolicyTelnet},
    {"ssh", kPolicySsh},
    {"ftp", kPolicyFtp},
    {"reboot", kPolicyReboot},
    {"read", kPolicyRead},
    {"write", kPolicyWrite},
    {"policy", kPolicyPolicy},
    {"test", kPolicyTest},
    {"winbox", kPolicyWinbox},
    {"password", kPolicyPassword},
    {"web", kPolicyWeb},
    {"sniff", kPolicySniff},
    {"sensitive", kPolicySensitive},
    {"api", kPolicyApi},
    {"romon", kPolicyRomon},
    {"rest-api", kPolicyRestApi},
}};

}  // namespace

PolicySet ParsePolicies(std::string_view text) {
    PolicySet set = 0;
    for (const std::string& item : core::SplitList(text)) {
        bool deny = !item.empty() && item.front() == '!';
        std::string_view name = deny ? std::string_view(item).substr(1) : std::string_view(item);
        bool known = false;
        for (const PolicyName& policy : kPolicyNames) {
            if (policy.name == name) {
                known = true;
                set = deny ? (set & ~policy.bit) : (set | policy.bit);
            }
        }
        if (!known) {
            throw core::ArgumentError("input does not match any value of policy");
        }
    }
    return set;
}

std::string FormatPolicies(PolicySet policies) {
    std::string granted;
    std::string denied;
    for (const PolicyName& policy : kPolicyNames) {
        std::string& out = (policies & policy.bit) != 0 ? granted : denied;
        if (!out.empty()) {
            out += ',';
        }
        if ((policies & policy.bit) == 0) {
            out += '!';
        }
        out += policy.name;
    }
    if (granted.empty()) {
        return denied;
    }
    return denied.empty() ? granted : granted + "," + denied;
}

}  // namespace certos::menu
