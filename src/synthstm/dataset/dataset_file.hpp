#pragma once
/// DIR/dataset.h5: every shard presented as one dataset through HDF5 virtual datasets. Each
/// array of the layout is a virtual dataset [N, ...] whose rows map to the shards' files
/// (relative paths shards/shard-NNNNNN.h5, so the directory can be moved as a whole); the
/// defect table concatenates the shards' tables. Written under a temporary name and renamed.
#include <filesystem>
#include <vector>

#include "synthstm/dataset/dataset_layout.hpp"
#include "synthstm/dataset/shard.hpp"

namespace synthstm {

/// Name of the dataset file inside the output directory.
inline constexpr const char* kDatasetFileName = "dataset.h5";
/// Name of the shard directory inside the output directory.
inline constexpr const char* kShardDirName = "shards";

/// Writes DIR/dataset.h5 over the given shards (all of them, in shard order); throws Io naming
/// the file.
void write_dataset_file(const std::filesystem::path& dir, const DatasetSpec& spec, const std::vector<Column>& columns,
                        const std::vector<ShardInfo>& shards);

}  // namespace synthstm
