#pragma once
/// Where the tip really was for every pixel of a recorded image: the input of all ground-truth
/// generators (DESIGN §3.5: labels are in the coordinates of the recorded image).
#include <span>

#include "synthstm/instrument/lateral.hpp"

namespace synthstm {

/// A non-owning view of N×N true tip positions (sample frame, nm), row-major by (row, col) of
/// the recorded image (row 0 = top line; see instrument/lateral.hpp).
struct PixelPositions {
    int pixels = 0;                  ///< N
    std::span<const double> x_nm;    ///< N×N true x
    std::span<const double> y_nm;    ///< N×N true y

    /// Throws InvalidInput if N is outside [8, 4096], the sizes are not N×N or a value is not finite.
    void validate() const;
    /// Row-major index of (row, col).
    [[nodiscard]] std::size_t index(int row, int col) const {
        return static_cast<std::size_t>(row) * static_cast<std::size_t>(pixels) + static_cast<std::size_t>(col);
    }
};

/// The positions of one pass of a trajectory (the view refers to the trajectory's arrays).
PixelPositions pixel_positions(const ScanTrajectory& trajectory, ScanPass pass);

}  // namespace synthstm
