#pragma once
/// The tunnelling current of DESIGN §3.2 at any tip position, with its analytic z-derivative:
///   I(R) = Σ_{i∈sample} Σ_{j∈tip} C_ij(V) exp(−2κ |r_i − (R + t_j)|),
///   dI/dz = Σ_ij C_ij exp(−2κ d_ij) · (−2κ) (z_R + z_tj − z_i)/d_ij,
/// R the apex reference point, t_j the tip atoms relative to it, C_ij(V) the bias-window
/// integral of bias_window.hpp (computed once per sample, tip and bias). Units: nm, eV, V;
/// the current is in arbitrary units, (states/eV)² · eV, with the sign of the bias.
///
/// Cut-off: a pair whose factor exp(−2κ d_ij) is below relative_tolerance times the largest
/// factor (that of the shortest distance d_min) is skipped, i.e. pairs with d_ij > d_min + L,
/// L = ln(1/tol)/(2κ) (0.69 nm for the defaults); so are tip atoms more than d_min + L above the
/// highest sample site. Every skipped term is below tol · e^{−2κ d_min} · |C_ij|, so
///   |I_without cut-off − I| ≤ tol · e^{−2κ d_min} · Σ_skipped |C_ij|,
/// which current() returns as cutoff_error_bound (tests/tunneling checks it against the sum
/// without cut-off). The same bound times 2κ holds for dI/dz, since |z-distance/d| ≤ 1.
///
/// Data layout and speed: see pair_sum.hpp (structure of arrays, cell list, vectorised loop with
/// a branch-free exp). Single precision is about twice as fast, with relative errors ~1e-5.
#include <memory>
#include <span>
#include <variant>
#include <vector>

#include <Eigen/Dense>

#include "synthstm/core/geometry.hpp"
#include "synthstm/ldos/spectrum.hpp"
#include "synthstm/tip/tip_ldos.hpp"
#include "synthstm/tunneling/pair_sum.hpp"

namespace synthstm {

/// Atom positions as a structure of arrays, in nm.
struct AtomPositions {
    std::vector<double> x_nm;  ///< x of every atom
    std::vector<double> y_nm;  ///< y of every atom
    std::vector<double> z_nm;  ///< z of every atom (+z from the sample up into the tip)

    /// Number of atoms (the length of x_nm).
    [[nodiscard]] int size() const { return static_cast<int>(x_nm.size()); }
    /// The same points as a structure of arrays.
    static AtomPositions from_points(std::span<const Vec3> points_nm);
    /// Throws InvalidInput naming `what` unless the arrays are non-empty, equally long and finite.
    void validate(const char* what) const;
};

/// Arithmetic of the pair sum.
enum class TunnelingPrecision {
    Double,  ///< reference
    Single,  ///< about twice as fast; relative error of I and d ln I/dz ~1e-5 (tested)
};

/// Parameters of the pair sum.
struct TunnelingSettings {
    double kappa_per_nm = 10.0;        ///< decay constant κ (work function ≈ 4 eV); factors are e^{−2κd}
    double relative_tolerance = 1e-6;  ///< skip pairs whose factor is below this times the largest; 0: keep all
                                       ///< that the arithmetic can tell from 0 (e^−87 float, e^−700 double)
    TunnelingPrecision precision = TunnelingPrecision::Double;  ///< arithmetic of the pair sum

    /// Throws InvalidInput unless κ > 0 and 0 ≤ tolerance < 1, both finite.
    void validate() const;
    /// The cut-off length L = ln(1/tol)/(2κ) beyond d_min (infinite for tol = 0).
    [[nodiscard]] double cutoff_length_nm() const;
};

/// The current at one tip position and its derivatives along z (the apex moving up).
struct TunnelingCurrent {
    double current = 0.0;                ///< I, arbitrary units, sign of the bias; may underflow to 0 far away
    double dcurrent_dz_per_nm = 0.0;     ///< dI/dz
    double ln_abs_current = 0.0;         ///< ln|I|, finite even where I underflows; −∞ where I = 0
    double dln_current_dz_per_nm = 0.0;  ///< d ln|I|/dz = (dI/dz)/I, what a Newton step on ln I needs; NaN where I = 0
    double cutoff_error_bound = 0.0;     ///< bound on |I without cut-off − I| (same units as I)
    double min_distance_nm = 0.0;        ///< the shortest sample–tip atom distance d_min
    long pairs = 0;                      ///< pair terms computed
};

/// Anything that gives the current at an apex position: the plain pair sum (TunnelingModel) or
/// the lattice form of lattice_current.hpp. Implementations are immutable and thread-safe.
class CurrentModel {
public:
    virtual ~CurrentModel() = default;
    /// I, dI/dz and d ln I/dz with the apex reference point at apex_nm.
    [[nodiscard]] virtual TunnelingCurrent current(const Vec3& apex_nm) const = 0;
    /// The same to the precision of a recorded image (relative error ~1e-6; may use single
    /// precision): for scans that record the current, not for the constant-current solve.
    [[nodiscard]] virtual TunnelingCurrent image_current(const Vec3& apex_nm) const { return current(apex_nm); }
};

/// Sample sites and tip atoms with their pair weights C_ij, ready to give I(R) at any R.
/// Immutable after construction; current() may be called from many threads at once.
class TunnelingModel final : public CurrentModel {
public:
    ~TunnelingModel() override;
    TunnelingModel(TunnelingModel&&) noexcept;
    TunnelingModel& operator=(TunnelingModel&&) noexcept;
    /// weights(i, j) = C_ij for sample site i and tip atom j (e.g. from pair_weights); tip atoms
    /// relative to the apex reference point. Throws InvalidInput for bad positions, a weights
    /// matrix of the wrong shape or with non-finite entries, or bad settings.
    TunnelingModel(const AtomPositions& sample_nm, const AtomPositions& tip_nm, const Eigen::MatrixXd& weights,
                   const TunnelingSettings& settings = {});

    /// I, dI/dz and d ln I/dz with the apex reference point at apex_nm. Throws InvalidInput
    /// for a non-finite position.
    [[nodiscard]] TunnelingCurrent current(const Vec3& apex_nm) const override;

    /// The pair weights C_ij (sample site i, tip atom j).
    [[nodiscard]] const Eigen::MatrixXd& weights() const { return weights_; }
    /// The settings it was built with.
    [[nodiscard]] const TunnelingSettings& settings() const { return settings_; }
    /// Number of sample sites.
    [[nodiscard]] int sample_sites() const { return static_cast<int>(weights_.rows()); }
    /// Number of tip atoms.
    [[nodiscard]] int tip_atoms() const { return static_cast<int>(weights_.cols()); }

private:
    TunnelingSettings settings_;
    Eigen::MatrixXd weights_;
    // The pair sum's arrays and cells are built on the first current() (once, whichever thread
    // asks): a model that serves only rare apex positions (the exact fallback of
    // lattice_current.hpp) then costs no more than its weights.
    struct LazySum;
    std::unique_ptr<LazySum> sum_;
    [[nodiscard]] const std::variant<PairSum<double>, PairSum<float>>& sum() const;
};

/// The model for a sample (sites with their LDOS, row i of sample_ldos for site i) and a tip
/// (atoms relative to the apex reference point, row j of tip_ldos for atom j) at sample bias
/// bias_V: C_ij by pair_weights, then the constructor. Throws InvalidInput when the LDOS rows
/// do not match the atoms or a grid does not cover the bias window.
TunnelingModel tunneling_model(const AtomPositions& sample_nm, const LdosSpectrum& sample_ldos,
                               const AtomPositions& tip_nm, const LdosSpectrum& tip_ldos, double bias_V,
                               const TunnelingSettings& settings = {});

/// The same for a tip's apex atoms and their LDOS as tip_ldos() returns them.
TunnelingModel tunneling_model(const AtomPositions& sample_nm, const LdosSpectrum& sample_ldos, const TipLdos& tip,
                               double bias_V, const TunnelingSettings& settings = {});

}  // namespace synthstm
