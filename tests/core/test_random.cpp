#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "synthstm/core/random.hpp"

using namespace synthstm;

TEST(RandomStream, SameNameSameNumbers) {
    RandomStream a(42, 7, StreamPurpose::Defects);
    RandomStream b(42, 7, StreamPurpose::Defects);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(a.bits64(), b.bits64());
}

TEST(RandomStream, SeedSampleAndPurposeEachGiveDistinctStreams) {
    std::set<std::uint64_t> first;
    first.insert(RandomStream(1, 0, StreamPurpose::Defects).bits64());
    first.insert(RandomStream(2, 0, StreamPurpose::Defects).bits64());
    first.insert(RandomStream(1, 1, StreamPurpose::Defects).bits64());
    first.insert(RandomStream(1, 0, StreamPurpose::Noise).bits64());
    first.insert(RandomStream(1, 0, StreamPurpose::Defects, 1).bits64());
    first.insert(RandomStream(1, std::uint64_t{1} << 32, StreamPurpose::Defects).bits64());
    EXPECT_EQ(first.size(), 6u);
}

TEST(RandomStream, UniformAndNormalMoments) {
    RandomStream r(3, 0, StreamPurpose::Test);
    const int n = 200000;
    double su = 0, su2 = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; ++i) {
        const double u = r.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        su += u;
        su2 += u * u;
        const double g = r.normal();
        sn += g;
        sn2 += g * g;
    }
    EXPECT_NEAR(su / n, 0.5, 0.005);
    EXPECT_NEAR(su2 / n - 0.25, 1.0 / 12.0, 0.002);
    EXPECT_NEAR(sn / n, 0.0, 0.01);
    EXPECT_NEAR(sn2 / n, 1.0, 0.01);
}

// Consecutive normals (the two outputs of one Box-Muller pair, and across pairs) are
// uncorrelated, and the fourth moment is the normal's 3 (a pair sharing its radius would show
// in neither the mean nor the variance, but in the products of squares: E[g1² g2²] = 1).
TEST(RandomStream, ConsecutiveNormalsAreIndependent) {
    RandomStream r(4, 0, StreamPurpose::Test);
    const int n = 200000;
    double prev = r.normal(), s_lag = 0, s_sq_lag = 0, s4 = 0;
    for (int i = 0; i < n; ++i) {
        const double g = r.normal();
        s_lag += g * prev;
        s_sq_lag += g * g * prev * prev;
        s4 += g * g * g * g;
        prev = g;
    }
    EXPECT_NEAR(s_lag / n, 0.0, 0.01);
    EXPECT_NEAR(s_sq_lag / n, 1.0, 0.03);
    EXPECT_NEAR(s4 / n, 3.0, 0.06);
}

TEST(RandomStream, PoissonMeanAndBelowRange) {
    RandomStream r(5, 0, StreamPurpose::Test);
    double s = 0;
    const int n = 50000;
    for (int i = 0; i < n; ++i) s += static_cast<double>(r.poisson(3.5));
    EXPECT_NEAR(s / n, 3.5, 0.05);
    for (int i = 0; i < 1000; ++i) EXPECT_LT(r.below(7), 7u);
}
