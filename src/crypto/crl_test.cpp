// CRLs: certos-made ones read back by the openssl CLI, openssl-made ones (tests/data/trust) read by certos.

#include "crypto/crl.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/value.hpp"
#include "crypto/issue.hpp"
#include "crypto/test_support.hpp"

namespace certos::crypto {
namespace {

using test_support::RunCommand;
using test_support::TempFile;

std::string TrustData(const std::string& name) {
    return test_support::ReadFile(test_support::DataDir().parent_path() / "trust" / name);
}

std::string TrustExpected(const std::string& key) {
    std::istringstream in(TrustData("expected.txt"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(key + "=")) {
            return line.substr(key.size() + 1);
        }
    }
    ADD_FAILURE() << "trust/expected.txt has no " << key;
    return {};
}

TimePoint Now() { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); }

struct TestCa {
    PrivateKey key;
    Certificate cert;
};

TestCa MakeCa(std::vector<std::string> usage = {"key-cert-sign", "crl-sign"},
              const KeySpec& key_spec = KeySpec::Ec("prime256v1")) {
    PrivateKey key = PrivateKey::Generate(key_spec);
    IssueRequest request;
    request.subject = {{"O", "certos"}, {"CN", "CRL Test CA"}};
    request.key_usage = std::move(usage);
    request.is_ca = true;
    request.serial = std::string("\x01\x02\x03", 3);
    request.not_before = Now() - std::chrono::hours(1);
    request.not_after = Now() + std::chrono::hours(24 * 30);
    return {key, IssueCertificate(request, key.PublicKeyDer(), key, nullptr)};
}

CrlRequest Request(std::uint64_t number, std::vector<RevokedEntry> revoked) {
    CrlRequest request;
    request.number = number;
    request.this_update = Now();
    request.next_update = Now() + std::chrono::hours(24 * 7);
    request.revoked = std::move(revoked);
    return request;
}

TEST(CrlTest, IssuedCrlHasEveryFieldAndOpenSslReadsIt) {
    TestCa ca = MakeCa();
    TimePoint revoked_at = Now() - std::chrono::hours(2);
    Crl crl = IssueCrl(Request(7, {{"1A2B3C", revoked_at, RevocationReason::kKeyCompromise},
                                   {"0FFF", revoked_at, std::nullopt},
                                   {"77", revoked_at, RevocationReason::kUnspecified}}),
                       ca.cert, ca.key);
    EXPECT_EQ(crl.IssuerString(), "O=certos,CN=CRL Test CA");
    EXPECT_EQ(crl.NumberText(), "7");
    EXPECT_EQ(crl.AkidHex(), ca.cert.SkidHex());
    EXPECT_EQ(crl.SignatureDigest(), "sha256");
    ASSERT_TRUE(crl.NextUpdate());
    EXPECT_EQ(*crl.NextUpdate() - crl.ThisUpdate(), std::chrono::hours(24 * 7));
    EXPECT_TRUE(crl.IsSignedBy(ca.cert));
    EXPECT_FALSE(crl.IsSignedBy(MakeCa().cert));
    ASSERT_EQ(crl.RevokedCount(), 3u);
    auto entry = crl.FindRevoked("1A2B3C");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->revoked_at, revoked_at);
    EXPECT_EQ(entry->reason, RevocationReason::kKeyCompromise);
    EXPECT_EQ(crl.FindRevoked("FFF")->reason, std::nullopt);
    EXPECT_EQ(crl.FindRevoked("77")->reason, std::nullopt);  // RFC 5280 §5.3.1: unspecified is left out
    EXPECT_FALSE(crl.FindRevoked("1234"));
    EXPECT_EQ(Crl::FromDer(crl.ToDer()).FingerprintSha256(), crl.FingerprintSha256());
    EXPECT_EQ(Crl::FromDerOrPem(crl.ToPem()).FingerprintSha256(), crl.FingerprintSha256());

    CERTOS_REQUIRE_OPENSSL_CLI();
    TempFile der(crl.ToDer(), ".crl");
    TempFile ca_pem(ca.cert.ToPem(), ".pem");
    auto text = RunCommand("openssl crl -inform DER -in " + der.path() + " -noout -text");
    ASSERT_EQ(text.status, 0) << text.output;
    EXPECT_NE(text.output.find("Version 2"), std::string::npos);
    EXPECT_NE(text.output.find("Serial Number: 1A2B3C"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("Key Compromise"), std::string::npos);
    EXPECT_NE(text.output.find("X509v3 CRL Number: \n                7"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("X509v3 Authority Key Identifier"), std::string::npos);
    auto verify = RunCommand("openssl crl -inform DER -in " + der.path() + " -noout -CAfile " + ca_pem.path());
    EXPECT_EQ(verify.status, 0) << verify.output;
    EXPECT_NE(verify.output.find("verify OK"), std::string::npos) << verify.output;
}

TEST(CrlTest, ManyEntriesAreSortedBySerialAndVerifyWithRsaToo) {
    TestCa ca = MakeCa({"key-cert-sign", "crl-sign"}, KeySpec::Rsa(2048));
    std::vector<RevokedEntry> entries;
    for (int i = 0; i < 3000; ++i) {
        // Serials of different lengths and cases, given in no particular order.
        std::string hex = HexUpper(std::string(1 + i % 17, static_cast<char>(i * 7919 % 251 + 1)));
        entries.push_back({i % 2 == 0 ? hex : core::ToLowerAscii(hex) + "", Now(), std::nullopt});
        if (i % 5 == 0) {
            entries.back().reason = RevocationReason::kSuperseded;
        }
    }
    // Leading zero digits are not part of the magnitude the entries are sorted by; zero itself is one byte.
    entries.push_back({"000000ab", Now(), std::nullopt});
    entries.push_back({"0", Now(), std::nullopt});
    std::string der = IssueCrlDer(Request(42, entries), ca.cert, ca.key);
    Crl crl = Crl::FromDer(der);
    EXPECT_TRUE(crl.IsSignedBy(ca.cert));
    std::vector<RevokedEntry> read = crl.Entries();
    ASSERT_EQ(read.size(), entries.size());
    for (std::size_t i = 1; i < read.size(); ++i) {
        const std::string& a = read[i - 1].serial_hex;
        const std::string& b = read[i].serial_hex;
        ASSERT_TRUE(a.size() < b.size() || (a.size() == b.size() && a <= b)) << a << " before " << b;
    }
    EXPECT_EQ(crl.FindRevoked(entries[5].serial_hex)->reason, RevocationReason::kSuperseded);
    EXPECT_TRUE(crl.FindRevoked("AB").has_value());
    EXPECT_EQ(read.front().serial_hex, "0");

    CERTOS_REQUIRE_OPENSSL_CLI();
    TempFile file(der, ".crl");
    TempFile ca_pem(ca.cert.ToPem(), ".pem");
    auto verify = RunCommand("openssl crl -inform DER -in " + file.path() + " -noout -CAfile " + ca_pem.path());
    EXPECT_NE(verify.output.find("verify OK"), std::string::npos) << verify.output;
}

TEST(CrlTest, ReadsOpenSslMadeCrl) {
    Crl crl = Crl::FromPem(TrustData("inter.crl.pem"));
    Certificate inter = Certificate::FromPem(TrustData("inter.crt"));
    EXPECT_EQ(crl.IssuerString(), TrustExpected("inter.crl.issuer"));
    EXPECT_EQ(crl.NumberText(), TrustExpected("inter.crl.number"));
    EXPECT_EQ(crl.AkidHex(), TrustExpected("inter.skid"));
    EXPECT_EQ(crl.FingerprintSha256(), TrustExpected("inter.crl.fingerprint"));
    EXPECT_TRUE(crl.IsSignedBy(inter));
    EXPECT_FALSE(crl.IsSignedBy(Certificate::FromPem(TrustData("root.crt"))));
    std::vector<RevokedEntry> entries = crl.Entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].serial_hex, TrustExpected("leaf_revoked.serial"));
    ASSERT_TRUE(entries[0].reason);
    EXPECT_EQ(RevocationReasonName(*entries[0].reason), TrustExpected("inter.crl.reason"));
    EXPECT_FALSE(crl.FindRevoked(TrustExpected("leaf.serial")));
}

TEST(CrlTest, RefusesCaWithoutCrlSignOrForeignKey) {
    TestCa no_crl_sign = MakeCa({"key-cert-sign"});
    EXPECT_THROW(IssueCrl(Request(1, {}), no_crl_sign.cert, no_crl_sign.key), core::Error);
    TestCa ca = MakeCa();
    EXPECT_THROW(IssueCrl(Request(1, {}), ca.cert, MakeCa().key), core::Error);
    EXPECT_THROW(IssueCrl(Request(1, {{"XYZ", Now(), std::nullopt}}), ca.cert, ca.key), core::Error);
    CrlRequest inverted = Request(1, {});
    inverted.next_update = inverted.this_update - std::chrono::hours(1);
    EXPECT_THROW(IssueCrl(inverted, ca.cert, ca.key), core::Error);
}

TEST(CrlTest, GarbageIsAClearError) {
    for (std::string bad : {std::string(), std::string("hello"), std::string("\x30\x03\x02\x01\x01", 5),
                            std::string("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")}) {
        try {
            Crl::FromDerOrPem(bad);
            ADD_FAILURE() << "accepted " << bad;
        } catch (const core::Error& e) {
            EXPECT_EQ(e.category(), core::ErrorCategory::kFailure);
        }
    }
}

TEST(CrlTest, ReasonNamesRoundTrip) {
    for (const std::string& name : RevocationReasonNames()) {
        auto reason = ParseRevocationReason(name);
        ASSERT_TRUE(reason) << name;
        EXPECT_EQ(RevocationReasonName(*reason), name);
    }
    EXPECT_FALSE(ParseRevocationReason("remove-from-crl"));
}

}  // namespace
}  // namespace certos::crypto
