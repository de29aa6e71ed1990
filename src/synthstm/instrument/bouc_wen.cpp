#include "synthstm/instrument/bouc_wen.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/instrument/rk4.hpp"

namespace synthstm {
namespace {

/// Largest substep in units of the relaxation length 1/(B + C) of H.
constexpr double kMaxStepRelaxation = 0.01;

void check_finite(double value, const char* name) {
    if (!std::isfinite(value)) invalid_input(fmt::format("Bouc-Wen {} must be finite, got {}", name, value));
}

void check_non_negative(double value, const char* name) {
    check_finite(value, name);
    if (value < 0.0) invalid_input(fmt::format("Bouc-Wen {} must be >= 0, got {}", name, value));
}

}  // namespace

void BoucWenParameters::validate() const {
    check_finite(alpha_nm_per_V, "alpha_nm_per_V");
    if (alpha_nm_per_V <= 0.0) {
        invalid_input(fmt::format("Bouc-Wen alpha_nm_per_V must be positive, got {}", alpha_nm_per_V));
    }
    check_finite(beta_nm_per_V, "beta_nm_per_V");
    check_non_negative(A, "A");
    check_non_negative(B_per_V, "B_per_V");
    check_non_negative(C_per_V, "C_per_V");
}

BoucWenPiezo::BoucWenPiezo(const BoucWenParameters& parameters) : p_(parameters) { p_.validate(); }

void BoucWenPiezo::reset(double voltage_V) {
    if (!std::isfinite(voltage_V)) invalid_input(fmt::format("piezo voltage_V must be finite, got {}", voltage_V));
    voltage_V_ = voltage_V;
    h_V_ = 0.0;
}

double BoucWenPiezo::displacement_nm() const {
    return p_.alpha_nm_per_V * voltage_V_ + (p_.hysteresis ? p_.beta_nm_per_V * h_V_ : 0.0);
}

double BoucWenPiezo::drive(double voltage_V) {
    if (!std::isfinite(voltage_V)) invalid_input(fmt::format("piezo voltage_V must be finite, got {}", voltage_V));
    const double delta = voltage_V - voltage_V_;
    voltage_V_ = voltage_V;
    if (!p_.hysteresis || delta == 0.0) return displacement_nm();

    // Along the ramp u = |V - V_start| (u grows), s = sgn(ΔV):
    //   dH/du = s dH/dV = s A - (B + s C sgn H) H,
    // linear in H on either side of H = 0. sgn H is frozen within a step (at H = 0, the side H
    // moves to, s), so every RK4 step integrates a smooth ODE; a step that crosses H = 0 is cut at
    // the crossing (bisection on the step length) and continued on the other side.
    const double s = delta > 0.0 ? 1.0 : -1.0;
    const double length = std::abs(delta);
    const double rate = p_.B_per_V + p_.C_per_V;
    const double steps_wanted = std::ceil(length * rate / kMaxStepRelaxation);
    const long steps = std::max(1L, static_cast<long>(std::min(steps_wanted, 1e9)));
    const double h = length / static_cast<double>(steps);

    auto step = [&](double hv, double step_len) {
        const double side = hv != 0.0 ? (hv > 0.0 ? 1.0 : -1.0) : s;
        const double k = p_.B_per_V + s * p_.C_per_V * side;
        auto f = [&](double, double x) { return s * p_.A - k * x; };
        return std::pair{rk4_step(f, 0.0, hv, step_len), side};
    };

    double hv = h_V_;
    for (long n = 0; n < steps; ++n) {
        auto [next, side] = step(hv, h);
        if (next * side < 0.0) {
            // Crossed H = 0: the length to the crossing, then the rest of the step on the new side.
            // On this side the ODE is linear, H' = a − kH, so the crossing of its solution
            // H∞ + (H0 − H∞) e^{−ku}, H∞ = a/k, is at u = ln(1 − H0/H∞)/k (u = −H0/a for k = 0);
            // it differs from the RK4 polynomial's by the step's O(h⁵) error.
            const double k = p_.B_per_V + s * p_.C_per_V * side;
            const double a = s * p_.A;
            const double cross = k == 0.0 ? -hv / a : std::log1p(-hv * k / a) / k;
            next = step(0.0, h - std::clamp(std::isfinite(cross) ? cross : h, 0.0, h)).first;
        }
        hv = next;
    }
    h_V_ = hv;
    return displacement_nm();
}

}  // namespace synthstm
