#pragma once
/// Statistical noise on the measured current (DESIGN §3.4, the seed's model): Gaussian with a
/// standard deviation given relative to a reference standard deviation (the seed: the std of the
/// current over the image, amplitude 0 – 0.6).
#include <span>

#include "synthstm/core/random.hpp"

namespace synthstm {

/// One Gaussian deviate with standard deviation relative_amplitude × reference_std.
/// Throws InvalidInput if relative_amplitude or reference_std is negative or not finite.
double gaussian_noise(double relative_amplitude, double reference_std, RandomStream& rng);

/// Adds independent Gaussian noise of std relative_amplitude × reference_std to every value,
/// drawing in index order.
void add_gaussian_noise(std::span<double> values, double relative_amplitude, double reference_std,
                        RandomStream& rng);

/// Population standard deviation of the values (0 for fewer than two).
double standard_deviation(std::span<const double> values);

}  // namespace synthstm
