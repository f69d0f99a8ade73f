#pragma once
// Helpers shared by the unit tests of every layer; product code never includes this file.

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace certos::test_support {

// Shell runs `command` with /bin/sh and returns its exit status (-1 when it did not exit normally) and its
// standard output and error together.
inline std::pair<int, std::string> Shell(const std::string& command) {
    std::string out;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return {-1, ""};
    }
    char buf[4096];
    std::size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) {
        out.append(buf, n);
    }
    int status = pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// ReadPath returns a whole file ("" when it cannot be read).
inline std::string ReadPath(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// TestData is tests/data/<part>: under $CERTOS_TEST_DATA (ctest sets it), else under `source_dir` (the
// test target's CERTOS_TEST_DATA_DIR, for direct runs).
inline std::filesystem::path TestData(std::string_view part, const char* source_dir) {
    const char* env = std::getenv("CERTOS_TEST_DATA");
    return std::filesystem::path(env != nullptr ? env : source_dir) / part;
}

}  // namespace certos::test_support
