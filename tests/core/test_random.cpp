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

TEST(RandomStream, PoissonMeanAndBelowRange) {
    RandomStream r(5, 0, StreamPurpose::Test);
    double s = 0;
    const int n = 50000;
    for (int i = 0; i < n; ++i) s += static_cast<double>(r.poisson(3.5));
    EXPECT_NEAR(s / n, 3.5, 0.05);
    for (int i = 0; i < 1000; ++i) EXPECT_LT(r.below(7), 7u);
}
