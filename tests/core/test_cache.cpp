#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "synthstm/core/cache.hpp"
#include "synthstm/core/hash.hpp"

using namespace synthstm;

TEST(Cache, RoundTripAndMismatchedSizeReadsAbsent) {
    const auto dir = std::filesystem::temp_directory_path() / "synthstm-cache-test";
    std::filesystem::remove_all(dir);
    setenv("SYNTHSTM_CACHE_DIR", dir.c_str(), 1);
    const std::vector<double> v = {1.0, -2.5, 3.25};
    const std::string key = Hasher().text("k").value(1.5).hex();
    EXPECT_FALSE(cache_load("t", key, 3).has_value());
    ASSERT_TRUE(cache_store("t", key, v));
    EXPECT_EQ(cache_load("t", key, 3).value(), v);
    EXPECT_FALSE(cache_load("t", key, 4).has_value());
    setenv("SYNTHSTM_CACHE_DIR", "off", 1);
    EXPECT_FALSE(cache_store("t", key, v));
    std::filesystem::remove_all(dir);
}

TEST(Hasher, DistinguishesValuesAndBoundaries) {
    EXPECT_NE(Hasher().text("ab").text("c").digest(), Hasher().text("a").text("bc").digest());
    EXPECT_NE(Hasher().value(0.1).digest(), Hasher().value(0.1000000001).digest());
    EXPECT_EQ(Hasher().value(3).text("x").hex(), Hasher().value(3).text("x").hex());
}
