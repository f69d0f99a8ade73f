#pragma once

#include <string>
#include <string_view>

#include "menu/schema.hpp"

namespace certos::menu {

// ParsePolicies reads a /user/group policy list ("read,write,api,!ftp"); `!name` denies, which is also what
// an absent name means. Throws core::Error "input does not match any value of policy" for unknown names.
PolicySet ParsePolicies(std::string_view text);

// FormatPolicies prints a set as RouterOS does: granted policies, then the denied ones with `!`.
std::string FormatPolicies(PolicySet policies);

// The policy strings of RouterOS's default groups (MT-USER).
inline constexpr std::string_view kReadGroupPolicy =
    "local,telnet,ssh,reboot,read,test,winbox,password,web,sniff,sensitive,api,romon,rest-api,!ftp,!write,!policy";
inline constexpr std::string_view kWriteGroupPolicy =
    "local,telnet,ssh,reboot,read,write,test,winbox,password,web,sniff,sensitive,api,romon,rest-api,!ftp,!policy";
inline constexpr std::string_view kFullGroupPolicy =
    "local,telnet,ssh,ftp,reboot,read,write,policy,test,winbox,password,web,sniff,sensitive,api,romon,rest-api";

}  // namespace certos::menu
