#pragma once
/// Augmentations that keep the physics: the 8 symmetries of the square (rotations by multiples
/// of 90° and mirrors) applied alike to the input and its target maps — the maps are functions
/// of position, so they transform exactly as the image does — and an affine change of input
/// intensity (the network sees a per-image 0–1 scale, whose contrast and offset vary between
/// real scans). No LibTorch here.
#include <cstddef>
#include <span>

namespace synthstm::ml {

/// Number of symmetries of the square (the dihedral group D4).
inline constexpr int kSquareSymmetries = 8;

/// Applies symmetry s ∈ [0, 8) to a square n × n image in place: s mod 4 quarter turns, then a
/// left–right mirror when s ≥ 4. s = 0 is the identity. Throws InvalidInput for s outside
/// [0, 8) or an image that is not n × n.
void apply_square_symmetry(std::span<float> image, std::size_t n, int symmetry);

/// v → scale · v + offset for every value (input intensity augmentation).
void scale_intensity(std::span<float> image, float scale, float offset);

}  // namespace synthstm::ml
