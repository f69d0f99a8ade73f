#include "store/backup.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.hpp"
#include "store/open.hpp"
#include "store/store_suite.hpp"

namespace certos::store {
namespace {

using test::ExpectFailureContaining;

// Two certos nodes: separate data directories, so separate master keys.
class BackupTest : public ::testing::Test {
protected:
    test::TempDir temp_;  // first: the stores live in it
    std::unique_ptr<Store> source_ = OpenSqliteStore(temp_.path() / "source");
    std::unique_ptr<Store> target_ = OpenSqliteStore(temp_.path() / "target");
    core::ObjectId keyed_ = test::StoreKeyed(*source_);

    std::string Save(const std::optional<std::string>& password) {
        test::InsertItem(*source_, "user", test::MakeItem("alice"));
        return SaveBackup(*source_->Begin(TxMode::kRead), password);
    }

    // Load reads `file` into the target and commits it, as `/system backup load` does.
    void Load(Store& store, std::string_view file, const std::optional<std::string>& password) {
        auto tx = store.Begin(TxMode::kWrite);
        tx->ReplaceContent(ReadBackup(*tx, file, password));
        tx->Commit();
    }

    std::size_t Users(Store& store) { return store.Begin(TxMode::kRead)->ListItems("user").size(); }
};

TEST_F(BackupTest, PasswordBackupLoadsUnderAnotherMasterKey) {
    std::string file = Save("s3cret pass");
    EXPECT_EQ(file.substr(0, 8), "CERTOSBK");
    EXPECT_EQ(file.find("the private key"), std::string::npos);
    EXPECT_EQ(file.find("alice"), std::string::npos) << "an encrypted backup shows nothing";
    Load(*target_, file, "s3cret pass");
    auto tx = target_->Begin(TxMode::kRead);
    EXPECT_EQ(tx->LoadPrivateKey(keyed_), "the private key") << "re-sealed under the target's master key";
    EXPECT_EQ(tx->ListItems("user").at(0).name, "alice");
    EXPECT_EQ(tx->FindCertificateByName("server")->id, keyed_);
}

TEST_F(BackupTest, WrongPasswordMissingPasswordAndEveryFlippedByteChangeNothing) {
    std::string file = Save("right");
    ExpectFailureContaining("wrong password", [&] { Load(*target_, file, "wrong"); });
    ExpectFailureContaining("wrong password", [&] { Load(*target_, file, std::nullopt); });
    // Every byte matters: the prefix and header are the cipher's additional data, the rest its text and tag.
    for (std::size_t i = 0; i < file.size(); i += 1 + file.size() / 23) {
        std::string flipped = file;
        flipped[i] = static_cast<char>(flipped[i] ^ 0x10);
        EXPECT_THROW(Load(*target_, flipped, "right"), core::Error) << "byte " << i;
    }
    ExpectFailureContaining("not a certos backup file", [&] { Load(*target_, "PK\x03\x04", "right"); });
    ExpectFailureContaining("damaged", [&] { Load(*target_, file.substr(0, file.size() - 1), "right"); });
    EXPECT_EQ(Users(*target_), 0u);
    EXPECT_FALSE(target_->Begin(TxMode::kRead)->GetCertificate(keyed_).has_value());
}

// WithHeader is `file` with its header replaced by `header` (the length prefix follows).
std::string WithHeader(const std::string& file, const nlohmann::json& header) {
    std::size_t length = 0;
    for (std::size_t i = 9; i < 13; ++i) {
        length = (length << 8) | static_cast<unsigned char>(file[i]);
    }
    std::vector<std::uint8_t> bytes = nlohmann::json::to_cbor(header);
    std::string out = file.substr(0, 9);
    for (int shift = 24; shift >= 0; shift -= 8) {
        out += static_cast<char>((bytes.size() >> shift) & 0xff);
    }
    return out + std::string(bytes.begin(), bytes.end()) + file.substr(13 + length);
}

TEST_F(BackupTest, CraftedHeadersAreRefusedBeforeAnyWork) {
    std::string file = Save("right");
    std::size_t length = (static_cast<unsigned char>(file[11]) << 8) | static_cast<unsigned char>(file[12]);
    nlohmann::json header = nlohmann::json::from_cbor(file.substr(13, length));
    for (auto [n, r] :
         {std::pair<std::uint64_t, std::uint64_t>{std::uint64_t{1} << 30, 8}, {32768, 1000}, {30000, 8}}) {
        nlohmann::json costly = header;
        costly["n"] = n;
        costly["r"] = r;
        ExpectFailureContaining("beyond certos's bounds", [&] { Load(*target_, WithHeader(file, costly), "right"); });
    }
    nlohmann::json other = header;
    other["encryption"] = "rc4";
    ExpectFailureContaining("encrypted with rc4", [&] { Load(*target_, WithHeader(file, other), "right"); });
    // A header nested deeper than any real one is refused before it is decoded.
    std::string deep(3000, '\x81');
    std::string nested = file.substr(0, 9) + std::string{'\0', '\0', '\x0b', '\xb8'} + deep + file.substr(13 + length);
    ExpectFailureContaining("damaged", [&] { Load(*target_, nested, "right"); });
    EXPECT_EQ(Users(*target_), 0u);
}

TEST_F(BackupTest, PlainBackupKeepsKeysSealedAndLoadsOnlyUnderTheSameMasterKey) {
    std::string file = Save(std::nullopt);
    EXPECT_NE(file.find("alice"), std::string::npos) << "not encrypted";
    EXPECT_EQ(file.find("the private key"), std::string::npos) << "keys stay sealed";
    ExpectFailureContaining("saved without a password", [&] { Load(*target_, file, std::nullopt); });
    EXPECT_EQ(Users(*target_), 0u);
    std::string damaged = file;
    damaged[file.find("alice")] = 'A';
    ExpectFailureContaining("damaged", [&] { Load(*source_, damaged, std::nullopt); });
    // On the store that saved it (after a change), it brings the saved state back.
    test::InsertItem(*source_, "user", test::MakeItem("bob"));
    Load(*source_, file, std::nullopt);
    EXPECT_EQ(Users(*source_), 1u);
    EXPECT_EQ(source_->Begin(TxMode::kRead)->LoadPrivateKey(keyed_), "the private key");
}

}  // namespace
}  // namespace certos::store
