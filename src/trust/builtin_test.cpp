#include "trust/builtin.hpp"

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

namespace certos::trust {
namespace {

TEST(BuiltinTest, LoadsDebianRootsOnce) {
    if (!std::filesystem::exists(kBuiltinRootsFile)) {
        GTEST_FAIL() << "ca-certificates is not installed (scripts/install-deps.sh installs it)";
    }
    const std::vector<BuiltinRoot>& roots = BuiltinRoots();
    ASSERT_GT(roots.size(), 50u);
    EXPECT_EQ(&roots, &BuiltinRoots());
    for (const BuiltinRoot& root : roots) {
        EXPECT_FALSE(root.name.empty()) << root.fingerprint;
        EXPECT_EQ(root.fingerprint.size(), 64u);
    }
    // ISRG Root X1: the fingerprint the facts file quotes from RouterOS (§1.9).
    auto isrg = std::find_if(roots.begin(), roots.end(), [](const BuiltinRoot& r) { return r.name == "ISRG Root X1"; });
    ASSERT_NE(isrg, roots.end());
    EXPECT_EQ(isrg->fingerprint, "96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6");
    EXPECT_EQ(isrg->organization, "Internet Security Research Group");
    EXPECT_EQ(isrg->skid, "79b459e67bb6e5e40173800888c81a58f6e99b6e");
}

TEST(BuiltinTest, SettingNamesTheServicesThatTrustBuiltinRoots) {
    EXPECT_TRUE(BuiltinTrustedFor("default", "fetch"));
    EXPECT_TRUE(BuiltinTrustedFor("default", "reverse-proxy"));
    EXPECT_FALSE(BuiltinTrustedFor("default", "ipsec"));
    EXPECT_TRUE(BuiltinTrustedFor("default,ipsec", "ipsec"));
    EXPECT_TRUE(BuiltinTrustedFor("all", "ipsec"));
    EXPECT_TRUE(BuiltinTrustedFor("api", "api"));
    EXPECT_FALSE(BuiltinTrustedFor("api", "www"));
    EXPECT_FALSE(BuiltinTrustedFor("untrusted", "www"));
    EXPECT_FALSE(BuiltinTrustedFor("untrusted", ""));
    EXPECT_FALSE(BuiltinTrustedFor("", "www"));
    EXPECT_TRUE(BuiltinTrustedFor("default", ""));
}

}  // namespace
}  // namespace certos::trust
