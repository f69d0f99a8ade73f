#include "menu/schema.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace certos::menu {
namespace {

PropertySpec Spec(ValueType type, std::vector<std::string> values = {}) {
    PropertySpec spec;
    spec.name = "key-size";
    spec.type = type;
    spec.values = std::move(values);
    return spec;
}

void ExpectError(const PropertySpec& spec, std::string_view raw, std::string_view message) {
    try {
        Canonicalize(spec, raw);
        ADD_FAILURE() << "accepted " << raw;
    } catch (const core::Error& e) {
        EXPECT_EQ(e.what(), message);
        EXPECT_EQ(e.category(), core::ErrorCategory::kArgument);
    }
}

TEST(SchemaTest, EnumsMatchExactly) {
    PropertySpec spec = Spec(ValueType::kEnum, {"1024", "2048", "prime256v1"});
    EXPECT_EQ(Canonicalize(spec, "2048"), "2048");
    ExpectError(spec, "2047", "input does not match any value of key-size");
    ExpectError(spec, "", "input does not match any value of key-size");
}

TEST(SchemaTest, EnumListsComeBackInSchemaOrderWithoutDuplicates) {
    PropertySpec spec = Spec(ValueType::kEnumList, {"digital-signature", "key-cert-sign", "crl-sign"});
    EXPECT_EQ(Canonicalize(spec, "crl-sign,key-cert-sign,crl-sign"), "key-cert-sign,crl-sign");
    EXPECT_EQ(Canonicalize(spec, ""), "");
    ExpectError(spec, "crl-sign,bogus", "input does not match any value of key-size");
}

TEST(SchemaTest, IntegersAreRangeChecked) {
    PropertySpec spec = Spec(ValueType::kInteger);
    spec.name = "days-valid";
    spec.min = 1;
    spec.max = 36500;
    EXPECT_EQ(Canonicalize(spec, "365"), "365");
    EXPECT_EQ(Canonicalize(spec, "0x10"), "16");
    ExpectError(spec, "0", "value of days-valid out of range (1..36500)");
    ExpectError(spec, "99999999999999999999", "value of days-valid out of range (1..36500)");
    ExpectError(spec, "abc", "invalid value for argument days-valid");
    ExpectError(spec, "", "invalid value for argument days-valid");
}

TEST(SchemaTest, BooleansBecomeTrueFalse) {
    PropertySpec spec = Spec(ValueType::kBool);
    spec.name = "trusted";
    EXPECT_EQ(Canonicalize(spec, "yes"), "true");
    EXPECT_EQ(Canonicalize(spec, "false"), "false");
    ExpectError(spec, "maybe", "input does not match any value of trusted");
    EXPECT_EQ(ConsoleValue(&spec, "true"), "yes");
    EXPECT_EQ(ConsoleValue(nullptr, "true"), "true");
}

TEST(SchemaTest, DurationsAreCanonical) {
    PropertySpec spec = Spec(ValueType::kDuration);
    EXPECT_EQ(Canonicalize(spec, "00:05:00"), "5m");
    EXPECT_THROW(Canonicalize(spec, "soon"), core::Error);
}

TEST(SchemaTest, CustomCheckRuns) {
    PropertySpec spec = Spec(ValueType::kString);
    spec.check = [](std::string_view v) -> std::string {
        if (v == "bad") {
            throw core::ArgumentError("nope");
        }
        return std::string(v) + "!";
    };
    EXPECT_EQ(Canonicalize(spec, "ok"), "ok!");
    ExpectError(spec, "bad", "nope");
}

}  // namespace
}  // namespace certos::menu
