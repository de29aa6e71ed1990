#pragma once
/// Shards: HDF5 files holding the samples [first, end) of a dataset in the layout of
/// dataset_layout.hpp. A shard is written under a temporary name, synced to disk and renamed,
/// so a file with a shard's final name is always complete; a killed run leaves only temporaries.
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "synthstm/dataset/dataset_layout.hpp"
#include "synthstm/dataset/hdf5.hpp"

namespace synthstm {

/// One sample reduced to what the dataset stores: a cell per column and its defect rows.
struct SampleRecord {
    std::uint64_t index = 0;                       ///< sample index
    std::vector<std::vector<std::uint8_t>> cells;  ///< one per column of dataset_columns(), in order
    std::vector<DefectRow> defects;                ///< rows of the defect table
};

/// Reduces a simulated sample to its record.
SampleRecord make_record(const SimulatedSample& sample, std::uint64_t index, const std::vector<Column>& columns);

/// The temporary name a shard is written under before the rename.
std::filesystem::path temporary_path(const std::filesystem::path& final_path);

/// Writes bytes under the temporary name, syncs them to disk and renames the file to its final
/// name: a file of the final name is complete or absent. Throws Io naming the file.
void write_file_durably(const std::filesystem::path& final_path, const std::string& bytes);
/// Renames a finished temporary file to its final name; throws Io naming both.
void rename_into_place(const std::filesystem::path& tmp, const std::filesystem::path& final_path);

/// Writes the records (consecutive indices, ascending) as a shard at final_path; throws Io naming
/// the file (disk full, permissions) and leaves no file of the final name behind on failure.
void write_shard(const std::filesystem::path& final_path, const DatasetSpec& spec, const std::vector<Column>& columns,
                 std::span<const SampleRecord> records);

/// What the dataset file needs to know of a written shard.
struct ShardInfo {
    std::uint64_t first = 0;    ///< first sample index
    std::uint64_t end = 0;      ///< one past the last sample index
    std::uint64_t defects = 0;  ///< rows of its defect table
};

/// Reads a shard's index range and defect count; throws Io naming the file when it is unreadable.
ShardInfo read_shard_info(const std::filesystem::path& path);

/// Writes the attributes every dataset file carries: config, seed, sample count, shard size,
/// channels, layout and program versions.
void write_dataset_attributes(hid_t file, const DatasetSpec& spec);
/// The HDF5 file type of an element.
h5::Handle file_type(Element e);
/// The HDF5 memory type of an element.
h5::Handle memory_type(Element e);
/// The in-memory (struct) type of a defect row.
h5::Handle defect_row_memory_type();
/// The packed file type of a defect row.
h5::Handle defect_row_file_type();
/// Writes the per-dataset attributes of a column (unit, description; class names on the class map).
void write_column_attributes(hid_t dataset, const Column& column);

}  // namespace synthstm
