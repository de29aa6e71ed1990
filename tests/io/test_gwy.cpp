#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <cairo.h>

#include "io_test_support.hpp"
#include "synthstm/io/gwy.hpp"

using namespace synthstm;
using namespace synthstm::test;

namespace {

constexpr std::size_t rows = 32, cols = 48;

/// Topography in nm that rises with y (row index) and a current that rises with x.
struct TwoChannels {
    std::vector<float> height_nm, current;
    std::vector<GwyChannel> channels;
    TwoChannels() : height_nm(rows * cols), current(rows * cols) {
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < cols; ++c) {
                height_nm[r * cols + c] = 0.01f * static_cast<float>(r) + 0.001f * static_cast<float>(c % 3);
                current[r * cols + c] = static_cast<float>(c) - 0.5f * static_cast<float>(r % 2);
            }
        GwyChannel z;
        z.title = "Topography forward";
        z.values = height_nm;
        z.rows = rows;
        z.cols = cols;
        z.width_nm = 4.8;
        z.height_nm = 3.2;
        z.x_offset_nm = 1.5;
        z.y_offset_nm = -2.0;
        z.z_unit = "m";
        z.z_to_si = 1e-9;
        GwyChannel i = z;
        i.title = "Current (arb. units)";
        i.values = current;
        i.z_unit = "A";
        i.z_to_si = 1.0;
        channels = {z, i};
    }
};

std::uint32_t u32_at(const std::string& b, std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, b.data() + at, 4);
    return v;
}

/// The tEXt chunks of a PNG file (keyword → text).
std::map<std::string, std::string> png_text_chunks(const std::string& png) {
    std::map<std::string, std::string> out;
    std::size_t at = 8;
    while (at + 12 <= png.size()) {
        const auto* p = reinterpret_cast<const unsigned char*>(png.data() + at);
        const std::size_t len = std::size_t{p[0]} << 24 | std::size_t{p[1]} << 16 | std::size_t{p[2]} << 8 | p[3];
        const std::string type = png.substr(at + 4, 4);
        if (at + 12 + len > png.size()) break;
        if (type == "tEXt") {
            const std::string chunk = png.substr(at + 8, len);
            const auto nul = chunk.find('\0');
            if (nul != std::string::npos) out[chunk.substr(0, nul)] = chunk.substr(nul + 1);
        }
        at += 12 + len;
    }
    return out;
}

/// Runs Gwyddion's thumbnailer (with HOME in the test directory); returns its exit status.
int run_thumbnailer(const std::filesystem::path& dir, const std::filesystem::path& in, const std::filesystem::path& out,
                    int max_size) {
    const std::string cmd = "HOME='" + dir.string() + "' '" + std::string(SYNTHSTM_GWYDDION_THUMBNAILER) + "' gnome2 " +
                            std::to_string(max_size) + " '" + in.string() + "' '" + out.string() + "' >'" +
                            (dir / "thumbnailer.log").string() + "' 2>&1";
    const int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool have_thumbnailer() {
    const std::string p = SYNTHSTM_GWYDDION_THUMBNAILER;
    return !p.empty() && p.find("NOTFOUND") == std::string::npos;
}

double mean_luminance_of_row(cairo_surface_t* s, int y) {
    const int w = cairo_image_surface_get_width(s);
    const auto* line = reinterpret_cast<const std::uint32_t*>(cairo_image_surface_get_data(s) +
                                                              y * cairo_image_surface_get_stride(s));
    double sum = 0;
    for (int x = 0; x < w; ++x) sum += ((line[x] >> 16) & 0xff) * 0.299 + ((line[x] >> 8) & 0xff) * 0.587 + (line[x] & 0xff) * 0.114;
    return sum / w;
}

}  // namespace

TEST(Gwy, FileStructureIsAGwypContainer) {
    const TestDir dir;
    const TwoChannels data;
    write_gwy(dir / "a.gwy", data.channels);
    const std::string b = slurp(dir / "a.gwy");
    ASSERT_GT(b.size(), 4 + 13 + 4u);
    EXPECT_EQ(b.substr(0, 4), "GWYP");
    EXPECT_EQ(b.substr(4, 13), std::string("GwyContainer\0", 13));
    EXPECT_EQ(u32_at(b, 17), b.size() - 21) << "the container's size covers the rest of the file";
    EXPECT_NE(b.find(std::string("/0/data\0oGwyDataField\0", 22)), std::string::npos);
    EXPECT_NE(b.find(std::string("/1/data/title\0sCurrent (arb. units)\0", 36)), std::string::npos);
    EXPECT_NE(b.find(std::string("si_unit_z\0oGwySIUnit\0", 21)), std::string::npos);
    // data: 'D', uint32 count, doubles; the first stored row is the TOP line (last data row).
    const auto d = b.find(std::string("data\0D", 6));
    ASSERT_NE(d, std::string::npos);
    EXPECT_EQ(u32_at(b, d + 6), rows * cols);
    double first;
    std::memcpy(&first, b.data() + d + 10, 8);
    EXPECT_DOUBLE_EQ(first, static_cast<double>(data.height_nm[(rows - 1) * cols]) * 1e-9);
    EXPECT_EQ(entries(dir), 1u) << "temporary file left behind";
}

TEST(Gwy, ReadsBackSizesUnitsTitlesAndData) {
    const TestDir dir;
    const TwoChannels data;
    write_gwy(dir / "a.gwy", data.channels);
    const auto ch = read_gwy(dir / "a.gwy");
    ASSERT_EQ(ch.size(), 2u);
    for (int k = 0; k < 2; ++k) {
        EXPECT_EQ(ch[k].id, k);
        EXPECT_EQ(ch[k].xres, cols);
        EXPECT_EQ(ch[k].yres, rows);
        EXPECT_DOUBLE_EQ(ch[k].xreal, 4.8e-9);
        EXPECT_DOUBLE_EQ(ch[k].yreal, 3.2e-9);
        EXPECT_DOUBLE_EQ(ch[k].xoff, 1.5e-9);
        EXPECT_DOUBLE_EQ(ch[k].yoff, -2.0e-9);
        EXPECT_EQ(ch[k].unit_xy, "m");
    }
    EXPECT_EQ(ch[0].title, "Topography forward");
    EXPECT_EQ(ch[1].title, "Current (arb. units)");
    EXPECT_EQ(ch[0].unit_z, "m");
    EXPECT_EQ(ch[1].unit_z, "A");
    for (std::size_t i = 0; i < rows * cols; ++i) {
        ASSERT_DOUBLE_EQ(ch[0].values[i], static_cast<double>(data.height_nm[i]) * 1e-9) << i;
        ASSERT_EQ(ch[1].values[i], static_cast<double>(data.current[i])) << i;
    }
    // As stored (Gwyddion's view): the top line, i.e. the last data row, comes first.
    const auto stored = read_gwy(dir / "a.gwy", /*row0_is_bottom=*/false);
    EXPECT_EQ(stored[1].values[0], static_cast<double>(data.current[(rows - 1) * cols]));
}

TEST(Gwy, GwyddionReadsTheFile) {
    if (!have_thumbnailer()) GTEST_SKIP() << "gwyddion-thumbnailer not installed (Debian package gwyddion)";
    const TestDir dir;
    const TwoChannels data;
    write_gwy(dir / "a.gwy", data.channels);
    ASSERT_EQ(run_thumbnailer(dir, dir / "a.gwy", dir / "thumb.png", 128), 0) << slurp(dir / "thumbnailer.log");
    ASSERT_TRUE(std::filesystem::exists(dir / "thumb.png"));

    // Gwyddion draws the visible channel 0 at its own size (smaller than 128) ...
    cairo_surface_t* s = cairo_image_surface_create_from_png((dir / "thumb.png").c_str());
    ASSERT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    EXPECT_EQ(cairo_image_surface_get_width(s), static_cast<int>(cols));
    EXPECT_EQ(cairo_image_surface_get_height(s), static_cast<int>(rows));
    // ... with the largest y (the highest topography) at the top, as seen from above.
    EXPECT_GT(mean_luminance_of_row(s, 0), mean_luminance_of_row(s, static_cast<int>(rows) - 1) + 50);
    cairo_surface_destroy(s);
    // and records what it parsed: the field's resolution and physical size.
    const auto text = png_text_chunks(slurp(dir / "thumb.png"));
    EXPECT_EQ(text.at("Thumb::Image::Width"), std::to_string(cols));
    EXPECT_EQ(text.at("Thumb::Image::Height"), std::to_string(rows));
    ASSERT_TRUE(text.contains("Thumb::X-Gwyddion::RealSize"));
    const std::string real_size = text.at("Thumb::X-Gwyddion::RealSize");  // e.g. "4.8×3.2 nm"
    for (const char* part : {"4.8", "3.2", "nm"}) EXPECT_NE(real_size.find(part), std::string::npos) << real_size;

    // A larger field is scaled down to the requested maximum size, keeping its aspect ratio.
    ASSERT_EQ(run_thumbnailer(dir, dir / "a.gwy", dir / "small.png", 24), 0) << slurp(dir / "thumbnailer.log");
    cairo_surface_t* t = cairo_image_surface_create_from_png((dir / "small.png").c_str());
    EXPECT_EQ(cairo_image_surface_get_width(t), 24);
    EXPECT_EQ(cairo_image_surface_get_height(t), 16);
    cairo_surface_destroy(t);
}

TEST(Gwy, GwyddionRejectsDamagedFiles) {
    // The check above can fail: the same thumbnailer refuses truncated or foreign files.
    if (!have_thumbnailer()) GTEST_SKIP() << "gwyddion-thumbnailer not installed (Debian package gwyddion)";
    const TestDir dir;
    const TwoChannels data;
    write_gwy(dir / "a.gwy", data.channels);
    const std::string good = slurp(dir / "a.gwy");
    spit(dir / "truncated.gwy", good.substr(0, good.size() / 2));
    spit(dir / "foreign.gwy", "GWYP this is not a serialized container");
    for (const char* name : {"truncated.gwy", "foreign.gwy"}) {
        EXPECT_NE(run_thumbnailer(dir, dir / name, dir / "bad.png", 128), 0) << name;
        EXPECT_FALSE(std::filesystem::exists(dir / "bad.png")) << name;
        // Our reader refuses them too.
        expect_error(ErrorKind::InvalidInput, (dir / name).string(), [&] { read_gwy(dir / name); });
    }
}

TEST(Gwy, ErrorPaths) {
    const TestDir dir;
    TwoChannels data;
    const auto missing = dir / "no-such-dir" / "x.gwy";
    expect_error(ErrorKind::Io, missing.string(), [&] { write_gwy(missing, data.channels); });
    expect_error(ErrorKind::Io, (dir / "absent.gwy").string(), [&] { read_gwy(dir / "absent.gwy"); });
    expect_error(ErrorKind::InvalidInput, "no channels", [&] { write_gwy(dir / "n.gwy", {}); });

    auto bad = data.channels;
    bad[1].rows = 31;
    expect_error(ErrorKind::InvalidInput, "1536 values for a 31 x 48", [&] { write_gwy(dir / "m.gwy", bad); });
    bad = data.channels;
    bad[0].values = {};
    bad[0].rows = 0;
    expect_error(ErrorKind::InvalidInput, "empty", [&] { write_gwy(dir / "e.gwy", bad); });
    bad = data.channels;
    bad[0].width_nm = 0;
    expect_error(ErrorKind::InvalidInput, "width_nm", [&] { write_gwy(dir / "w.gwy", bad); });
    data.current[5] = std::numeric_limits<float>::infinity();
    expect_error(ErrorKind::InvalidInput, "row 0, column 5", [&] { write_gwy(dir / "i.gwy", data.channels); });
    EXPECT_EQ(entries(dir), 0u);

    spit(dir / "png.gwy", "\x89PNG\r\n\x1a\n");
    expect_error(ErrorKind::InvalidInput, "no GWYP signature", [&] { read_gwy(dir / "png.gwy"); });
}
