#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "synthstm/core/error.hpp"
#include "synthstm/instrument/noise.hpp"

using namespace synthstm;

TEST(CurrentNoise, StdIsRelativeToTheReference) {
    RandomStream rng(3, 0, StreamPurpose::Noise);
    std::vector<double> values(20000, 5.0);
    add_gaussian_noise(values, 0.4, 2.5, rng);
    double mean = 0.0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    EXPECT_NEAR(mean, 5.0, 0.03);
    EXPECT_NEAR(standard_deviation(values), 1.0, 0.02);
}

TEST(CurrentNoise, ZeroAmplitudeChangesNothingAndBadInputIsRejected) {
    RandomStream rng(3, 0, StreamPurpose::Noise);
    std::vector<double> values{1.0, 2.0, 3.0};
    add_gaussian_noise(values, 0.0, 1.0, rng);
    EXPECT_EQ(values, (std::vector<double>{1.0, 2.0, 3.0}));
    EXPECT_NEAR(standard_deviation(values), std::sqrt(2.0 / 3.0), 1e-15);
    try {
        (void)gaussian_noise(-0.1, 1.0, rng);
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("relative_amplitude"), std::string::npos);
    }
    EXPECT_THROW((void)gaussian_noise(0.1, -1.0, rng), Error);
}
