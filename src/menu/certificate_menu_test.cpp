#include "menu/certificate_menu.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "menu/test_tree.hpp"

namespace certos::menu {
namespace {

using testing::TreeFixture;
using Args = std::vector<std::pair<std::string, std::string>>;

// Snapshot is every row with every property, as print returns them (less the clock-dependent ones).
std::vector<std::vector<std::pair<std::string, std::string>>> Snapshot(TreeFixture& f) {
    std::vector<std::vector<std::pair<std::string, std::string>>> out;
    for (Record& r : f.Run("/certificate", "print").records) {
        r.Erase("expires-after");
        out.push_back(r.fields());
    }
    return out;
}

Record Get(TreeFixture& f, const std::string& item) {
    Result result = f.Run("/certificate", "get", {{"number", item}});
    EXPECT_EQ(result.records.size(), 1u);
    return result.records.empty() ? Record{} : result.records.front();
}

TEST(CertificateMenuTest, AddAppliesRouterOsDefaults) {
    TreeFixture f;
    std::string id =
        *f.Run("/certificate", "add",
               {{"name", "CA-Template"}, {"common-name", "CAtemp"}, {"key-usage", "key-cert-sign,crl-sign"}})
             .ret;
    EXPECT_EQ(id, "*1");
    Record r = Get(f, "CA-Template");
    EXPECT_EQ(r.GetOr(".id"), "*1");
    EXPECT_EQ(r.GetOr("common-name"), "CAtemp");
    EXPECT_EQ(r.GetOr("key-type"), "rsa");
    EXPECT_EQ(r.GetOr("key-size"), "2048");
    EXPECT_EQ(r.GetOr("days-valid"), "365");
    EXPECT_EQ(r.GetOr("digest-algorithm"), "sha256");
    EXPECT_EQ(r.GetOr("key-usage"), "key-cert-sign,crl-sign");
    EXPECT_EQ(r.GetOr("subject-alt-name"), "");
    EXPECT_EQ(r.GetOr("trust-store"), "all");
    EXPECT_EQ(r.GetOr("trusted"), "false");
    EXPECT_EQ(r.GetOr("private-key"), "false");
    EXPECT_FALSE(r.Has("fingerprint"));

    f.Run("/certificate", "add", {{"name", "Server"}, {"common-name", "server"}});
    EXPECT_EQ(Get(f, "Server").GetOr("key-usage"),
              "digital-signature,key-encipherment,data-encipherment,key-cert-sign,crl-sign,tls-server,tls-client");
}

TEST(CertificateMenuTest, EcKeySizeGivesEcKeyType) {
    TreeFixture f;
    f.Run("/certificate", "add", {{"name", "e"}, {"key-size", "prime256v1"}});
    EXPECT_EQ(Get(f, "e").GetOr("key-type"), "ec");
    f.Run("/certificate", "set", {{"numbers", "e"}, {"key-size", "4096"}});
    EXPECT_EQ(Get(f, "e").GetOr("key-type"), "rsa");
}

TEST(CertificateMenuTest, CopyFromTakesTemplateSettingsAndArgumentsWin) {
    TreeFixture f;
    f.Run("/certificate", "add",
          {{"name", "base"},
           {"common-name", "base"},
           {"organization", "Acme"},
           {"country", "LV"},
           {"days-valid", "30"},
           {"key-size", "secp384r1"},
           {"subject-alt-name", "DNS:a.lan"}});
    f.Run("/certificate", "add", {{"name", "copy"}, {"copy-from", "base"}, {"common-name", "other"}});
    Record r = Get(f, "copy");
    EXPECT_EQ(r.GetOr("organization"), "Acme");
    EXPECT_EQ(r.GetOr("country"), "LV");
    EXPECT_EQ(r.GetOr("days-valid"), "30");
    EXPECT_EQ(r.GetOr("key-size"), "secp384r1");
    EXPECT_EQ(r.GetOr("key-type"), "ec");
    EXPECT_EQ(r.GetOr("subject-alt-name"), "DNS:a.lan");
    EXPECT_EQ(r.GetOr("common-name"), "other");
}

TEST(CertificateMenuTest, SetUnsetAndRemove) {
    TreeFixture f;
    f.Run("/certificate", "add", {{"name", "t"}, {"days-valid", "10"}, {"trusted", "yes"}});
    f.Run("/certificate", "set", {{"numbers", "t"}, {"name", "t2"}, {"common-name", "cn"}});
    Record r = Get(f, "t2");
    EXPECT_EQ(r.GetOr("common-name"), "cn");
    EXPECT_EQ(r.GetOr("trusted"), "true");
    f.Run("/certificate", "unset", {{"numbers", "t2"}, {"value-name", "days-valid,trusted"}});
    r = Get(f, "t2");
    EXPECT_EQ(r.GetOr("days-valid"), "365");
    EXPECT_EQ(r.GetOr("trusted"), "false");
    f.Run("/certificate", "remove", {{"numbers", "t2"}});
    EXPECT_EQ(f.Run("/certificate", "print", {{"count-only", ""}}).ret, "0");
}

TEST(CertificateMenuTest, IdsAreNeverReused) {
    TreeFixture f;
    f.Run("/certificate", "add", {{"name", "a"}});
    f.Run("/certificate", "add", {{"name", "b"}});
    f.Run("/certificate", "remove", {{"numbers", "b"}});
    EXPECT_EQ(f.Run("/certificate", "add", {{"name", "c"}}).ret, "*3");
}

TEST(CertificateMenuTest, FindAndPrintFilter) {
    TreeFixture f;
    f.Run("/certificate", "add", {{"name", "a"}, {"common-name", "x"}});
    f.Run("/certificate", "add", {{"name", "b"}, {"common-name", "x"}, {"trusted", "yes"}});
    f.Run("/certificate", "add", {{"name", "c"}, {"common-name", "y"}});
    EXPECT_EQ(f.Run("/certificate", "find", {{"common-name", "x"}}).ret, "*1;*2");
    Request request{"/certificate", "print", {}, Filter::Compare(Filter::Op::kEq, "trusted", "yes"), {"name"}};
    Result printed = f.tree().Execute(request, Session{});
    ASSERT_EQ(printed.records.size(), 1u);
    EXPECT_EQ(printed.records[0].fields(), (std::vector<std::pair<std::string, std::string>>{{"name", "b"}}));
}

// Each bad input gets RouterOS's message and leaves every row and property as it was.
struct BadInput {
    const char* verb;
    Args args;
    const char* message;
};

class CertificateBadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(CertificateBadInputTest, FailsAndChangesNothing) {
    TreeFixture f;
    f.Run("/certificate", "add", {{"name", "a"}, {"common-name", "first"}});
    f.Run("/certificate", "add", {{"name", "b"}, {"common-name", "second"}});
    auto before = Snapshot(f);
    const BadInput& bad = GetParam();
    try {
        f.Run("/certificate", bad.verb, bad.args);
        ADD_FAILURE() << "accepted";
    } catch (const core::Error& e) {
        EXPECT_EQ(std::string(e.what()), bad.message);
    }
    EXPECT_EQ(Snapshot(f), before);
}

INSTANTIATE_TEST_SUITE_P(
    BadInputs, CertificateBadInputTest,
    ::testing::Values(
        BadInput{"add", {{"name", "c"}, {"colour", "red"}}, "unknown parameter colour"},
        BadInput{"add", {{"name", "c"}, {"key-size", "3000"}}, "input does not match any value of key-size"},
        BadInput{
            "add", {{"name", "c"}, {"digest-algorithm", "sha3"}}, "input does not match any value of digest-algorithm"},
        BadInput{
            "add", {{"name", "c"}, {"key-usage", "tls-server,flying"}}, "input does not match any value of key-usage"},
        BadInput{"add", {{"common-name", "c"}}, "missing value(s) of argument(s) name"},
        BadInput{"add", {{"name", "a"}}, "certificate with the same name already exists"},
        BadInput{"add",
                 {{"name", "c"}, {"subject-alt-name", "router.lan"}},
                 "invalid subject-alt-name entry \"router.lan\" (expected DNS:name, IP:address or email:address)"},
        BadInput{"add",
                 {{"name", "c"}, {"subject-alt-name", "IP:999.1.1.1"}},
                 "invalid subject-alt-name entry \"IP:999.1.1.1\" (expected DNS:name, IP:address or email:address)"},
        BadInput{"add", {{"name", "c"}, {"days-valid", "0"}}, "value of days-valid out of range (1..36500)"},
        BadInput{"add", {{"name", "c"}, {"days-valid", "many"}}, "invalid value for argument days-valid"},
        BadInput{"add", {{"name", "c"}, {"trusted", "perhaps"}}, "input does not match any value of trusted"},
        BadInput{"add",
                 {{"name", "c"}, {"country", "Latvia"}},
                 "invalid value for argument country (expected two letters, e.g. LV)"},
        BadInput{"add", {{"name", "c"}, {"copy-from", "nothing"}}, "no such item"},
        BadInput{"set", {{"numbers", "*99"}, {"common-name", "z"}}, "no such item"},
        BadInput{"set", {{"numbers", "b"}, {"name", "a"}}, "certificate with the same name already exists"},
        // The first item would be renamed before the second fails: the whole command rolls back.
        BadInput{"set", {{"numbers", "a,b"}, {"name", "same"}}, "certificate with the same name already exists"},
        BadInput{"remove", {{"numbers", "a,*77"}}, "no such item"},
        BadInput{"unset", {{"numbers", "a"}, {"value-name", "colour"}}, "input does not match any value of value-name"},
        BadInput{"get", {{"number", "a"}, {"value-name", "colour"}}, "no such property: colour"}));

TEST(CertificateMenuTest, RemovingACaRemovesWhatItIssuedTransitively) {
    TreeFixture f;
    for (const char* name : {"root", "intermediate", "leaf", "other"}) {
        f.Run("/certificate", "add", {{"name", name}});
    }
    // Link issuers directly in the store (signing arrives with the CA verbs).
    {
        auto tx = f.tree().store().Begin(store::TxMode::kWrite);
        auto link = [&](const char* child, const char* parent) {
            auto row = *tx->FindCertificateByName(child);
            row.issuer_id = tx->FindCertificateByName(parent)->id;
            tx->UpdateCertificate(row);
        };
        link("intermediate", "root");
        link("leaf", "intermediate");
        tx->Commit();
    }
    f.Run("/certificate", "remove", {{"numbers", "root"}});
    Result left = f.Run("/certificate", "print", {{"proplist", "name"}});
    ASSERT_EQ(left.records.size(), 1u);
    EXPECT_EQ(left.records[0].GetOr("name"), "other");
}

}  // namespace
}  // namespace certos::menu
