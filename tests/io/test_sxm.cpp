// Readers of real instrument files: Nanonis .sxm (and Gwyddion .gwy from another producer), PNG
// read back as grey levels. The measured files live outside the project (SYNTHSTM_TESTDATA);
// their tests skip with a message when they are absent.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "io/io_test_support.hpp"
#include "synthstm/io/gwy.hpp"
#include "synthstm/io/image_png.hpp"
#include "synthstm/io/sxm.hpp"

namespace synthstm {
namespace {

using test::expect_error;
using test::slurp;
using test::spit;
using test::TestDir;

std::filesystem::path testdata() {
    const char* env = std::getenv("SYNTHSTM_TESTDATA");
    return env ? std::filesystem::path(env) : std::filesystem::path(SYNTHSTM_TESTDATA_DIR);
}

/// The path of a test file, or "" (and the test skipped) when it is absent.
#define REQUIRE_TESTDATA(var, rel)                                                              \
    const std::filesystem::path var = testdata() / (rel);                                       \
    if (!std::filesystem::exists(var)) GTEST_SKIP() << "no " << var << " (set SYNTHSTM_TESTDATA)"

/// A small .sxm file: one channel "Z" (m), both directions, values = 100·row + col as stored.
std::string make_sxm(const std::string& dir, std::size_t nx, std::size_t ny) {
    std::string h = ":NANONIS_VERSION:\n2\n:SCAN_PIXELS:\n       " + std::to_string(nx) + "       " + std::to_string(ny) +
                    "\n:SCAN_RANGE:\n           2.000000E-9           1.000000E-9\n:SCAN_DIR:\n" + dir +
                    "\n:DATA_INFO:\n\tChannel\tName\tUnit\tDirection\tCalibration\tOffset\n"
                    "\t14\tZ\tm\tboth\t1.000E+0\t0.000E+0\n\n:SCANIT_END:\n\n\n\x1a\x04";
    for (int frame = 0; frame < 2; ++frame)
        for (std::size_t r = 0; r < ny; ++r)
            for (std::size_t c = 0; c < nx; ++c) {
                const auto v = static_cast<float>(100 * r + c + 1000 * frame);
                std::uint32_t u = std::bit_cast<std::uint32_t>(v);
                u = __builtin_bswap32(u);
                char b[4];
                std::memcpy(b, &u, 4);
                h.append(b, 4);
            }
    return h;
}

TEST(Sxm, OrientsFramesTopLeft) {
    TestDir dir;
    spit(dir / "down.sxm", make_sxm("down", 3, 2));
    spit(dir / "up.sxm", make_sxm("up", 3, 2));
    const SxmScan down = read_sxm(dir / "down.sxm");
    ASSERT_EQ(down.frames.size(), 2u);
    EXPECT_EQ(down.cols, 3u);
    EXPECT_EQ(down.rows, 2u);
    EXPECT_DOUBLE_EQ(down.width_m, 2e-9);
    EXPECT_DOUBLE_EQ(down.height_m, 1e-9);
    EXPECT_EQ(down.frames[0].name, "Z");
    EXPECT_EQ(down.frames[0].unit, "m");
    EXPECT_FALSE(down.frames[0].backward);
    EXPECT_TRUE(down.frames[1].backward);
    EXPECT_EQ(down.frames[0].values[0 * 3 + 1], 1.0);      // stored as is
    EXPECT_EQ(down.frames[1].values[0 * 3 + 0], 1002.0);   // backward lines run right to left
    const SxmScan up = read_sxm(dir / "up.sxm");
    EXPECT_EQ(up.frames[0].values[0 * 3 + 1], 101.0);      // an upward scan stores the bottom line first
}

TEST(Sxm, CorruptAndTruncatedFilesAreClearErrors) {
    TestDir dir;
    const std::string good = make_sxm("down", 4, 4);
    spit(dir / "truncated.sxm", good.substr(0, good.size() - 10));
    expect_error(ErrorKind::InvalidInput, "truncated data", [&] { read_sxm(dir / "truncated.sxm"); });
    spit(dir / "header.sxm", good.substr(0, 60));
    expect_error(ErrorKind::InvalidInput, "no :SCANIT_END:", [&] { read_sxm(dir / "header.sxm"); });
    spit(dir / "foreign.sxm", "GWYP and other things");
    expect_error(ErrorKind::InvalidInput, "does not start with :NANONIS_VERSION:", [&] { read_sxm(dir / "foreign.sxm"); });
    std::string no_pixels = good;
    no_pixels.replace(no_pixels.find("SCAN_PIXELS"), 11, "SCAN_PIXELX");
    spit(dir / "nopixels.sxm", no_pixels);
    expect_error(ErrorKind::InvalidInput, "no :SCAN_PIXELS: section", [&] { read_sxm(dir / "nopixels.sxm"); });
    expect_error(ErrorKind::Io, "missing.sxm", [&] { read_sxm(dir / "missing.sxm"); });
}

TEST(Sxm, ReadsMeasuredHexagonalLattice) {
    REQUIRE_TESTDATA(path, "nanonis/hexagonal_lattice_4nm.sxm");
    const SxmScan s = read_sxm(path);
    EXPECT_EQ(s.cols, 256u);
    EXPECT_EQ(s.rows, 256u);
    EXPECT_NEAR(s.width_m, 4e-9, 1e-15);
    EXPECT_EQ(s.scan_dir, "down");
    ASSERT_EQ(s.frames.size(), 4u);
    EXPECT_EQ(s.frames[0].name, "Z");
    EXPECT_EQ(s.frames[0].unit, "m");
    EXPECT_EQ(s.frames[2].name, "Current");
    EXPECT_EQ(s.frames[2].unit, "A");
    // Heights of an atomically flat scan: finite, within a few nm of each other.
    double lo = 1e9, hi = -1e9;
    for (double v : s.frames[0].values) {
        ASSERT_TRUE(std::isfinite(v));
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    EXPECT_GT(hi - lo, 1e-12);
    EXPECT_LT(hi - lo, 5e-9);
}

TEST(Sxm, ReadsMeasuredNonSquareAndConvertedScans) {
    REQUIRE_TESTDATA(nonsquare, "nanonis/nonsquare_96x192.sxm");
    const SxmScan s = read_sxm(nonsquare);
    EXPECT_EQ(s.cols, 96u);
    EXPECT_EQ(s.rows, 192u);
    EXPECT_NEAR(s.width_m, 2e-9, 1e-15);
    EXPECT_NEAR(s.height_m, 4e-9, 1e-15);
    ASSERT_EQ(s.frames.size(), 18u);  // nine channels, both directions
    EXPECT_EQ(s.frames[2].name, "LI_X");
    EXPECT_EQ(s.frames[2].unit, "V");
    REQUIRE_TESTDATA(converted, "nanonis/converted_A250407.sxm");
    const SxmScan c = read_sxm(converted);
    EXPECT_EQ(c.cols, 256u);
    EXPECT_EQ(c.rows, 9u);
    EXPECT_EQ(c.frames.size(), 4u);
    REQUIRE_TESTDATA(updown, "nanonis/topography_up_down.sxm");
    const SxmScan u = read_sxm(updown);
    EXPECT_EQ(u.cols, 256u);
    EXPECT_NEAR(u.width_m, 5e-9, 1e-15);
    for (const SxmFrame& f : u.frames) EXPECT_EQ(f.values.size(), 256u * 256u);
}

TEST(Sxm, TruncatedMeasuredFileIsAClearError) {
    REQUIRE_TESTDATA(path, "nanonis/hexagonal_lattice_4nm.sxm");
    TestDir dir;
    const std::string bytes = slurp(path);
    for (std::size_t keep : {bytes.size() - 1, bytes.size() / 2, std::size_t{100}}) {
        spit(dir / "cut.sxm", bytes.substr(0, keep));
        EXPECT_THROW(read_sxm(dir / "cut.sxm"), Error) << keep << " bytes";
    }
}

TEST(GwyReader, ReadsAFileGwyddionToolsWrote) {
    REQUIRE_TESTDATA(path, "gwyddion/synthetic_128.gwy");
    const std::vector<GwyChannelData> channels = read_gwy(path);
    ASSERT_GE(channels.size(), 1u);
    EXPECT_EQ(channels[0].xres, 128u);
    EXPECT_EQ(channels[0].yres, 128u);
    EXPECT_GT(channels[0].xreal, 0.0);
    EXPECT_EQ(channels[0].values.size(), 128u * 128u);
    TestDir dir;
    const std::string bytes = slurp(path);
    spit(dir / "cut.gwy", bytes.substr(0, bytes.size() / 3));
    EXPECT_THROW(read_gwy(dir / "cut.gwy"), Error);
}

TEST(PngReader, ReadsGreyLevelsBackAndRejectsOtherFiles) {
    TestDir dir;
    const std::vector<float> v = {0.0f, 0.5f, 1.0f, 0.25f};
    ImagePngOptions o;
    o.colour_map = ColourMap::Grey;
    o.min = 0.0;
    o.max = 1.0;
    o.min_size_px = 1;
    o.row0_is_bottom = false;
    write_image_png(dir / "g.png", v, 2, 2, o);
    const GreyImage g = read_png_grey(dir / "g.png");
    ASSERT_EQ(g.rows, 2u);
    ASSERT_EQ(g.cols, 2u);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(g.values[i], v[i], 0.01) << i;
    spit(dir / "bad.png", "not a png at all");
    expect_error(ErrorKind::InvalidInput, "not a PNG file", [&] { read_png_grey(dir / "bad.png"); });
    const std::string png = slurp(dir / "g.png");
    spit(dir / "cut.png", png.substr(0, png.size() / 2));
    expect_error(ErrorKind::InvalidInput, "not a valid PNG", [&] { read_png_grey(dir / "cut.png"); });
}

}  // namespace
}  // namespace synthstm
