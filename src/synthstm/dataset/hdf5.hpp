#pragma once
/// A thin layer over the HDF5 C API for the dataset files: handles that close themselves, and
/// calls that throw Io naming the file, the object and HDF5's own reason instead of returning
/// negative status codes. HDF5 prints nothing itself (silence_errors()).
///
/// Only one thread at a time may call into HDF5 (Debian's serial library is not thread-safe):
/// the dataset writer simulates on many threads and writes from one.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <hdf5.h>

namespace synthstm::h5 {

/// An open HDF5 object (file, group, dataset, dataspace, datatype, property list, attribute).
class Handle {
public:
    Handle() = default;
    /// Takes ownership of id, closed with `closer`; throws Io "cannot <what>: <reason>" if id < 0.
    Handle(hid_t id, herr_t (*closer)(hid_t), const std::string& what);
    ~Handle();
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    /// The HDF5 identifier.
    [[nodiscard]] hid_t id() const { return id_; }
    /// Closes now; throws Io "cannot <what>" when closing fails (a file's last writes happen here).
    void close(const std::string& what);

private:
    hid_t id_ = H5I_INVALID_HID;
    herr_t (*close_)(hid_t) = nullptr;
};

/// Throws Io "cannot <what>: <HDF5's innermost message>" when status < 0.
void check(herr_t status, const std::string& what);
/// Stops HDF5 printing its error stack to stderr (errors become exceptions instead).
void silence_errors();

/// Creates a file that lives in memory only (HDF5's core driver): it is built there and its
/// bytes taken with file_image(), so the disk is written by plain calls that fail cleanly (HDF5
/// cannot close a file whose last writes failed, and then crashes at exit). Object times are
/// not recorded, so equal content gives equal bytes.
Handle create_memory_file(const std::string& name);
/// The bytes of an open file (flushed first).
std::string file_image(hid_t file, const std::string& name);
/// Opens a file read-only.
Handle open_file(const std::filesystem::path& path);
/// Creates a group (and its parents: "a/b").
Handle create_group(hid_t location, const std::string& name);
/// Opens a dataset by path.
Handle open_dataset(hid_t location, const std::string& path);
/// True when a link of that path exists (every parent must exist).
bool exists(hid_t location, const std::string& path);

/// A fixed-length, null-padded ASCII string type of `length` bytes.
Handle fixed_string_type(std::size_t length);
/// Writes a variable-length UTF-8 string attribute (h5py reads it as str).
void write_attribute(hid_t location, const std::string& name, const std::string& text);
/// Writes an unsigned 64-bit integer attribute.
void write_attribute(hid_t location, const std::string& name, std::uint64_t value);
/// Reads a string attribute (variable or fixed length).
std::string read_string_attribute(hid_t location, const std::string& name);
/// Reads an integer attribute as uint64.
std::uint64_t read_u64_attribute(hid_t location, const std::string& name);

/// Layout of a new dataset.
struct DatasetShape {
    std::vector<hsize_t> dims;    ///< current extent
    std::vector<hsize_t> chunk;   ///< chunk extent (same rank), each >= 1
    bool growable = false;        ///< first dimension unlimited (for tables that may be empty)
    int deflate_level = 4;        ///< gzip level, 0 for none
};

/// Creates a chunked, deflate-compressed dataset.
Handle create_dataset(hid_t location, const std::string& path, hid_t type, const DatasetShape& shape);
/// Writes the whole dataset from memory of type memory_type (nothing for an empty dataset).
void write_all(hid_t dataset, hid_t memory_type, const void* data, const std::string& what);
/// Reads the whole dataset into memory of type memory_type.
void read_all(hid_t dataset, hid_t memory_type, void* data, const std::string& what);
/// Reads rows [first, first + count) of the first dimension into memory of type memory_type.
void read_rows(hid_t dataset, hid_t memory_type, hsize_t first, hsize_t count, void* data, const std::string& what);
/// The extent of a dataset.
std::vector<hsize_t> extent(hid_t dataset);

}  // namespace synthstm::h5
