#include "crypto/issue.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "crypto/key_id.hpp"
#include "crypto/test_support.hpp"

namespace certos::crypto {
namespace {

using namespace std::chrono_literals;
using test_support::Data;
using test_support::ExpectedValue;
using test_support::RunCommand;
using test_support::TempFile;

using Strings = std::vector<std::string>;

TimePoint At(std::int64_t epoch_seconds) { return TimePoint(std::chrono::seconds(epoch_seconds)); }

// The CA key comes from the openssl-made test data, which also records the SKID openssl computed for it.
const PrivateKey& CaKey() {
    static const PrivateKey key = PrivateKey::FromPem(Data("rsa_ca.key"));
    return key;
}

IssueRequest CaRequest() {
    IssueRequest request;
    request.subject = {{"C", "LV"}, {"O", "Certos"}, {"CN", "Router CA"}};
    request.key_usage = {"key-cert-sign", "crl-sign"};
    request.is_ca = true;
    request.serial = std::string("\x21\xB9\xF5\x71\xB5\x41\x95\xD3", 8);
    request.not_before = At(1'700'000'000);
    request.not_after = At(1'700'000'000) + std::chrono::days(3650);
    return request;
}

IssueRequest LeafRequest() {
    IssueRequest request;
    request.subject = {{"C", "LV"}, {"ST", ""}, {"O", "Certos"}, {"CN", "router.lan"}};
    request.subject_alt_names = {"DNS:router.lan", "IP:192.168.88.1", "IP:2001:db8::1", "email:admin@router.lan"};
    request.key_usage = {"tls-client", "digital-signature", "key-encipherment", "tls-server"};
    request.crl_distribution_points = {"http://192.168.88.1/crl/ca.crl"};
    request.serial = std::string("\x80\x01\x02", 3);  // top bit set: DER needs a leading zero byte
    request.not_before = At(1'700'000'000);
    request.not_after = At(1'700'000'000) + std::chrono::days(365);
    return request;
}

Certificate SelfSignedCa() { return IssueCertificate(CaRequest(), CaKey().PublicKeyDer(), CaKey(), nullptr); }

TEST(IssueTest, SelfSignedCaCarriesTheRequest) {
    Certificate ca = SelfSignedCa();
    EXPECT_EQ(ca.SubjectString(), "C=LV,O=Certos,CN=Router CA");
    EXPECT_EQ(ca.IssuerString(), ca.SubjectString());
    EXPECT_EQ(ca.SerialHex(), "21B9F571B54195D3");
    EXPECT_EQ(ca.NotBefore(), At(1'700'000'000));
    EXPECT_EQ(ca.NotAfter(), At(1'700'000'000) + std::chrono::days(3650));
    EXPECT_TRUE(ca.IsCa());
    EXPECT_EQ(ca.KeyUsage(), (Strings{"key-cert-sign", "crl-sign"}));
    EXPECT_TRUE(ca.SubjectAltNames().empty());
    EXPECT_EQ(ca.PublicKeyDer(), CaKey().PublicKeyDer());
    EXPECT_EQ(ca.SignatureDigest(), "sha256");
    EXPECT_TRUE(ca.IsSelfIssued());
    EXPECT_TRUE(ca.IsSignedBy(ca));
}

TEST(IssueTest, SubjectKeyIdIsSha1OfThePublicKeyAsOpenSslComputesIt) {
    Certificate ca = SelfSignedCa();
    EXPECT_EQ(ca.SkidHex(), ExpectedValue("rsa_ca.skid"));
    EXPECT_EQ(ca.AkidHex(), ca.SkidHex());
    EXPECT_EQ(HexLower(KeyIdentifier(CaKey().PublicKeyDer())), ExpectedValue("rsa_ca.skid"));
}

TEST(IssueTest, LeafSignedByCaCarriesTheRequest) {
    Certificate ca = SelfSignedCa();
    PrivateKey leaf_key = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
    Certificate leaf = IssueCertificate(LeafRequest(), leaf_key.PublicKeyDer(), CaKey(), &ca);
    EXPECT_EQ(leaf.SubjectString(), "C=LV,O=Certos,CN=router.lan");  // the empty ST is left out
    EXPECT_EQ(leaf.IssuerString(), ca.SubjectString());
    EXPECT_EQ(leaf.SerialHex(), "800102");
    EXPECT_FALSE(leaf.IsCa());
    EXPECT_EQ(leaf.KeyUsage(), (Strings{"digital-signature", "key-encipherment", "tls-server", "tls-client"}));
    EXPECT_EQ(leaf.SubjectAltNames(),
              (Strings{"DNS:router.lan", "IP:192.168.88.1", "IP:2001:db8::1", "email:admin@router.lan"}));
    EXPECT_EQ(leaf.CrlDistributionPoints(), Strings{"http://192.168.88.1/crl/ca.crl"});
    EXPECT_EQ(leaf.AkidHex(), ca.SkidHex());
    EXPECT_NE(leaf.SkidHex(), ca.SkidHex());
    EXPECT_EQ(leaf.KeyType(), "ec");
    EXPECT_EQ(leaf.KeySize(), "prime256v1");
    EXPECT_TRUE(leaf.IsSignedBy(ca));
    EXPECT_FALSE(leaf.IsSelfIssued());
}

TEST(IssueTest, OpenSslVerifiesTheChainAndShowsTheExtensions) {
    CERTOS_REQUIRE_OPENSSL_CLI();
    IssueRequest ca_request = CaRequest();
    ca_request.not_before = std::chrono::system_clock::now() - 1h;
    ca_request.not_after = ca_request.not_before + std::chrono::days(30);
    Certificate ca = IssueCertificate(ca_request, CaKey().PublicKeyDer(), CaKey(), nullptr);
    IssueRequest leaf_request = LeafRequest();
    leaf_request.not_before = ca_request.not_before;
    leaf_request.not_after = ca_request.not_after;
    PrivateKey leaf_key = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
    Certificate leaf = IssueCertificate(leaf_request, leaf_key.PublicKeyDer(), CaKey(), &ca);
    TempFile ca_file(ca.ToPem(), ".pem");
    TempFile leaf_file(leaf.ToPem(), ".pem");

    auto verify =
        RunCommand("openssl verify -x509_strict -purpose sslserver -CAfile " + ca_file.path() + " " + leaf_file.path());
    EXPECT_EQ(verify.status, 0) << verify.output;
    EXPECT_NE(verify.output.find(": OK"), std::string::npos) << verify.output;

    auto ca_text = RunCommand("openssl x509 -noout -text -in " + ca_file.path());
    EXPECT_NE(ca_text.output.find("X509v3 Basic Constraints: critical\n                CA:TRUE"), std::string::npos)
        << ca_text.output;
    EXPECT_NE(ca_text.output.find("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign"),
              std::string::npos)
        << ca_text.output;
    EXPECT_NE(ca_text.output.find("Version: 3 (0x2)"), std::string::npos) << ca_text.output;

    auto text = RunCommand("openssl x509 -noout -text -in " + leaf_file.path());
    EXPECT_NE(text.output.find("X509v3 Basic Constraints: critical\n                CA:FALSE"), std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment"),
              std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("TLS Web Server Authentication, TLS Web Client Authentication"), std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("DNS:router.lan, IP Address:192.168.88.1, IP Address:2001:DB8:0:0:0:0:0:1, "
                               "email:admin@router.lan"),
              std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("URI:http://192.168.88.1/crl/ca.crl"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("Signature Algorithm: sha256WithRSAEncryption"), std::string::npos) << text.output;
    EXPECT_EQ(RunCommand("openssl x509 -noout -serial -in " + leaf_file.path()).output, "serial=800102\n");
}

TEST(IssueTest, SignsWithEveryRouterOsDigest) {
    Certificate ca = SelfSignedCa();
    PrivateKey leaf_key = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
    for (std::string_view name : kDigestNames) {
        IssueRequest request = LeafRequest();
        request.digest = *ParseDigestAlgorithm(name);
        Certificate leaf = IssueCertificate(request, leaf_key.PublicKeyDer(), CaKey(), &ca);
        EXPECT_EQ(leaf.SignatureDigest(), name);
        EXPECT_TRUE(leaf.IsSignedBy(ca)) << name;
    }
}

TEST(IssueTest, OpenSslReadsMd5AndSha1Signatures) {
    CERTOS_REQUIRE_OPENSSL_CLI();
    for (auto [alg, text] : {std::pair{DigestAlgorithm::kMd5, "md5WithRSAEncryption"},
                             std::pair{DigestAlgorithm::kSha1, "sha1WithRSAEncryption"}}) {
        IssueRequest request = CaRequest();
        request.digest = alg;
        TempFile file(IssueCertificate(request, CaKey().PublicKeyDer(), CaKey(), nullptr).ToPem(), ".pem");
        auto out = RunCommand("openssl x509 -noout -text -in " + file.path());
        EXPECT_NE(out.output.find(std::string("Signature Algorithm: ") + text), std::string::npos) << out.output;
    }
}

TEST(IssueTest, EcdsaHasNoMd5Signature) {
    PrivateKey key = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
    IssueRequest request = CaRequest();
    request.digest = DigestAlgorithm::kMd5;
    try {
        IssueCertificate(request, key.PublicKeyDer(), key, nullptr);
        ADD_FAILURE() << "signed ECDSA with MD5";
    } catch (const core::Error& e) {
        EXPECT_STREQ(e.what(), "md5 cannot sign with an EC key (ECDSA has no MD5 signature algorithm)");
    }
    request.digest = DigestAlgorithm::kSha1;
    EXPECT_EQ(IssueCertificate(request, key.PublicKeyDer(), key, nullptr).SignatureDigest(), "sha1");
}

TEST(IssueTest, ValidityAfter2049IsGeneralizedTime) {
    CERTOS_REQUIRE_OPENSSL_CLI();
    IssueRequest request = CaRequest();
    request.not_after = At(2'556'143'999);  // 2050-12-31 23:59:59 UTC
    Certificate cert = IssueCertificate(request, CaKey().PublicKeyDer(), CaKey(), nullptr);
    EXPECT_EQ(cert.NotAfter(), At(2'556'143'999));
    TempFile file(cert.ToDer(), ".der");
    auto out = RunCommand("openssl asn1parse -inform DER -in " + file.path());
    std::size_t utc = out.output.find("UTCTIME");
    std::size_t generalized = out.output.find("GENERALIZEDTIME");
    ASSERT_NE(utc, std::string::npos) << out.output;
    ASSERT_NE(generalized, std::string::npos) << out.output;
    EXPECT_EQ(out.output.find(":231114221320Z"), out.output.find(':', utc)) << out.output;
    EXPECT_EQ(out.output.find(":20501231235959Z"), out.output.find(':', generalized)) << out.output;
}

TEST(IssueTest, Utf8SubjectSurvives) {
    IssueRequest request = CaRequest();
    request.subject = {{"O", "Rīgas Tehniskā"}, {"CN", "маршрутизатор"}};
    Certificate cert = IssueCertificate(request, CaKey().PublicKeyDer(), CaKey(), nullptr);
    EXPECT_EQ(cert.SubjectString(), "O=Rīgas Tehniskā,CN=маршрутизатор");
}

void ExpectArgumentError(const IssueRequest& request, std::string_view message_part) {
    try {
        IssueCertificate(request, CaKey().PublicKeyDer(), CaKey(), nullptr);
        ADD_FAILURE() << "accepted a bad request, expected: " << message_part;
    } catch (const core::Error& e) {
        EXPECT_EQ(e.category(), core::ErrorCategory::kArgument) << e.what();
        EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
    }
}

TEST(IssueTest, BadSubjectAltNamesAreArgumentErrors) {
    for (const char* entry : {"router.lan", "DNS:", "IP:192.168.88", "IP:10.0.0.1/24", "IP:fe80::1%eth0",
                              "URI:http://x", "dns:rūteris.lv", "email:"}) {
        IssueRequest request = CaRequest();
        request.subject_alt_names = {entry};
        ExpectArgumentError(request, std::string("invalid subject-alt-name \"") + entry + "\"");
    }
    IssueRequest lower_case = CaRequest();
    lower_case.subject_alt_names = {"dns:a.example", "ip:10.0.0.1", "Email:a@b"};
    EXPECT_EQ(IssueCertificate(lower_case, CaKey().PublicKeyDer(), CaKey(), nullptr).SubjectAltNames(),
              (Strings{"DNS:a.example", "IP:10.0.0.1", "email:a@b"}));
}

TEST(IssueTest, BadKeyUsageAndSubjectAreArgumentErrors) {
    IssueRequest usage = CaRequest();
    usage.key_usage = {"key-cert-sign", "tls-servr"};
    ExpectArgumentError(usage, "unknown key usage tls-servr");
    IssueRequest country = CaRequest();
    country.subject = {{"C", "LVA"}};
    ExpectArgumentError(country, "invalid subject field C=LVA");
    IssueRequest field = CaRequest();
    field.subject = {{"XX", "x"}};
    ExpectArgumentError(field, "invalid subject field XX=x");
}

TEST(IssueTest, EmptySubjectMakesSubjectAltNameCritical) {
    CERTOS_REQUIRE_OPENSSL_CLI();
    IssueRequest request = CaRequest();
    request.subject = {};
    request.subject_alt_names = {"DNS:only.example"};
    TempFile file(IssueCertificate(request, CaKey().PublicKeyDer(), CaKey(), nullptr).ToPem(), ".pem");
    auto out = RunCommand("openssl x509 -noout -text -in " + file.path());
    EXPECT_NE(out.output.find("X509v3 Subject Alternative Name: critical"), std::string::npos) << out.output;
}

TEST(IssueTest, SigningKeyMustMatch) {
    PrivateKey other = PrivateKey::Generate(KeySpec::Ec("prime256v1"));
    EXPECT_THROW(IssueCertificate(CaRequest(), CaKey().PublicKeyDer(), other, nullptr), core::Error);
    Certificate ca = SelfSignedCa();
    EXPECT_THROW(IssueCertificate(LeafRequest(), other.PublicKeyDer(), other, &ca), core::Error);
    EXPECT_THROW(IssueCertificate(CaRequest(), "not a key", CaKey(), nullptr), core::Error);
}

TEST(IssueTest, SerialAndValidityAreChecked) {
    IssueRequest request = CaRequest();
    request.serial = std::string(2, '\0');
    EXPECT_THROW(IssueCertificate(request, CaKey().PublicKeyDer(), CaKey(), nullptr), core::Error);
    request.serial = std::string(20, '\x7f');  // 20 octets is the RFC 5280 maximum
    std::string all_7f;
    for (int i = 0; i < 20; ++i) {
        all_7f += "7F";
    }
    EXPECT_EQ(IssueCertificate(request, CaKey().PublicKeyDer(), CaKey(), nullptr).SerialHex(), all_7f);
    request.serial = std::string(20, '\x80');  // 21 octets once DER adds the sign byte
    EXPECT_THROW(IssueCertificate(request, CaKey().PublicKeyDer(), CaKey(), nullptr), core::Error);
    request = CaRequest();
    request.not_after = request.not_before - 1s;
    EXPECT_THROW(IssueCertificate(request, CaKey().PublicKeyDer(), CaKey(), nullptr), core::Error);
}

}  // namespace
}  // namespace certos::crypto
