#pragma once
/// The classical fourth-order Runge–Kutta method for dy/dt = f(t, y), for any state type with
/// State + State and double * State (double, Eigen vectors, …).
#include <utility>

namespace synthstm {

/// One classical RK4 step of size h from (t, y); f(t, y) returns dy/dt. Local error O(h⁵).
template <class State, class F>
[[nodiscard]] State rk4_step(F&& f, double t, const State& y, double h) {
    const State k1 = f(t, y);
    const State k2 = f(t + 0.5 * h, State(y + (0.5 * h) * k1));
    const State k3 = f(t + 0.5 * h, State(y + (0.5 * h) * k2));
    const State k4 = f(t + h, State(y + h * k3));
    return State(y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4));
}

/// Integrates from (t0, y0) to t1 in `steps` equal RK4 steps (steps >= 1). Global error O(h⁴).
template <class State, class F>
[[nodiscard]] State rk4_integrate(F&& f, double t0, const State& y0, double t1, int steps) {
    const double h = (t1 - t0) / static_cast<double>(steps);
    State y = y0;
    for (int n = 0; n < steps; ++n) y = rk4_step(f, t0 + n * h, y, h);
    return y;
}

}  // namespace synthstm
