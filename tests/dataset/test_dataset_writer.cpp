// The dataset writer: what a dataset is (spec, shards, manifest), a tiny dataset written and read
// back, and resume after a lost shard and a stale temporary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "synthstm/core/error.hpp"
#include "synthstm/dataset/dataset_file.hpp"
#include "synthstm/dataset/dataset_summary.hpp"
#include "synthstm/dataset/dataset_writer.hpp"

namespace synthstm {
namespace {

namespace fs = std::filesystem;

Config tiny_config() {
    Config c = Config::preset("wse2-ideal");
    for (const char* s : {"resolution_px=16", "size_nm=1.5", "tip=w111-sharp"}) c.set(s);
    return c;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

std::string bytes_of(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path fresh_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("synthstm-test-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

TEST(DatasetSpec, ShardsCoverEverySampleOnce) {
    const DatasetSpec spec = DatasetSpec::make(tiny_config(), 1, 10, 4, {});
    EXPECT_EQ(spec.shard_count(), 3u);
    EXPECT_EQ(spec.shard_range(0), (std::pair<std::uint64_t, std::uint64_t>{0, 4}));
    EXPECT_EQ(spec.shard_range(2), (std::pair<std::uint64_t, std::uint64_t>{8, 10}));
    EXPECT_EQ(spec.pixels, 16);
    EXPECT_EQ(shard_file_name(42), "shard-000042.h5");
}

TEST(DatasetSpec, RefusesWhatCannotBeStacked) {
    Config c = tiny_config();
    c.set(R"(resolution_px={"choice": [16, 32]})");
    EXPECT_NE(error_of([&] { (void)DatasetSpec::make(c, 1, 4, 2, {}); }).find("resolution_px must be a constant"),
              std::string::npos);
    EXPECT_NE(error_of([] { (void)DatasetSpec::make(tiny_config(), 1, 4, 2, {"nope"}); }).find("unknown channel 'nope'"),
              std::string::npos);
    EXPECT_NE(error_of([] { (void)DatasetSpec::make(tiny_config(), 1, 4, 2, {"current_forward", "current_forward"}); })
                  .find("listed twice"),
              std::string::npos);
    EXPECT_NE(error_of([] { (void)DatasetSpec::make(tiny_config(), 1, 0, 2, {}); }).find("at least 1"), std::string::npos);
}

TEST(DatasetSpec, ManifestNamesTheFirstDifference) {
    const DatasetSpec a = DatasetSpec::make(tiny_config(), 1, 4, 2, {});
    EXPECT_EQ(a.difference(a.manifest()), "");
    EXPECT_EQ(DatasetSpec::make(tiny_config(), 2, 4, 2, {}).difference(a.manifest()), "seed there is 1, here 2");
    Config other = tiny_config();
    other.set("kappa_per_nm=9.5");
    EXPECT_NE(DatasetSpec::make(other, 1, 4, 2, {}).difference(a.manifest()).find("config key kappa_per_nm"),
              std::string::npos);
}

TEST(DatasetWriter, WritesReadsAndResumes) {
    const fs::path dir = fresh_dir("writer");
    const DatasetSpec spec = DatasetSpec::make(tiny_config(), 3, 3, 2, {"z_true_forward"});
    auto group = single_process_group();
    GenerateOptions options;
    options.threads = 2;
    const GenerateSummary first = generate_dataset(dir, spec, options, *group);
    EXPECT_EQ(first.shards_total, 2u);
    EXPECT_EQ(first.shards_written, 2u);
    EXPECT_EQ(first.samples_written, 3u);

    const nlohmann::json s = summarize_dataset(dir / kDatasetFileName);
    EXPECT_EQ(s["samples"], 3);
    EXPECT_EQ(s["pixels"], 16);
    for (const auto& [name, range] : s["arrays"].items()) EXPECT_EQ(range["non_finite"], 0) << name;
    EXPECT_GE(s["arrays"]["targets/lattice"]["min"].get<double>(), 0.0);
    EXPECT_LE(s["arrays"]["targets/lattice"]["max"].get<double>(), 1.0);
    EXPECT_EQ(s["parameters"]["tip"]["counts"]["w111-sharp"], 3);
    const DatasetPreview p = read_preview(dir / kDatasetFileName, 10);
    ASSERT_EQ(p.indices.size(), 3u);
    EXPECT_EQ(p.input[2].size(), 256u);

    // A lost shard and a stale temporary: the rerun writes exactly the missing shard again.
    const fs::path lost = dir / kShardDirName / shard_file_name(1);
    const std::string before = bytes_of(lost);
    fs::remove(lost);
    std::ofstream(dir / kShardDirName / "shard-000001.h5.tmp") << "half a file";
    const GenerateSummary second = generate_dataset(dir, spec, options, *group);
    EXPECT_EQ(second.shards_skipped, 1u);
    EXPECT_EQ(second.shards_written, 1u);
    EXPECT_EQ(bytes_of(lost), before);
    EXPECT_FALSE(fs::exists(dir / kShardDirName / "shard-000001.h5.tmp"));

    // Another seed in the same directory is refused, naming the difference.
    const DatasetSpec other = DatasetSpec::make(tiny_config(), 4, 3, 2, {"z_true_forward"});
    EXPECT_NE(error_of([&] { (void)generate_dataset(dir, other, options, *group); }).find("seed there is 3, here 4"),
              std::string::npos);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace synthstm
