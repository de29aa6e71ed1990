#pragma once
// Shared by the tests: the message of the InvalidInput error a call throws.
#include <string>

#include <gtest/gtest.h>

#include "synthstm/core/error.hpp"

namespace synthstm::test {

/// Runs fn and returns the message of the synthstm::Error it throws (which must be
/// InvalidInput); records a test failure and returns "" if it throws nothing.
inline std::string error_message(auto&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
        return e.what();
    }
    ADD_FAILURE() << "no error";
    return {};
}

}  // namespace synthstm::test
