#include "synthstm/dataset/hdf5.hpp"

#include <utility>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"

namespace synthstm::h5 {
namespace {

/// The innermost description on HDF5's error stack (the most specific reason), then clears it.
std::string last_reason() {
    std::string reason;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
            auto* out = static_cast<std::string*>(data);
            if (out->empty() && e->desc && *e->desc) *out = e->desc;
            return 0;
        },
        &reason);
    H5Eclear2(H5E_DEFAULT);
    if (reason.empty()) return "HDF5 error";
    // System errors carry a long record; keep the system's own words.
    const std::string marker = "error message = '";
    if (const auto at = reason.find(marker); at != std::string::npos) {
        const auto from = at + marker.size();
        reason = reason.substr(from, reason.find('\'', from) - from);
    }
    for (char& c : reason)
        if (c == '\n') c = ' ';
    return reason;
}

[[noreturn]] void fail(const std::string& what) { io_error(fmt::format("cannot {}: {}", what, last_reason())); }

Handle plist(hid_t cls, const std::string& what) { return Handle(H5Pcreate(cls), H5Pclose, what); }

}  // namespace

Handle::Handle(hid_t id, herr_t (*closer)(hid_t), const std::string& what) : id_(id), close_(closer) {
    if (id_ < 0) fail(what);
}

Handle::~Handle() {
    if (id_ >= 0 && close_) close_(id_);
}

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(std::exchange(other.close_, nullptr)) {}

Handle& Handle::operator=(Handle&& other) noexcept {
    if (this != &other) {
        if (id_ >= 0 && close_) close_(id_);
        id_ = std::exchange(other.id_, H5I_INVALID_HID);
        close_ = std::exchange(other.close_, nullptr);
    }
    return *this;
}

void Handle::close(const std::string& what) {
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    if (id >= 0 && close_ && close_(id) < 0) fail(what);
}

void check(herr_t status, const std::string& what) {
    if (status < 0) fail(what);
}

void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Handle create_memory_file(const std::string& name) {
    silence_errors();
    Handle fapl = plist(H5P_FILE_ACCESS, "create a file access property list");
    check(H5Pset_fapl_core(fapl.id(), 1 << 20, 0), "select the in-memory driver");
    return Handle(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id()), H5Fclose,
                  fmt::format("create {} in memory", name));
}

std::string file_image(hid_t file, const std::string& name) {
    check(H5Fflush(file, H5F_SCOPE_GLOBAL), fmt::format("flush {}", name));
    const ssize_t size = H5Fget_file_image(file, nullptr, 0);
    if (size < 0) fail(fmt::format("take the image of {}", name));
    std::string bytes(static_cast<std::size_t>(size), '\0');
    if (H5Fget_file_image(file, bytes.data(), bytes.size()) != size) fail(fmt::format("take the image of {}", name));
    return bytes;
}

Handle open_file(const std::filesystem::path& path) {
    silence_errors();
    return Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, fmt::format("open {}", path.string()));
}

Handle create_group(hid_t location, const std::string& name) {
    Handle lcpl = plist(H5P_LINK_CREATE, "create a link property list");
    check(H5Pset_create_intermediate_group(lcpl.id(), 1), "set intermediate groups");
    Handle gcpl = plist(H5P_GROUP_CREATE, "create a group property list");
    check(H5Pset_obj_track_times(gcpl.id(), 0), "switch off object times");
    return Handle(H5Gcreate2(location, name.c_str(), lcpl.id(), gcpl.id(), H5P_DEFAULT), H5Gclose,
                  fmt::format("create group {}", name));
}

Handle open_dataset(hid_t location, const std::string& path) {
    return Handle(H5Dopen2(location, path.c_str(), H5P_DEFAULT), H5Dclose, fmt::format("open dataset {}", path));
}

bool exists(hid_t location, const std::string& path) {
    const htri_t r = H5Lexists(location, path.c_str(), H5P_DEFAULT);
    if (r < 0) fail(fmt::format("look up {}", path));
    return r > 0;
}

Handle fixed_string_type(std::size_t length) {
    Handle t(H5Tcopy(H5T_C_S1), H5Tclose, "copy the string type");
    check(H5Tset_size(t.id(), length), "set a string length");
    check(H5Tset_strpad(t.id(), H5T_STR_NULLPAD), "set string padding");
    return t;
}

void write_attribute(hid_t location, const std::string& name, const std::string& text) {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy the string type");
    check(H5Tset_size(type.id(), H5T_VARIABLE), "make a variable-length string type");
    check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "set UTF-8");
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create a scalar dataspace");
    Handle attr(H5Acreate2(location, name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                fmt::format("create attribute {}", name));
    const char* data = text.c_str();
    check(H5Awrite(attr.id(), type.id(), &data), fmt::format("write attribute {}", name));
}

void write_attribute(hid_t location, const std::string& name, std::uint64_t value) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create a scalar dataspace");
    Handle attr(H5Acreate2(location, name.c_str(), H5T_STD_U64LE, space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                fmt::format("create attribute {}", name));
    check(H5Awrite(attr.id(), H5T_NATIVE_UINT64, &value), fmt::format("write attribute {}", name));
}

std::string read_string_attribute(hid_t location, const std::string& name) {
    Handle attr(H5Aopen(location, name.c_str(), H5P_DEFAULT), H5Aclose, fmt::format("open attribute {}", name));
    Handle type(H5Aget_type(attr.id()), H5Tclose, fmt::format("read the type of attribute {}", name));
    if (H5Tget_class(type.id()) != H5T_STRING) io_error(fmt::format("attribute {} is not a string", name));
    if (H5Tis_variable_str(type.id()) > 0) {
        char* data = nullptr;
        check(H5Aread(attr.id(), type.id(), &data), fmt::format("read attribute {}", name));
        std::string text = data ? data : "";
        H5free_memory(data);
        return text;
    }
    std::string text(H5Tget_size(type.id()), '\0');
    check(H5Aread(attr.id(), type.id(), text.data()), fmt::format("read attribute {}", name));
    return text.substr(0, text.find('\0'));
}

std::uint64_t read_u64_attribute(hid_t location, const std::string& name) {
    Handle attr(H5Aopen(location, name.c_str(), H5P_DEFAULT), H5Aclose, fmt::format("open attribute {}", name));
    std::uint64_t value = 0;
    check(H5Aread(attr.id(), H5T_NATIVE_UINT64, &value), fmt::format("read attribute {}", name));
    return value;
}

Handle create_dataset(hid_t location, const std::string& path, hid_t type, const DatasetShape& shape) {
    std::vector<hsize_t> max_dims = shape.dims;
    if (shape.growable) max_dims[0] = H5S_UNLIMITED;
    Handle space(H5Screate_simple(static_cast<int>(shape.dims.size()), shape.dims.data(), max_dims.data()), H5Sclose,
                 fmt::format("create the dataspace of {}", path));
    Handle dcpl = plist(H5P_DATASET_CREATE, "create a dataset property list");
    check(H5Pset_chunk(dcpl.id(), static_cast<int>(shape.chunk.size()), shape.chunk.data()),
          fmt::format("set the chunks of {}", path));
    if (shape.deflate_level > 0) {
        check(H5Pset_shuffle(dcpl.id()), fmt::format("set the shuffle filter of {}", path));
        check(H5Pset_deflate(dcpl.id(), static_cast<unsigned>(shape.deflate_level)),
              fmt::format("set the deflate filter of {}", path));
    }
    check(H5Pset_obj_track_times(dcpl.id(), 0), "switch off object times");
    Handle lcpl = plist(H5P_LINK_CREATE, "create a link property list");
    check(H5Pset_create_intermediate_group(lcpl.id(), 1), "set intermediate groups");
    return Handle(H5Dcreate2(location, path.c_str(), type, space.id(), lcpl.id(), dcpl.id(), H5P_DEFAULT), H5Dclose,
                  fmt::format("create dataset {}", path));
}

void write_all(hid_t dataset, hid_t memory_type, const void* data, const std::string& what) {
    const auto dims = extent(dataset);
    for (hsize_t d : dims)
        if (d == 0) return;
    check(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), fmt::format("write {}", what));
}

void read_all(hid_t dataset, hid_t memory_type, void* data, const std::string& what) {
    const auto dims = extent(dataset);
    for (hsize_t d : dims)
        if (d == 0) return;
    check(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), fmt::format("read {}", what));
}

void read_rows(hid_t dataset, hid_t memory_type, hsize_t first, hsize_t count, void* data, const std::string& what) {
    if (count == 0) return;
    Handle file_space(H5Dget_space(dataset), H5Sclose, fmt::format("get the dataspace of {}", what));
    const int rank = H5Sget_simple_extent_ndims(file_space.id());
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(file_space.id(), dims.data(), nullptr);
    std::vector<hsize_t> start(dims.size(), 0), size = dims;
    start[0] = first;
    size[0] = count;
    check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, size.data(), nullptr),
          fmt::format("select rows of {}", what));
    Handle memory_space(H5Screate_simple(rank, size.data(), nullptr), H5Sclose, "create a memory dataspace");
    check(H5Dread(dataset, memory_type, memory_space.id(), file_space.id(), H5P_DEFAULT, data),
          fmt::format("read {}", what));
}

std::vector<hsize_t> extent(hid_t dataset) {
    Handle space(H5Dget_space(dataset), H5Sclose, "get a dataspace");
    const int rank = H5Sget_simple_extent_ndims(space.id());
    if (rank < 0) fail("read the rank of a dataspace");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check(H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr), "read the extent of a dataspace");
    return dims;
}

}  // namespace synthstm::h5
