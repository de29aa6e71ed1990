// Constant-height and constant-current scans over a model surface with known physics.
#include <gtest/gtest.h>

#include "scan_test_support.hpp"

#include <atomic>
#include <cmath>

#include "synthstm/core/error.hpp"
#include "synthstm/lattice/material.hpp"
#include "synthstm/scan/ideal_scans.hpp"

namespace synthstm {
namespace {

// The top Se plane of WSe2 (cells −8…8), every site with a flat LDOS of 1 /eV.
AtomPositions top_plane() {
    std::vector<Vec3> sites;
    for (int i = -8; i <= 8; ++i)
        for (int j = -8; j <= 8; ++j) sites.push_back(wse2().position(i, j, Sublattice::ChalcogenTop));
    return AtomPositions::from_points(sites);
}

using test::flat_ldos;

TunnelingModel model_for(const std::vector<Vec3>& tip_atoms, double kappa = 10.0) {
    const AtomPositions sample = top_plane();
    TunnelingSettings s;
    s.kappa_per_nm = kappa;
    return tunneling_model(sample, flat_ldos(sample.size()), AtomPositions::from_points(tip_atoms),
                           flat_ldos(static_cast<int>(tip_atoms.size())), 0.5, s);
}

LateralPositions grid(int n, double size_nm) {
    LateralPositions p{n, n, {}, {}};
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            p.x_nm.push_back((c + 0.5) * size_nm / n - 0.5 * size_nm);
            p.y_nm.push_back((r + 0.5) * size_nm / n - 0.5 * size_nm);
        }
    return p;
}

TunnelingModel single_site_model(const std::vector<Vec3>& tip_atoms, double kappa) {
    const AtomPositions site = AtomPositions::from_points(std::vector<Vec3>{Vec3(0, 0, 0)});
    TunnelingSettings s;
    s.kappa_per_nm = kappa;
    return tunneling_model(site, flat_ldos(1), AtomPositions::from_points(tip_atoms),
                           flat_ldos(static_cast<int>(tip_atoms.size())), 0.5, s);
}

std::vector<Vec3> blunt_tip() {
    std::vector<Vec3> atoms;  // a 6-atom ring, 0.33 nm radius, in the apex plane
    for (int k = 0; k < 6; ++k) atoms.emplace_back(0.33 * std::cos(k * M_PI / 3), 0.33 * std::sin(k * M_PI / 3), 0.0);
    return atoms;
}

// Above a single site, a single-atom tip's current falls as exp(−2κΔz) (the pair is vertical);
// a blunt tip's does not: its atoms see the site at a slant, d = √(z² + ρ²) grows slower than z.
TEST(ConstantHeight, SingleAtomTipDecaysWithKappa) {
    const double kappa = 10.0, dz = 0.1;
    LateralPositions above_site{1, 1, {0.0}, {0.0}};
    const TunnelingModel sharp = single_site_model({Vec3(0, 0, 0)}, kappa);
    const TunnelingModel blunt = single_site_model(blunt_tip(), kappa);
    for (double z : {0.3, 0.45, 0.6}) {
        const auto ratio = [&](const TunnelingModel& m) {
            const TunnelingJunction j{&m};
            return constant_height_scan(j, above_site, z + dz).values[0] / constant_height_scan(j, above_site, z).values[0];
        };
        EXPECT_NEAR(ratio(sharp) / std::exp(-2 * kappa * dz), 1.0, 0.01) << "z = " << z;
        EXPECT_GT(ratio(blunt) / std::exp(-2 * kappa * dz), 1.05) << "z = " << z;
    }
}

// Over the whole top Se plane the neighbours add up: the continuum limit of the pair sum is
// I(z) ∝ ∫ exp(−2κ√(z² + ρ²)) 2πρ dρ ∝ (1 + 2κz) e^{−2κz}, so I(z + Δz)/I(z) →
// e^{−2κΔz} (1 + 2κ(z + Δz))/(1 + 2κz); the lattice sum approaches it as z grows (3.3 % off at 0.4 nm, where the discreteness
// of the lattice still shows; within 1 % from 0.6 nm).
TEST(ConstantHeight, PlaneOfSitesFollowsTheContinuumLimit) {
    const double kappa = 10.0, dz = 0.1;
    const TunnelingModel m = model_for({Vec3(0, 0, 0)}, kappa);
    const TunnelingJunction j{&m};
    LateralPositions above_site{1, 1, {0.0}, {0.0}};
    for (auto [z, tolerance] : {std::pair{0.4, 0.04}, std::pair{0.6, 0.01}, std::pair{0.8, 0.01}}) {
        const double ratio = constant_height_scan(j, above_site, z + dz).values[0] /
                             constant_height_scan(j, above_site, z).values[0];
        const double continuum = std::exp(-2 * kappa * dz) * (1 + 2 * kappa * (z + dz)) / (1 + 2 * kappa * z);
        EXPECT_NEAR(ratio / continuum, 1.0, tolerance) << "z = " << z;
    }
}

// The image is periodic with the lattice: the brightest pixels are on top of sites.
TEST(ConstantHeight, BrightestAboveSites) {
    const TunnelingModel m = model_for({Vec3(0, 0, 0)});
    const TunnelingJunction j{&m};
    const double a = wse2().a_nm;
    LateralPositions p{1, 3, {0.0, a / 2, a / std::sqrt(3.0) / 2}, {0.0, 0.0, a / 2 / std::sqrt(3.0)}};
    const ScanImage img = constant_height_scan(j, p, 0.4);
    EXPECT_GT(img.values[0], img.values[1]);
    EXPECT_GT(img.values[0], img.values[2]);
}

// A tilted sample raises the current where its plane rises.
TEST(ConstantHeight, TiltRaisesThePlane) {
    const TunnelingModel m = model_for({Vec3(0, 0, 0)});
    const TunnelingJunction flat{&m};
    const TunnelingJunction tilted{&m, 0.01, 0.0};
    const double a = wse2().a_nm;
    LateralPositions p{1, 1, {2 * a}, {0.0}};
    // At x = 2a the plane is tan(0.01)·2a higher: the tilted current at z is the flat one at z − h.
    const double h = std::tan(0.01) * 2 * a;
    const double i_flat = constant_height_scan(flat, p, 0.4 - h).values[0];
    const double i_tilt = constant_height_scan(tilted, p, 0.4).values[0];
    EXPECT_NEAR(i_tilt / i_flat, 1.0, 1e-12);
    EXPECT_GT(i_tilt, constant_height_scan(flat, p, 0.4).values[0]);
}

double corrugation(const ScanImage& z) {
    const auto [lo, hi] = std::minmax_element(z.values.begin(), z.values.end());
    return *hi - *lo;
}

// Every pixel reproduces the setpoint; the apparent corrugation falls as the initial height
// (which sets I_set = median constant-height current) rises from 0.1 to 0.5 nm.
TEST(ConstantCurrent, EveryPixelAtSetpointAndCorrugationFallsWithHeight) {
    const TunnelingModel m = model_for({Vec3(0, 0, 0)});
    const TunnelingJunction j{&m};
    const LateralPositions p = grid(12, 1.0);
    double previous = INFINITY;
    for (double z0 : {0.1, 0.3, 0.5}) {
        const double setpoint = median_current(constant_height_scan(j, p, z0));
        const ScanImage z = constant_current_scan(j, p, setpoint, z0);
        for (std::size_t k = 0; k < z.values.size(); ++k) {
            const double i = j.current(p.x_nm[k], p.y_nm[k], z.values[k]).current;
            ASSERT_NEAR(i / setpoint, 1.0, 1e-6) << "pixel " << k << " z0 " << z0;
        }
        const double c = corrugation(z);
        EXPECT_LT(c, previous) << "z0 = " << z0;
        EXPECT_GT(c, 0.0);
        previous = c;
    }
}

// Same image for 1 and 2 threads, bit for bit.
TEST(ConstantCurrent, ThreadCountDoesNotChangeTheImage) {
    const TunnelingModel m = model_for({Vec3(0, 0, 0), Vec3(0.2, 0.1, 0.3)});
    const TunnelingJunction j{&m, 0.005, 1.0};
    const LateralPositions p = grid(10, 1.5);
    const double setpoint = median_current(constant_height_scan(j, p, 0.45));
    EXPECT_EQ(constant_current_scan(j, p, setpoint, 0.45, {}, 1).values,
              constant_current_scan(j, p, setpoint, 0.45, {}, 2).values);
    EXPECT_EQ(constant_height_scan(j, p, 0.45, 1).values, constant_height_scan(j, p, 0.45, 2).values);
}

// Starting from the constant-height evaluations (HeightSlice) gives the same image, every pixel
// at the setpoint, for 1 and 2 threads alike; a slice of the wrong size is refused.
TEST(ConstantCurrent, KnownHeightSliceStartsTheSolve) {
    const TunnelingModel m = model_for({Vec3(0, 0, 0), Vec3(0.2, 0.1, 0.3)});
    const TunnelingJunction j{&m, 0.005, 1.0};
    const LateralPositions p = grid(10, 1.5);
    HeightSlice slice;
    const double setpoint = median_current(constant_height_scan(j, p, 0.45, 1, &slice));
    EXPECT_EQ(slice.height_nm, 0.45);
    const ScanImage plain = constant_current_scan(j, p, setpoint, 0.45);
    ScanImage slopes;
    const ScanImage started = constant_current_scan(j, p, setpoint, 0.45, {}, 1, &slopes, &slice);
    for (std::size_t k = 0; k < started.values.size(); ++k) {
        const TunnelingCurrent i = j.current(p.x_nm[k], p.y_nm[k], started.values[k]);
        ASSERT_NEAR(i.current / setpoint, 1.0, 1e-8) << "pixel " << k;
        EXPECT_NEAR(started.values[k], plain.values[k], 1e-9) << "pixel " << k;
        EXPECT_NEAR(slopes.values[k], i.dln_current_dz_per_nm, 1e-6 * std::abs(i.dln_current_dz_per_nm));
    }
    EXPECT_EQ(started.values, constant_current_scan(j, p, setpoint, 0.45, {}, 2, nullptr, &slice).values);
    HeightSlice wrong = slice;
    wrong.ln_abs_current = ScanImage(3, 3);
    EXPECT_THROW(constant_current_scan(j, p, setpoint, 0.45, {}, 1, nullptr, &wrong), Error);
    // The slice with every `every`-th pixel taken from a pass at height + offset instead.
    const auto spliced = [&](double offset_nm, std::size_t every) {
        HeightSlice other;
        (void)constant_height_scan(j, p, slice.height_nm + offset_nm, 1, &other);
        HeightSlice out = slice;
        out.height_offset_nm = ScanImage(p.rows, p.cols);
        for (std::size_t k = 0; k < started.values.size(); k += every) {
            out.height_offset_nm.values[k] = offset_nm;
            out.ln_abs_current.values[k] = other.ln_abs_current.values[k];
            out.dln_current_dz.values[k] = other.dln_current_dz.values[k];
        }
        return out;
    };
    // A slice whose pixels were evaluated at their own heights (height_offset_nm: every other
    // pixel 0.1 nm higher, as a pass following a step's terraces gives): the same image, and
    // its offsets must match the pixels too.
    HeightSlice mixed = spliced(0.1, 2);
    const ScanImage from_mixed = constant_current_scan(j, p, setpoint, 0.45, {}, 1, nullptr, &mixed);
    for (std::size_t k = 0; k < started.values.size(); ++k)
        EXPECT_NEAR(from_mixed.values[k], plain.values[k], 1e-9) << "pixel " << k;
    mixed.height_offset_nm = ScanImage(2, 2);
    EXPECT_THROW(constant_current_scan(j, p, setpoint, 0.45, {}, 1, nullptr, &mixed), Error);
    // Known points far from the setpoint (every third pixel evaluated 0.25 nm lower, where the
    // current is many times I_set, as beside a step's wall): those pixels start from the row's
    // extrapolation instead, to the same image.
    const HeightSlice far = spliced(-0.25, 3);
    int far_pixels = 0;
    for (std::size_t k = 0; k < started.values.size(); k += 3)
        far_pixels += std::abs(far.ln_abs_current.values[k] - std::log(std::abs(setpoint))) > 1.0 ? 1 : 0;
    EXPECT_GT(far_pixels, 20);
    const ScanImage from_far = constant_current_scan(j, p, setpoint, 0.45, {}, 1, nullptr, &far);
    for (std::size_t k = 0; k < started.values.size(); ++k)
        EXPECT_NEAR(from_far.values[k], plain.values[k], 1e-9) << "pixel " << k;
}

/// Counts the evaluations of another model.
class CountingCurrent final : public CurrentModel {
public:
    explicit CountingCurrent(const CurrentModel* model) : model_(model) {}
    [[nodiscard]] TunnelingCurrent current(const Vec3& r) const override {
        ++count;
        return model_->current(r);
    }
    mutable std::atomic<long> count{0};

private:
    const CurrentModel* model_;
};

/// Three atoms under a tilted junction, 16 × 16 pixels, the median current as the setpoint: the
/// case of the two tests below.
struct ThreeAtomScan {
    TunnelingModel model = model_for({Vec3(0, 0, 0), Vec3(0.2, 0.1, 0.3), Vec3(-0.15, 0.2, 0.25)});
    CountingCurrent counted{&model};
    TunnelingJunction junction{&counted, 0.01, 0.4};
    LateralPositions pixels = grid(16, 1.5);
    HeightSlice slice;
    double setpoint = median_current(constant_height_scan(junction, pixels, 0.4, 1, &slice));
};

// A last step taken without evaluating its end (ConstantCurrentSettings::verify_final_step) does
// fire (fewer evaluations), still lands within the tolerance at every pixel, and agrees with the
// evaluated solve to well within it.
TEST(ConstantCurrent, UnevaluatedFinalStepIsWithinTheTolerance) {
    const ThreeAtomScan t;
    ConstantCurrentSettings verified;
    verified.verify_final_step = true;
    for (const HeightSlice* known : {static_cast<const HeightSlice*>(nullptr), &t.slice}) {
        ScanImage slopes;
        t.counted.count = 0;
        const ScanImage fast = constant_current_scan(t.junction, t.pixels, t.setpoint, 0.4, {}, 1, &slopes, known);
        const long fast_count = t.counted.count.exchange(0);
        const ScanImage checked = constant_current_scan(t.junction, t.pixels, t.setpoint, 0.4, verified, 1, nullptr, known);
        EXPECT_LT(fast_count, t.counted.count.load());
        for (std::size_t k = 0; k < fast.values.size(); ++k) {
            const TunnelingCurrent i = t.junction.current(t.pixels.x_nm[k], t.pixels.y_nm[k], fast.values[k]);
            ASSERT_LE(std::abs(std::log(i.current / t.setpoint)), 1e-8) << "pixel " << k;
            EXPECT_NEAR(fast.values[k], checked.values[k], 1e-9) << "pixel " << k;
            EXPECT_NEAR(slopes.values[k], i.dln_current_dz_per_nm, 1e-6 * std::abs(i.dln_current_dz_per_nm));
        }
    }
}

// A current with a step of relative size 1e-4 at z = 0.5 nm (as a hard cut-off makes where
// pairs leave the sum) and a setpoint inside the step: no height reaches it to 1e-8. Where the
// model states an error bound that covers the step, the solve ends at the step; where it states
// none, the pixel is an error.
class SteppedCurrent final : public CurrentModel {
public:
    explicit SteppedCurrent(double stated_bound) : stated_bound_(stated_bound) {}
    [[nodiscard]] TunnelingCurrent current(const Vec3& r) const override {
        TunnelingCurrent c;
        c.current = std::exp(-20.0 * r.z()) * (r.z() < 0.5 ? 1.0 : 1.0 - 1e-4);
        c.ln_abs_current = std::log(c.current);
        c.dln_current_dz_per_nm = -20.0;
        c.dcurrent_dz_per_nm = -20.0 * c.current;
        c.cutoff_error_bound = stated_bound_ * c.current;
        return c;
    }

private:
    double stated_bound_;
};

TEST(ConstantCurrent, SetpointInsideAStepOfTheModelEndsAtTheStep) {
    const LateralPositions p = grid(2, 0.5);
    const double inside = std::exp(-20.0 * 0.5) * (1.0 - 5e-5);
    const SteppedCurrent bounded(1e-4), unbounded(0.0);
    const ScanImage z = constant_current_scan(TunnelingJunction{&bounded}, p, inside, 0.4);
    for (double v : z.values) EXPECT_NEAR(v, 0.5, 1e-9);
    EXPECT_THROW(constant_current_scan(TunnelingJunction{&unbounded}, p, inside, 0.4), Error);
    // Just beyond reach at the top of the height range (a bracket end never evaluated) is no
    // step, however large the stated bound.
    ConstantCurrentSettings low_ceiling;
    low_ceiling.max_height_nm = 1.0;
    const double beyond = std::exp(-20.0 * 1.0) * (1.0 - 1e-4) * (1.0 - 1e-6);
    EXPECT_THROW(constant_current_scan(TunnelingJunction{&bounded}, p, beyond, 0.4, low_ceiling), Error);
}

// A slice that is only approximate (single precision: ln I off by up to its ln_error, the
// sign of f wrong where |f| is smaller) still gives every pixel at the setpoint to 1e-8.
TEST(ConstantCurrent, ApproximateSliceStillReachesTheTolerance) {
    const ThreeAtomScan t;
    // Every pixel's ln I moved by ±5e-5, declared with ln_error 1e-4; the setpoint 2e-5 above
    // the median pixel's current, whose ln I moves the other way, so that the sign of its f is
    // wrong in the slice (and the root outside the bracket it implies).
    const double target = t.setpoint * std::exp(2e-5);
    HeightSlice approximate = t.slice;
    approximate.ln_error = 1e-4;
    for (std::size_t k = 0; k < approximate.ln_abs_current.values.size(); ++k) {
        const double f = t.slice.ln_abs_current.values[k] - std::log(std::abs(target));
        approximate.ln_abs_current.values[k] += std::abs(f) < 1e-4 ? -std::copysign(5e-5, f) : (k % 2 ? 5e-5 : -5e-5);
    }
    const ScanImage z = constant_current_scan(t.junction, t.pixels, target, 0.4, {}, 1, nullptr, &approximate);
    for (std::size_t k = 0; k < z.values.size(); ++k)
        ASSERT_LE(std::abs(std::log(t.junction.current(t.pixels.x_nm[k], t.pixels.y_nm[k], z.values[k]).current / target)),
                  1e-8)
            << "pixel " << k;
}

// A setpoint beyond reach (far above any current the surface gives at the lowest height) is an
// error naming a pixel, not a silent wrong pixel.
TEST(ConstantCurrent, UnreachableSetpointIsAnError) {
    const TunnelingModel m = model_for({Vec3(0, 0, 0)});
    const TunnelingJunction j{&m};
    const LateralPositions p = grid(2, 0.5);
    const double huge = 1e6 * median_current(constant_height_scan(j, p, 0.05));
    EXPECT_THROW(constant_current_scan(j, p, huge, 0.4), Error);
    EXPECT_THROW(constant_current_scan(j, p, 0.0, 0.4), Error);
}

}  // namespace
}  // namespace synthstm
