#pragma once
/// NumPy .npy files (format 1.0) holding one 2-D float32 array: numpy.load() reads them as is.
#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

namespace synthstm {

/// A 2-D float32 array, row-major (C order): value (r, c) is values[r * cols + c].
struct NpyArray {
    std::size_t rows = 0;       ///< first dimension
    std::size_t cols = 0;       ///< second dimension
    std::vector<float> values;  ///< rows * cols values, row-major
};

/// Writes values (rows × cols, row-major) as '<f4', fortran_order False, shape (rows, cols).
/// The file appears complete or not at all (temporary file + rename). Throws InvalidInput for an
/// empty array or values.size() != rows * cols, Io naming the path when it cannot be written.
void write_npy(const std::filesystem::path& path, std::span<const float> values, std::size_t rows,
               std::size_t cols);

/// Reads a 2-D little-endian float32 C-order .npy file (format 1.x, 2.x or 3.x). Throws Io naming
/// the path when it cannot be read, InvalidInput naming the path when it is not such a file
/// (another dtype, Fortran order, another number of dimensions, truncated data).
NpyArray read_npy(const std::filesystem::path& path);

}  // namespace synthstm
