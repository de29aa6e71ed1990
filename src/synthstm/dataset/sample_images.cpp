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
    if (sample.events.step_edge)
        images.push_back({"terrace", "", std::vector<float>(sample.truth.terrace.begin(), sample.truth.terrace.end())});
    return images;
}

namespace {

/// Each adsorbate before and after the scan: x, y, final x, final y, height, width (nm).
nlohmann::json adsorbate_table(const SimulatedSample& sample) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t k = 0; k < sample.adsorbates_placed.size(); ++k) {
        const Adsorbate& a = sample.adsorbates_placed[k];
        const Adsorbate& b = sample.adsorbates_final[k];
        rows.push_back({{"x_nm", a.x_nm}, {"y_nm", a.y_nm}, {"final_x_nm", b.x_nm}, {"final_y_nm", b.y_nm},
                        {"height_nm", a.height_nm}, {"width_nm", a.width_nm}});
    }
    return rows;
}

}  // namespace

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
            {"feedback_lost_lines", {{"value", sample.events.feedback_lost_lines}, {"unit", ""}}},
            {"relaxed_sites", {{"value", sample.events.relaxed_sites}, {"unit", ""}}},
            {"adsorbate_hops", {{"value", sample.events.adsorbate_hops}, {"unit", ""}}},
            {"step_edge", {{"value", sample.events.step_edge}, {"unit", ""}}},
            {"step_offset_nm", {{"value", sample.events.step_offset_nm}, {"unit", "nm"}}},
            {"adsorbates", {{"value", adsorbate_table(sample)}, {"unit", "nm"}}}};
}

}  // namespace synthstm
