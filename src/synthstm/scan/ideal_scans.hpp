#pragma once
/// The two idealised scan modes of DESIGN §3.3: constant height and constant current. Pixels
/// are independent (no piezo, no controller), so both run in parallel over rows with the same
/// result for any thread count.
#include "synthstm/scan/scan_image.hpp"

namespace synthstm {

/// ln|I| and d ln|I|/dz at every pixel at one apex height: what a constant-height scan
/// evaluated, kept so that a constant-current solve at the same positions starts from it.
struct HeightSlice {
    double height_nm = 0.0;    ///< the apex height
    ScanImage height_offset_nm;  ///< if not empty: pixel (r, c) was evaluated at height_nm + this (e.g. a
                                 ///< pass that follows the terraces of a step), for the constant-current start
    ScanImage ln_abs_current;  ///< ln|I| (−∞ where I = 0)
    ScanImage dln_current_dz;  ///< d ln|I|/dz, nm⁻¹
    double ln_error = 0.0;     ///< bound on the error of its ln|I| against current() (0: evaluations of it)
};

/// The current at every pixel with the apex at height_nm above the top atomic plane; also
/// fills *slice when it is not null. Single precision evaluates with image_current (relative
/// error ~1e-5: enough for an image and for the start of a constant-current solve, which then
/// takes the slice as approximate, slice->ln_error = 1e-4).
ScanImage constant_height_scan(const TunnelingJunction& junction, const LateralPositions& pixels, double height_nm,
                               int threads = 1, HeightSlice* slice = nullptr,
                               TunnelingPrecision precision = TunnelingPrecision::Double);

/// Settings of the constant-current solver.
struct ConstantCurrentSettings {
    double relative_tolerance = 1e-8;  ///< stop when |I/I_set − 1| ≤ this (ln-space |Δ| ≤ this)
    double min_height_nm = -0.3;       ///< lowest apex height tried (into a vacancy, down to near the metal plane)
    double max_height_nm = 5.0;        ///< highest apex height tried
    int max_iterations = 200;          ///< Newton + bisection steps per pixel before giving up
    /// A quadratic step whose curvature comes from this pixel's own last two evaluations, taken
    /// from a point with f² ≤ 3 · relative_tolerance (f = ln|I/I_set|) and with a curvature
    /// that, even wrong by all of itself, moves the end by under a tenth of the tolerance, ends
    /// within the tolerance without evaluating its end: the residual after such a step is
    /// ≤ 0.053 f² over 780 000 measured steps (docs/tunneling.md, "Constant current"), so
    /// ≤ 0.16 of the tolerance. true: evaluate the end of every step all the same.
    bool verify_final_step = false;
};

/// The apex height at every pixel where |I| = |setpoint| (setpoint has the sign of the bias),
/// by safeguarded Newton on ln|I|: Newton steps from a start estimate (the first pixel of a row:
/// the pure-exponential estimate at start_height_nm; later pixels: the heights already solved in
/// the same row, extrapolated linearly, so a row is the unit of work and the result does not
/// depend on the thread count), kept inside a
/// bracket [z_lo, z_hi] with ln|I(z_lo)| > ln|I_set| > ln|I(z_hi)| and replaced by bisection
/// whenever they would leave it, so every pixel converges. Throws InvalidInput when the setpoint
/// cannot be reached between min_height_nm and max_height_nm (naming the pixel), never returns
/// an unconverged pixel (see ConstantCurrentSettings::verify_final_step for the last step) —
/// except where the model's current itself steps across the setpoint between two evaluations
/// 1e-12 nm apart by no more than twice its stated error bound (a cut-off's jump): there the
/// step's height is returned.
ScanImage constant_current_scan(const TunnelingJunction& junction, const LateralPositions& pixels, double setpoint,
                                double start_height_nm, const ConstantCurrentSettings& settings = {}, int threads = 1);

/// The same; also stores d ln|I|/dz at every solved pixel (the slope of the model at the
/// returned height, from the solver's last evaluation or, after an unevaluated final step, from
/// its quadratic model) in *dln_current_dz when it is not null.
/// With `known` (a constant-height slice of the same junction at the same positions: exact
/// evaluations of this model when its ln_error is 0, so one already at the setpoint ends the
/// pixel; approximate ones otherwise, which neither end a pixel nor bound the bracket unless
/// |ln I/I_set| exceeds ln_error) each pixel starts from its
/// known point instead of a fresh evaluation — unless |ln I/I_set| > 1 there and two pixels of
/// the row are solved (beside a step edge, where the apex climbs the wall: then from their
/// extrapolation, as without a slice) — and the first step is quadratic with the
/// curvature the previous pixel of the row ended with. Every step after the first is quadratic
/// too, with the curvature from the last two slopes (secant), which saves about one evaluation
/// per pixel over Newton; the bracket and bisection safeguard are unchanged.
ScanImage constant_current_scan(const TunnelingJunction& junction, const LateralPositions& pixels, double setpoint,
                                double start_height_nm, const ConstantCurrentSettings& settings, int threads,
                                ScanImage* dln_current_dz, const HeightSlice* known = nullptr);

/// The median of |values| with the sign of the first non-zero value: the default setpoint.
double median_current(const ScanImage& current);

}  // namespace synthstm
