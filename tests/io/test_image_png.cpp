#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include <cairo.h>

#include "io_test_support.hpp"
#include "synthstm/io/image_png.hpp"

using namespace synthstm;
using namespace synthstm::test;

namespace {

/// A PNG read back with Cairo: size and 0xRRGGBB pixels.
struct Picture {
    int width = 0, height = 0;
    std::vector<std::uint32_t> rgb;
    [[nodiscard]] std::uint32_t at(int x, int y) const { return rgb[static_cast<std::size_t>(y * width + x)]; }
};

Picture load_png(const std::filesystem::path& path) {
    cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
    EXPECT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS) << path;
    Picture p;
    p.width = cairo_image_surface_get_width(s);
    p.height = cairo_image_surface_get_height(s);
    const int stride = cairo_image_surface_get_stride(s);
    const unsigned char* data = cairo_image_surface_get_data(s);
    for (int y = 0; y < p.height; ++y)
        for (int x = 0; x < p.width; ++x)
            p.rgb.push_back(reinterpret_cast<const std::uint32_t*>(data + y * stride)[x] & 0xffffffu);
    cairo_surface_destroy(s);
    return p;
}

/// rows × cols with value = row index: a ramp that is brightest in the last data row.
std::vector<float> row_ramp(std::size_t rows, std::size_t cols) {
    std::vector<float> v(rows * cols);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i / cols);
    return v;
}

}  // namespace

TEST(ImagePng, DefaultPutsDataRowZeroAtTheBottom) {
    const TestDir dir;
    const auto v = row_ramp(4, 3);
    ImagePngOptions o;
    o.colour_map = ColourMap::Grey;
    o.min_size_px = 0;
    write_image_png(dir / "up.png", v, 4, 3, o);
    const Picture p = load_png(dir / "up.png");
    EXPECT_EQ(p.width, 3);
    EXPECT_EQ(p.height, 4);
    EXPECT_EQ(p.at(0, 0), 0xffffffu) << "the last data row (largest y) is the top of the picture";
    EXPECT_EQ(p.at(2, 3), 0x000000u) << "data row 0 is the bottom of the picture";
    EXPECT_EQ(p.at(1, 1), 0xaaaaaau);  // value 2 of 0..3

    o.row0_is_bottom = false;
    write_image_png(dir / "down.png", v, 4, 3, o);
    const Picture q = load_png(dir / "down.png");
    EXPECT_EQ(q.at(0, 0), 0x000000u);
    EXPECT_EQ(q.at(0, 3), 0xffffffu);
    EXPECT_EQ(entries(dir), 2u) << "temporary file left behind";
}

TEST(ImagePng, SmallImagesAreUpscaledByWholeBlocks) {
    const TestDir dir;
    std::vector<float> v(64 * 64);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>((i * 7919) % 101);
    write_image_png(dir / "a.png", v, 64, 64);  // default: shorter side at least 256 px
    const Picture p = load_png(dir / "a.png");
    EXPECT_EQ(p.width, 256);
    EXPECT_EQ(p.height, 256);
    for (int by = 0; by < 64; by += 9)
        for (int bx = 0; bx < 64; bx += 7)
            for (int k = 0; k < 16; ++k) EXPECT_EQ(p.at(4 * bx + k % 4, 4 * by + k / 4), p.at(4 * bx, 4 * by));

    // Non-square: the shorter side decides the factor (ceil(256 / 40) = 7).
    write_image_png(dir / "b.png", std::vector<float>(100 * 40, 1.f), 100, 40);
    const Picture q = load_png(dir / "b.png");
    EXPECT_EQ(q.width, 40 * 7);
    EXPECT_EQ(q.height, 100 * 7);
}

TEST(ImagePng, ViridisEndsAndLimits) {
    const TestDir dir;
    const std::vector<float> v = {-5.f, 0.f, 1.f, 9.f};  // one row
    ImagePngOptions o;
    o.min_size_px = 0;
    o.min = 0.0;
    o.max = 1.0;
    write_image_png(dir / "v.png", v, 1, 4, o);
    const Picture p = load_png(dir / "v.png");
    EXPECT_EQ(p.at(0, 0), p.at(1, 0)) << "below min draws as min";
    EXPECT_EQ(p.at(2, 0), p.at(3, 0)) << "above max draws as max";
    EXPECT_EQ(p.at(1, 0), 0x440154u);  // viridis' dark violet
    EXPECT_EQ(p.at(2, 0), 0xfde725u);  // viridis' yellow
}

TEST(ImagePng, AutomaticAndRobustLimits) {
    std::vector<float> v(1000);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
    v[0] = -1e6f;
    v[999] = 1e6f;
    v[500] = std::numeric_limits<float>::quiet_NaN();
    ColourLimits plain = image_colour_limits(v);
    EXPECT_EQ(plain.low, -1e6);
    EXPECT_EQ(plain.high, 1e6);
    ImagePngOptions o;
    o.robust_limits = true;
    const ColourLimits robust = image_colour_limits(v, o);
    EXPECT_GT(robust.low, 0.0);
    EXPECT_LT(robust.low, 10.0);
    EXPECT_GT(robust.high, 990.0);
    EXPECT_LT(robust.high, 999.0);
    o.max = 3.0;  // a given limit wins over the automatic one
    EXPECT_EQ(image_colour_limits(v, o).high, 3.0);
    o.min = 4.0;
    expect_error(ErrorKind::InvalidInput, "exceeds max", [&] { image_colour_limits(v, o); });
}

TEST(ImagePng, ErrorPaths) {
    const TestDir dir;
    const std::vector<float> v(6, 1.f);
    const auto missing = dir / "no-such-dir" / "x.png";
    expect_error(ErrorKind::Io, missing.string(), [&] { write_image_png(missing, v, 2, 3); });
    expect_error(ErrorKind::InvalidInput, "empty", [&] { write_image_png(dir / "e.png", {}, 0, 0); });
    expect_error(ErrorKind::InvalidInput, "6 values for a 4 x 3", [&] { write_image_png(dir / "m.png", v, 4, 3); });
    EXPECT_EQ(entries(dir), 0u);
    // A flat image has no range: it is drawn in the middle colour instead of failing.
    ImagePngOptions o;
    o.colour_map = ColourMap::Grey;
    o.min_size_px = 0;
    write_image_png(dir / "flat.png", v, 2, 3, o);
    EXPECT_EQ(load_png(dir / "flat.png").at(1, 1), 0x808080u);
}
