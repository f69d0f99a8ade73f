// scale_gen: builds a store of N EC (prime256v1) certificates issued by one local CA, fast: the CA is made through
// the command tree (`add` + `sign`), the certificates directly through pki/crypto and the store, one write
// transaction per batch (not one durable commit per certificate), with the rows `sign ca=CA` would store.
// Validity periods are spread over 1..730 days, so that `expires-after<30d` selects about 4 % of them.
//
//   scale_gen --data DIR --count N [--batch 2000]
//
// The store is the SQLite store certos opens with `--data DIR` (bench/scale_bench.py uses it).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "crypto/issue.hpp"
#include "menu/menus.hpp"
#include "menu/tree.hpp"
#include "pki/describe.hpp"
#include "pki/sign.hpp"
#include "pki/template.hpp"
#include "store/files.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace pki = certos::pki;

void MakeCa(certos::store::Store& store, const std::filesystem::path& dir) {
    certos::store::FileArea files(dir / "files");
    certos::menu::Tree tree(store);
    tree.set_files(&files);
    certos::menu::InstallMenus(tree);
    auto run = [&](std::string verb, std::vector<std::pair<std::string, std::string>> args) {
        certos::menu::Request request;
        request.path = "/certificate";
        request.verb = std::move(verb);
        request.args = std::move(args);
        tree.Execute(request, certos::menu::Session{});
    };
    run("add", {{"name", "CA"},
                {"common-name", "scale CA"},
                {"key-size", "prime256v1"},
                {"key-usage", "key-cert-sign,crl-sign"},
                {"days-valid", "3650"}});
    run("sign", {{"number", "CA"}});
}

// Leaf is the row `add name=cI common-name=cI key-size=prime256v1` + `sign ca=CA` stores, with days-valid `days`.
certos::store::CertificateRow Leaf(const pki::SigningCa& ca, int i, int days, std::string* key_der) {
    certos::crypto::PrivateKey key = certos::crypto::PrivateKey::Generate(certos::crypto::KeySpec::Ec("prime256v1"));
    std::string name = "c" + std::to_string(i);
    certos::crypto::IssueRequest request;
    request.subject.emplace_back("CN", name);
    request.key_usage = {"digital-signature", "key-encipherment", "tls-server", "tls-client"};
    request.serial = pki::RandomSerial();
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    request.not_before = now;
    request.not_after = now + std::chrono::hours(24) * days;
    certos::crypto::Certificate cert = certos::crypto::IssueCertificate(request, key, ca.key, &ca.cert);
    certos::store::CertificateRow row;
    row.name = name;
    row.props = {{"common-name", name},
                 {"days-valid", std::to_string(days)},
                 {"digest-algorithm", std::string(pki::kDefaultDigest)},
                 {"key-size", "prime256v1"},
                 {"key-type", "ec"},
                 {"key-usage", "digital-signature,key-encipherment,tls-server,tls-client"},
                 {"trusted", "false"},
                 {"trust-store", std::string(pki::kDefaultTrustStore)}};
    for (auto& [property, value] : pki::DescribeCertificate(cert)) {
        row.props[property] = value;
    }
    row.props["crl"] = "false";
    row.der = cert.ToDer();
    row.issuer_id = ca.row.id;
    *key_der = key.ToPkcs8Der();
    return row;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("builds a store of N certificates issued by one CA");
    std::string data;
    int count = 10000;
    int batch = 2000;
    app.add_option("--data", data, "data directory (created; must not hold a store yet)")->required();
    app.add_option("--count", count, "certificates to issue")->check(CLI::PositiveNumber);
    app.add_option("--batch", batch, "certificates per transaction")->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);

    std::filesystem::path dir(data);
    if (std::filesystem::exists(dir / certos::store::kSqliteDatabaseFile)) {
        std::fprintf(stderr, "scale_gen: %s already holds a store\n", data.c_str());
        return 2;
    }
    auto store = certos::store::OpenSqliteStore(dir);
    MakeCa(*store, dir);
    pki::SigningCa ca = [&] {
        auto tx = store->Begin(certos::store::TxMode::kRead);
        return pki::LoadSigningCa(*tx, "CA");
    }();
    auto start = Clock::now();
    for (int done = 0; done < count;) {
        auto tx = store->Begin(certos::store::TxMode::kWrite);
        for (int end = std::min(count, done + batch); done < end; ++done) {
            std::string key_der;
            certos::store::CertificateRow row = Leaf(ca, done, 1 + done % 730, &key_der);
            certos::core::ObjectId id = tx->InsertCertificate(row);
            tx->StorePrivateKey(id, key_der);
        }
        tx->Commit();
    }
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("issued %d certificates in %.1f s (%.0f/s)\n", count, seconds, count / seconds);
    return 0;
}
