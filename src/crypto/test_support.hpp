#pragma once
// Helpers for the crypto/ unit tests only: test data, temporary files and the openssl CLI.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace certos::crypto::test_support {

// DataDir is tests/data/crypto: $CERTOS_TEST_DATA (set by ctest) or the source tree (direct runs).
inline std::filesystem::path DataDir() {
    const char* env = std::getenv("CERTOS_TEST_DATA");
    return std::filesystem::path(env != nullptr ? env : CERTOS_TEST_DATA_DIR) / "crypto";
}

inline std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ADD_FAILURE() << "cannot read " << path;
        return {};
    }
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Data reads a file of tests/data/crypto.
inline std::string Data(const std::string& name) { return ReadFile(DataDir() / name); }

// Expected is tests/data/crypto/expected.txt as a map ("rsa_ca.serial" -> "A1B2...").
inline const std::map<std::string, std::string>& Expected() {
    static const std::map<std::string, std::string> values = [] {
        std::map<std::string, std::string> out;
        std::istringstream in(Data("expected.txt"));
        std::string line;
        while (std::getline(in, line)) {
            auto eq = line.find('=');
            if (eq != std::string::npos) {
                out[line.substr(0, eq)] = line.substr(eq + 1);
            }
        }
        return out;
    }();
    return values;
}

inline std::string ExpectedValue(const std::string& key) {
    auto it = Expected().find(key);
    if (it == Expected().end()) {
        ADD_FAILURE() << "expected.txt has no " << key;
        return {};
    }
    return it->second;
}

// TempFile writes `contents` to a fresh file that is removed with the object.
class TempFile {
public:
    explicit TempFile(const std::string& contents, const std::string& suffix = "") {
        static int counter = 0;
        path_ = std::filesystem::temp_directory_path() /
                ("certos-crypto-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + suffix);
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out << contents;
    }
    ~TempFile() { std::filesystem::remove(path_); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

struct CommandResult {
    int status = -1;
    std::string output;  // stdout and stderr
};

// Run runs a shell command and captures its output.
inline CommandResult RunCommand(const std::string& command) {
    CommandResult result;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return result;
    }
    char buf[4096];
    std::size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) {
        result.output.append(buf, n);
    }
    int status = pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

// HaveOpenSslCli tells whether the openssl command is installed (CLI cross-checks skip without it).
inline bool HaveOpenSslCli() {
    static const bool have = RunCommand("openssl version").status == 0;
    return have;
}

#define CERTOS_REQUIRE_OPENSSL_CLI()                                                           \
    do {                                                                                       \
        if (!::certos::crypto::test_support::HaveOpenSslCli()) {                               \
            GTEST_FAIL() << "openssl CLI not installed (scripts/install-deps.sh installs it)"; \
        }                                                                                      \
    } while (false)

}  // namespace certos::crypto::test_support
