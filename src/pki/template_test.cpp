#include "pki/template.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::pki {
namespace {

TEST(TemplateTest, AcceptsAndCanonicalisesSubjectAltNames) {
    EXPECT_EQ(CheckSubjectAltName(""), "");
    EXPECT_EQ(CheckSubjectAltName("DNS:router.lan,IP:192.168.88.1"), "DNS:router.lan,IP:192.168.88.1");
    EXPECT_EQ(CheckSubjectAltName("dns:a.b,ip:::1,EMAIL:x@y.z"), "DNS:a.b,IP:::1,email:x@y.z");
    EXPECT_EQ(CheckSubjectAltName("DNS:*.example.com"), "DNS:*.example.com");
}

TEST(TemplateTest, RejectsBadSubjectAltNames) {
    for (const char* bad :
         {"router.lan", "DNS:", "IP:300.1.1.1", "IP:foo", "email:nobody", "URI:x", "DNS:a b", "DNS:a,", ","}) {
        EXPECT_THROW(CheckSubjectAltName(bad), core::Error) << bad;
    }
}

TEST(TemplateTest, CountryIsTwoLetters) {
    EXPECT_EQ(CheckCountry(""), "");
    EXPECT_EQ(CheckCountry("LV"), "LV");
    EXPECT_THROW(CheckCountry("LVA"), core::Error);
    EXPECT_THROW(CheckCountry("1V"), core::Error);
}

TEST(TemplateTest, SubjectTextAndNames) {
    EXPECT_EQ(CheckSubjectText("Acme Ltd"), "Acme Ltd");
    EXPECT_THROW(CheckSubjectText(std::string(65, 'x')), core::Error);
    EXPECT_THROW(CheckSubjectText("a\nb"), core::Error);
    EXPECT_THROW(CheckName(""), core::Error);
    EXPECT_EQ(CheckName("CA-Template"), "CA-Template");
}

TEST(TemplateTest, KeyTypeFollowsKeySize) {
    EXPECT_EQ(KeyTypeOf("2048"), "rsa");
    EXPECT_EQ(KeyTypeOf("prime256v1"), "ec");
    EXPECT_EQ(KeyTypeOf("secp521r1"), "ec");
}

// Every value of the schema's one key-size list parses into the key it names; anything else is the schema's
// argument error (the text RouterOS prints), which crypto never produces.
TEST(TemplateTest, KeySizeParsesIntoAKeySpec) {
    EXPECT_EQ(ParseKeySize("2048"), crypto::KeySpec::Rsa(2048));
    EXPECT_EQ(ParseKeySize("8192"), crypto::KeySpec::Rsa(8192));
    EXPECT_EQ(ParseKeySize("prime256v1"), crypto::KeySpec::Ec("prime256v1"));
    EXPECT_EQ(ParseKeySize("secp384r1"), crypto::KeySpec::Ec("secp384r1"));
    for (const std::string& value : KeySizeValues()) {
        crypto::KeySpec spec = ParseKeySize(value);
        EXPECT_EQ(spec.algorithm == crypto::KeyAlgorithm::kRsa ? "rsa" : "ec", KeyTypeOf(value)) << value;
    }
    EXPECT_EQ(ParseKeySize(kDefaultKeySize), crypto::KeySpec::Rsa(2048));
    for (std::string_view bad : {"", "512", "3072", "2048 ", "P-256", "secp256k1"}) {
        try {
            ParseKeySize(bad);
            ADD_FAILURE() << "accepted key-size " << bad;
        } catch (const core::Error& e) {
            EXPECT_EQ(e.category(), core::ErrorCategory::kArgument);
            EXPECT_STREQ(e.what(), "input does not match any value of key-size");
        }
    }
}

}  // namespace
}  // namespace certos::pki
