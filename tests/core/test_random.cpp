#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

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

// Consecutive normals are uncorrelated, and the fourth moment is the normal's 3 (two draws
// sharing a radius or a word would show in neither the mean nor the variance, but in the
// products of squares: E[g1² g2²] = 1).
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

// The whole distribution, not only its moments: the empirical CDF of 10^6 normals against Φ
// (Kolmogorov–Smirnov: the 0.1 % critical value is 1.95/√n), and the frequencies of the rare
// paths of the ziggurat — beyond its base edge r = 3.654 (the tail path; 2Φ(−r) = 2.58e-4) and
// beyond 4 (6.3e-5) — each within four standard deviations of the binomial count.
TEST(RandomStream, NormalsFollowTheNormalCdfIntoTheTails) {
    RandomStream r(5, 0, StreamPurpose::Test);
    const int n = 1000000;
    std::vector<double> g(n);
    for (double& v : g) v = r.normal();
    std::sort(g.begin(), g.end());
    double ks = 0.0;
    for (int i = 0; i < n; ++i) {
        const double phi = 0.5 * std::erfc(-g[i] / std::sqrt(2.0));
        ks = std::max({ks, std::abs(phi - double(i) / n), std::abs(phi - double(i + 1) / n)});
    }
    EXPECT_LT(ks, 1.95 / std::sqrt(double(n)));
    for (double cut : {3.6541528853610088, 4.0}) {
        const double p = std::erfc(cut / std::sqrt(2.0));  // P(|g| > cut)
        const auto beyond = std::count_if(g.begin(), g.end(), [&](double v) { return std::abs(v) > cut; });
        EXPECT_NEAR(double(beyond), n * p, 4.0 * std::sqrt(n * p) + 1.0) << "beyond " << cut;
    }
    const auto negative = std::count_if(g.begin(), g.end(), [](double v) { return v < 0.0; });
    EXPECT_NEAR(double(negative), 0.5 * n, 4.0 * std::sqrt(0.25 * n));
}

TEST(RandomStream, PoissonMeanAndBelowRange) {
    RandomStream r(5, 0, StreamPurpose::Test);
    double s = 0;
    const int n = 50000;
    for (int i = 0; i < n; ++i) s += static_cast<double>(r.poisson(3.5));
    EXPECT_NEAR(s / n, 3.5, 0.05);
    for (int i = 0; i < 1000; ++i) EXPECT_LT(r.below(7), 7u);
}
