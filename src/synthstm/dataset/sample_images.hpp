#pragma once
/// The images of one simulated sample as `synthstm render` stores them (.npy, float32): every
/// channel, then the lattice, defect and class maps; and the values derived while simulating it.
/// Shared by the command line and the Python module, so that both give the same bytes.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "synthstm/dataset/simulate_sample.hpp"

namespace synthstm {

/// A named N×N float32 image, row-major (row 0 = top line).
struct SampleImage {
    std::string name;           ///< e.g. "z_recorded_forward", "lattice", "classes"
    std::string unit;           ///< "nm", "arb" or "" (labels)
    std::vector<float> values;  ///< N·N values
};

/// Every channel (values rounded to float32), then "lattice", "defects" and "classes" (ids as floats).
std::vector<SampleImage> sample_images(const SimulatedSample& sample);

/// {"setpoint_current": {"value": v, "unit": "arb"}, "ideal_gain_nm": ..., "sample_sites": ...,
/// "tip_apex_atoms": ..., "defects_placed": ...}.
nlohmann::json sample_derived(const SimulatedSample& sample);

}  // namespace synthstm
