// issue_bench: certificates issued per second by one local CA through the same path `/certificate add` +
// `/certificate sign ca=` take (the command tree on a real SQLite store), beside the raw OpenSSL cost of
// keygen + sign for the same key type measured in the same run.
//
//   issue_bench [--count N] [--key-size prime256v1|2048|...] [--data DIR]

// The second raw baseline makes its EC keys through EC_KEY, as certos does (src/crypto/ec_fast.cpp).
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "menu/menus.hpp"
#include "menu/tree.hpp"
#include "store/files.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Rate is one side's result: certificates per second of wall time, and the process CPU time (user + system,
// this thread's work: the store's commits run on it) per certificate, which other load on the machine
// changes far less than wall time.
struct Rate {
    double per_second = 0;
    double cpu_us = 0;
};

double CpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

bool g_ec_key_path = false;  // second baseline: EC keys made with EC_KEY

EVP_PKEY* RawKeygen(const std::string& key_size) {
    if (key_size[0] >= '0' && key_size[0] <= '9') {
        return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(std::stoul(key_size)));
    }
    if (g_ec_key_path) {
        EC_KEY* ec = EC_KEY_new_by_curve_name(OBJ_sn2nid(key_size.c_str()));
        EC_KEY_generate_key(ec);
        EVP_PKEY* pkey = EVP_PKEY_new();
        EVP_PKEY_assign_EC_KEY(pkey, ec);
        return pkey;
    }
    return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", key_size.c_str());
}

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// RawIssue: the minimum OpenSSL work for the same certificate: keygen, subject, serial, validity,
// the same extensions, sign with the CA key.
void RawIssue(const std::string& key_size, X509* ca, EVP_PKEY* ca_key, int i) {
    EVP_PKEY* key = RawKeygen(key_size);
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    unsigned char serial[16];
    for (int b = 0; b < 16; ++b) {
        serial[b] = static_cast<unsigned char>(i * 31 + b);
    }
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, 16, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 365L * 86400);
    X509_NAME* name = X509_get_subject_name(cert);
    std::string cn = "leaf" + std::to_string(i);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                               0);
    X509_set_issuer_name(cert, X509_get_subject_name(ca));
    X509_set_pubkey(cert, key);
    AddExt(cert, ca, NID_basic_constraints, "critical,CA:FALSE");
    AddExt(cert, ca, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    AddExt(cert, ca, NID_ext_key_usage, "serverAuth,clientAuth");
    AddExt(cert, ca, NID_subject_key_identifier, "hash");
    AddExt(cert, ca, NID_authority_key_identifier, "keyid");
    X509_sign(cert, ca_key, EVP_sha256());
    unsigned char* der = nullptr;
    int len = i2d_X509(cert, &der);
    (void)len;
    OPENSSL_free(der);
    X509_free(cert);
    EVP_PKEY_free(key);
}

Rate RawRate(const std::string& key_size, int count) {
    EVP_PKEY* ca_key = RawKeygen(key_size);
    X509* ca = X509_new();
    X509_set_version(ca, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(ca), 1);
    X509_gmtime_adj(X509_getm_notBefore(ca), 0);
    X509_gmtime_adj(X509_getm_notAfter(ca), 3650L * 86400);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(ca), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("raw CA"), -1, -1, 0);
    X509_set_issuer_name(ca, X509_get_subject_name(ca));
    X509_set_pubkey(ca, ca_key);
    X509_sign(ca, ca_key, EVP_sha256());
    auto start = Clock::now();
    double cpu = CpuSeconds();
    for (int i = 0; i < count; ++i) {
        RawIssue(key_size, ca, ca_key, i);
    }
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    cpu = CpuSeconds() - cpu;
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return {count / seconds, cpu / count * 1e6};
}

Rate CertosRate(const std::filesystem::path& dir, const std::string& key_size, int count) {
    std::filesystem::remove_all(dir);
    auto store = certos::store::OpenSqliteStore(dir);
    certos::store::FileArea files(dir / "files");
    certos::menu::Tree tree(*store);
    tree.set_files(&files);
    certos::menu::InstallMenus(tree);
    certos::menu::Session session;
    auto run = [&](std::string verb, std::vector<std::pair<std::string, std::string>> args) {
        certos::menu::Request request;
        request.path = "/certificate";
        request.verb = std::move(verb);
        request.args = std::move(args);
        tree.Execute(request, session);
    };
    run("add",
        {{"name", "CA"}, {"common-name", "bench CA"}, {"key-size", key_size}, {"key-usage", "key-cert-sign,crl-sign"}});
    run("sign", {{"number", "CA"}});
    auto start = Clock::now();
    double cpu = CpuSeconds();
    for (int i = 0; i < count; ++i) {
        std::string name = "leaf" + std::to_string(i);
        run("add", {{"name", name},
                    {"common-name", name},
                    {"key-size", key_size},
                    {"key-usage", "digital-signature,key-encipherment,tls-server,tls-client"}});
        run("sign", {{"number", name}, {"ca", "CA"}});
    }
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    cpu = CpuSeconds() - cpu;
    std::filesystem::remove_all(dir);
    return {count / seconds, cpu / count * 1e6};
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"issue_bench: certos issuing rate against raw OpenSSL"};
    int count = 200;
    std::string key_size = "prime256v1";
    std::string data = "/dev/shm/certos-bench";
    app.add_option("--count", count, "certificates to issue");
    app.add_option("--key-size", key_size, "RouterOS key-size");
    app.add_option("--data", data, "data directory for the store (its file system's fsync cost is part of the result)");
    CLI11_PARSE(app, argc, argv);
    Rate raw = RawRate(key_size, count);
    Rate certos = CertosRate(data, key_size, count);
    bool is_ec = !(key_size[0] >= '0' && key_size[0] <= '9');
    g_ec_key_path = true;
    Rate raw_ec_key = is_ec ? RawRate(key_size, count) : Rate{};
    std::printf("key-size=%s count=%d data=%s\n", key_size.c_str(), count, data.c_str());
    std::printf("raw openssl keygen+sign: %10.1f certificates/s, %7.1f us CPU each\n", raw.per_second, raw.cpu_us);
    std::printf("certos add+sign:         %10.1f certificates/s, %7.1f us CPU each\n", certos.per_second,
                certos.cpu_us);
    std::printf("cost ratio certos/raw:   %10.2fx wall, %.2fx CPU\n", raw.per_second / certos.per_second,
                certos.cpu_us / raw.cpu_us);
    if (is_ec) {
        // OpenSSL 3.0 is faster with EC_KEY keys (no OSSL_ENCODER search in X509_set_pubkey), which certos
        // uses: the fastest raw path, the one the target (within 1.5x) is measured against.
        std::printf(
            "raw, EC_KEY keys:        %10.1f certificates/s, %7.1f us CPU each (certos/this: %.2fx wall, "
            "%.2fx CPU; target <= 1.5x)\n",
            raw_ec_key.per_second, raw_ec_key.cpu_us, raw_ec_key.per_second / certos.per_second,
            certos.cpu_us / raw_ec_key.cpu_us);
    }
    return 0;
}
