#include "synthstm/io/gwy.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string_view>

#include <fmt/format.h>

#include "synthstm/core/error.hpp"
#include "synthstm/io/file_bytes.hpp"

namespace synthstm {
namespace {

static_assert(std::endian::native == std::endian::little, "the .gwy writer assumes a little-endian host");

constexpr std::string_view magic = "GWYP";
constexpr double metres_per_nm = 1e-9;

// ---- writing: an object is  type-name \0, uint32 size of the components, components;
//      a component is  name \0, type character, value (all little-endian).

template <class T>
void put(std::string& out, T value) {
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    out.append(raw, sizeof(T));
}

void put_cstr(std::string& out, std::string_view s) {
    out.append(s);
    out.push_back('\0');
}

/// Components of one object, appended in order.
class Components {
public:
    void integer(std::string_view name, std::int32_t v) { head(name, 'i'); put(bytes_, v); }
    void real(std::string_view name, double v) { head(name, 'd'); put(bytes_, v); }
    void boolean(std::string_view name, bool v) { head(name, 'b'); bytes_.push_back(v ? '\1' : '\0'); }
    void string(std::string_view name, std::string_view v) { head(name, 's'); put_cstr(bytes_, v); }
    void object(std::string_view name, std::string_view serialized) { head(name, 'o'); bytes_.append(serialized); }
    void reals(std::string_view name, const std::vector<double>& v) {
        head(name, 'D');
        put(bytes_, static_cast<std::uint32_t>(v.size()));
        bytes_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
    }
    /// The serialized object of this type holding these components.
    [[nodiscard]] std::string serialize(std::string_view type_name) const {
        std::string out;
        put_cstr(out, type_name);
        put(out, static_cast<std::uint32_t>(bytes_.size()));
        out.append(bytes_);
        return out;
    }
    [[nodiscard]] std::size_t size() const { return bytes_.size(); }

private:
    void head(std::string_view name, char type) {
        put_cstr(bytes_, name);
        bytes_.push_back(type);
    }
    std::string bytes_;
};

std::string si_unit(std::string_view unit) {
    Components c;
    c.string("unitstr", unit);
    return c.serialize("GwySIUnit");
}

void check_channel(const std::filesystem::path& path, std::size_t k, const GwyChannel& ch) {
    const auto fail = [&](const std::string& why) {
        invalid_input(fmt::format("cannot write {}: channel {} '{}': {}", path.string(), k, ch.title, why));
    };
    if (ch.rows == 0 || ch.cols == 0) fail(fmt::format("empty image ({} x {})", ch.rows, ch.cols));
    if (ch.values.size() != ch.rows * ch.cols) fail(fmt::format("{} values for a {} x {} image", ch.values.size(), ch.rows, ch.cols));
    constexpr auto int_max = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());
    if (ch.rows > int_max || ch.cols > int_max || ch.rows * ch.cols * sizeof(double) > 0xffff0000u)
        fail(fmt::format("{} x {} is too large for a .gwy field", ch.rows, ch.cols));
    if (!(std::isfinite(ch.width_nm) && ch.width_nm > 0)) fail(fmt::format("width_nm {} is not positive", ch.width_nm));
    if (!(std::isfinite(ch.height_nm) && ch.height_nm > 0)) fail(fmt::format("height_nm {} is not positive", ch.height_nm));
    if (!std::isfinite(ch.x_offset_nm) || !std::isfinite(ch.y_offset_nm)) fail("offset is not finite");
    if (!(std::isfinite(ch.z_to_si) && ch.z_to_si != 0)) fail(fmt::format("z_to_si {} is not a finite non-zero factor", ch.z_to_si));
    if (ch.title.find('\0') != std::string::npos || ch.z_unit.find('\0') != std::string::npos) fail("text contains a NUL character");
    for (std::size_t i = 0; i < ch.values.size(); ++i)
        if (!std::isfinite(static_cast<double>(ch.values[i]) * ch.z_to_si))
            fail(fmt::format("value {} at row {}, column {} is not finite (.gwy stores finite numbers only)", ch.values[i],
                             i / ch.cols, i % ch.cols));
}

std::string data_field(const GwyChannel& ch) {
    std::vector<double> data(ch.values.size());
    for (std::size_t r = 0; r < ch.rows; ++r) {
        const std::size_t src = ch.row0_is_bottom ? ch.rows - 1 - r : r;  // Gwyddion: first row = top
        for (std::size_t c = 0; c < ch.cols; ++c) data[r * ch.cols + c] = static_cast<double>(ch.values[src * ch.cols + c]) * ch.z_to_si;
    }
    Components f;
    f.integer("xres", static_cast<std::int32_t>(ch.cols));
    f.integer("yres", static_cast<std::int32_t>(ch.rows));
    f.real("xreal", ch.width_nm * metres_per_nm);
    f.real("yreal", ch.height_nm * metres_per_nm);
    f.real("xoff", ch.x_offset_nm * metres_per_nm);
    f.real("yoff", ch.y_offset_nm * metres_per_nm);
    f.object("si_unit_xy", si_unit("m"));
    f.object("si_unit_z", si_unit(ch.z_unit));
    f.reals("data", data);
    return f.serialize("GwyDataField");
}

// ---- reading: a generic parser of the object tree, then the channels picked out of it.

struct GwyObject;

/// One component's value; only the kinds the channel reader needs are kept, others are skipped.
struct Value {
    char type = 0;
    std::int64_t integer = 0;           // 'b', 'c', 'i', 'q'
    double real = 0;                    // 'd'
    std::string text;                   // 's'
    std::shared_ptr<GwyObject> object;  // 'o'
    std::vector<double> reals;          // 'D'
};

struct GwyObject {
    std::string type_name;
    std::map<std::string, Value, std::less<>> components;
};

class Parser {
public:
    Parser(std::string_view bytes, const std::filesystem::path& path) : b_(bytes), path_(path) {}

    std::shared_ptr<GwyObject> object(int depth) {
        if (depth > 64) fail("objects nested too deeply");
        auto obj = std::make_shared<GwyObject>();
        obj->type_name = cstr();
        const std::size_t size = u32();
        need(size);
        const std::size_t end = pos_ + size;
        while (pos_ < end) {
            std::string name = cstr();
            Value v = value(depth);
            if (pos_ > end) fail(fmt::format("component '{}' overruns its {} object", name, obj->type_name));
            obj->components.insert_or_assign(std::move(name), std::move(v));
        }
        return obj;
    }
    [[nodiscard]] std::size_t position() const { return pos_; }

private:
    [[noreturn]] void fail(const std::string& why) const {
        invalid_input(fmt::format("{}: not a valid Gwyddion file: {} (at byte {})", path_.string(), why, pos_));
    }
    void need(std::size_t n) const {
        if (n > b_.size() - pos_) fail("truncated");
    }
    std::string cstr() {
        const auto end = b_.find('\0', pos_);
        if (end == std::string_view::npos) fail("truncated string");
        std::string s(b_.substr(pos_, end - pos_));
        pos_ = end + 1;
        return s;
    }
    template <class T>
    T get() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, b_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    std::size_t u32() { return get<std::uint32_t>(); }
    void skip(std::size_t count, std::size_t item) {
        if (count > (b_.size() - pos_) / item) fail("truncated array");
        pos_ += count * item;
    }

    Value value(int depth) {
        Value v;
        need(1);
        v.type = b_[pos_++];
        switch (v.type) {
            case 'b': case 'c': v.integer = static_cast<unsigned char>(get<char>()); break;
            case 'i': v.integer = get<std::int32_t>(); break;
            case 'q': v.integer = get<std::int64_t>(); break;
            case 'd': v.real = get<double>(); break;
            case 's': v.text = cstr(); break;
            case 'o': v.object = object(depth + 1); break;
            case 'C': skip(u32(), 1); break;
            case 'I': skip(u32(), 4); break;
            case 'Q': skip(u32(), 8); break;
            case 'D': {
                const std::size_t n = u32();
                if (n > (b_.size() - pos_) / sizeof(double)) fail("truncated array");
                v.reals.resize(n);
                if (n > 0) std::memcpy(v.reals.data(), b_.data() + pos_, n * sizeof(double));
                pos_ += n * sizeof(double);
                break;
            }
            case 'S':
                for (std::size_t n = u32(); n > 0; --n) cstr();
                break;
            case 'O':
                for (std::size_t n = u32(); n > 0; --n) object(depth + 1);
                break;
            default: --pos_; fail(fmt::format("unknown component type '{}'", v.type));
        }
        return v;
    }

    std::string_view b_;
    const std::filesystem::path& path_;
    std::size_t pos_ = magic.size();
};

/// N of a key "/N/data", or -1.
int data_key_id(std::string_view key) {
    if (key.size() < 7 || key.front() != '/' || !key.ends_with("/data")) return -1;
    const std::string_view digits = key.substr(1, key.size() - 6);
    int id = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec != std::errc() || end != digits.data() + digits.size() || id < 0) return -1;
    return id;
}

std::string unit_of(const GwyObject& field, std::string_view name) {
    const auto it = field.components.find(name);
    if (it == field.components.end() || !it->second.object) return "";
    const auto& unit = it->second.object->components;
    const auto s = unit.find("unitstr");
    return s == unit.end() ? "" : s->second.text;
}

}  // namespace

void write_gwy(const std::filesystem::path& path, std::span<const GwyChannel> channels) {
    if (channels.empty()) invalid_input(fmt::format("cannot write {}: no channels", path.string()));
    for (std::size_t k = 0; k < channels.size(); ++k) check_channel(path, k, channels[k]);
    Components container;
    for (std::size_t k = 0; k < channels.size(); ++k) {
        const std::string key = fmt::format("/{}/data", k);
        container.object(key, data_field(channels[k]));
        container.string(key + "/title", channels[k].title);
        if (k == 0) container.boolean(key + "/visible", true);
    }
    if (container.size() > std::numeric_limits<std::uint32_t>::max())
        invalid_input(fmt::format("cannot write {}: more than 4 GiB of data", path.string()));
    std::string bytes(magic);
    bytes.append(container.serialize("GwyContainer"));
    write_file_atomically(path, bytes);
}

std::vector<GwyChannelData> read_gwy(const std::filesystem::path& path, bool row0_is_bottom) {
    const std::string bytes = read_file_bytes(path);
    if (bytes.size() < magic.size() || std::string_view(bytes).substr(0, magic.size()) != magic)
        invalid_input(fmt::format("{}: not a Gwyddion file (no GWYP signature)", path.string()));
    Parser parser(bytes, path);
    const auto root = parser.object(0);
    if (root->type_name != "GwyContainer")
        invalid_input(fmt::format("{}: top object is {}, not GwyContainer", path.string(), root->type_name));
    if (parser.position() != bytes.size())
        invalid_input(fmt::format("{}: {} bytes after the container", path.string(), bytes.size() - parser.position()));

    std::vector<GwyChannelData> channels;
    for (const auto& [key, value] : root->components) {
        const int id = data_key_id(key);
        if (id < 0 || value.type != 'o' || value.object->type_name != "GwyDataField") continue;
        const auto& comp = value.object->components;
        const auto get = [&](std::string_view name, char type) -> const Value& {
            const auto it = comp.find(name);
            if (it == comp.end() || it->second.type != type)
                invalid_input(fmt::format("{}: {} has no '{}' of type '{}'", path.string(), key, name, type));
            return it->second;
        };
        const auto optional_real = [&](std::string_view name) {
            const auto it = comp.find(name);
            return it != comp.end() && it->second.type == 'd' ? it->second.real : 0.0;
        };
        GwyChannelData ch;
        ch.id = id;
        const std::int64_t xres = get("xres", 'i').integer, yres = get("yres", 'i').integer;
        if (xres <= 0 || yres <= 0) invalid_input(fmt::format("{}: {} has size {} x {}", path.string(), key, xres, yres));
        ch.xres = static_cast<std::size_t>(xres);
        ch.yres = static_cast<std::size_t>(yres);
        ch.xreal = get("xreal", 'd').real;
        ch.yreal = get("yreal", 'd').real;
        ch.xoff = optional_real("xoff");
        ch.yoff = optional_real("yoff");
        ch.unit_xy = unit_of(*value.object, "si_unit_xy");
        ch.unit_z = unit_of(*value.object, "si_unit_z");
        const auto& data = get("data", 'D').reals;
        if (data.size() != ch.xres * ch.yres)
            invalid_input(fmt::format("{}: {} has {} values for {} x {}", path.string(), key, data.size(), ch.xres, ch.yres));
        ch.values.resize(data.size());
        for (std::size_t r = 0; r < ch.yres; ++r) {
            const std::size_t src = row0_is_bottom ? ch.yres - 1 - r : r;
            std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(src * ch.xres), ch.xres,
                        ch.values.begin() + static_cast<std::ptrdiff_t>(r * ch.xres));
        }
        if (const auto t = root->components.find(key + "/title"); t != root->components.end() && t->second.type == 's')
            ch.title = t->second.text;
        channels.push_back(std::move(ch));
    }
    std::sort(channels.begin(), channels.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return channels;
}

}  // namespace synthstm
