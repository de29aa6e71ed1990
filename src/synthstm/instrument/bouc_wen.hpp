#pragma once
/// Vertical (z) piezo with Bouc–Wen hysteresis (DESIGN §3.4), integrated with classical RK4.
///
/// Displacement y = α V + β H (nm) for drive voltage V (V). The hysteretic state H (in volts)
/// obeys the Bouc–Wen equation with exponent n = 1:
///     dH/dt = A dV/dt − B |dV/dt| H − C dV/dt |H|,
/// which is rate-independent, so it is integrated with V as the independent variable along a
/// linear ramp between two drive() calls: dH/dV = A − B sgn(ΔV) H − C |H|.
/// (DESIGN writes the last term as C V̇ |Ḣ|; read literally that is implicit in Ḣ and makes the
/// loop depend on the scan speed, so synthstm uses the standard Bouc–Wen |H|. See docs/instrument.md.)
/// A is dimensionless, B and C are in 1/V; from H = 0 the state stays within ±A/(B + C).

namespace synthstm {

/// Parameters of the Bouc–Wen z-piezo.
struct BoucWenParameters {
    double alpha_nm_per_V = 1.0;  ///< linear (elastic) sensitivity α, > 0
    double beta_nm_per_V = 0.1;   ///< weight β of the hysteretic state H in the output, finite
    double A = 0.5;               ///< Bouc–Wen A (dimensionless), >= 0
    double B_per_V = 0.5;         ///< Bouc–Wen B (1/V), >= 0
    double C_per_V = 0.5;         ///< Bouc–Wen C (1/V), >= 0
    bool hysteresis = true;       ///< false: y = α V exactly (H is not integrated)

    /// Throws InvalidInput naming the first bad parameter.
    void validate() const;
};

/// A z-piezo whose hysteretic state persists through the whole scan.
class BoucWenPiezo {
public:
    /// Validates the parameters; the piezo starts at V = 0, H = 0.
    explicit BoucWenPiezo(const BoucWenParameters& parameters);

    /// Ramps the voltage linearly from the previous voltage to voltage_V, integrating H with RK4
    /// (substeps with |ΔV| (B + C) <= 0.01, and the kink of |H| at H = 0 located exactly);
    /// returns the displacement y = α V + β H in nm.
    double drive(double voltage_V);
    /// Back to V = voltage_V and H = 0.
    void reset(double voltage_V = 0.0);

    /// The current drive voltage in V.
    [[nodiscard]] double voltage_V() const { return voltage_V_; }
    /// The hysteretic state H in V.
    [[nodiscard]] double state_V() const { return h_V_; }
    /// The current displacement y = α V + β H in nm.
    [[nodiscard]] double displacement_nm() const;
    /// The parameters.
    [[nodiscard]] const BoucWenParameters& parameters() const { return p_; }

private:
    BoucWenParameters p_;
    double voltage_V_ = 0.0;
    double h_V_ = 0.0;
};

}  // namespace synthstm
