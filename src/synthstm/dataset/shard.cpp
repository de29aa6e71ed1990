#include "synthstm/dataset/shard.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/groundtruth/class_map.hpp"

namespace synthstm {
namespace {

[[noreturn]] void internal_error(const std::string& message) { throw Error(ErrorKind::Internal, message); }

/// Writes bytes to a new file and flushes it to disk; throws Io naming the file (disk full, …).
void write_durably(const std::filesystem::path& path, const std::string& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) io_error(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : ENOSPC;
            ::close(fd);
            io_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0)
        io_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
}

/// Flushes a directory to disk (best effort: a rename is then durable).
void sync_directory(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

nlohmann::json class_names() {
    nlohmann::json names = nlohmann::json::array();
    for (int k = 0; k < kNumPixelClasses; ++k) names.push_back(class_name(k));
    return names;
}

/// The bytes of a shard file.
std::string shard_image(const std::filesystem::path& path, const DatasetSpec& spec, const std::vector<Column>& columns,
                        std::span<const SampleRecord> records) {
    h5::Handle file = h5::create_memory_file(path.string());
    write_dataset_attributes(file.id(), spec);
    h5::write_attribute(file.id(), "first_index", records.front().index);
    h5::write_attribute(file.id(), "end_index", records.back().index + 1);
    const auto n = static_cast<hsize_t>(records.size());
    const auto px = static_cast<hsize_t>(spec.pixels);
    std::vector<std::uint8_t> data;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const Column& column = columns[c];
        h5::DatasetShape shape;
        shape.dims = column.image ? std::vector<hsize_t>{n, px, px} : std::vector<hsize_t>{n};
        shape.chunk = column.image ? std::vector<hsize_t>{1, px, px} : std::vector<hsize_t>{n};
        data.clear();
        const std::size_t cell = element_bytes(column.element) * (column.image ? px * px : 1);
        for (const SampleRecord& r : records) {
            if (r.cells[c].size() != cell)
                internal_error(fmt::format("sample {}: {} has {} bytes, expected {}", r.index, column.path,
                                           r.cells[c].size(), cell));
            data.insert(data.end(), r.cells[c].begin(), r.cells[c].end());
        }
        h5::Handle type = file_type(column.element);
        h5::Handle dataset = h5::create_dataset(file.id(), column.path, type.id(), shape);
        write_column_attributes(dataset.id(), column);
        h5::Handle memory = memory_type(column.element);
        h5::write_all(dataset.id(), memory.id(), data.data(), fmt::format("{} in {}", column.path, path.string()));
    }

    std::vector<DefectRow> rows;
    for (const SampleRecord& r : records) rows.insert(rows.end(), r.defects.begin(), r.defects.end());
    h5::DatasetShape shape;
    shape.dims = {rows.size()};
    shape.chunk = {std::max<hsize_t>(1, std::min<hsize_t>(rows.size(), 4096))};
    shape.growable = true;  // a shard may have no defects at all
    h5::Handle file_row = defect_row_file_type();
    h5::Handle table = h5::create_dataset(file.id(), "defects", file_row.id(), shape);
    h5::write_attribute(table.id(), "description",
                        std::string("one row per defect: sample_index, type, sublattice, class_id, onsite_eV, "
                                    "x_nm, y_nm, x_px (column), y_px (row), in_image"));
    h5::Handle memory_row = defect_row_memory_type();
    h5::write_all(table.id(), memory_row.id(), rows.data(), fmt::format("defects in {}", path.string()));
    table.close(fmt::format("close defects in {}", path.string()));
    return h5::file_image(file.id(), path.string());
}

}  // namespace

SampleRecord make_record(const SimulatedSample& sample, std::uint64_t index, const std::vector<Column>& columns) {
    SampleRecord r;
    r.index = index;
    const SampleView view{sample, index};
    r.cells.resize(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) columns[c].extract(view, r.cells[c]);
    r.defects = defect_rows(view);
    return r;
}

std::filesystem::path temporary_path(const std::filesystem::path& final_path) {
    return std::filesystem::path(final_path.string() + ".tmp");
}

void write_shard(const std::filesystem::path& final_path, const DatasetSpec& spec, const std::vector<Column>& columns,
                 std::span<const SampleRecord> records) {
    if (records.empty()) internal_error(fmt::format("shard {} has no samples", final_path.string()));
    write_file_durably(final_path, shard_image(final_path, spec, columns, records));
}

void write_file_durably(const std::filesystem::path& final_path, const std::string& bytes) {
    const auto tmp = temporary_path(final_path);
    try {
        write_durably(tmp, bytes);
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        throw;
    }
    rename_into_place(tmp, final_path);
    sync_directory(final_path.parent_path());
}

void rename_into_place(const std::filesystem::path& tmp, const std::filesystem::path& final_path) {
    std::error_code ec;
    std::filesystem::rename(tmp, final_path, ec);
    if (ec) io_error(fmt::format("cannot rename {} to {}: {}", tmp.string(), final_path.string(), ec.message()));
}

ShardInfo read_shard_info(const std::filesystem::path& path) {
    try {
        h5::Handle file = h5::open_file(path);
        ShardInfo info;
        info.first = h5::read_u64_attribute(file.id(), "first_index");
        info.end = h5::read_u64_attribute(file.id(), "end_index");
        h5::Handle table = h5::open_dataset(file.id(), "defects");
        info.defects = h5::extent(table.id()).at(0);
        return info;
    } catch (const Error& e) {
        io_error(fmt::format("shard {} is unreadable ({}); delete it and rerun to write it again", path.string(),
                             e.what()));
    }
}

void write_dataset_attributes(hid_t file, const DatasetSpec& spec) {
    h5::write_attribute(file, "config", spec.config.dump());
    h5::write_attribute(file, "synthstm_version", std::string(kSynthstmVersion));
    h5::write_attribute(file, "layout_version", static_cast<std::uint64_t>(kDatasetLayoutVersion));
    h5::write_attribute(file, "seed", spec.seed);
    h5::write_attribute(file, "samples", spec.samples);
    h5::write_attribute(file, "shard_size", spec.shard_size);
    h5::write_attribute(file, "channels", nlohmann::json(spec.channels).dump());
}

namespace {

/// The HDF5 file and memory types of an element.
h5::Handle element_type(Element e, bool in_file) {
    const auto pick = [&](hid_t file, hid_t memory) {
        return h5::Handle(H5Tcopy(in_file ? file : memory), H5Tclose, "copy a type");
    };
    switch (e) {
        case Element::UInt8: return pick(H5T_STD_U8LE, H5T_NATIVE_UINT8);
        case Element::UInt32: return pick(H5T_STD_U32LE, H5T_NATIVE_UINT32);
        case Element::Int64: return pick(H5T_STD_I64LE, H5T_NATIVE_INT64);
        case Element::UInt64: return pick(H5T_STD_U64LE, H5T_NATIVE_UINT64);
        case Element::Float32: return pick(H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
        case Element::Float64: return pick(H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
        case Element::Text: return h5::fixed_string_type(kTextParameterBytes);
    }
    internal_error("unknown element type");
}

}  // namespace

h5::Handle file_type(Element e) { return element_type(e, true); }

h5::Handle memory_type(Element e) { return element_type(e, false); }

h5::Handle defect_row_memory_type() {
    h5::Handle t(H5Tcreate(H5T_COMPOUND, sizeof(DefectRow)), H5Tclose, "create the defect row type");
    h5::Handle type_text = h5::fixed_string_type(sizeof(DefectRow::type));
    h5::Handle type16 = h5::fixed_string_type(sizeof(DefectRow::sublattice));
    const auto field = [&](const char* name, std::size_t offset, hid_t type) {
        h5::check(H5Tinsert(t.id(), name, offset, type), fmt::format("add field {} to the defect row type", name));
    };
    field("sample_index", offsetof(DefectRow, sample_index), H5T_NATIVE_UINT64);
    field("type", offsetof(DefectRow, type), type_text.id());
    field("sublattice", offsetof(DefectRow, sublattice), type16.id());
    field("class_id", offsetof(DefectRow, class_id), H5T_NATIVE_INT32);
    field("onsite_eV", offsetof(DefectRow, onsite_eV), H5T_NATIVE_DOUBLE);
    field("x_nm", offsetof(DefectRow, x_nm), H5T_NATIVE_DOUBLE);
    field("y_nm", offsetof(DefectRow, y_nm), H5T_NATIVE_DOUBLE);
    field("x_px", offsetof(DefectRow, x_px), H5T_NATIVE_DOUBLE);
    field("y_px", offsetof(DefectRow, y_px), H5T_NATIVE_DOUBLE);
    field("in_image", offsetof(DefectRow, in_image), H5T_NATIVE_UINT8);
    return t;
}

h5::Handle defect_row_file_type() {
    h5::Handle t = defect_row_memory_type();
    h5::check(H5Tpack(t.id()), "pack the defect row type");
    return t;
}

void write_column_attributes(hid_t dataset, const Column& column) {
    h5::write_attribute(dataset, "unit", column.unit);
    h5::write_attribute(dataset, "description", column.description);
    if (column.path == "targets/class_map") h5::write_attribute(dataset, "class_names", class_names().dump());
}

}  // namespace synthstm
