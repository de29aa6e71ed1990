// The parameter schema: defaults, presets, validation messages, --set, and reproducible draws.
#include <gtest/gtest.h>

#include "synthstm/config/config.hpp"
#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

using nlohmann::json;

std::string error_of(const auto& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(Config, EveryPresetValidatesAndMainEqualsTheDefaults) {
    for (const auto& name : Config::preset_names()) EXPECT_NO_THROW(Config::preset(name)) << name;
    EXPECT_EQ(Config::preset("wse2-main").to_json(), Config().to_json());
    const ParameterSet ideal = Config::preset("wse2-ideal").draw(1, 0);
    EXPECT_EQ(ideal.number("noise_rel"), 0.0);
    EXPECT_EQ(ideal.number("drift_fast_nm"), 0.0);
    EXPECT_EQ(ideal.text("scan_mode"), "feedback");
    // The control dataset: the main dataset's sample and noise, only the scan differs.
    const ParameterSet control = Config::preset("wse2-control").draw(1, 0);
    const ParameterSet main = Config::preset("wse2-main").draw(1, 0);
    EXPECT_EQ(control.text("scan_mode"), "constant_current");
    for (const char* key : {"size_nm", "bias_V", "tip", "kappa_per_nm", "vacancy_top_per_nm2", "noise_rel",
                            "sample_rotation_rad", "tip_height_nm"})
        EXPECT_EQ(control.to_json()[key], main.to_json()[key]) << key;
    for (const char* key : {"drift_fast_nm", "jitter_slow_nm", "creep_fast_nm", "hysteresis_weight", "sample_tilt_rad"})
        EXPECT_EQ(control.number(key), 0.0) << key;
}

// Realism beyond the seed is off by default (wse2-main stays the seed's dataset) and on in
// wse2-real, whose field of view is 3–10 nm.
TEST(Config, RealismKeysDefaultOffAndWse2RealUsesThem) {
    const ParameterSet d = Config().draw(3, 1);
    for (const char* key : {"noise_pink_rel", "noise_hum_rel", "line_offset_nm", "streak_rate_per_line",
                            "feedback_loss_probability", "tip_change_probability", "double_tip_offset_nm",
                            "antisite_top_per_nm2", "antisite_bottom_per_nm2", "relaxation_vacancy_nm",
                            "relaxation_dopant_nm", "relaxation_antisite_nm", "adsorbate_per_nm2"})
        EXPECT_EQ(d.number(key), 0.0) << key;
    for (std::uint64_t k = 0; k < 50; ++k) {
        const ParameterSet r = Config::preset("wse2-real").draw(3, k);
        EXPECT_GE(r.number("size_nm"), 3.0);
        EXPECT_LE(r.number("size_nm"), 10.0);
        EXPECT_EQ(r.number("tip_change_probability"), 0.1);
        EXPECT_LT(r.number("relaxation_vacancy_nm"), 0.0);  // inward
        EXPECT_GE(r.number("adsorbate_per_nm2"), 0.0);
    }
}

TEST(Config, DefaultsValidateAgainstTheirOwnSchema) {
    for (const auto& s : sample_schema()) {
        json one = json::object();
        one[s.key] = s.default_value;
        EXPECT_NO_THROW(Config::from_json(one, "defaults")) << s.key;
    }
}

TEST(Config, DrawsHonourTheSeedRangesAndAreReproducible) {
    const Config c;
    for (std::uint64_t k = 0; k < 200; ++k) {
        const ParameterSet p = c.draw(7, k);
        EXPECT_GE(p.number("size_nm"), 1.0);
        EXPECT_LE(p.number("size_nm"), 4.0);
        const double bias = std::abs(p.number("bias_V"));
        EXPECT_GE(bias, 0.2);
        EXPECT_LE(bias, 0.5);
        EXPECT_GE(p.number("kp_rel"), 0.1);
        EXPECT_LE(p.number("kp_rel"), 2.5);
        EXPECT_EQ(p.integer("resolution_px"), 64);
        EXPECT_TRUE(p.text("fast_axis") == "x" || p.text("fast_axis") == "y");
    }
    EXPECT_EQ(c.draw(7, 3).to_json(), c.draw(7, 3).to_json());
    EXPECT_NE(c.draw(7, 3).to_json(), c.draw(7, 4).to_json());
    EXPECT_NE(c.draw(7, 3).to_json(), c.draw(8, 3).to_json());
}

TEST(Config, RandomSignGivesBothSigns) {
    int negative = 0;
    for (std::uint64_t k = 0; k < 400; ++k) negative += Config().draw(1, k).number("bias_V") < 0;
    EXPECT_GT(negative, 150);
    EXPECT_LT(negative, 250);
}

TEST(Config, ChangingOneKeyLeavesTheOtherDraws) {
    Config a, b;
    b.set("size_nm={\"uniform\": [2, 3]}");
    const ParameterSet pa = a.draw(5, 9), pb = b.draw(5, 9);
    EXPECT_EQ(pa.number("kappa_per_nm"), pb.number("kappa_per_nm"));
    EXPECT_EQ(pa.text("tip"), pb.text("tip"));
}

TEST(Config, SetOverridesAndChecks) {
    Config c;
    c.set("resolution_px=32");
    c.set("fast_axis=y");
    c.set("fast_forward=false");
    const ParameterSet p = c.draw(1, 0);
    EXPECT_EQ(p.integer("resolution_px"), 32);
    EXPECT_EQ(p.text("fast_axis"), "y");
    EXPECT_FALSE(p.flag("fast_forward"));
    EXPECT_NE(error_of([&] { c.set("nonsense=1"); }).find("unknown parameter 'nonsense'"), std::string::npos);
    EXPECT_NE(error_of([&] { c.set("resolution_px=4"); }).find("resolution_px = 4 is outside the allowed range [8, 4096]"),
              std::string::npos);
    EXPECT_NE(error_of([&] { c.set("resolution_px=5000"); }).find("resolution_px"), std::string::npos);
    EXPECT_NE(error_of([&] { c.set("kappa_per_nm=-1"); }).find("kappa_per_nm"), std::string::npos);
    EXPECT_NE(error_of([&] { c.set("size_nm=0"); }).find("size_nm"), std::string::npos);
    EXPECT_NE(error_of([&] { c.set("fast_axis=z"); }).find("fast_axis"), std::string::npos);
    EXPECT_NE(error_of([&] { c.set("size_nm"); }).find("key=value"), std::string::npos);
    EXPECT_NE(error_of([&] { c.set("dopant_onsite_min_eV=0.9"); }).find("greater than dopant_onsite_max_eV"),
              std::string::npos);
}

TEST(Config, ListsEveryErrorAtOnce) {
    const json j = {{"size_nm", {{"uniform", {4, 1}}}},
                    {"colour", "red"},
                    {"kappa_per_nm", "ten"},
                    {"tip_height_nm", {{"normal", {0.4, -1}}}}};
    const std::string e = error_of([&] { Config::from_json(j, "test.json"); });
    EXPECT_NE(e.find("test.json"), std::string::npos);
    EXPECT_NE(e.find("size_nm: uniform min 4 is greater than max 1"), std::string::npos) << e;
    EXPECT_NE(e.find("unknown key 'colour'"), std::string::npos) << e;
    EXPECT_NE(e.find("kappa_per_nm must be a number"), std::string::npos) << e;
    EXPECT_NE(e.find("normal std -1"), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos);  // one line
}

TEST(Config, RandomSignRangeIsChecked) {
    // bias ±[0.2, 6] reaches −6, outside [−5, 5].
    const json j = {{"bias_V", {{"uniform", {0.2, 6}}, {"random_sign", true}}}};
    EXPECT_NE(error_of([&] { Config::from_json(j, "x"); }).find("bias_V"), std::string::npos);
}

TEST(Config, UnknownPresetListsNames) {
    EXPECT_NE(error_of([] { Config::preset("nope"); }).find("wse2-main"), std::string::npos);
}

TEST(Config, HelpListsEveryKeyWithUnit) {
    const std::string h = schema_help();
    for (const auto& s : sample_schema()) EXPECT_NE(h.find(s.key), std::string::npos) << s.key;
    EXPECT_NE(h.find("1/nm"), std::string::npos);
}

}  // namespace
}  // namespace synthstm
