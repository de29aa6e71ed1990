#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "io_test_support.hpp"
#include "synthstm/io/npy.hpp"

using namespace synthstm;
using namespace synthstm::test;

namespace {

/// A hand-made .npy file (version 1.0) with the given header dictionary and raw data.
std::string npy_bytes(const std::string& dict, const std::string& data) {
    std::string header = dict;
    while ((10 + header.size() + 1) % 64 != 0) header.push_back(' ');
    header.push_back('\n');
    std::string b = "\x93NUMPY";
    b.push_back('\1');
    b.push_back('\0');
    b.push_back(static_cast<char>(header.size() & 0xff));
    b.push_back(static_cast<char>(header.size() >> 8));
    return b + header + data;
}

std::string float_bytes(const std::vector<float>& v) {
    return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)};
}

}  // namespace

TEST(Npy, RoundTripKeepsShapeOrderAndBits) {
    const TestDir dir;
    std::vector<float> v(3 * 5);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) * 0.25f - 1.0f;
    v[7] = std::numeric_limits<float>::quiet_NaN();
    v[8] = -0.0f;
    write_npy(dir / "a.npy", v, 3, 5);
    const NpyArray a = read_npy(dir / "a.npy");
    EXPECT_EQ(a.rows, 3u);
    EXPECT_EQ(a.cols, 5u);
    ASSERT_EQ(a.values.size(), v.size());
    EXPECT_EQ(std::memcmp(a.values.data(), v.data(), v.size() * sizeof(float)), 0);
    EXPECT_EQ(entries(dir), 1u) << "temporary file left behind";
}

TEST(Npy, HeaderFollowsTheFormatSpecification) {
    const TestDir dir;
    const std::vector<float> v = {1, 2, 3, 4, 5, 6};
    write_npy(dir / "h.npy", v, 2, 3);
    const std::string b = slurp(dir / "h.npy");
    ASSERT_GE(b.size(), 10u);
    EXPECT_EQ(b.substr(0, 6), "\x93NUMPY");
    EXPECT_EQ(b[6], '\1');  // version 1.0
    EXPECT_EQ(b[7], '\0');
    const std::size_t header_len = static_cast<unsigned char>(b[8]) | static_cast<unsigned char>(b[9]) << 8;
    EXPECT_EQ((10 + header_len) % 64, 0u);
    const std::string header = b.substr(10, header_len);
    EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 0), 0u) << header;
    EXPECT_EQ(header.back(), '\n');
    EXPECT_EQ(b.size(), 10 + header_len + v.size() * sizeof(float));
    EXPECT_EQ(b.substr(10 + header_len), float_bytes(v));
}

TEST(Npy, ReadsFilesWrittenByNumpyConventions) {
    // numpy writes '<f4' and a trailing ", " in the dict; a one-row array is (1, n).
    const TestDir dir;
    spit(dir / "n.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", float_bytes({1.5f, -2.f})));
    const NpyArray a = read_npy(dir / "n.npy");
    EXPECT_EQ(a.rows, 1u);
    EXPECT_EQ(a.cols, 2u);
    EXPECT_EQ(a.values, (std::vector<float>{1.5f, -2.f}));
}

TEST(Npy, ReaderRejectsOtherDtypesShapesAndDamage) {
    const TestDir dir;
    const auto reject = [&](const std::string& name, const std::string& bytes, const std::string& needle) {
        spit(dir / name, bytes);
        expect_error(ErrorKind::InvalidInput, needle, [&] { read_npy(dir / name); });
    };
    reject("f8.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", std::string(8, '\0')), "'<f8'");
    reject("be.npy", npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 1), }", std::string(4, '\0')), "'>f4'");
    reject("i4.npy", npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1), }", std::string(4, '\0')), "'<i4'");
    reject("f.npy", npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", std::string(16, '\0')), "Fortran");
    reject("1d.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", std::string(16, '\0')), "1 dimensions");
    reject("3d.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", std::string(16, '\0')), "3 dimensions");
    reject("short.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", std::string(12, '\0')), "12 data bytes");
    reject("text.npy", "just some text, not numpy", "not a .npy file");
    // Every rejection names the file.
    expect_error(ErrorKind::InvalidInput, (dir / "text.npy").string(), [&] { read_npy(dir / "text.npy"); });
}

TEST(Npy, ErrorsNameThePathAndLeaveNoHalfWrittenFile) {
    const TestDir dir;
    const std::vector<float> v = {1, 2, 3, 4};
    const auto missing_dir = dir / "no-such-dir" / "x.npy";
    expect_error(ErrorKind::Io, missing_dir.string(), [&] { write_npy(missing_dir, v, 2, 2); });
    expect_error(ErrorKind::Io, (dir / "absent.npy").string(), [&] { read_npy(dir / "absent.npy"); });
    expect_error(ErrorKind::InvalidInput, "empty", [&] { write_npy(dir / "e.npy", {}, 0, 2); });
    expect_error(ErrorKind::InvalidInput, "4 values for a 3 x 2", [&] { write_npy(dir / "m.npy", v, 3, 2); });
    EXPECT_EQ(entries(dir), 0u);

    // Overwriting replaces the old file completely.
    write_npy(dir / "o.npy", std::vector<float>(64, 1.f), 8, 8);
    write_npy(dir / "o.npy", v, 2, 2);
    EXPECT_EQ(read_npy(dir / "o.npy").values, v);
    EXPECT_EQ(entries(dir), 1u);
}
