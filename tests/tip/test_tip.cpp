// Tip stage: the variant geometries (counts, apex layers, bcc sites, double tips), orientation,
// and the apex LDOS (cache round trip, sum rule, second moment = Σ_j H_ij²).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "synthstm/core/error.hpp"
#include "synthstm/ldos/kpm.hpp"
#include "synthstm/ldos/kpm_kernel.hpp"
#include "synthstm/tightbinding/cluster_model.hpp"
#include "synthstm/tip/tip_ldos.hpp"
#include "synthstm/tip/tip_variants.hpp"

using namespace synthstm;

namespace {

constexpr double kA = kTungstenLattice_nm;

// The table of tip_variants.hpp and docs/tips.md: atoms and the sizes of the lowest four layers.
struct Expected {
    const char* name;
    int atoms;
    std::vector<int> layers;
};
const std::vector<Expected> kExpected = {
    {"w111-sharp", 4394, {1, 3, 1, 6}},        {"w111-offcentre", 4391, {1, 1, 6, 3}},
    {"w111-trimer", 4393, {3, 1, 6, 3}},       {"w111-blunt6", 4389, {6, 3, 10, 6}},
    {"w111-blunt10", 4380, {10, 6, 15, 10}},   {"w001-sharp", 2470, {1, 4, 9, 16}},
    {"w001-offcentre", 2466, {1, 9, 16, 25}},  {"w001-dimer", 2467, {2, 9, 16, 25}},
    {"w001-tetramer", 2469, {4, 9, 16, 25}},   {"w001-blunt9", 2465, {9, 16, 25, 36}},
    {"w001-double-1.0nm", 2417, {2, 36, 49, 64}}, {"w001-double-1.3nm", 2417, {2, 36, 49, 64}},
    {"w001-double-asym", 2421, {1, 5, 36, 49}},
};

double lateral(const Vec3& a, const Vec3& b) { return std::hypot(a.x() - b.x(), a.y() - b.y()); }

// Atoms at the nearest-neighbour distance a√3/2 from atom i.
int nearest_neighbours(const TipGeometry& tip, int i) {
    int n = 0;
    for (const Vec3& r : tip.atoms_nm) n += std::abs((r - tip.atoms_nm[i]).norm() - kA * std::sqrt(3.0) / 2.0) < 1e-6;
    return n;
}

// True when every atom, mapped back by `to_crystal`, sits on the bcc lattice of the apex atom:
// in units of a/2 all coordinates are integers of one parity (corner sites even, centres odd).
bool on_bcc_lattice(const TipGeometry& tip, const Rotation& to_crystal) {
    for (const Vec3& r : tip.body_atoms_nm) {
        const Vec3 u = to_crystal * r / (0.5 * kA);
        const Eigen::Vector3d rounded = u.array().round();
        if ((u - rounded).cwiseAbs().maxCoeff() > 1e-6) return false;
        const auto parity = [](double v) { return static_cast<long>(std::llround(v)) & 1L; };
        if (parity(rounded.x()) != parity(rounded.y()) || parity(rounded.y()) != parity(rounded.z())) return false;
    }
    return true;
}

// A temporary, empty cache directory for one test; removed and the old setting restored afterwards.
class ScopedCacheDir {
public:
    explicit ScopedCacheDir(const std::string& name)
        : dir_(std::filesystem::temp_directory_path() / ("synthstm-tip-test-" + name)) {
        if (const char* old = std::getenv("SYNTHSTM_CACHE_DIR")) old_ = old;
        std::filesystem::remove_all(dir_);
        setenv("SYNTHSTM_CACHE_DIR", dir_.c_str(), 1);
    }
    ~ScopedCacheDir() {
        std::filesystem::remove_all(dir_);
        if (old_) {
            setenv("SYNTHSTM_CACHE_DIR", old_->c_str(), 1);
        } else {
            unsetenv("SYNTHSTM_CACHE_DIR");
        }
    }
    ScopedCacheDir(const ScopedCacheDir&) = delete;
    ScopedCacheDir& operator=(const ScopedCacheDir&) = delete;

private:
    std::filesystem::path dir_;
    std::optional<std::string> old_;
};

// ∫ E^power ρ(E) dE of one row by the trapezoidal rule.
double moment(const LdosSpectrum& s, int row, int power) {
    double sum = 0.0;
    for (std::size_t n = 1; n < s.energy_eV.size(); ++n) {
        const double e0 = s.energy_eV[n - 1];
        const double e1 = s.energy_eV[n];
        sum += 0.5 * (std::pow(e0, power) * s.ldos_per_eV(row, n - 1) + std::pow(e1, power) * s.ldos_per_eV(row, n)) *
               (e1 - e0);
    }
    return sum;
}

}  // namespace

TEST(TipVariants, EveryNameBuildsWithTheDocumentedCountsAndApexLayers) {
    const auto names = tip_variant_names();
    ASSERT_EQ(names.size(), kExpected.size());
    for (std::size_t v = 0; v < names.size(); ++v) {
        const Expected& e = kExpected[v];
        ASSERT_EQ(names[v], e.name);
        const TipGeometry tip = build_tip(names[v]);
        EXPECT_EQ(tip.name, names[v]);
        EXPECT_FALSE(tip.description.empty()) << e.name;
        EXPECT_EQ(tip.size(), e.atoms) << e.name;
        ASSERT_EQ(tip.body_atoms_nm.size(), tip.atoms_nm.size());
        EXPECT_EQ(tip.apex_index, 0) << e.name;
        EXPECT_EQ(tip.atoms_nm[0], Vec3::Zero()) << e.name;
        const auto layers = height_layers(tip);
        ASSERT_GE(layers.size(), e.layers.size());
        for (std::size_t l = 0; l < e.layers.size(); ++l) {
            EXPECT_EQ(static_cast<int>(layers[l].size()), e.layers[l]) << e.name << " layer " << l;
        }
        for (const Vec3& r : tip.atoms_nm) EXPECT_GE(r.z(), -1e-12) << e.name << ": an atom below the apex";
    }
}

TEST(TipVariants, PairwiseDistinctAtomSets) {
    const auto names = tip_variant_names();
    std::vector<TipGeometry> tips;
    for (const auto& n : names) tips.push_back(build_tip(n));
    for (std::size_t i = 0; i < tips.size(); ++i) {
        for (std::size_t j = i + 1; j < tips.size(); ++j) {
            bool differ = tips[i].size() != tips[j].size();
            for (int k = 0; !differ && k < tips[i].size(); ++k) {
                differ = (tips[i].atoms_nm[k] - tips[j].atoms_nm[k]).norm() > 1e-6;
            }
            EXPECT_TRUE(differ) << names[i] << " and " << names[j] << " have the same atoms";
        }
    }
}

TEST(TipVariants, UnknownNameThrowsListingTheNames) {
    try {
        build_tip("w110-sharp");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
        const std::string msg = e.what();
        EXPECT_NE(msg.find("w110-sharp"), std::string::npos) << msg;
        for (const auto& n : tip_variant_names()) EXPECT_NE(msg.find(n), std::string::npos) << msg;
    }
}

TEST(TipVariants, SharpApexesAreUniqueAndOnTheAxis) {
    // w111: next layer a/(2√3)·2 = 0.183 nm up; the atom of layer 2 is right above the apex.
    const TipGeometry w111 = build_tip("w111-sharp");
    for (int i = 1; i < w111.size(); ++i) ASSERT_GT(w111.atoms_nm[i].z(), 0.18) << i;
    const auto layers111 = height_layers(w111);
    EXPECT_NEAR(lateral(w111.atoms_nm[layers111[2][0]], Vec3::Zero()), 0.0, 1e-9);
    EXPECT_NEAR(w111.atoms_nm[layers111[2][0]].z(), kA * std::sqrt(3.0) / 2.0, 1e-9);
    // w001: next layer a/2 up, four atoms around the axis.
    const TipGeometry w001 = build_tip("w001-sharp");
    for (int i = 1; i < w001.size(); ++i) ASSERT_GT(w001.atoms_nm[i].z(), 0.15) << i;
    const auto layers001 = height_layers(w001);
    Vec3 centre = Vec3::Zero();
    for (int i : layers001[1]) centre += w001.atoms_nm[i] / 4.0;
    EXPECT_LT(lateral(centre, Vec3::Zero()), 1e-9);
}

TEST(TipVariants, OffCentreApexesAreOffTheAxis) {
    // w111: the single atom of layer 1 marks the [111] axis; the apex sits a√(2/3) = 0.258 nm off it.
    const TipGeometry w111 = build_tip("w111-offcentre");
    EXPECT_NEAR(lateral(w111.atoms_nm[height_layers(w111)[1][0]], Vec3::Zero()), kA * std::sqrt(2.0 / 3.0), 1e-9);
    // w001: the 3 × 3 layer above is centred on the axis; the apex sits a/√2 = 0.224 nm off it.
    const TipGeometry w001 = build_tip("w001-offcentre");
    const auto layers001 = height_layers(w001);
    Vec3 centre = Vec3::Zero();
    for (int i : layers001[1]) centre += w001.atoms_nm[i] / 9.0;
    EXPECT_NEAR(lateral(centre, Vec3::Zero()), kA / std::sqrt(2.0), 1e-9);
}

TEST(TipVariants, EveryAtomIsOnTheBccLattice) {
    const Rotation w111_to_crystal = rotation_between(Vec3::UnitZ(), Vec3(1.0, 1.0, 1.0).normalized());
    for (const auto& n : tip_variant_names()) {
        const TipGeometry tip = build_tip(n);
        const Rotation to_crystal = n.starts_with("w111") ? w111_to_crystal : Rotation::Identity();
        EXPECT_TRUE(on_bcc_lattice(tip, to_crystal)) << n;
        // A (111) cube corner has the 1 nearest neighbour above it; (001) apexes sit on 4.
        EXPECT_GE(nearest_neighbours(tip, 0), n.starts_with("w111") ? 1 : 4) << n;
    }
}

TEST(TipVariants, DoubleTipsHaveTwoApexesAtTheStatedSeparation) {
    const std::pair<const char*, double> doubles[] = {{"w001-double-1.0nm", 1.0}, {"w001-double-1.3nm", 1.3}};
    for (const auto& [name, separation_nm] : doubles) {
        const TipGeometry tip = build_tip(name);
        const auto lowest = height_layers(tip)[0];
        ASSERT_EQ(lowest.size(), 2u) << name;
        ASSERT_EQ(tip.apex_indices, lowest) << name;
        EXPECT_NEAR(lateral(tip.atoms_nm[lowest[0]], tip.atoms_nm[lowest[1]]), separation_nm, 0.01) << name;
        // The next atoms up (the facet) are a/2 higher; each apex sits in a hollow on 4 of them.
        EXPECT_NEAR(tip.atoms_nm[height_layers(tip)[1][0]].z(), 0.5 * kA, 1e-9) << name;
        for (int i : lowest) EXPECT_EQ(nearest_neighbours(tip, i), 4) << name << " atom " << i;
    }
    const TipGeometry asym = build_tip("w001-double-asym");
    ASSERT_EQ(asym.apex_indices.size(), 2u);
    const Vec3& low = asym.atoms_nm[asym.apex_indices[0]];
    const Vec3& high = asym.atoms_nm[asym.apex_indices[1]];
    EXPECT_EQ(asym.apex_indices[0], 0);
    EXPECT_EQ(height_layers(asym)[0].size(), 1u);
    EXPECT_NEAR(high.z() - low.z(), 0.5 * kA, 1e-9);
    EXPECT_NEAR(lateral(low, high), std::sqrt(18.5) * kA, 1e-9);
    EXPECT_NEAR(lateral(low, high), 1.36, 0.01);
    for (int i : asym.apex_indices) EXPECT_EQ(nearest_neighbours(asym, i), 4) << i;
}

TEST(TipTransform, RotationAndTiltKeepTheApexAtTheOriginAndAllDistances) {
    const TipGeometry tip = build_tip("w111-trimer");
    const TipGeometry moved = transformed(transformed(tip, 0.7, 0.2, 1.1), -0.3, 0.1, 2.0);
    ASSERT_EQ(moved.size(), tip.size());
    EXPECT_LT(moved.atoms_nm[moved.apex_index].norm(), 1e-15);
    EXPECT_EQ(moved.body_atoms_nm, tip.body_atoms_nm);
    EXPECT_LT((moved.orientation.transpose() * moved.orientation - Rotation::Identity()).norm(), 1e-12);
    EXPECT_NEAR(moved.orientation.determinant(), 1.0, 1e-12);
    for (int i = 0; i < tip.size(); i += 7) {
        for (int j = i + 1; j < tip.size(); j += 13) {
            ASSERT_NEAR((moved.atoms_nm[i] - moved.atoms_nm[j]).norm(), (tip.atoms_nm[i] - tip.atoms_nm[j]).norm(),
                        1e-12);
        }
    }
    // A rotation about z alone keeps every height; a tilt by θ turns the tip axis by θ.
    const TipGeometry spun = transformed(tip, 1.0, 0.0, 0.0);
    for (int i = 0; i < tip.size(); ++i) ASSERT_NEAR(spun.atoms_nm[i].z(), tip.atoms_nm[i].z(), 1e-12);
    const TipGeometry tilted = transformed(tip, 0.0, 0.25, 0.4);
    EXPECT_NEAR(std::acos((tilted.orientation * Vec3::UnitZ()).z()), 0.25, 1e-12);
}

TEST(TipTransform, ApexAtomsAndErrors) {
    const TipGeometry tip = build_tip("w001-sharp");
    EXPECT_EQ(apex_atoms(tip, 0.0), std::vector<int>{0});
    EXPECT_EQ(apex_atoms(tip, 0.2).size(), 5u);  // 1 + 4
    EXPECT_EQ(apex_atoms(tip, 0.5).size(), 30u);  // 1 + 4 + 9 + 16
    EXPECT_THROW(apex_atoms(tip, -0.1), Error);
    EXPECT_THROW(transformed(tip, std::nan(""), 0.0, 0.0), Error);
    EXPECT_THROW(make_tip("empty", {}), Error);
}

TEST(TipLdos, CacheReturnsTheFreshResultBitForBit) {
    const ScopedCacheDir cache("roundtrip");
    const TipGeometry tip = build_tip("w001-tetramer");
    const auto& model = *tungsten_single_orbital();
    const EnergyGrid grid{-2.0, 2.0, 41};
    const TipLdos first = tip_ldos(tip, model, grid, 0.3, 0.2);
    const TipLdos second = tip_ldos(tip, model, grid, 0.3, 0.2);
    const TipLdos fresh = tip_ldos(tip, model, grid, 0.3, 0.2, false);
    EXPECT_FALSE(first.from_cache);
    EXPECT_TRUE(second.from_cache);
    EXPECT_FALSE(fresh.from_cache);
    ASSERT_EQ(first.atoms.size(), 4u + 9u);  // tetramer + the 3 × 3 layer 0.158 nm above
    EXPECT_EQ(first.atoms, second.atoms);
    EXPECT_EQ(first.cache_key, second.cache_key);
    ASSERT_EQ(first.ldos.ldos_per_eV.rows(), static_cast<Eigen::Index>(first.atoms.size()));
    ASSERT_EQ(first.ldos.ldos_per_eV.cols(), grid.points);
    EXPECT_TRUE(first.ldos.ldos_per_eV == second.ldos.ldos_per_eV);
    EXPECT_TRUE(first.ldos.ldos_per_eV == fresh.ldos.ldos_per_eV);
    EXPECT_EQ(second.ldos.energy_eV, grid.energies());
    EXPECT_EQ(second.ldos.method, "kpm");

    // A rotated, tilted copy shares the entry: same atoms, same LDOS, lab-frame positions.
    const TipGeometry moved = transformed(tip, 0.5, 0.1, 0.3);
    const TipLdos turned = tip_ldos(moved, model, grid, 0.3, 0.2);
    EXPECT_TRUE(turned.from_cache);
    EXPECT_TRUE(turned.ldos.ldos_per_eV == fresh.ldos.ldos_per_eV);
    for (std::size_t r = 0; r < turned.atoms.size(); ++r) {
        EXPECT_EQ(turned.positions_nm[r], moved.atoms_nm[turned.atoms[r]]);
    }

    // Another broadening or apex height is another entry.
    EXPECT_NE(tip_ldos(tip, model, grid, 0.31, 0.2).cache_key, first.cache_key);
    EXPECT_NE(tip_ldos(tip, model, grid, 0.3, 0.0).cache_key, first.cache_key);
}

TEST(TipLdos, RotationLeavesTheLdosUnchanged) {
    // Why body-frame caching is right: KPM on the lab-frame (rotated) atoms gives the same LDOS.
    const TipGeometry tip = transformed(build_tip("w001-offcentre"), 0.9, 0.3, 1.2);
    const auto& model = *tungsten_single_orbital();
    const EnergyGrid grid{-3.0, 3.0, 61};
    const TipLdos body = tip_ldos(tip, model, grid, 0.4, 0.2, false);
    const auto lab = kpm_ldos(model.assemble(tip.atoms_nm).hamiltonian_eV, body.atoms, grid, 0.4);
    EXPECT_LT((lab.ldos_per_eV - body.ldos.ldos_per_eV).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(TipLdos, RejectsBadInput) {
    const TipGeometry tip = build_tip("w001-sharp");
    const auto& model = *tungsten_single_orbital();
    EXPECT_THROW(tip_ldos(tip, model, {1.0, -1.0, 11}, 0.1), Error);
    EXPECT_THROW(tip_ldos(tip, model, {-1.0, 1.0, 11}, 0.0), Error);
    EXPECT_THROW(tip_ldos(tip, model, {-1.0, 1.0, 11}, 0.1, -0.5), Error);
    TipGeometry broken = tip;
    broken.body_atoms_nm.pop_back();
    EXPECT_THROW(tip_ldos(broken, model, {-1.0, 1.0, 11}, 0.1), Error);
}

// Over a grid that covers the whole band every apex atom's LDOS integrates to one, and its
// second moment is (H²)_ii = Σ_j H_ij²: 6.25 + 3·4 = 18.25 eV² at the (111) corner (one nearest,
// three next-nearest neighbours) against 8·6.25 + 6·4 = 74 eV² for a bulk atom. KPM with the
// Jackson kernel reproduces the moments exactly up to the damping g_n of the first two
// Chebyshev moments, so the test checks  ∫E²ρ = c² + 2ca g₁μ₁ + a²(1 + g₂μ₂)/2  with
// μ₁ = (H_ii − c)/a and μ₂ = 2((H − c)²)_ii/a² − 1, which tends to Σ_j H_ij² as g_n → 1.
TEST(TipLdos, SumRuleAndSecondMomentEqualTheSumOfSquaredHoppings) {
    const ScopedCacheDir cache("moments");
    const TipGeometry tip = build_tip("w111-sharp");
    const auto& model = *tungsten_single_orbital();
    const TightBindingSystem sys = model.assemble(tip.body_atoms_nm);
    const SparseHamiltonian& h = sys.hamiltonian_eV;
    const auto [lo, hi] = gershgorin_bounds(h);
    const EnergyGrid grid{lo - 2.0, hi + 2.0, 1441};
    const double broadening = 0.5;
    const TipLdos apex = tip_ldos(tip, model, grid, broadening, 0.2);
    ASSERT_EQ(apex.atoms.size(), 4u);  // the corner and the 3 atoms 0.183 nm above it

    // The most bulk-like atom: the one nearest the cube's centre, with all 14 neighbours.
    Vec3 centre = Vec3::Zero();
    for (const Vec3& r : tip.body_atoms_nm) centre += r / tip.size();
    int bulk = 0;
    for (int i = 0; i < tip.size(); ++i) {
        if ((tip.body_atoms_nm[i] - centre).norm() < (tip.body_atoms_nm[bulk] - centre).norm()) bulk = i;
    }
    const std::vector<int> bulk_row = {bulk};
    const LdosSpectrum bulk_ldos = kpm_ldos(h, bulk_row, grid, broadening);

    const SpectralScale scale = spectral_scale(h);
    const int moments = kpm_moments_for(broadening, scale, {});
    const std::vector<double> g = jackson_kernel(moments);
    const double c = scale.centre_eV;
    const double a = scale.half_width_eV;
    const auto check = [&](const LdosSpectrum& s, int row, int atom, double expected_m2) {
        double m2 = 0.0;
        for (SparseHamiltonian::InnerIterator it(h, atom); it; ++it) m2 += it.value() * it.value();
        EXPECT_NEAR(m2, expected_m2, 1e-12) << "atom " << atom;
        const double onsite = h.coeff(atom, atom);
        const double mu1 = (onsite - c) / a;
        const double mu2 = 2.0 * (m2 - 2.0 * c * onsite + c * c) / (a * a) - 1.0;
        const double kpm_m2 = c * c + 2.0 * c * a * g[1] * mu1 + a * a * (1.0 + g[2] * mu2) / 2.0;
        EXPECT_NEAR(moment(s, row, 0), 1.0, 1e-4) << "atom " << atom;
        EXPECT_NEAR(moment(s, row, 1), onsite + (c - onsite) * (1.0 - g[1]), 1e-4) << "atom " << atom;
        EXPECT_NEAR(moment(s, row, 2), kpm_m2, 1e-5 * m2) << "atom " << atom;
        // The kernel adds about one broadening² to the true second moment.
        EXPECT_NEAR(moment(s, row, 2), m2, 1.5 * broadening * broadening) << "atom " << atom;
    };
    check(apex.ldos, 0, apex.atoms[0], 6.25 + 3.0 * 4.0);
    check(bulk_ldos, 0, bulk, 8.0 * 6.25 + 6.0 * 4.0);
    for (std::size_t r = 1; r < apex.atoms.size(); ++r) {
        EXPECT_NEAR(moment(apex.ldos, static_cast<int>(r), 0), 1.0, 1e-4) << "apex row " << r;
    }
    // Fewer neighbours, narrower band: the apex LDOS is not the bulk LDOS.
    EXPECT_GT((apex.ldos.ldos_per_eV.row(0) - bulk_ldos.ldos_per_eV.row(0)).cwiseAbs().maxCoeff(), 0.01);
}
