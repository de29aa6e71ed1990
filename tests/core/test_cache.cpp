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
    // Straight into a buffer: exactly the stored values, and a size mismatch reads as absent.
    std::vector<double> into(3, 0.0), longer(4, 0.0);
    EXPECT_TRUE(cache_load_into("t", key, into));
    EXPECT_EQ(into, v);
    EXPECT_FALSE(cache_load_into("t", key, longer));
    // A truncated entry reads as absent.
    const auto entry = dir / "t" / (key + ".bin");
    std::filesystem::resize_file(entry, std::filesystem::file_size(entry) - 8);
    EXPECT_FALSE(cache_load_into("t", key, into));
    EXPECT_FALSE(cache_load("t", key, 3).has_value());
    setenv("SYNTHSTM_CACHE_DIR", "off", 1);
    EXPECT_FALSE(cache_store("t", key, v));
    std::filesystem::remove_all(dir);
}

TEST(Hasher, DistinguishesValuesAndBoundaries) {
    EXPECT_NE(Hasher().text("ab").text("c").digest(), Hasher().text("a").text("bc").digest());
    EXPECT_NE(Hasher().value(0.1).digest(), Hasher().value(0.1000000001).digest());
    EXPECT_EQ(Hasher().value(3).text("x").hex(), Hasher().value(3).text("x").hex());
}
