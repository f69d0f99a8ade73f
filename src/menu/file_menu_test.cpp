#include <gtest/gtest.h>

#include "core/error.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

using testing::TreeFixture;

TEST(FileMenuTest, AddPrintGetSetRemove) {
    TreeFixture f;
    std::string id = *f.Run("/file", "add", {{"name", "cert.pem"}, {"contents", "hello"}}).ret;
    EXPECT_EQ(f.files().Read("cert.pem"), "hello");
    Result printed = f.Run("/file", "print");
    ASSERT_EQ(printed.records.size(), 1u);
    EXPECT_EQ(printed.records[0].GetOr(".id"), id);
    EXPECT_EQ(printed.records[0].GetOr("type"), ".pem file");
    EXPECT_EQ(printed.records[0].GetOr("size"), "5");
    EXPECT_EQ(f.Run("/file", "get", {{"number", "cert.pem"}, {"value-name", "contents"}}).ret, "hello");
    f.Run("/file", "set", {{"numbers", id}, {"contents", "bye"}});
    EXPECT_EQ(f.files().Read("cert.pem"), "bye");
    EXPECT_THROW(f.Run("/file", "add", {{"name", "cert.pem"}}), core::Error);
    EXPECT_THROW(f.Run("/file", "add", {{"name", "../escape"}}), core::Error);
    f.Run("/file", "remove", {{"numbers", "cert.pem"}});
    EXPECT_TRUE(f.Run("/file", "print").records.empty());
    EXPECT_THROW(f.Run("/file", "remove", {{"numbers", "cert.pem"}}), core::Error);
}

TEST(FileMenuTest, IdsAreStablePerName) {
    TreeFixture f;
    std::string a = *f.Run("/file", "add", {{"name", "a"}}).ret;
    f.Run("/file", "add", {{"name", "0first"}});
    EXPECT_EQ(f.Run("/file", "get", {{"number", a}, {"value-name", "name"}}).ret, "a");
}

TEST(FileMenuTest, ContentsNeedTheSensitivePolicy) {
    TreeFixture f;
    f.Run("/file", "add", {{"name", "cert_export_x.key"}, {"contents", "ENCRYPTED KEY"}});
    Session reader;
    reader.policies = kPolicyRead;
    Record listed = f.Run("/file", "print", {}, reader).records.at(0);
    EXPECT_FALSE(listed.Has("contents"));
    EXPECT_EQ(listed.GetOr("name"), "cert_export_x.key");
    EXPECT_THROW(f.Run("/file", "get", {{"number", "cert_export_x.key"}, {"value-name", "contents"}}, reader),
                 core::Error);
    EXPECT_EQ(f.Run("/file", "get", {{"number", "cert_export_x.key"}, {"value-name", "contents"}}).ret,
              "ENCRYPTED KEY");
    // get without value-name returns the file without its contents (it used to return them).
    Record got = f.Run("/file", "get", {{"number", "cert_export_x.key"}}, reader).records.at(0);
    EXPECT_EQ(got.GetOr("name"), "cert_export_x.key");
    EXPECT_FALSE(got.Has("contents"));
    EXPECT_EQ(f.Run("/file", "get", {{"number", "cert_export_x.key"}}).records.at(0).GetOr("contents"),
              "ENCRYPTED KEY");
    // A filter on contents would be an oracle (print where contents~"^E" tells the first letter): refused.
    Request oracle{"/file", "print", {}, Filter::Compare(Filter::Op::kRegex, "contents", "^E"), {}};
    try {
        f.tree().Execute(oracle, reader);
        ADD_FAILURE() << "filter on contents accepted";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kPermission);
    }
    EXPECT_EQ(f.tree().Execute(oracle, Session{}).records.size(), 1u);
}

}  // namespace
}  // namespace certos::menu
