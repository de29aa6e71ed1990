// The GUI's parts without HTTP: jobs, names, the form's schema and config checks, data URLs.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "synthstm/core/error.hpp"
#include "synthstm/gui/form_schema.hpp"
#include "synthstm/gui/job_queue.hpp"
#include "synthstm/gui/params_store.hpp"
#include "synthstm/gui/render_view.hpp"

namespace synthstm::gui {
namespace {

using nlohmann::json;

/// Polls a job until it leaves queued/running (at most ~10 s).
json wait_for(const JobQueue& q, const std::string& id) {
    for (int i = 0; i < 1000; ++i) {
        const auto s = q.status(id);
        if (!s) return json();
        if ((*s)["state"] != "queued" && (*s)["state"] != "running") return *s;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return json();
}

TEST(JobQueue, RunsJobsAndReportsResultsAndErrors) {
    JobQueue q(2, 8, 16);
    const auto ok = q.submit("test", [](JobContext& job) {
        job.progress(0.5, "half");
        return json{{"answer", 42}};
    });
    const auto bad = q.submit("test", [](JobContext&) -> json { invalid_input("no such thing"); });
    ASSERT_TRUE(ok && bad);
    const json s = wait_for(q, *ok);
    EXPECT_EQ(s["state"], "done");
    EXPECT_EQ(s["result"]["answer"], 42);
    EXPECT_EQ(s["progress"], 1.0);
    const json e = wait_for(q, *bad);
    EXPECT_EQ(e["state"], "failed");
    EXPECT_EQ(e["error"]["error"], "no such thing");
    EXPECT_FALSE(e.contains("result"));
    EXPECT_FALSE(q.status("nope").has_value());
    EXPECT_FALSE(q.cancel("nope"));
}

TEST(JobQueue, CancelStopsWaitingAndDropsTheResult) {
    JobQueue q(1, 8, 16);
    std::atomic<bool> release{false};
    const auto running = q.submit("test", [&](JobContext& job) {
        while (!release && !job.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return json{{"late", true}};
    });
    const auto queued = q.submit("test", [](JobContext&) { return json{{"never", true}}; });
    ASSERT_TRUE(running && queued);
    EXPECT_TRUE(q.cancel(*queued));
    EXPECT_TRUE(q.cancel(*running));
    EXPECT_EQ((*q.status(*running))["state"], "cancelled");  // at once, while the work winds down
    release = true;
    const json s = wait_for(q, *running);
    EXPECT_EQ(s["state"], "cancelled");
    EXPECT_FALSE(s.contains("result"));
    EXPECT_EQ(wait_for(q, *queued)["state"], "cancelled");
    // A finished job that is cancelled is forgotten.
    const auto done = q.submit("test", [](JobContext&) { return json(1); });
    ASSERT_TRUE(done);
    EXPECT_EQ(wait_for(q, *done)["state"], "done");
    EXPECT_TRUE(q.cancel(*done));
    EXPECT_FALSE(q.status(*done).has_value());
}

TEST(JobQueue, BoundsPendingJobsAndForgetsOldOnes) {
    JobQueue q(1, 2, 3);
    std::atomic<bool> release{false};
    const auto block = [&](JobContext&) {
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return json(0);
    };
    const auto a = q.submit("test", block);
    const auto b = q.submit("test", block);
    EXPECT_TRUE(a && b);
    EXPECT_FALSE(q.submit("test", block).has_value());  // two already wait or run
    release = true;
    wait_for(q, *a);
    wait_for(q, *b);
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        const auto id = q.submit("test", [](JobContext&) { return json(0); });
        ASSERT_TRUE(id);
        wait_for(q, *id);
        ids.push_back(*id);
    }
    EXPECT_FALSE(q.status(ids[0]).has_value());  // only the 3 most recent are kept
    EXPECT_TRUE(q.status(ids[4]).has_value());
}

TEST(ParamsStore, NamesAreSafe) {
    for (const char* good : {"a", "my-params_2", "ABC-xyz_09"}) EXPECT_TRUE(valid_file_name(good)) << good;
    for (const std::string& bad : std::vector<std::string>{"", "..", "../x", "a/b", "a.json", "a b", "a\\b", "ä", std::string(65, 'x')})
        EXPECT_FALSE(valid_file_name(bad)) << bad;
    EXPECT_TRUE(valid_file_name(std::string(64, 'x')));
}

TEST(ParamsStore, SavesWhatConfigReadsBack) {
    const auto dir = std::filesystem::temp_directory_path() / "synthstm-test-params-store";
    std::filesystem::remove_all(dir);
    const ParamsStore store(dir);
    EXPECT_TRUE(store.names().empty());
    Config c;
    c.set("resolution_px=24");
    c.set("bias_V={\"uniform\": [0.1, 0.3], \"random_sign\": true}");
    store.save("one", c);
    EXPECT_EQ(store.names(), std::vector<std::string>{"one"});
    EXPECT_EQ(store.load("one"), c.to_json());
    EXPECT_EQ(Config::from_file((dir / "one.json").string()).to_json(), c.to_json());
    EXPECT_THROW(store.save("../escape", c), Error);
    EXPECT_THROW((void)store.load("missing"), Error);
    std::filesystem::remove_all(dir);
}

TEST(FormSchema, EveryKeyHasAGroupUnitAndHelp) {
    const json s = schema_json();
    const auto& groups = s["groups"];
    EXPECT_EQ(s["parameters"].size(), sample_schema().size());
    std::map<std::string, int> per_group;
    for (const auto& p : s["parameters"]) {
        EXPECT_NE(std::find(groups.begin(), groups.end(), p["group"]), groups.end()) << p["key"];
        EXPECT_FALSE(p["help"].get<std::string>().empty()) << p["key"];
        EXPECT_TRUE(p.contains("unit") && p.contains("default")) << p["key"];
        ++per_group[p["group"]];
    }
    for (const auto& g : groups) EXPECT_GT(per_group[g], 0) << g;  // no empty fieldset
    EXPECT_EQ(parameter_group("noise_rel"), "noise");
    EXPECT_EQ(parameter_group("kp_rel"), "feedback");
    EXPECT_EQ(parameter_group("creep_ratio_slow"), "distortions");
    EXPECT_EQ(parameter_group("resolution_px"), "scan");
    EXPECT_EQ(parameter_group("tip_rotation_rad"), "tip");
    EXPECT_EQ(parameter_group("model"), "sample");
}

TEST(FormSchema, ProblemsNameTheirKeys) {
    ConfigProblem p;
    EXPECT_TRUE(read_form_config(json{{"resolution_px", 32}}, 512, p).has_value());
    EXPECT_FALSE(read_form_config(json{{"resolution_px", 1024}}, 512, p).has_value());
    EXPECT_EQ(p.body["key"], "resolution_px");
    EXPECT_FALSE(read_form_config(json{{"resolution_px", {{"choice", {16, 600}}}}}, 512, p).has_value());
    EXPECT_EQ(p.body["key"], "resolution_px");
    EXPECT_FALSE(read_form_config(json{{"kp_rel", 500}, {"noise_rel", -1}}, 512, p).has_value());
    EXPECT_EQ(p.body["key"], "kp_rel");
    EXPECT_TRUE(p.body["errors"].contains("kp_rel") && p.body["errors"].contains("noise_rel"));
    // A pair: each key is fine alone, together they are not; valid partners are not blamed.
    EXPECT_TRUE(read_form_config(json{{"dopant_onsite_min_eV", 1}, {"dopant_onsite_max_eV", 2}}, 512, p).has_value());
    EXPECT_FALSE(read_form_config(json{{"dopant_onsite_min_eV", 1}, {"dopant_onsite_max_eV", 2}, {"kp_rel", -1}}, 512, p)
                     .has_value());
    EXPECT_EQ(p.body["errors"].size(), 1u) << p.body.dump();
    EXPECT_FALSE(read_form_config(json{{"dopant_onsite_min_eV", 1}, {"dopant_onsite_max_eV", 0}}, 512, p).has_value());
    EXPECT_EQ(p.body["key"], "dopant_onsite_min_eV");
    EXPECT_FALSE(read_form_config(json::array(), 512, p).has_value());
    EXPECT_FALSE(read_form_config(json{{"nope", 1}}, 512, p).has_value());
    EXPECT_EQ(p.body["key"], "nope");
}

TEST(RenderView, DataUrlsAreBase64) {
    EXPECT_EQ(png_data_url(""), "data:image/png;base64,");
    EXPECT_EQ(png_data_url("f"), "data:image/png;base64,Zg==");
    EXPECT_EQ(png_data_url("fo"), "data:image/png;base64,Zm8=");
    EXPECT_EQ(png_data_url("foo"), "data:image/png;base64,Zm9v");
    EXPECT_EQ(png_data_url("foobar"), "data:image/png;base64,Zm9vYmFy");
    EXPECT_EQ(png_data_url(std::string("\xff\x00\x80", 3)), "data:image/png;base64,/wCA");
}

}  // namespace
}  // namespace synthstm::gui
