#include "synthstm/dataset/sample_images.hpp"

namespace synthstm {

std::vector<SampleImage> sample_images(const SimulatedSample& sample) {
    std::vector<SampleImage> images;
    for (const Channel& c : sample.channels) {
        images.push_back({c.name, c.unit, std::vector<float>(c.image.values.begin(), c.image.values.end())});
    }
    images.push_back({"lattice", "", sample.truth.lattice});
    images.push_back({"defects", "", sample.truth.defect});
    images.push_back({"classes", "", std::vector<float>(sample.truth.classes.begin(), sample.truth.classes.end())});
    return images;
}

nlohmann::json sample_derived(const SimulatedSample& sample) {
    return {{"setpoint_current", {{"value", sample.setpoint}, {"unit", "arb"}}},
            {"ideal_gain_nm", {{"value", sample.ideal_gain_nm}, {"unit", "nm"}}},
            {"sample_sites", {{"value", sample.sample_sites}, {"unit", ""}}},
            {"tip_apex_atoms", {{"value", sample.tip_atoms}, {"unit", ""}}},
            {"defects_placed", {{"value", sample.defects.size()}, {"unit", ""}}},
            {"tip_change_line", {{"value", sample.events.tip_change_line}, {"unit", "line"}}},
            {"tip_change_row", {{"value", sample.events.tip_change_row}, {"unit", "px"}}},
            {"tip_change_col", {{"value", sample.events.tip_change_col}, {"unit", "px"}}},
            {"streaks", {{"value", sample.events.streaks}, {"unit", ""}}},
            {"feedback_lost_lines", {{"value", sample.events.feedback_lost_lines}, {"unit", ""}}}};
}

}  // namespace synthstm
