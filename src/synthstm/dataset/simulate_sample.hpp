#pragma once
/// One simulated sample from its drawn parameters: defects → sample LDOS (T-matrix) → tip and
/// its apex LDOS → current model → scan trajectory → constant-height, constant-current and
/// feedback scans → ground truth. Sample k of seed s depends only on the random streams of
/// (s, k), so it is the same whatever the thread count, order or machine.
#include <array>
#include <string>
#include <vector>

#include "synthstm/config/config.hpp"
#include "synthstm/groundtruth/ground_truth.hpp"
#include "synthstm/instrument/adsorbates.hpp"
#include "synthstm/instrument/lateral.hpp"
#include "synthstm/lattice/defects.hpp"
#include "synthstm/scan/feedback_scan.hpp"
#include "synthstm/scan/ideal_scans.hpp"

namespace synthstm {

/// Wall-clock time of each stage of one sample, ms.
struct StageTimes {
    double sample_ldos_ms = 0.0;       ///< defects, sites and their LDOS
    double tip_ms = 0.0;               ///< tip geometry and apex LDOS (usually from the cache)
    double constant_current_ms = 0.0;  ///< current model, constant-height and constant-current images
    double feedback_scan_ms = 0.0;     ///< the feedback scan
    double ground_truth_ms = 0.0;      ///< maps and defect list
};

/// A named image channel (row-major, row 0 = top line) with its unit.
struct Channel {
    std::string name;   ///< e.g. "z_recorded_forward"
    std::string unit;   ///< "nm" or "arb" (current, arbitrary units)
    ScanImage image;    ///< the values
};

/// What happened during the scan beyond the drawn parameters (DESIGN §3.4 "beyond the seed").
struct ScanEventRecord {
    int tip_change_line = -1;      ///< first line (time order) scanned with the changed tip; −1: none
    int tip_change_row = -1;       ///< that line's image row when the fast axis is x, else −1
    int tip_change_col = -1;       ///< that line's image column when the fast axis is y, else −1
    int streaks = 0;               ///< streaks added to the recorded topography (both passes)
    int feedback_lost_lines = 0;   ///< lines where the feedback lost track
    int relaxed_sites = 0;         ///< sites moved by the relaxation around defects (whole defect region)
    int adsorbates = 0;            ///< adsorbates placed over the scanned area
    int adsorbate_hops = 0;        ///< pushes of adsorbates by the tip
    bool step_edge = false;        ///< a monolayer step crosses the scan (docs/realism.md)
    double step_offset_nm = 0.0;   ///< its edge: the line (cos θ, sin θ)·r = this, θ = step_angle_rad
};

/// Everything one sample produces.
struct SimulatedSample {
    ParameterSet parameters;        ///< every parameter drawn
    ScanFrame frame;                ///< nominal scan geometry
    std::vector<Defect> defects;    ///< every defect placed (within the LDOS region)
    std::vector<Channel> channels;  ///< z_recorded/z_true/current forward and backward, ideal scans
    GroundTruth truth;              ///< lattice, defect and class maps, defect list (forward pass)
    double setpoint = 0.0;          ///< I_set: median constant-height current at tip_height_nm
    double ideal_gain_nm = 0.0;     ///< g0 = 1/|d ln I/dz| (median over the constant-current image)
    int sample_sites = 0;           ///< sites in the current sum
    int tip_atoms = 0;              ///< tip apex atoms in the current sum
    int correction_sites = 0;       ///< sites whose pair weights differ from the pristine lattice's (and vacancies)
    StageTimes times;               ///< per-stage timing
    ScanEventRecord events;         ///< tip change, streaks, lost lines
    std::vector<Adsorbate> adsorbates_placed;  ///< adsorbates before the feedback scan (sample frame)
    std::vector<Adsorbate> adsorbates_final;   ///< the same after it (dragged by the tip)
};

/// Options that do not change the result.
struct SimulationOptions {
    int threads = 1;  ///< threads for the per-pixel ideal scans (bit-identical for any count)
};

/// Simulates sample `sample_index` of dataset `seed` with the parameters drawn for it.
/// Throws InvalidInput naming the parameter when a drawn combination cannot be simulated.
SimulatedSample simulate_sample(const ParameterSet& parameters, std::uint64_t seed, std::uint64_t sample_index,
                                const SimulationOptions& options = {});

/// The channel of that name; throws InvalidInput listing the names.
const Channel& find_channel(const SimulatedSample& sample, const std::string& name);

}  // namespace synthstm
