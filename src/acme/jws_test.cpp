#include "acme/jws.hpp"

#include <gtest/gtest.h>

#include "acme/client.hpp"
#include "acme/problem.hpp"
#include "crypto/digest.hpp"
#include "crypto/jose.hpp"

namespace certos::acme {
namespace {

using crypto::Base64UrlDecode;

crypto::PrivateKey P256() { return crypto::PrivateKey::Generate(crypto::KeySpec::Ec("prime256v1")); }

TEST(JwsTest, NewAccountRequestCarriesJwkAndVerifies) {
    crypto::PrivateKey key = P256();
    nlohmann::json jws = nlohmann::json::parse(SignRequest(key, "https://ca/new-acct", "n0nce", "", R"({"a":1})"));
    nlohmann::json header = nlohmann::json::parse(Base64UrlDecode(jws["protected"].get<std::string>()));
    EXPECT_EQ(header["alg"], "ES256");
    EXPECT_EQ(header["nonce"], "n0nce");
    EXPECT_EQ(header["url"], "https://ca/new-acct");
    EXPECT_EQ(header["jwk"], Jwk(key));
    EXPECT_FALSE(header.contains("kid"));
    EXPECT_EQ(Base64UrlDecode(jws["payload"].get<std::string>()), R"({"a":1})");
    std::string signing_input = jws["protected"].get<std::string>() + "." + jws["payload"].get<std::string>();
    EXPECT_TRUE(crypto::VerifyJwsEc(key, signing_input, Base64UrlDecode(jws["signature"].get<std::string>())));
    EXPECT_FALSE(crypto::VerifyJwsEc(P256(), signing_input, Base64UrlDecode(jws["signature"].get<std::string>())));
}

TEST(JwsTest, PostAsGetHasKidAndEmptyPayload) {
    crypto::PrivateKey key = P256();
    nlohmann::json jws = nlohmann::json::parse(SignRequest(key, "https://ca/order/1", "n", "https://ca/acct/7", ""));
    nlohmann::json header = nlohmann::json::parse(Base64UrlDecode(jws["protected"].get<std::string>()));
    EXPECT_EQ(header["kid"], "https://ca/acct/7");
    EXPECT_FALSE(header.contains("jwk"));
    EXPECT_EQ(jws["payload"], "");  // RFC 8555 §6.3: the payload of a POST-as-GET is the empty string
}

// RFC 7638 §3.2: the thumbprint hashes exactly the required members, sorted, without whitespace.
TEST(JwsTest, ThumbprintHashesTheCanonicalJwk) {
    crypto::PrivateKey key = P256();
    crypto::EcPoint point = crypto::PublicPoint(key);
    std::string canonical = R"({"crv":"P-256","kty":"EC","x":")" + crypto::Base64UrlEncode(point.x) + R"(","y":")" +
                            crypto::Base64UrlEncode(point.y) + R"("})";
    EXPECT_EQ(Thumbprint(key), crypto::Base64UrlEncode(crypto::Digest(crypto::DigestAlgorithm::kSha256, canonical)));
    EXPECT_EQ(KeyAuthorization("tok", key), "tok." + Thumbprint(key));
}

TEST(JwsTest, ExternalAccountBindingIsHs256OverTheAccountJwk) {
    crypto::PrivateKey key = P256();
    std::string hmac_key = "0123456789abcdef0123456789abcdef";
    nlohmann::json eab = ExternalAccountBinding("kid-1", hmac_key, key, "https://ca/new-acct");
    nlohmann::json header = nlohmann::json::parse(Base64UrlDecode(eab["protected"].get<std::string>()));
    EXPECT_EQ(header, (nlohmann::json{{"alg", "HS256"}, {"kid", "kid-1"}, {"url", "https://ca/new-acct"}}));
    EXPECT_EQ(nlohmann::json::parse(Base64UrlDecode(eab["payload"].get<std::string>())), Jwk(key));
    std::string input = eab["protected"].get<std::string>() + "." + eab["payload"].get<std::string>();
    EXPECT_EQ(Base64UrlDecode(eab["signature"].get<std::string>()), crypto::HmacSha256(hmac_key, input));
    EXPECT_NE(Base64UrlDecode(eab["signature"].get<std::string>()), crypto::HmacSha256("other", input));
}

// RFC 8555 §8.4's example: the TXT value is base64url(SHA-256(key authorisation)).
TEST(JwsTest, DnsValueAndAriIdentifier) {
    EXPECT_EQ(DnsChallengeValue("abc"),
              crypto::Base64UrlEncode(crypto::Digest(crypto::DigestAlgorithm::kSha256, "abc")));
    // RFC 9773 §4.1's example: AKI 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4, serial
    // 00:87:65:43:21 -> "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE".
    EXPECT_EQ(AriCertId("69885B6B87464041E1B37B847BA0AE2CDE01C8D4", "87654321"), "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
}

TEST(JwsTest, ProblemTextNamesTypeDetailAndRetryAfter) {
    Problem problem{"urn:ietf:params:acme:error:rateLimited", "too many orders", 429, std::chrono::seconds(30), {}};
    EXPECT_EQ(problem.ShortType(), "rateLimited");
    EXPECT_EQ(problem.Text(), "rateLimited: too many orders (retry after 30s)");
    EXPECT_EQ(MeaningOf("badNonce"), "the client sent an unacceptable anti-replay nonce");
    auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
    EXPECT_EQ(ParseRetryAfter("120", now), std::chrono::seconds(120));
    EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:51:37 GMT", now), std::chrono::seconds(120));
    EXPECT_EQ(ParseRetryAfter(std::nullopt, now), std::nullopt);
}

}  // namespace
}  // namespace certos::acme
