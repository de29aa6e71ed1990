#pragma once
// Helpers shared by the io tests: a fresh directory per test, whole-file reads, error checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include <unistd.h>

#include "synthstm/core/error.hpp"

namespace synthstm::test {

/// An empty directory named after the running test (tests run in parallel processes); removed
/// again when the test passed, kept for inspection when it failed.
class TestDir {
public:
    TestDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = std::filesystem::temp_directory_path() /
                (std::string("synthstm-io-") + info->test_suite_name() + "-" + info->name() + "-" +
                 std::to_string(::getpid()));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    TestDir(const TestDir&) = delete;
    TestDir& operator=(const TestDir&) = delete;
    ~TestDir() {
        std::error_code ec;
        if (!::testing::Test::HasFailure()) std::filesystem::remove_all(path_, ec);
    }
    operator const std::filesystem::path&() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void spit(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

/// Runs f, expecting an Error of this kind whose message contains `needle`.
inline void expect_error(ErrorKind kind, const std::string& needle, const std::function<void()>& f) {
    try {
        f();
        ADD_FAILURE() << "no error thrown; expected one mentioning '" << needle << "'";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

/// Number of entries in a directory (to see that no temporary file was left behind).
inline std::size_t entries(const std::filesystem::path& dir) {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

}  // namespace synthstm::test
