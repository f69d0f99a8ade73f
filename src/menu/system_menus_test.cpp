#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.hpp"
#include "core/version.hpp"
#include "menu/auth.hpp"
#include "menu/item_menu.hpp"
#include "menu/policy.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

using testing::TreeFixture;

std::string ErrorText(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const core::Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(PolicyTest, ParsesAndFormatsLikeRouterOs) {
    EXPECT_EQ(FormatPolicies(ParsePolicies(kReadGroupPolicy)), kReadGroupPolicy);
    EXPECT_EQ(FormatPolicies(ParsePolicies(kWriteGroupPolicy)), kWriteGroupPolicy);
    EXPECT_EQ(FormatPolicies(ParsePolicies(kFullGroupPolicy)), kFullGroupPolicy);
    PolicySet set = ParsePolicies("read,api,!api,write");
    EXPECT_EQ(set, kPolicyRead | kPolicyWrite);
    EXPECT_THROW(ParsePolicies("read,fly"), core::Error);
}

TEST(AddressTest, MatchesPrefixes) {
    EXPECT_TRUE(AddressAllowed("", "10.1.2.3"));
    EXPECT_TRUE(AddressAllowed("10.0.0.0/8", "10.1.2.3"));
    EXPECT_FALSE(AddressAllowed("10.0.0.0/8", "11.1.2.3"));
    EXPECT_TRUE(AddressAllowed("192.168.1.5,127.0.0.1/32", "127.0.0.1"));
    EXPECT_TRUE(AddressAllowed("127.0.0.0/8", "::ffff:127.0.0.1"));
    EXPECT_TRUE(AddressAllowed("::1", "::1"));
    EXPECT_FALSE(AddressAllowed("fd00::/8", "::1"));
    EXPECT_FALSE(AddressAllowed("10.0.0.0/8", "garbage"));
}

TEST(SystemMenusTest, BootstrapMakesDefaultGroupsAndServicesOnce) {
    TreeFixture f;
    Bootstrap(f.tree());
    Bootstrap(f.tree());
    Result groups = f.Run("/user/group", "print");
    ASSERT_EQ(groups.records.size(), 3u);
    EXPECT_EQ(groups.records[0].GetOr("name"), "read");
    EXPECT_EQ(groups.records[0].GetOr("policy"), kReadGroupPolicy);
    Result services = f.Run("/ip/service", "print");
    ASSERT_EQ(services.records.size(), 8u);
    EXPECT_EQ(services.records[2].GetOr("name"), "www");
    EXPECT_EQ(services.records[2].GetOr(".id"), "*3");
    EXPECT_EQ(services.records[4].GetOr("name"), "www-ssl");
    EXPECT_EQ(services.records[4].GetOr("certificate"), "none");
    EXPECT_EQ(services.records[4].GetOr("disabled"), "true");
    EXPECT_FALSE(services.records[2].Has("certificate"));
}

// Issue 16: `/ip service enable|disable` by number or name; the services certos cannot serve carry the I
// (invalid) flag and enabling one is refused, whichever verb asks.
TEST(SystemMenusTest, ServicesEnableDisableAndRefuseWhatCertosCannotServe) {
    TreeFixture f;
    Bootstrap(f.tree());
    f.Run("/ip/service", "disable", {{"numbers", "api,www"}});
    Result services = f.Run("/ip/service", "print");
    EXPECT_EQ(services.records[5].GetOr("disabled"), "true");
    EXPECT_EQ(services.records[2].GetOr("disabled"), "true");
    f.Run("/ip/service", "enable", {{"numbers", "*6"}});
    EXPECT_EQ(f.Run("/ip/service", "get", {{"number", "api"}, {"value-name", "disabled"}}).ret, "false");
    for (const char* name : {"telnet", "ftp", "ssh", "winbox"}) {
        EXPECT_EQ(f.Run("/ip/service", "get", {{"number", name}, {"value-name", "invalid"}}).ret, "true") << name;
        EXPECT_EQ(f.Run("/ip/service", "get", {{"number", name}, {"value-name", "disabled"}}).ret, "true") << name;
        std::string refusal =
            std::string("certos does not serve ") + name + ": only www, www-ssl, api and api-ssl can be enabled";
        EXPECT_EQ(ErrorText([&] { f.Run("/ip/service", "enable", {{"numbers", name}}); }), refusal);
        EXPECT_EQ(ErrorText([&] { f.Run("/ip/service", "set", {{"numbers", name}, {"disabled", "no"}}); }), refusal);
    }
    f.Run("/ip/service", "set", {{"numbers", "ssh"}, {"port", "2200"}});  // other properties stay settable
    EXPECT_EQ(f.Run("/ip/service", "get", {{"number", "www"}, {"value-name", "invalid"}}).ret, "false");
}

// Issue 16: `get` on single-entry menus.
TEST(SystemMenusTest, SingleEntryMenusAnswerGet) {
    TreeFixture f;
    EXPECT_EQ(f.Run("/certificate/settings", "get", {{"value-name", "crl-use"}}).ret, "false");
    f.Run("/certificate/settings", "set", {{"crl-use", "yes"}});
    EXPECT_EQ(f.Run("/certificate/settings", "get", {{"value-name", "crl-use"}}).ret, "true");
    EXPECT_EQ(f.Run("/certificate/settings", "get").records.at(0).GetOr("crl-store"), "ram");
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/certificate/settings", "get", {{"value-name", "colour"}});
              }),
              "no such property: colour");
    EXPECT_FALSE(f.Run("/system/resource", "get", {{"value-name", "version"}}).ret.value_or("").empty());
}

TEST(SystemMenusTest, ServiceCertificateMustBeSignedWithKey) {
    TreeFixture f;
    Bootstrap(f.tree());
    f.Run("/certificate", "add", {{"name", "tpl"}, {"key-size", "prime256v1"}});
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/ip/service", "set", {{"numbers", "www-ssl"}, {"certificate", "nope"}});
              }),
              "input does not match any value of certificate");
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/ip/service", "set", {{"numbers", "www-ssl"}, {"certificate", "tpl"}});
              }),
              "certificate tpl is not signed or has no private key");
    f.Run("/certificate", "sign", {{"number", "tpl"}});
    f.Run("/ip/service", "set", {{"numbers", "www-ssl"}, {"certificate", "tpl"}, {"disabled", "no"}, {"port", "9443"}});
    Record ssl = f.Run("/ip/service", "get", {{"number", "www-ssl"}}).records.at(0);
    EXPECT_EQ(ssl.GetOr("certificate"), "tpl");
    EXPECT_EQ(ssl.GetOr("port"), "9443");
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/ip/service", "set", {{"numbers", "www"}, {"port", "70000"}});
              }),
              "value of port out of range (1..65535)");
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/ip/service", "remove", {{"numbers", "www"}});
              }),
              "no such command or directory (remove)");
}

TEST(SystemMenusTest, ServiceCertificateTheTlsLayerRefusesIsRefusedWithTheReason) {
    TreeFixture f;
    Bootstrap(f.tree());
    f.Run("/certificate", "add", {{"name", "weak"}, {"common-name", "weak"}, {"key-size", "1024"}});
    f.Run("/certificate", "sign", {{"number", "weak"}});
    f.Run("/certificate", "add",
          {{"name", "ca"}, {"common-name", "ca"}, {"key-size", "2048"}, {"key-usage", "key-cert-sign,crl-sign"}});
    f.Run("/certificate", "sign", {{"number", "ca"}});
    f.Run("/certificate", "add", {{"name", "md5"}, {"common-name", "md5"}, {"digest-algorithm", "md5"}});
    f.Run("/certificate", "sign", {{"number", "md5"}, {"ca", "ca"}});
    for (const char* service : {"www-ssl", "api-ssl"}) {
        SCOPED_TRACE(service);
        EXPECT_EQ(ErrorText([&] {
                      f.Run("/ip/service", "set", {{"numbers", service}, {"certificate", "weak"}});
                  }),
                  "certificate weak: key too small for TLS: rsa 1024 (security level 2 needs RSA of 2048 "
                  "bits or more, EC of 224 or more)");
        EXPECT_EQ(ErrorText([&] {
                      f.Run("/ip/service", "set", {{"numbers", service}, {"certificate", "md5"}});
                  }),
                  "certificate md5: signed with a digest too weak for TLS: md5 (security level 2 refuses MD5 "
                  "and SHA-1)");
        EXPECT_EQ(f.Run("/ip/service", "get", {{"number", service}}).records.at(0).GetOr("certificate"), "none");
    }
    f.Run("/ip/service", "set", {{"numbers", "www-ssl"}, {"certificate", "ca"}});
    EXPECT_EQ(f.Run("/ip/service", "get", {{"number", "www-ssl"}}).records.at(0).GetOr("certificate"), "ca");
}

TEST(SystemMenusTest, UsersGroupsAndAuthentication) {
    TreeFixture f;
    Bootstrap(f.tree());
    setenv("CERTOS_ADMIN_PASSWORD", "adminpw", 1);
    // A given password is never echoed.
    EXPECT_EQ(EnsureAdmin(f.tree()),
              "created user admin with the password from CERTOS_ADMIN_PASSWORD; while certos serve runs, log in as "
              "admin to REST at http://<host>:" +
                  f.Run("/ip/service", "get", {{"number", "www"}, {"value-name", "port"}}).ret.value_or("") +
                  "/rest (HTTP Basic) and to the API on port 8728");
    EXPECT_EQ(EnsureAdmin(f.tree()), std::nullopt);
    EXPECT_EQ(EnsureAdmin(f.tree(), true), std::nullopt);  // the given password is admin's
    // Issue 16: a different password given later is not ignored silently.
    setenv("CERTOS_ADMIN_PASSWORD", "another", 1);
    EXPECT_EQ(EnsureAdmin(f.tree()), std::nullopt);
    EXPECT_EQ(EnsureAdmin(f.tree(), true),
              "CERTOS_ADMIN_PASSWORD is ignored: it sets the password of user admin on the first start only; "
              "change it with /user set admin password=... (or unset CERTOS_ADMIN_PASSWORD)");
    setenv("CERTOS_ADMIN_PASSWORD", "adminpw", 1);
    f.Run("/user", "add", {{"name", "reader"}, {"group", "read"}, {"password", "r3ad"}});
    Result users = f.Run("/user", "print");
    ASSERT_EQ(users.records.size(), 2u);
    for (const Record& r : users.records) {
        EXPECT_FALSE(r.Has("password"));
        EXPECT_FALSE(r.Has("password-hash"));
    }
    Session reader = Authenticate(f.tree(), "reader", "r3ad", "127.0.0.1", "api");
    EXPECT_EQ(reader.user, "reader");
    EXPECT_EQ(reader.policies & kPolicyWrite, 0u);
    EXPECT_NE(reader.policies & kPolicyRead, 0u);
    EXPECT_EQ(ErrorText([&] { Authenticate(f.tree(), "reader", "wrong", "127.0.0.1", "api"); }),
              "invalid user name or password (6)");
    EXPECT_EQ(ErrorText([&] { Authenticate(f.tree(), "ghost", "x", "127.0.0.1", "api"); }),
              "invalid user name or password (6)");
    f.Run("/user", "set", {{"numbers", "reader"}, {"address", "10.0.0.0/8"}});
    EXPECT_THROW(Authenticate(f.tree(), "reader", "r3ad", "127.0.0.1", "api"), core::Error);
    EXPECT_NO_THROW(Authenticate(f.tree(), "reader", "r3ad", "10.9.8.7", "api"));
    f.Run("/user", "set", {{"numbers", "reader"}, {"disabled", "yes"}});
    EXPECT_THROW(Authenticate(f.tree(), "reader", "r3ad", "10.9.8.7", "api"), core::Error);
    // The log has both outcomes and never the password.
    Result log = f.Run("/log", "print");
    std::string all;
    for (const Record& r : log.records) {
        all += r.GetOr("message") + "\n";
    }
    EXPECT_NE(all.find("user reader logged in from 127.0.0.1 via api"), std::string::npos) << all;
    EXPECT_NE(all.find("login failure for user ghost from 127.0.0.1 via api"), std::string::npos);
    EXPECT_EQ(all.find("r3ad"), std::string::npos);
    EXPECT_EQ(all.find("wrong"), std::string::npos);
    // Groups: unknown group, defaults protected, last full user kept.
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/user", "add", {{"name", "x"}, {"group", "wizards"}});
              }),
              "input does not match any value of group");
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/user/group", "remove", {{"numbers", "full"}});
              }),
              "default group can not be removed");
    EXPECT_EQ(ErrorText([&] {
                  f.Run("/user", "remove", {{"numbers", "admin"}});
              }),
              "can not remove the last user with full rights");
    f.Run("/user/group", "add", {{"name", "certs"}, {"policy", "read,write,api,!sensitive"}});
    EXPECT_EQ(f.Run("/user/group", "get", {{"number", "certs"}, {"value-name", "policy"}}).ret,
              "read,write,api,!local,!telnet,!ssh,!ftp,!reboot,!policy,!test,!winbox,!password,!web,!sniff,"
              "!sensitive,!romon,!rest-api");
}

TEST(SystemMenusTest, ResourceReportsVersionAndSettingsPersist) {
    TreeFixture f;
    Record resource = f.Run("/system/resource", "print").records.at(0);
    EXPECT_EQ(resource.GetOr("version"), core::kRouterOsVersion);
    EXPECT_FALSE(resource.GetOr("uptime").empty());
    Record settings = f.Run("/certificate/settings", "print").records.at(0);
    EXPECT_EQ(settings.GetOr("crl-download"), "false");
    EXPECT_EQ(settings.GetOr("crl-store"), "ram");
    EXPECT_EQ(settings.GetOr("builtin-trust-store"), "default");
    f.Run("/certificate/settings", "set", {{"crl-use", "yes"}, {"builtin-trust-store", "www,fetch"}});
    settings = f.Run("/certificate/settings", "print").records.at(0);
    EXPECT_EQ(settings.GetOr("crl-use"), "true");
    EXPECT_EQ(settings.GetOr("builtin-trust-store"), "www,fetch");
    EXPECT_THROW(f.Run("/certificate/settings", "set", {{"crl-store", "disk"}}), core::Error);
}

}  // namespace
}  // namespace certos::menu
