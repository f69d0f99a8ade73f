// Golden tests of print rendering, against the console output shown in the Certificates seed.

#include "console/render.hpp"

#include <gtest/gtest.h>

namespace certos::console {
namespace {

using menu::ValueType;

menu::PropertySpec Spec(std::string name, ValueType type = ValueType::kString, bool quoted = true) {
    menu::PropertySpec spec;
    spec.name = std::move(name);
    spec.type = type;
    spec.quoted = quoted;
    return spec;
}

// CertificateLikeMenu has the /certificate flags and the properties the seed prints; detail shows a
// template's properties in the seed's order.
menu::Menu CertificateLikeMenu() {
    menu::Menu m;
    m.name = "certificate";
    m.path = "/certificate";
    m.properties = {Spec("name"),
                    Spec("key-type", ValueType::kString, false),
                    Spec("common-name"),
                    Spec("key-size", ValueType::kEnum),
                    Spec("subject-alt-name"),
                    Spec("days-valid", ValueType::kInteger),
                    Spec("key-usage", ValueType::kEnumList),
                    Spec("fingerprint"),
                    Spec("trusted", ValueType::kBool)};
    for (const char* flag : {"private-key", "crl", "smart-card-key", "authority", "issued", "revoked", "expired",
                             "acme-managed", "dynamic"}) {
        m.properties.push_back(Spec(flag, ValueType::kBool));
    }
    m.layout.flags = {{'K', "PRIVATE-KEY", "private-key", false},
                      {'L', "CRL", "crl", false},
                      {'C', "SMART-CARD-KEY", "smart-card-key", false},
                      {'A', "AUTHORITY", "authority", false},
                      {'I', "ISSUED", "issued", false},
                      {'R', "REVOKED", "revoked", true},
                      {'E', "EXPIRED", "expired", false},
                      {'T', "TRUSTED", "trusted", false},
                      {'a', "ACME-MANAGED", "acme-managed", false},
                      {'D', "DYNAMIC", "dynamic", false}};
    m.layout.table_columns = [](const std::vector<menu::Record>& records) {
        std::vector<std::string> columns = {"name", "common-name"};
        if (!records.empty() && records.front().Has("fingerprint")) {
            columns.push_back("fingerprint");
        }
        return columns;
    };
    m.layout.detail_properties = [](const menu::Record&) {
        return std::vector<std::string>{"name",       "key-type",  "common-name", "key-size", "subject-alt-name",
                                        "days-valid", "key-usage", "fingerprint"};
    };
    return m;
}

menu::Record Template(std::string id, std::string name, std::string common_name, std::string usage) {
    menu::Record r;
    r.Set(".id", std::move(id));
    r.Set("name", std::move(name));
    r.Set("key-type", "rsa");
    r.Set("common-name", std::move(common_name));
    r.Set("key-size", "2048");
    r.Set("subject-alt-name", "");
    r.Set("days-valid", "365");
    r.Set("key-usage", std::move(usage));
    r.Set("trusted", "false");
    return r;
}

menu::Record Signed(std::string id, std::string name, std::string common_name, std::string fingerprint,
                    std::vector<std::string> flags) {
    menu::Record r = Template(std::move(id), std::move(name), std::move(common_name), "key-cert-sign,crl-sign");
    r.Set("fingerprint", std::move(fingerprint));
    for (const std::string& flag : flags) {
        r.Set(flag, "true");
    }
    return r;
}

const char* const kDefaultUsage =
    "digital-signature,key-encipherment,data-encipherment,key-cert-sign,crl-sign,tls-server,tls-client";

std::vector<menu::Record> SeedTemplates() {
    return {Template("*1", "CA-Template", "CAtemp", "key-cert-sign,crl-sign"),
            Template("*2", "Server", "server", kDefaultUsage), Template("*3", "Client", "client", kDefaultUsage)};
}

std::vector<menu::Record> SeedSigned() {
    return {Signed("*1", "CA-Template", "CAtemp", "0c7aaa7607a4dde1bbf33deaae6be7bac9fe4064ba47d64e8a73dcefad6cfc38",
                   {"private-key", "authority", "trusted"}),
            Signed("*3", "Client", "client", "b3ff25ecb166ea41e15733a7493003f3ea66310c10390c33e98fe32364c3659f",
                   {"private-key", "authority", "trusted"}),
            Signed("*2", "ServerCA", "server", "152b88c9d81f4b765a59e2302e01efd1fbf11ceeed6e59f4974e87787a5bb980",
                   {"private-key", "crl", "authority", "trusted"})};
}

TEST(RenderTableTest, MatchesTheSeedsSignedCertificates) {
    EXPECT_EQ(
        RenderTable(CertificateLikeMenu(), SeedSigned(), {}),
        "Flags: K - PRIVATE-KEY; L - CRL; A - AUTHORITY; T - TRUSTED\n"
        "Columns: NAME, COMMON-NAME, FINGERPRINT\n"
        "#        NAME         COMMON-NAME  FINGERPRINT" +
            std::string(53, ' ') +
            "\n"
            "0  K AT  CA-Template  CAtemp       0c7aaa7607a4dde1bbf33deaae6be7bac9fe4064ba47d64e8a73dcefad6cfc38\n"
            "1  K AT  Client       client       b3ff25ecb166ea41e15733a7493003f3ea66310c10390c33e98fe32364c3659f\n"
            "2  KLAT  ServerCA     server       152b88c9d81f4b765a59e2302e01efd1fbf11ceeed6e59f4974e87787a5bb980\n");
}

// The seed's own table, from an 80-column terminal: a header longer than its values is cut to their width,
// and `Columns:` shows the hidden part in lower case.
TEST(RenderTableTest, NarrowTerminalCutsHeadersToTheirValuesLikeTheSeed) {
    RenderOptions options;
    options.width = 80;
    EXPECT_EQ(RenderTable(CertificateLikeMenu(), SeedSigned(), options),
              "Flags: K - PRIVATE-KEY; L - CRL; A - AUTHORITY; T - TRUSTED\n"
              "Columns: NAME, COMMON-name, FINGERPRINT\n"
              "#        NAME         COMMON  FINGERPRINT" +
                  std::string(53, ' ') +
                  "\n"
                  "0  K AT  CA-Template  CAtemp  0c7aaa7607a4dde1bbf33deaae6be7bac9fe4064ba47d64e8a73dcefad6cfc38\n"
                  "1  K AT  Client       client  b3ff25ecb166ea41e15733a7493003f3ea66310c10390c33e98fe32364c3659f\n"
                  "2  KLAT  ServerCA     server  152b88c9d81f4b765a59e2302e01efd1fbf11ceeed6e59f4974e87787a5bb980\n");
}

TEST(RenderTableTest, NoFlagsMeansNoLegendAndNoFlagArea) {
    EXPECT_EQ(RenderTable(CertificateLikeMenu(), SeedTemplates(), {}),
              "Columns: NAME, COMMON-NAME\n"
              "#  NAME         COMMON-NAME\n"
              "0  CA-Template  CAtemp\n"
              "1  Server       server\n"
              "2  Client       client\n");
}

TEST(RenderTableTest, SharedColumnShowsTheFlagsPresent) {
    std::vector<menu::Record> records = {Signed("*1", "ca", "ca", "aa", {"private-key", "authority", "trusted"}),
                                         Signed("*2", "srv", "srv", "bb", {"private-key", "issued"}),
                                         Signed("*3", "old", "old", "cc", {"issued", "revoked"})};
    EXPECT_EQ(RenderTable(CertificateLikeMenu(), records, {}),
              "Flags: K - PRIVATE-KEY; A - AUTHORITY; I - ISSUED, R - REVOKED; T - TRUSTED\n"
              "Columns: NAME, COMMON-NAME, FINGERPRINT\n"
              "#        NAME  COMMON-NAME  FINGERPRINT\n"
              "0  KA T  ca    ca           aa\n"
              "1  K I   srv   srv          bb\n"
              "2    R   old   old          cc\n");
    records.pop_back();
    records.push_back(Signed("*3", "old", "old", "cc", {"revoked"}));
    records.erase(records.begin() + 1);
    std::string table = RenderTable(CertificateLikeMenu(), records, {});
    EXPECT_EQ(table.substr(0, table.find('\n')), "Flags: K - PRIVATE-KEY; A - AUTHORITY; R - REVOKED; T - TRUSTED");
}

TEST(RenderTableTest, ProplistChoosesColumnsAndIntegersAlignRight) {
    std::vector<menu::Record> records = SeedTemplates();
    records[1].Set("days-valid", "3650");
    RenderOptions options;
    options.proplist = {".id", "name", "days-valid"};
    EXPECT_EQ(RenderTable(CertificateLikeMenu(), records, options),
              "Columns: NAME, DAYS-VALID\n"
              "#  NAME         DAYS-VALID\n"
              "0  CA-Template         365\n"
              "1  Server             3650\n"
              "2  Client              365\n");
}

TEST(RenderTableTest, WideIndexAlignsRightAndShowIdsUsesIds) {
    std::vector<menu::Record> records;
    for (int i = 0; i < 11; ++i) {
        records.push_back(Template("*" + std::to_string(i + 1), "t" + std::to_string(i), "cn", "crl-sign"));
    }
    std::string table = RenderTable(CertificateLikeMenu(), records, {});
    EXPECT_NE(table.find("\n #  NAME  COMMON-NAME\n 0  t0    cn\n"), std::string::npos) << table;
    EXPECT_NE(table.find("\n10  t10   cn\n"), std::string::npos) << table;
    RenderOptions ids;
    ids.show_ids = true;
    std::string with_ids = RenderTable(CertificateLikeMenu(), {records[0], records[10]}, ids);
    EXPECT_EQ(with_ids, "Columns: NAME, COMMON-NAME\n  #  NAME  COMMON-NAME\n *1  t0    cn\n*11  t10   cn\n");
}

TEST(RenderDetailTest, MatchesTheSeedsTemplatesAtWidth160) {
    RenderOptions options;
    options.width = 160;
    EXPECT_EQ(
        RenderDetail(CertificateLikeMenu(), SeedTemplates(), options),
        "Flags: K - PRIVATE-KEY; L - CRL; C - SMART-CARD-KEY; A - AUTHORITY; I - ISSUED, R - REVOKED; "
        "E - EXPIRED; T - TRUSTED; a - ACME-MANAGED; D - DYNAMIC \n"
        " 0           name=\"CA-Template\" key-type=rsa common-name=\"CAtemp\" key-size=2048 subject-alt-name=\"\" "
        "days-valid=365 key-usage=key-cert-sign,crl-sign \n"
        "\n"
        " 1           name=\"Server\" key-type=rsa common-name=\"server\" key-size=2048 subject-alt-name=\"\" "
        "days-valid=365 \n"
        "             key-usage=digital-signature,key-encipherment,data-encipherment,key-cert-sign,crl-sign,"
        "tls-server,tls-client \n"
        "\n"
        " 2           name=\"Client\" key-type=rsa common-name=\"client\" key-size=2048 subject-alt-name=\"\" "
        "days-valid=365 \n"
        "             key-usage=digital-signature,key-encipherment,data-encipherment,key-cert-sign,crl-sign,"
        "tls-server,tls-client \n");
}

TEST(RenderDetailTest, WrapsAtTheGivenWidth) {
    RenderOptions options;
    options.width = 80;
    std::string detail = RenderDetail(CertificateLikeMenu(), {SeedTemplates()[0]}, options);
    EXPECT_EQ(detail.substr(detail.find('\n') + 1),
              " 0           name=\"CA-Template\" key-type=rsa common-name=\"CAtemp\" key-size=2048 \n"
              "             subject-alt-name=\"\" days-valid=365 key-usage=key-cert-sign,crl-sign \n");
    for (std::size_t start = 0, end; (end = detail.find('\n', start)) != std::string::npos; start = end + 1) {
        if (start > 0) {
            EXPECT_LE(end - start, 81u) << detail.substr(start, end - start);  // 80 and the trailing space
        }
    }
}

TEST(RenderDetailTest, FlagsFillTheirColumns) {
    RenderOptions options;
    std::string detail = RenderDetail(CertificateLikeMenu(), {SeedSigned()[2]}, options);
    EXPECT_NE(detail.find("\n 0 KL A  T   name=\"ServerCA\" key-type=rsa"), std::string::npos) << detail;
}

TEST(RenderTerseTest, OneUnquotedLinePerRecord) {
    std::vector<menu::Record> records = {SeedSigned()[0], SeedTemplates()[1]};
    records[0].Set("common-name", "CA temp");
    EXPECT_EQ(RenderTerse(CertificateLikeMenu(), records),
              " 0 K  A  T   name=CA-Template key-type=rsa common-name=CA temp key-size=2048 subject-alt-name= "
              "days-valid=365 key-usage=key-cert-sign,crl-sign "
              "fingerprint=0c7aaa7607a4dde1bbf33deaae6be7bac9fe4064ba47d64e8a73dcefad6cfc38\n"
              " 1           name=Server key-type=rsa common-name=server key-size=2048 subject-alt-name= days-valid=365 "
              "key-usage=digital-signature,key-encipherment,data-encipherment,key-cert-sign,crl-sign,tls-server,"
              "tls-client\n");
}

// `print proplist=name,expires-after,invalid-after` shows those properties and nothing else in every mode:
// no flag area unless the proplist names a flag (issue 16). The records come projected (list_menu.cpp).
TEST(RenderProplistTest, EveryModeShowsTheProplistOnly) {
    menu::Record r;
    r.Set(".id", "*1");
    r.Set("name", "CA-Template");
    r.Set("expires-after", "52w23h59m");
    r.Set("invalid-after", "2027-12-02 05:00:00");
    RenderOptions options;
    options.proplist = {"name", "expires-after", "invalid-after", ".id"};
    EXPECT_EQ(RenderDetail(CertificateLikeMenu(), {r}, options),
              " 0 name=\"CA-Template\" expires-after=52w23h59m invalid-after=\"2027-12-02 05:00:00\" \n");
    EXPECT_EQ(RenderTerse(CertificateLikeMenu(), {r}, options),
              " 0 name=CA-Template expires-after=52w23h59m invalid-after=2027-12-02 05:00:00\n");
    EXPECT_EQ(RenderTable(CertificateLikeMenu(), {r}, options),
              "Columns: NAME, EXPIRES-AFTER, INVALID-AFTER\n"
              "#  NAME         EXPIRES-AFTER  INVALID-AFTER      \n"
              "0  CA-Template  52w23h59m      2027-12-02 05:00:00\n");
    // A flag the proplist names has its column and its legend entry, and is not repeated as a property.
    r.Set("trusted", "true");
    options.proplist = {"name", "trusted"};
    EXPECT_EQ(RenderDetail(CertificateLikeMenu(), {r}, options), "Flags: T - TRUSTED \n 0 T name=\"CA-Template\" \n");
    EXPECT_EQ(RenderTable(CertificateLikeMenu(), {r}, options),
              "Flags: T - TRUSTED\nColumns: NAME\n#     NAME       \n0  T  CA-Template\n");
}

TEST(RenderAsValueTest, JoinsRecordsWithSemicolons) {
    menu::Record a;
    a.Set(".id", "*1");
    a.Set("name", "x");
    a.Set("trusted", "true");
    menu::Record b;
    b.Set(".id", "*2");
    b.Set("name", "y");
    EXPECT_EQ(RenderAsValue({a, b}), ".id=*1;name=x;trusted=true;.id=*2;name=y\n");
    EXPECT_EQ(RenderAsValue({}), "\n");
}

TEST(RenderKeyValuesTest, RightAlignsNamesAndShowsBooleansAsYesNo) {
    menu::Menu settings;
    settings.properties = {Spec("crl-download", ValueType::kBool), Spec("crl-use", ValueType::kBool),
                           Spec("crl-store", ValueType::kEnum)};
    menu::Record r;
    r.Set("crl-download", "false");
    r.Set("crl-use", "true");
    r.Set("crl-store", "ram");
    EXPECT_EQ(RenderKeyValues(settings, {r}),
              "  crl-download: no\n"
              "       crl-use: yes\n"
              "     crl-store: ram\n");
}

TEST(RenderKeyValuesTest, ImportSummaryLayout) {
    menu::Record r;
    r.Set("certificates-imported", "2");
    r.Set("private-keys-imported", "1");
    r.Set("files-imported", "1");
    r.Set("decryption-failures", "0");
    r.Set("keys-with-no-certificate", "0");
    EXPECT_EQ(RenderKeyValues(menu::Menu{}, {r}),
              "     certificates-imported: 2\n"
              "     private-keys-imported: 1\n"
              "            files-imported: 1\n"
              "       decryption-failures: 0\n"
              "  keys-with-no-certificate: 0\n");
}

TEST(QuoteValueTest, EscapesLikeTheConsoleReadsThem) {
    EXPECT_EQ(QuoteValue(""), "\"\"");
    EXPECT_EQ(QuoteValue("a\"b\\c$d\ne\tf"), "\"a\\\"b\\\\c\\$d\\ne\\tf\"");
    EXPECT_EQ(QuoteValue(std::string("x\x01y")), "\"x\\01y\"");
    EXPECT_EQ(QuoteValue("CN=x y"), "\"CN=x y\"");
}

}  // namespace
}  // namespace certos::console
