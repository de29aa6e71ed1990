#include "synthstm/dataset/dataset_file.hpp"

#include <system_error>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm {
namespace {

/// A virtual dataset `path` of shape [total, tail...] whose rows [first, first + count) of each
/// shard come from that shard's dataset of the same path, shape [count, tail...].
void create_virtual(hid_t file, const std::string& path, hid_t type, const std::vector<hsize_t>& tail,
                    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& rows_of_shard /* first, count */,
                    const std::vector<std::string>& shard_files) {
    hsize_t total = 0;
    for (const auto& [first, count] : rows_of_shard) total = std::max<hsize_t>(total, first + count);
    std::vector<hsize_t> dims{total};
    dims.insert(dims.end(), tail.begin(), tail.end());
    h5::Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                     fmt::format("create the dataspace of {}", path));
    h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create a dataset property list");
    h5::check(H5Pset_obj_track_times(dcpl.id(), 0), "switch off object times");
    for (std::size_t s = 0; s < rows_of_shard.size(); ++s) {
        const auto [first, count] = rows_of_shard[s];
        if (count == 0) continue;
        std::vector<hsize_t> start(dims.size(), 0), size = dims;
        start[0] = first;
        size[0] = count;
        h5::Handle virtual_space(H5Scopy(space.id()), H5Sclose, "copy a dataspace");
        h5::check(H5Sselect_hyperslab(virtual_space.id(), H5S_SELECT_SET, start.data(), nullptr, size.data(), nullptr),
                  fmt::format("select rows of {}", path));
        h5::Handle source_space(H5Screate_simple(static_cast<int>(size.size()), size.data(), nullptr), H5Sclose,
                                "create a source dataspace");
        h5::check(H5Pset_virtual(dcpl.id(), virtual_space.id(), shard_files[s].c_str(), path.c_str(), source_space.id()),
                  fmt::format("map {} of {}", path, shard_files[s]));
    }
    h5::Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "create a link property list");
    h5::check(H5Pset_create_intermediate_group(lcpl.id(), 1), "set intermediate groups");
    h5::Handle dataset(H5Dcreate2(file, path.c_str(), type, space.id(), lcpl.id(), dcpl.id(), H5P_DEFAULT), H5Dclose,
                       fmt::format("create virtual dataset {}", path));
}

}  // namespace

void write_dataset_file(const std::filesystem::path& dir, const DatasetSpec& spec, const std::vector<Column>& columns,
                        const std::vector<ShardInfo>& shards) {
    const auto final_path = dir / kDatasetFileName;
    std::vector<std::string> files;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> sample_rows, defect_rows_of_shard;
    std::uint64_t defects = 0;
    for (std::size_t s = 0; s < shards.size(); ++s) {
        files.push_back(fmt::format("{}/{}", kShardDirName, shard_file_name(s)));
        sample_rows.emplace_back(shards[s].first, shards[s].end - shards[s].first);
        defect_rows_of_shard.emplace_back(defects, shards[s].defects);
        defects += shards[s].defects;
    }
    h5::Handle file = h5::create_memory_file(final_path.string());
    write_dataset_attributes(file.id(), spec);
    h5::write_attribute(file.id(), "shard_count", static_cast<std::uint64_t>(shards.size()));
    const auto px = static_cast<hsize_t>(spec.pixels);
    for (const Column& column : columns) {
        h5::Handle type = file_type(column.element);
        create_virtual(file.id(), column.path, type.id(), column.image ? std::vector<hsize_t>{px, px} : std::vector<hsize_t>{},
                       sample_rows, files);
        h5::Handle dataset = h5::open_dataset(file.id(), column.path);
        write_column_attributes(dataset.id(), column);
    }
    h5::Handle row = defect_row_file_type();
    if (defects > 0) {
        create_virtual(file.id(), "defects", row.id(), {}, defect_rows_of_shard, files);
    } else {
        h5::DatasetShape shape{{0}, {1}, true, 0};
        (void)h5::create_dataset(file.id(), "defects", row.id(), shape);
    }
    write_file_durably(final_path, h5::file_image(file.id(), final_path.string()));
}

}  // namespace synthstm
