#include "synthstm/dataset/simulate_sample.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/groundtruth/terrace_map.hpp"
#include "synthstm/instrument/adsorbates.hpp"
#include "synthstm/instrument/line_artifacts.hpp"
#include "synthstm/instrument/noise.hpp"
#include "synthstm/lattice/relaxation.hpp"
#include "synthstm/ldos/lattice_green.hpp"
#include "synthstm/ldos/tmatrix.hpp"
#include "synthstm/tightbinding/periodic_model.hpp"
#include "synthstm/tip/tip_ldos.hpp"
#include "synthstm/tip/tip_variants.hpp"
#include "synthstm/tunneling/bias_window.hpp"
#include "synthstm/tunneling/lattice_current.hpp"
#include "synthstm/tunneling/terrace_current.hpp"
#include "synthstm/tunneling/tunneling_model.hpp"

namespace synthstm {
namespace {

/// Orbital LDOS summed into site LDOS: row k of `orbitals` adds to row owner[k] of the result.
LdosSpectrum summed_rows(const LdosSpectrum& orbitals, const std::vector<int>& owner, int rows) {
    LdosSpectrum out = orbitals;
    out.ldos_per_eV = Eigen::MatrixXd::Zero(rows, orbitals.ldos_per_eV.cols());
    for (std::size_t k = 0; k < owner.size(); ++k)
        out.ldos_per_eV.row(owner[k]) += orbitals.ldos_per_eV.row(static_cast<Eigen::Index>(k));
    return out;
}

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

/// The energy grid shared by every sample of a model: symmetric about E_F, steps of
/// step_eV, wide enough for the bias (at least ±1 eV), so one G0 table serves every window.
EnergyGrid shared_grid(double bias_V, double step_eV) {
    const double half = std::max(1.0, std::ceil(std::abs(bias_V)));
    const int steps = static_cast<int>(std::lround(half / step_eV));
    return EnergyGrid{-steps * step_eV, steps * step_eV, 2 * steps + 1};
}

/// G0 tables, one per (model, grid, broadening, k-grid, range), kept for the whole process
/// (and on disk): the one-time cost of the T-matrix method.
std::shared_ptr<const LatticeGreensFunction> lattice_green(const PeriodicModel& model, const EnergyGrid& grid,
                                                           double broadening_eV, int k_grid, int range) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const LatticeGreensFunction>> tables;
    const std::string key = fmt::format("{}|{}|{}|{}|{}|{}|{}", model.name, grid.emin_eV, grid.emax_eV, grid.points,
                                        broadening_eV, k_grid, range);
    std::lock_guard lock(mutex);
    auto& slot = tables[key];
    if (!slot)
        slot = std::make_shared<const LatticeGreensFunction>(model, grid.energies(), broadening_eV, k_grid, range, true);
    return slot;
}

/// Apex LDOS of a tip variant (disk cache), kept for the whole process.
std::shared_ptr<const TipLdos> apex_ldos(const TipGeometry& tip, const std::string& model_name, const EnergyGrid& grid,
                                         double broadening_eV) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const TipLdos>> cache;
    const std::string key =
        fmt::format("{}|{}|{}|{}|{}|{}", tip.name, model_name, grid.emin_eV, grid.emax_eV, grid.points, broadening_eV);
    std::lock_guard lock(mutex);
    auto& slot = cache[key];
    if (!slot) {
        const auto model = cluster_model_by_name(model_name);
        slot = std::make_shared<const TipLdos>(tip_ldos(tip, *model, grid, broadening_eV));
    }
    return slot;
}

/// The body-frame geometry of a tip variant, built once per process (a few hundred atoms and
/// their dulling: ~1 ms, every sample otherwise).
std::shared_ptr<const TipGeometry> tip_geometry(const std::string& variant) {
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const TipGeometry>> cache;
    std::lock_guard lock(mutex);
    auto& slot = cache[variant];
    if (!slot) slot = std::make_shared<const TipGeometry>(build_tip(variant));
    return slot;
}

/// The atoms of the lowest layer of a tip variant (body frame, height_layers), once per process.
const std::vector<int>& lowest_layer(const std::string& variant) {
    static std::mutex mutex;
    static std::map<std::string, std::vector<int>> cache;
    std::lock_guard lock(mutex);
    auto& slot = cache[variant];
    if (slot.empty()) slot = height_layers(*tip_geometry(variant)).front();
    return slot;
}

/// The apex atoms of a tip (lab frame, the tip's position — the centre of its lowest layer — at
/// the origin laterally, the reference atom at height 0) and their LDOS, in the same order.
struct Apex {
    std::vector<Vec3> positions_nm;
    LdosSpectrum ldos;  ///< one row per atom
    double reach_nm = 0.0;  ///< largest lateral distance of an atom from the reference point
};

/// The apex of tip variant `variant` rotated by rotation_rad and tilted as drawn; with
/// double_tip_offset_nm > 0 a second, identical apex at that lateral offset (azimuth
/// double_tip_azimuth_rad) and double_tip_height_nm higher joins it (a double tip).
Apex tip_apex(const ParameterSet& p, const std::string& variant, double rotation_rad, double bias_V, double broadening) {
    const TipGeometry tip =
        transformed(*tip_geometry(variant), rotation_rad, p.number("tip_tilt_rad"), p.number("tip_tilt_azimuth_rad"));
    const auto apex = apex_ldos(tip, p.text("tip_model"), shared_grid(bias_V, 0.01), broadening);
    // A rotated copy shares the body-frame LDOS; its lab-frame positions are the rotated tip's.
    // The tip's position (the point the scan moves and the labels refer to) is the lateral
    // centre of its lowest atomic layer: a single apex atom itself; the centre of a trimer, a
    // dimer or a flat facet, which the tip's own symmetry leaves in place. Any one atom of such
    // a layer would be an arbitrary choice, and the image could not show which: each defect is
    // imaged once per atom of the layer, and the label would sit on a copy picked by the
    // numbering of the atoms (docs/tips.md).
    const std::vector<int>& lowest = lowest_layer(variant);
    Vec3 centre = Vec3::Zero();
    for (int a : lowest) centre += tip.atoms_nm[a];
    centre /= static_cast<double>(lowest.size());
    centre.z() = 0.0;
    Apex out;
    for (int a : apex->atoms) out.positions_nm.push_back(tip.atoms_nm[a] - centre);
    out.ldos = apex->ldos;
    const double offset = p.number("double_tip_offset_nm");
    if (offset > 0.0) {
        const double phi = p.number("double_tip_azimuth_rad");
        const Vec3 shift(offset * std::cos(phi), offset * std::sin(phi), p.number("double_tip_height_nm"));
        const std::size_t atoms = out.positions_nm.size();
        for (std::size_t k = 0; k < atoms; ++k) out.positions_nm.push_back(out.positions_nm[k] + shift);
        Eigen::MatrixXd both(2 * out.ldos.ldos_per_eV.rows(), out.ldos.ldos_per_eV.cols());
        both << out.ldos.ldos_per_eV, out.ldos.ldos_per_eV;
        out.ldos.ldos_per_eV = std::move(both);
    }
    for (const Vec3& r : out.positions_nm) out.reach_nm = std::max(out.reach_nm, std::hypot(r.x(), r.y()));
    return out;
}

AxisDistortion axis_distortion(const ParameterSet& p, const char* axis) {
    AxisDistortion d;
    d.drift_nm = p.number(fmt::format("drift_{}_nm", axis));
    d.creep_gamma_nm = p.number(fmt::format("creep_{}_nm", axis));
    d.creep_ratio = p.number(fmt::format("creep_ratio_{}", axis));
    d.jitter_line_nm = p.number(fmt::format("jitter_{}_nm", axis));
    d.jitter_pixel_nm = p.number(fmt::format("jitter_pixel_{}_nm", axis));
    return d;
}

struct Box {
    double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
    void add(double x, double y) {
        x_lo = std::min(x_lo, x);
        x_hi = std::max(x_hi, x);
        y_lo = std::min(y_lo, y);
        y_hi = std::max(y_hi, y);
    }
};

/// scan_mode "constant_current" (the seed's control dataset): no controller, piezo or lateral
/// distortion, only the statistical noise of the current on the ideal image. Each pixel of each
/// pass measures I = I_set + σ n at its ideal constant-current height and records the height an
/// ideal log-amplifier feedback (one update at the ideal gain g0) would move to:
/// z = z_cc + g0 ln(|I| / |I_set|), |I| floored at 1e-3 |I_set| as in the feedback scan.
/// z_true is z_cc; the backward pass images the same positions with its own noise.
void add_control_channels(SimulatedSample& out, const ScanImage& constant_current, double sigma, std::uint64_t seed,
                          std::uint64_t sample_index) {
    RandomStream noise(seed, sample_index, StreamPurpose::Noise);
    const double setpoint = std::abs(out.setpoint);
    const double sign = out.setpoint < 0 ? -1.0 : 1.0;
    std::array<ScanImage, 2> recorded{constant_current, constant_current}, current;
    for (int k = 0; k < 2; ++k) {
        current[k] = ScanImage(constant_current.rows, constant_current.cols);
        for (std::size_t i = 0; i < constant_current.values.size(); ++i) {
            const double measured = std::max(setpoint + sigma * noise.normal(), 1e-3 * setpoint);
            recorded[k].values[i] += out.ideal_gain_nm * std::log(measured / setpoint);
            current[k].values[i] = sign * measured;
        }
    }
    const char* pass_names[2] = {"forward", "backward"};
    for (int k = 0; k < 2; ++k)
        out.channels.push_back({fmt::format("z_recorded_{}", pass_names[k]), "nm", std::move(recorded[k])});
    for (int k = 0; k < 2; ++k)
        out.channels.push_back({fmt::format("z_true_{}", pass_names[k]), "nm", constant_current});
    for (int k = 0; k < 2; ++k)
        out.channels.push_back({fmt::format("current_{}", pass_names[k]), "arb", std::move(current[k])});
}

}  // namespace

const Channel& find_channel(const SimulatedSample& sample, const std::string& name) {
    for (const auto& c : sample.channels)
        if (c.name == name) return c;
    std::vector<std::string> names;
    for (const auto& c : sample.channels) names.push_back(c.name);
    invalid_input(fmt::format("no channel '{}': the channels are {}", name, fmt::join(names, ", ")));
}

SimulatedSample simulate_sample(const ParameterSet& p, std::uint64_t seed, std::uint64_t sample_index,
                                const SimulationOptions& options) {
    SimulatedSample out;
    out.parameters = p;
    auto t0 = Clock::now();

    // Scan geometry and the true tip path (drift, creep, jitter) in the sample frame.
    const PeriodicModel& model = periodic_model_by_name(p.text("model"));
    const TmdMaterial& material = *model.material;
    ScanFrame& frame = out.frame;
    frame.size_nm = p.number("size_nm");
    frame.pixels = p.integer("resolution_px");
    frame.fast_axis = p.text("fast_axis") == "y" ? ScanAxis::Y : ScanAxis::X;
    frame.fast_forward = p.flag("fast_forward");
    frame.slow_forward = p.flag("slow_forward");
    frame.rotation_rad = p.number("sample_rotation_rad");
    frame.offset_nm = {p.number("sample_offset_x_nm"), p.number("sample_offset_y_nm")};
    frame.line_time_s = p.number("line_time_s");
    frame.validate();
    RandomStream instrument_rng(seed, sample_index, StreamPurpose::Instrument);
    const ScanTrajectory trajectory =
        scan_trajectory(frame, axis_distortion(p, "fast"), axis_distortion(p, "slow"), instrument_rng);
    Box path;       // in the sample frame
    Box image_path;  // the same points in the image frame (the scanned area, rotated back)
    for (const auto& pass : trajectory.passes)
        for (std::size_t k = 0; k < pass.x_nm.size(); ++k) {
            path.add(pass.x_nm[k], pass.y_nm[k]);
            const auto q = sample_to_image_nm(frame, {pass.x_nm[k], pass.y_nm[k]});
            image_path.add(q[0], q[1]);
        }

    // Tip: variant, rotation and tilt; apex LDOS on a fixed grid (cached per variant).
    const double bias_V = p.number("bias_V");
    if (bias_V == 0.0) invalid_input("bias_V must not be 0 (no current flows)");
    const double broadening = p.number("ldos_broadening_eV");
    const Apex apex = tip_apex(p, p.text("tip"), p.number("tip_rotation_rad"), bias_V, broadening);
    out.tip_atoms = static_cast<int>(apex.positions_nm.size());
    // A tip change mid-scan (feedback scan only): at a random line the apex becomes another
    // variant; the ideal constant-height/current images keep the first tip.
    RandomStream change_rng(seed, sample_index, StreamPurpose::TipChange);
    const bool tip_changes = change_rng.uniform() < p.number("tip_change_probability");
    const int change_line = 1 + static_cast<int>(change_rng.below(static_cast<std::uint64_t>(frame.pixels - 1)));
    // The transient while the apex rearranges: a streak from the start of the change line's
    // forward pass over a random part of it (drawn whether or not it is used).
    const int transient_px = 1 + static_cast<int>(change_rng.below(static_cast<std::uint64_t>(frame.pixels)));
    const double transient_nm = p.number("tip_change_streak_nm") * change_rng.uniform(0.5, 1.5);
    std::optional<Apex> changed_apex;
    if (tip_changes && p.text("scan_mode") == "feedback") {
        changed_apex = tip_apex(p, p.text("tip_change_tip"), p.number("tip_change_rotation_rad"), bias_V, broadening);
        out.events.tip_change_line = change_line;
        const PixelIndex first = scan_pixel(frame, change_line, ScanPass::Forward, 0);
        out.events.tip_change_row = frame.fast_axis == ScanAxis::X ? first.row : -1;
        out.events.tip_change_col = frame.fast_axis == ScanAxis::Y ? first.col : -1;
    }
    const double tip_reach_nm = std::max(apex.reach_nm, changed_apex ? changed_apex->reach_nm : 0.0);
    out.times.tip_ms = ms_since(t0);
    t0 = Clock::now();

    // Current sites over the path plus the reach
    // of the current (apex atoms' lateral extent + cut-off length).
    TunnelingSettings tunneling;
    tunneling.kappa_per_nm = p.number("kappa_per_nm");
    tunneling.relative_tolerance = p.number("pair_tolerance");
    tunneling.validate();
    const double margin = p.number("ldos_margin_nm");
    const double reach = std::min(margin, tip_reach_nm + tunneling.cutoff_length_nm() + 0.1);
    // The defects belong to the sample, not to the scan: they are placed over a square fixed by
    // the field of view alone (centred on it, half-side size/√2 + margin, so any rotation fits),
    // so drift, creep or jitter move the tip over the same defects instead of drawing new ones.
    const auto centre = image_to_sample_nm(frame, {0.5 * frame.size_nm, 0.5 * frame.size_nm});
    const double half = frame.size_nm / std::sqrt(2.0) + margin;
    const auto defect_cells =
        cells_in_rectangle(material, centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half);
    const double onsite_lo = p.number("dopant_onsite_min_eV"), onsite_hi = p.number("dopant_onsite_max_eV");
    std::vector<DefectDensity> densities;
    const std::pair<const char*, Sublattice> sublattices[] = {
        {"top", Sublattice::ChalcogenTop}, {"bottom", Sublattice::ChalcogenBottom}, {"metal", Sublattice::Metal}};
    for (const auto& [name, s] : sublattices) {
        densities.push_back({DefectType::Vacancy, s, p.number(fmt::format("vacancy_{}_per_nm2", name)), 0, 0});
        densities.push_back({DefectType::Dopant, s, p.number(fmt::format("dopant_{}_per_nm2", name)), onsite_lo, onsite_hi});
    }
    // Antisites (docs/realism.md) after the seed's kinds, so that off they change no draw.
    const double antisite_eV = p.number("antisite_onsite_eV");
    for (const auto& [name, s] : sublattices) {
        if (s == Sublattice::Metal) continue;
        densities.push_back({DefectType::Antisite, s, p.number(fmt::format("antisite_{}_per_nm2", name)), antisite_eV, antisite_eV});
    }
    RandomStream defect_rng(seed, sample_index, StreamPurpose::Defects);
    out.defects = place_defects(material, defect_cells, densities, defect_rng);
    // Relaxation around the defects (docs/realism.md, section 7): the sites of the current sum
    // and the ground truth's top sites where the displacement field puts them.
    RelaxationSettings relaxation_settings;
    relaxation_settings.vacancy_nm = p.number("relaxation_vacancy_nm");
    relaxation_settings.dopant_nm = p.number("relaxation_dopant_nm");
    relaxation_settings.antisite_nm = p.number("relaxation_antisite_nm");
    relaxation_settings.length_nm = p.number("relaxation_length_nm");
    const Relaxation relaxation(material, out.defects, relaxation_settings);
    out.events.relaxed_sites = relaxation.displaced_sites();

    // A monolayer step (docs/realism.md, section 6): with probability step_probability a second
    // layer covers the half-plane beyond a straight edge. Its defects are its own (same
    // densities), placed on the lower lattice's indices over the image of the defect square.
    RandomStream step_rng(seed, sample_index, StreamPurpose::StepEdge);
    std::optional<StepEdge> step;
    std::vector<Defect> upper_defects;
    if (step_rng.uniform() < p.number("step_probability")) {
        const double angle = p.number("step_angle_rad");
        const double offset = std::cos(angle) * centre[0] + std::sin(angle) * centre[1] +
                              p.number("step_offset_rel") * frame.size_nm;
        step = StepEdge::for_material(material, angle, offset, p.number("step_height_nm"));
        const auto c = step->lower_frame_nm(centre[0], centre[1]);
        RandomStream upper_defect_rng(seed, sample_index, StreamPurpose::StepEdge, 1);
        upper_defects = place_defects(material, cells_in_rectangle(material, c[0] - half, c[0] + half, c[1] - half, c[1] + half),
                                      densities, upper_defect_rng);
        out.events.step_edge = true;
        out.events.step_offset_nm = offset;
    }
    const Relaxation upper_relaxation(material, upper_defects, relaxation_settings);

    // The sublattices that carry orbitals: the basis of the periodic surface (lattice_current.hpp).
    PeriodicSurface surface{material.a1(), material.a2(), {}};
    std::vector<Sublattice> basis_sublattices;
    for (Sublattice s : kSublattices) {
        if (model.orbitals_on(s).empty()) continue;
        basis_sublattices.push_back(s);
        surface.basis_nm.push_back(material.basis(s));
    }
    const auto basis_index = [&](Sublattice s) {
        return static_cast<int>(std::find(basis_sublattices.begin(), basis_sublattices.end(), s) - basis_sublattices.begin());
    };

    // The sites of one terrace over the region: orbitals and relaxed positions of the occupied
    // sites, and the vacancies. The upper terrace keeps only the sites beyond the edge and maps
    // every position onto its layer.
    struct TerraceSites {
        std::vector<SiteOrbital> orbitals;
        std::vector<int> site_of_orbital;
        std::vector<Vec3> positions;          // relaxed
        std::vector<Vec3> lattice_positions;  // where the periodic lattice puts them
        std::vector<int> sublattice;          // basis index of each site
        std::vector<Vec3> vacancy_positions;
        std::vector<int> vacancy_sublattice;
    };
    // A site farther than the reach from every apex position of the scan never enters the
    // current: the region's box (axis-aligned in the sample frame) is trimmed to the sites within
    // the reach of the scanned area's box in the image frame — for a rotated field of view up to
    // half the box's sites (the T-matrix, the pair weights and the corrections scale with them).
    const double rotation_cos = std::cos(frame.rotation_rad), rotation_sin = std::sin(frame.rotation_rad);
    const auto scan_distance_nm = [&](const Vec3& r) {
        // sample_to_image_nm without its trigonometry per site: R(rotation) (p − offset).
        const double px = r.x() - frame.offset_nm[0], py = r.y() - frame.offset_nm[1];
        const double qx = rotation_cos * px - rotation_sin * py, qy = rotation_sin * px + rotation_cos * py;
        const double dx = std::max({image_path.x_lo - qx, 0.0, qx - image_path.x_hi});
        const double dy = std::max({image_path.y_lo - qy, 0.0, qy - image_path.y_hi});
        return std::hypot(dx, dy);
    };
    const auto within_reach = [&](const Vec3& r) { return scan_distance_nm(r) <= reach; };
    const auto terrace_sites = [&](const std::vector<CellIndex>& region, const std::vector<Defect>& defects,
                                   const Relaxation& relax, const StepEdge* upper) {
        const auto place = [&](const Vec3& r) { return upper != nullptr ? upper->upper_position(r) : r; };
        TerraceSites t;
        for (const CellIndex& c : region) {
            for (Sublattice s : basis_sublattices) {
                const Vec3 lattice = place(material.position(c.i, c.j, s));
                if (!within_reach(lattice)) continue;
                if (upper != nullptr && !upper->upper(lattice.x(), lattice.y())) {
                    // Beyond the edge the periodic upper lattice has no sites: within the band
                    // (and a margin) they are subtracted like vacancies, so that the upper
                    // terrace's lattice form serves right up to the edge.
                    if (upper->signed_distance_nm(lattice.x(), lattice.y()) > -(reach + 0.3)) {
                        t.vacancy_positions.push_back(lattice);
                        t.vacancy_sublattice.push_back(basis_index(s));
                    }
                    continue;
                }
                const bool vacant = std::any_of(defects.begin(), defects.end(), [&](const Defect& d) {
                    return d.type == DefectType::Vacancy && d.site.sublattice == s && d.site.cell == c;
                });
                if (vacant) {  // no orbital, no current: the lattice form subtracts the pristine site
                    t.vacancy_positions.push_back(lattice);
                    t.vacancy_sublattice.push_back(basis_index(s));
                    continue;
                }
                for (int a : model.orbitals_on(s)) {
                    t.orbitals.push_back({c, a});
                    t.site_of_orbital.push_back(static_cast<int>(t.positions.size()));
                }
                t.positions.push_back(place(relax.position_nm({c, s})));
                t.lattice_positions.push_back(lattice);
                t.sublattice.push_back(basis_index(s));
            }
        }
        return t;
    };
    const TerraceSites lower_sites = terrace_sites(
        cells_in_rectangle(material, path.x_lo - reach, path.x_hi + reach, path.y_lo - reach, path.y_hi + reach),
        out.defects, relaxation, nullptr);
    TerraceSites upper_sites;
    if (step) {
        // The region's image in the lower frame (R_π is a point reflection: the box flips).
        const auto lo = step->lower_frame_nm(path.x_hi + reach, path.y_hi + reach);
        const auto hi = step->lower_frame_nm(path.x_lo - reach, path.y_lo - reach);
        upper_sites = terrace_sites(cells_in_rectangle(material, lo[0], hi[0], lo[1], hi[1]), upper_defects,
                                    upper_relaxation, &*step);
    }
    out.sample_sites = static_cast<int>(lower_sites.positions.size() + upper_sites.positions.size());

    // Sample LDOS across the bias window by the T-matrix method, on the shared grid.
    const EnergyGrid grid = shared_grid(bias_V, p.number("ldos_energy_step_eV"));
    const auto energies = grid.energies();
    const double e_lo = std::min(0.0, bias_V), e_hi = std::max(0.0, bias_V);
    int first = 0;
    while (first + 1 < grid.points && energies[first + 1] <= e_lo + 1e-12) ++first;
    int last = grid.points - 1;
    while (last - 1 >= 0 && energies[last - 1] >= e_hi - 1e-12) --last;
    // G0 is needed between every pair of site and defect cells: tabulate the span, rounded up
    // to a multiple of 16 cells so that samples of similar size share one table.
    // On an N × N k-grid G0 is that of the N × N periodic supercell: offsets wrap beyond N/2.
    // A region larger than the configured grid allows gets a larger grid (doubling), so large
    // fields of view stay exact instead of failing.
    const auto green_for = [&](const TerraceSites& t, const std::vector<Defect>& defects) {
        Box cells;
        for (const auto& o : t.orbitals) cells.add(o.cell.i, o.cell.j);
        for (const auto& d : defects) cells.add(d.site.cell.i, d.site.cell.j);
        const int span = static_cast<int>(std::max(cells.x_hi - cells.x_lo, cells.y_hi - cells.y_lo));
        const int table_range = 16 * ((span + 16) / 16);
        int k_grid = p.integer("lattice_green_kgrid");
        while (k_grid / 2 < table_range) k_grid *= 2;
        return lattice_green(model, grid, broadening, k_grid, table_range);
    };
    const auto terrace_ldos = [&](const LatticeGreensFunction& g0, const TerraceSites& t,
                                  const std::vector<Defect>& defects) {
        const LdosSpectrum orbital_ldos =
            tmatrix_ldos(g0, model, defects, t.orbitals, TMatrixPrecision::Single, first, last - first + 1);
        return summed_rows(orbital_ldos, t.site_of_orbital, static_cast<int>(t.positions.size()));
    };
    // The scatterers of the T-matrix: the defects within ldos_margin_nm of the current's sites
    // (within reach + margin of the scanned area in the image frame). The defect square, fixed by
    // the field of view for any rotation, holds up to twice as many at its corners, and the
    // T-matrix costs grow with their square.
    const double scatter_nm = reach + margin;
    const auto scatterers = [&](const std::vector<Defect>& defects, const StepEdge* upper) {
        std::vector<Defect> near;
        for (const Defect& d : defects) {
            const Vec3 r = material.position(d.site.cell.i, d.site.cell.j, d.site.sublattice);
            if (scan_distance_nm(upper != nullptr ? upper->upper_position(r) : r) <= scatter_nm) near.push_back(d);
        }
        return near;
    };
    const std::vector<Defect> lower_scatterers = scatterers(out.defects, nullptr);
    const auto g0 = green_for(lower_sites, lower_scatterers);
    LdosSpectrum site_ldos = terrace_ldos(*g0, lower_sites, lower_scatterers);
    if (step && !upper_sites.positions.empty()) {
        // One spectrum for the sites of both terraces, lower first.
        const std::vector<Defect> upper_scatterers = scatterers(upper_defects, &*step);
        const LdosSpectrum upper_ldos =
            terrace_ldos(*green_for(upper_sites, upper_scatterers), upper_sites, upper_scatterers);
        Eigen::MatrixXd both(site_ldos.ldos_per_eV.rows() + upper_ldos.ldos_per_eV.rows(), site_ldos.ldos_per_eV.cols());
        both << site_ldos.ldos_per_eV, upper_ldos.ldos_per_eV;
        site_ldos.ldos_per_eV = std::move(both);
    }
    // The pristine LDOS of each basis site (no defects: the diagonal of G0).
    std::vector<SiteOrbital> cell_orbitals;
    std::vector<int> basis_of_orbital;
    for (std::size_t b = 0; b < basis_sublattices.size(); ++b) {
        for (int a : model.orbitals_on(basis_sublattices[b])) {
            cell_orbitals.push_back({CellIndex{0, 0}, a});
            basis_of_orbital.push_back(static_cast<int>(b));
        }
    }
    const LdosSpectrum pristine_orbital_ldos =
        tmatrix_ldos(*g0, model, {}, cell_orbitals, TMatrixPrecision::Double, first, last - first + 1);
    const LdosSpectrum pristine_ldos =
        summed_rows(pristine_orbital_ldos, basis_of_orbital, static_cast<int>(basis_sublattices.size()));
    out.times.sample_ldos_ms = ms_since(t0);
    t0 = Clock::now();

    // The current model (the lattice form, docs/tunneling.md) and the two ideal scans over the
    // forward pass.
    std::vector<Vec3> all_positions = lower_sites.positions;
    all_positions.insert(all_positions.end(), upper_sites.positions.begin(), upper_sites.positions.end());
    const AtomPositions sample_atoms = AtomPositions::from_points(all_positions);
    const auto lower_count = static_cast<Eigen::Index>(lower_sites.positions.size());
    const auto upper_count = static_cast<Eigen::Index>(upper_sites.positions.size());
    LatticeCurrentSettings lattice_settings;
    lattice_settings.kappa_per_nm = tunneling.kappa_per_nm;
    lattice_settings.relative_tolerance = std::max(tunneling.relative_tolerance, 1e-12);
    // The first set of apex tiles serves heights up to 0.1 nm over the set height (the ideal
    // scans and a well-tuned feedback stay there), further sets the feedback's excursions.
    const double z0 = p.number("tip_height_nm");
    lattice_settings.tile_max_gap_nm = z0 + 0.1;
    // A tile should serve many evaluations (building one costs about ten) without gathering
    // many more pairs than one apex needs (its list reaches half a diagonal beyond the pairs'
    // reach of ~0.9 nm): four pixel spacings, 0.2–0.5 nm. Measured on wse2-main
    // (docs/performance.md): 0.1 → 0.2 nm cut the constant-current stage from 11.0 to 8.8 ms.
    lattice_settings.tile_nm = std::clamp(4.0 * frame.size_nm / frame.pixels, 0.2, 0.5);
    // Beside a step the lower terrace's model serves an apex lifted by up to the step height
    // (the edge band): tile sets up to that much higher, or it would fall back to the plain sum.
    if (step) lattice_settings.tile_bands += static_cast<int>(std::ceil(step->height_nm / lattice_settings.tile_band_nm));
    // The upper terrace as a periodic surface: the lower basis mapped onto its layer.
    PeriodicSurface upper_surface = surface;
    if (step)
        for (Vec3& b : upper_surface.basis_nm) b = step->upper_position(b);
    // The current model of one apex: the exact pair sum over every site and the lattice form
    // built on it; with a step, one lattice form per terrace and the model that switches between
    // them (tunneling/terrace_current.hpp; band = the reach of the current).
    struct TipCurrent {
        std::unique_ptr<TunnelingModel> exact;
        std::unique_ptr<LatticeCurrentModel> lattice;
        std::unique_ptr<LatticeCurrentModel> upper_lattice;
        std::unique_ptr<EdgeBandCurrentModel> edge_band;
        std::unique_ptr<TerraceCurrentModel> terrace;
        [[nodiscard]] const CurrentModel* model() const {
            return terrace ? static_cast<const CurrentModel*>(terrace.get()) : lattice.get();
        }
    };
    const auto tip_current = [&](const Apex& a) {
        const LdosSpectrum& tip_ldos = a.ldos;
        const AtomPositions tip_atoms = AtomPositions::from_points(a.positions_nm);
        const Eigen::MatrixXd pristine_weights = pair_weights(pristine_ldos, tip_ldos, bias_V);
        TipCurrent c;
        c.exact = std::make_unique<TunnelingModel>(tunneling_model(sample_atoms, site_ldos, tip_atoms, tip_ldos, bias_V, tunneling));
        const auto terrace_model = [&](const PeriodicSurface& terrace_surface, const TerraceSites& t,
                                       const Eigen::MatrixXd& weights) {
            return std::make_unique<LatticeCurrentModel>(lattice_current_model(
                terrace_surface, pristine_weights, tip_atoms, AtomPositions::from_points(t.positions),
                AtomPositions::from_points(t.lattice_positions), t.sublattice, weights, t.vacancy_positions,
                t.vacancy_sublattice, c.exact.get(), lattice_settings));
        };
        c.lattice = terrace_model(surface, lower_sites, c.exact->weights().topRows(lower_count));
        if (step) {
            c.upper_lattice = terrace_model(upper_surface, upper_sites, c.exact->weights().bottomRows(upper_count));
            // In the band around the edge: the lower layer's lattice form plus the upper
            // layer's sites by apex tiles counted from the lower top plane, served from below the
            // set height to a step height and more above it (the plain pair sum over both layers
            // only where they do not serve).
            PairTileSettings edge_tiles;
            edge_tiles.kappa_per_nm = tunneling.kappa_per_nm;
            // The upper layer has no lattice form here, so every pair it drops counts: ten times
            // the tolerance's cut (seed 11 of wse2-real, stepped: the constant-height current's
            // largest error against tol 1e-8 falls from 4e-3 to 2.5e-4 of itself; +20 % time).
            edge_tiles.cutoff_nm = tunneling.cutoff_length_nm() + std::log(10.0) / (2.0 * tunneling.kappa_per_nm);
            edge_tiles.tile_nm = lattice_settings.tile_nm;
            edge_tiles.max_gap_nm = z0 + 0.1;
            edge_tiles.band_nm = 0.2;
            edge_tiles.bands = static_cast<int>(std::ceil((step->height_nm + 0.4) / edge_tiles.band_nm)) + 1;
            double lower_top_nm = -std::numeric_limits<double>::infinity();
            for (const Vec3& b : surface.basis_nm) lower_top_nm = std::max(lower_top_nm, b.z());
            // The band model serves apexes over the lower side (s < 0); a pair it keeps is at
            // most (largest gap served + cut) from the lowest tip atom, so upper sites farther
            // than that plus the tip's reach from the edge never enter a tile.
            const double largest_gap = edge_tiles.max_gap_nm + edge_tiles.band_nm * (edge_tiles.bands - 1);
            const double site_reach = largest_gap + edge_tiles.cutoff_nm + a.reach_nm + 0.1;
            std::vector<Vec3> near_sites;
            std::vector<Eigen::Index> near_rows;
            for (std::size_t i = 0; i < upper_sites.positions.size(); ++i) {
                const Vec3& r = upper_sites.positions[i];
                if (step->signed_distance_nm(r.x(), r.y()) > site_reach) continue;
                near_sites.push_back(r);
                near_rows.push_back(lower_count + static_cast<Eigen::Index>(i));
            }
            if (!near_sites.empty()) {
                const Eigen::MatrixXd near_weights = c.exact->weights()(near_rows, Eigen::all);
                c.edge_band = std::make_unique<EdgeBandCurrentModel>(c.lattice.get(), AtomPositions::from_points(near_sites),
                                                                     tip_atoms, near_weights, lower_top_nm, edge_tiles,
                                                                     c.exact.get());
            }
            // (Without upper sites near the edge the lower terrace's model serves the band.)
            const CurrentModel* near_edge = c.edge_band ? static_cast<const CurrentModel*>(c.edge_band.get()) : c.lattice.get();
            c.terrace = std::make_unique<TerraceCurrentModel>(c.lattice.get(), c.upper_lattice.get(), near_edge, *step,
                                                              reach, 0.0);
        }
        return c;
    };
    const TipCurrent first_tip = tip_current(apex);
    const CurrentModel& current_model = *first_tip.model();
    out.correction_sites = first_tip.lattice->correction_sites() +
                           (first_tip.upper_lattice ? first_tip.upper_lattice->correction_sites() : 0);
    const TunnelingJunction junction{&current_model, p.number("sample_tilt_rad"), p.number("sample_tilt_azimuth_rad")};
    const PassTrajectory& fwd = trajectory.pass(ScanPass::Forward);
    const LateralPositions forward{frame.pixels, frame.pixels, fwd.x_nm, fwd.y_nm};
    // With a step the constant-height image (and so the setpoint, its median) is taken z0 above
    // the terrace under each pixel, so that both terraces are imaged alike; its evaluations are
    // of the scanned model at z0 plus the step height over the upper terrace, and start the
    // constant-current solve from there (HeightSlice::height_offset_nm).
    std::optional<TerraceFollowingModel> following;
    TunnelingJunction height_junction = junction;
    if (step) {
        following.emplace(&current_model, *step);
        height_junction.model = &*following;
    }
    HeightSlice slice;  // the constant-height evaluations start the constant-current solve
    ScanImage constant_height =
        constant_height_scan(height_junction, forward, z0, options.threads, &slice, TunnelingPrecision::Single);
    if (step) {
        // The terrace-following pass evaluated the scanned model at z0 + step height over the
        // upper terrace: the same points, at their own heights.
        slice.height_offset_nm = ScanImage(frame.pixels, frame.pixels);
        for (std::size_t k = 0; k < forward.x_nm.size(); ++k)
            slice.height_offset_nm.values[k] = step->upper(forward.x_nm[k], forward.y_nm[k]) ? step->height_nm : 0.0;
    }
    out.setpoint = median_current(constant_height);
    ScanImage solved_slope;
    ScanImage constant_current =
        constant_current_scan(junction, forward, out.setpoint, z0, {}, options.threads, &solved_slope, &slice);
    // The ideal gain from the slope at the solved heights (the solver's last evaluation there).
    std::vector<double> slopes;
    for (std::size_t k = 0; k < forward.x_nm.size(); k += std::max<std::size_t>(1, forward.x_nm.size() / 256))
        slopes.push_back(-solved_slope.values[k]);
    std::nth_element(slopes.begin(), slopes.begin() + slopes.size() / 2, slopes.end());
    out.ideal_gain_nm = 1.0 / slopes[slopes.size() / 2];
    // The reference of the relative current noise: the std of the constant-height current. Over
    // a step the edge atoms stand level with the apex in the band around the edge, and their
    // current would swamp it: there the pixels farther than the band from the edge count.
    double noise_reference_std = standard_deviation(constant_height.values);
    if (step) {
        std::vector<double> terrace_values;
        for (std::size_t k = 0; k < forward.x_nm.size(); ++k)
            if (std::abs(step->signed_distance_nm(forward.x_nm[k], forward.y_nm[k])) > reach)
                terrace_values.push_back(constant_height.values[k]);
        if (terrace_values.size() >= 16) noise_reference_std = standard_deviation(terrace_values);
    }
    out.times.constant_current_ms = ms_since(t0);
    t0 = Clock::now();

    // The labels of the forward pass: of the lower terrace, or of both terraces of a step.
    const auto truth = [&](std::span<const std::uint8_t> adsorbate_mask) {
        const PixelPositions positions = pixel_positions(trajectory, ScanPass::Forward);
        const SurfaceFeatures features{.relaxation = &relaxation, .adsorbate_mask = adsorbate_mask};
        if (!step) return ground_truth(material, out.defects, positions, {}, features);
        return stepped_ground_truth(material, out.defects, upper_defects, *step, positions, {}, features,
                                    &upper_relaxation);
    };
    const char* pass_names[2] = {"forward", "backward"};
    if (p.text("scan_mode") == "constant_current") {
        add_control_channels(out, constant_current, p.number("noise_rel") * noise_reference_std,
                             seed, sample_index);
        out.channels.push_back({"constant_height_current", "arb", std::move(constant_height)});
        out.channels.push_back({"constant_current_height", "nm", std::move(constant_current)});
        out.truth = truth({});
        out.times.ground_truth_ms = ms_since(t0);
        return out;
    }

    // The feedback scan: controller, Bouc–Wen piezo, current noise.
    FeedbackSettings fb;
    fb.setpoint = out.setpoint;
    fb.ideal_gain_nm = out.ideal_gain_nm;
    fb.kp_rel = p.number("kp_rel");
    fb.ki_rel = p.number("ki_rel");
    fb.kd_rel = p.number("kd_rel");
    fb.updates_per_pixel = p.integer("feedback_updates_per_pixel");
    fb.start_height_nm = constant_current.values[trajectory.index(
        scan_pixel(frame, 0, ScanPass::Forward, 0).row, scan_pixel(frame, 0, ScanPass::Forward, 0).col)];
    fb.piezo.alpha_nm_per_V = 1.0;
    fb.piezo.beta_nm_per_V = p.number("hysteresis_weight");
    fb.piezo.A = p.number("hysteresis_A");
    fb.piezo.B_per_V = p.number("hysteresis_beta");
    fb.piezo.C_per_V = p.number("hysteresis_gamma");
    fb.piezo.hysteresis = fb.piezo.beta_nm_per_V > 0.0;
    fb.noise_rel = p.number("noise_rel");
    fb.noise_reference_std = noise_reference_std;
    fb.time_noise.pink_rel = p.number("noise_pink_rel");
    fb.time_noise.hum_rel = p.number("noise_hum_rel");
    fb.time_noise.hum_frequency_Hz = p.number("hum_frequency_Hz");
    RandomStream noise_rng(seed, sample_index, StreamPurpose::Noise);
    RandomStream time_noise_rng(seed, sample_index, StreamPurpose::TimeNoise);
    ScanEvents events;
    events.time_noise = &time_noise_rng;
    TipCurrent second_tip;
    TunnelingJunction changed_junction = junction;
    if (changed_apex) {
        second_tip = tip_current(*changed_apex);
        changed_junction.model = second_tip.model();
        events.changed_junction = &changed_junction;
        events.change_line = change_line;
    }
    FeedbackChannels feedback =
        feedback_scan(junction, frame, trajectory, fb, noise_rng, {&constant_current, &solved_slope}, events);

    // Adsorbates the tip drags along (docs/realism.md, section 6): topography, before the
    // recording flaws below.
    AdsorbateSettings adsorbate_settings;
    adsorbate_settings.per_nm2 = p.number("adsorbate_per_nm2");
    adsorbate_settings.height_nm = p.number("adsorbate_height_nm");
    adsorbate_settings.width_nm = p.number("adsorbate_width_nm");
    adsorbate_settings.hop_probability = p.number("adsorbate_hop_probability");
    adsorbate_settings.hop_nm = p.number("adsorbate_hop_nm");
    adsorbate_settings.follow_gain = std::clamp(fb.kp_rel, 0.05, 1.0);
    adsorbate_settings.updates_per_pixel = fb.updates_per_pixel;
    AdsorbateRecord adsorbates;
    if (adsorbate_settings.per_nm2 > 0.0) {
        RandomStream adsorbate_rng(seed, sample_index, StreamPurpose::Adsorbates);
        adsorbates = apply_adsorbates(feedback.z_recorded_nm[0].values, feedback.z_recorded_nm[1].values,
                                      feedback.z_true_nm[0].values, feedback.z_true_nm[1].values, frame, trajectory,
                                      adsorbate_settings, adsorbate_rng);
    }
    out.events.adsorbates = static_cast<int>(adsorbates.placed.size());
    out.events.adsorbate_hops = adsorbates.hops;
    out.adsorbates_placed = std::move(adsorbates.placed);
    out.adsorbates_final = std::move(adsorbates.final);

    // Line offsets, streaks and lost-feedback lines on the recorded topography.
    LineArtifactSettings lines;
    lines.line_offset_nm = p.number("line_offset_nm");
    lines.streak_rate_per_line = p.number("streak_rate_per_line");
    lines.streak_length_px = p.integer("streak_length_px");
    lines.streak_height_nm = p.number("streak_height_nm");
    lines.feedback_loss_probability = p.number("feedback_loss_probability");
    lines.feedback_loss_height_nm = p.number("feedback_loss_height_nm");
    RandomStream line_rng(seed, sample_index, StreamPurpose::LineArtifacts);
    const LineArtifactEvents line_events =
        apply_line_artifacts(feedback.z_recorded_nm[0].values, feedback.z_recorded_nm[1].values, frame, lines, line_rng);
    out.events.streaks = line_events.streaks;
    out.events.feedback_lost_lines = static_cast<int>(line_events.lost_lines.size());
    if (changed_apex)
        for (int k = 0; k < transient_px; ++k) {
            const PixelIndex px = scan_pixel(frame, change_line, ScanPass::Forward, k);
            feedback.z_recorded_nm[0].at(px.row, px.col) += transient_nm;
        }
    out.times.feedback_scan_ms = ms_since(t0);
    t0 = Clock::now();

    for (int k = 0; k < 2; ++k)
        out.channels.push_back({fmt::format("z_recorded_{}", pass_names[k]), "nm", std::move(feedback.z_recorded_nm[k])});
    for (int k = 0; k < 2; ++k)
        out.channels.push_back({fmt::format("z_true_{}", pass_names[k]), "nm", std::move(feedback.z_true_nm[k])});
    for (int k = 0; k < 2; ++k)
        out.channels.push_back({fmt::format("current_{}", pass_names[k]), "arb", std::move(feedback.current[k])});
    out.channels.push_back({"constant_height_current", "arb", std::move(constant_height)});
    out.channels.push_back({"constant_current_height", "nm", std::move(constant_current)});

    out.truth = truth(adsorbates.mask);
    out.times.ground_truth_ms = ms_since(t0);
    return out;
}

}  // namespace synthstm
