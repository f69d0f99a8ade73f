// /system backup, `export` and the v6 seed's aliases through the command tree.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "menu/auth.hpp"
#include "menu/item_menu.hpp"
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

// Body is an export without its date line.
std::string Body(const Result& result) {
    std::string text = result.ret.value_or("");
    EXPECT_TRUE(text.starts_with("# ")) << text;
    return text.substr(text.find('\n') + 1);
}

void Change(TreeFixture& f) {
    f.Run("/certificate/settings", "set", {{"crl-use", "yes"}});
    f.Run("/user/group", "add", {{"name", "ops"}, {"policy", "read,test"}, {"comment", "on call"}});
    f.Run("/user", "add", {{"name", "bob"}, {"group", "ops"}, {"password", "bobs password"}});
    f.Run("/ip/service", "set", {{"numbers", "www"}, {"port", "8081"}, {"address", "10.0.0.0/8"}});
}

TEST(ExportTest, NewStoreExportsNothingAndChangesInRouterOsForm) {
    TreeFixture f;
    Bootstrap(f.tree());
    EnsureAdmin(f.tree());
    EXPECT_EQ(Body(f.Run("/", "export")), "");
    Change(f);
    std::string body = Body(f.Run("/", "export"));
    EXPECT_EQ(body,
              "/certificate settings\n"
              "set crl-use=yes\n"
              "/user group\n"
              "add comment=\"on call\" name=ops policy=\"read,test,!local,!telnet,!ssh,!ftp,!reboot,!write,!policy,"
              "!winbox,!password,!web,!sniff,!sensitive,!api,!romon,!rest-api\"\n"
              "/user\n"
              "add group=ops name=bob\n"
              "/ip service\n"
              "set [ find name=www ] address=10.0.0.0/8 port=8081\n");
    EXPECT_EQ(body.find("bobs password"), std::string::npos) << "never a password";
    EXPECT_EQ(body.find("password="), std::string::npos);
    // From one menu, and terse.
    EXPECT_EQ(Body(f.Run("/ip/service", "export")),
              "/ip service\nset [ find name=www ] address=10.0.0.0/8 port=8081\n");
    EXPECT_EQ(Body(f.Run("/ip/service", "export", {{"terse", ""}})),
              "/ip service set [ find name=www ] address=10.0.0.0/8 port=8081\n");
    // A default entry that is gone is removed; verbose writes the defaults too.
    f.Run("/user", "add", {{"name", "root"}, {"group", "full"}});
    f.Run("/user", "remove", {{"numbers", "admin"}});
    EXPECT_NE(Body(f.Run("/user", "export")).find("remove [ find name=admin ]\n"), std::string::npos);
    EXPECT_NE(Body(f.Run("/certificate/settings", "export", {{"verbose", ""}})).find("crl-download=no"),
              std::string::npos);
    // To a file.
    f.Run("/", "export", {{"file", "conf"}});
    EXPECT_EQ(f.files().Read("conf.rsc").substr(f.files().Read("conf.rsc").find('\n') + 1), Body(f.Run("/", "export")));
}

TEST(ExportTest, ShowSensitiveNeedsTheSensitivePolicy) {
    TreeFixture f;
    Session reader;
    reader.policies = kPolicyRead;
    EXPECT_EQ(ErrorText([&] { f.Run("/", "export", {{"show-sensitive", ""}}, reader); }), "not enough permissions (9)");
    EXPECT_NO_THROW(f.Run("/", "export", {}, reader));
}

TEST(BackupMenuTest, SaveAndLoadThroughTheTreeWithPolicies) {
    TreeFixture source;
    Bootstrap(source.tree());
    EnsureAdmin(source.tree());
    Change(source);
    source.Run("/system/backup", "save", {{"name", "b"}, {"password", "backup pass"}});
    ASSERT_TRUE(source.files().Exists("b.backup"));

    TreeFixture target;
    Bootstrap(target.tree());
    EnsureAdmin(target.tree());
    target.files().Write("b.backup", source.files().Read("b.backup"));
    Session writer;
    writer.policies = kPolicyRead | kPolicyWrite | kPolicySensitive;
    EXPECT_EQ(ErrorText([&] {
                  target.Run("/system/backup", "load", {{"name", "b"}, {"password", "backup pass"}}, writer);
              }),
              "not enough permissions (9)")
        << "a load replaces users: it needs policy";
    EXPECT_EQ(ErrorText([&] {
                  target.Run("/system/backup", "load", {{"name", "b.backup"}, {"password", "wrong"}});
              }),
              "wrong password or damaged backup file");
    EXPECT_EQ(Body(target.Run("/", "export")), "");
    EXPECT_EQ(ErrorText([&] {
                  target.Run("/system/backup", "save", {{"name", "x"}, {"encryption", "rc4"}});
              }),
              "encryption rc4 is not supported: certos encrypts backups with AES-256-GCM only");
    Result loaded = target.Run("/system/backup", "load", {{"name", "b"}, {"password", "backup pass"}});
    EXPECT_EQ(loaded.ret, "System configuration restored");
    EXPECT_EQ(Body(target.Run("/", "export")), Body(source.Run("/", "export")));
}

TEST(AliasTest, SeedServiceNameAndGenerateSelfSigned) {
    TreeFixture f;
    Bootstrap(f.tree());
    EXPECT_EQ(f.Run("/ip/service", "find", {{"name", "webfig-ssl"}}).ret,
              f.Run("/ip/service", "find", {{"name", "www-ssl"}}).ret);
    f.Run("/certificate", "generate-self-signed",
          {{"name", "router-https"},
           {"common-name", "router.local"},
           {"days-valid", "365"},
           {"key-usage", "digital-signature,key-encipherment,tls-server"}});
    Record cert = f.Certificate("router-https");
    EXPECT_EQ(testing::Flags(cert), "K    T") << "signed, with its key";
    EXPECT_EQ(cert.GetOr("issuer"), "CN=router.local") << "self-signed";
    // A sign that fails leaves no template behind.
    EXPECT_NE(ErrorText([&] {
                  f.Run("/certificate", "generate-self-signed",
                        {{"name", "bad"}, {"common-name", "x"}, {"key-size", "secp384r1"}, {"days-valid", "0"}});
              }),
              "(no error)");
    EXPECT_EQ(f.Run("/certificate", "find", {{"name", "bad"}}).ret, "");
}

}  // namespace
}  // namespace certos::menu
