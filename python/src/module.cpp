// _synthstm: the compiled part of the Python package synthstm (python/synthstm wraps it). Values
// that are JSON in the library (configs, parameters, the schema) cross as JSON text and are
// decoded by the Python side; images cross as NumPy arrays. The GIL is released while a sample
// is simulated, so Python threads (and DataLoader workers' other threads) keep running.
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "synthstm/config/config.hpp"
#include "synthstm/core/error.hpp"
#include "synthstm/dataset/dataset_layout.hpp"
#include "synthstm/dataset/sample_images.hpp"
#include "synthstm/dataset/simulate_sample.hpp"
#include "synthstm/groundtruth/class_map.hpp"
#include "synthstm/ldos/site_ldos.hpp"
#include "synthstm/tightbinding/periodic_model.hpp"

namespace py = pybind11;
using nlohmann::json;

namespace synthstm::python {
namespace {

/// An N×N array of T holding a copy of `n * n` values.
template <class T>
py::array_t<T> square_array(const T* values, int n) {
    py::array_t<T> a({n, n});
    std::memcpy(a.mutable_data(), values, sizeof(T) * static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
    return a;
}

/// The NumPy type of a stored dataset element.
py::dtype element_dtype(Element e) {
    switch (e) {
        case Element::UInt8: return py::dtype::of<std::uint8_t>();
        case Element::UInt32: return py::dtype::of<std::uint32_t>();
        case Element::Int64: return py::dtype::of<std::int64_t>();
        case Element::UInt64: return py::dtype::of<std::uint64_t>();
        case Element::Float32: return py::dtype::of<float>();
        case Element::Float64: return py::dtype::of<double>();
        case Element::Text: return py::dtype("S" + std::to_string(kTextParameterBytes));
    }
    throw Error(ErrorKind::Internal, "unknown element type");
}

SimulatedSample simulate(const Config& config, std::uint64_t seed, std::uint64_t index, int threads) {
    if (threads < 1) invalid_input("threads must be at least 1, got " + std::to_string(threads));
    const ParameterSet parameters = config.draw(seed, index);
    return simulate_sample(parameters, seed, index, SimulationOptions{threads});
}

/// `synthstm render` without the files: (images by .npy name, drawn parameters as JSON text,
/// derived values as JSON text, defect list).
py::tuple render(const Config& config, std::uint64_t seed, std::uint64_t index, int threads) {
    SimulatedSample sample;
    std::vector<SampleImage> images;
    {
        py::gil_scoped_release release;
        sample = simulate(config, seed, index, threads);
        images = sample_images(sample);
    }
    const int n = sample.frame.pixels;
    py::dict arrays;
    for (const SampleImage& image : images) arrays[py::str(image.name)] = square_array(image.values.data(), n);
    const TmdMaterial& material = *periodic_model_by_name(sample.parameters.text("model")).material;
    py::list defects;
    for (const DefectLabel& d : sample.truth.defects) {
        py::dict row;
        row["type"] = defect_type_name(d.type);
        row["sublattice"] = material.site_name(d.sublattice);
        row["cell_i"] = d.cell.i;
        row["cell_j"] = d.cell.j;
        row["onsite_eV"] = d.onsite_eV;
        row["class"] = class_name(d.class_id);
        row["class_id"] = d.class_id;
        row["x_nm"] = d.x_nm;
        row["y_nm"] = d.y_nm;
        row["z_nm"] = d.z_nm;
        row["row_px"] = d.row_px;
        row["col_px"] = d.col_px;
        row["in_image"] = d.in_image;
        defects.append(row);
    }
    return py::make_tuple(arrays, sample.parameters.to_json().dump(), sample_derived(sample).dump(), defects);
}

/// The per-sample arrays `synthstm generate` stores for sample `index` (dataset layout paths such
/// as "inputs/z_recorded", "targets/lattice"), taken by the dataset's own column extractors.
py::dict dataset_sample(const Config& config, std::uint64_t seed, std::uint64_t index,
                        const std::vector<std::string>& paths) {
    const DatasetSpec spec = DatasetSpec::make(config, seed, index + 1, 1, {});
    std::vector<const Column*> wanted;
    const std::vector<Column> columns = dataset_columns(spec);
    for (const auto& path : paths) {
        const Column* found = nullptr;
        for (const auto& c : columns) {
            if (c.path == path) found = &c;
        }
        if (found == nullptr) {
            std::string names;
            for (const auto& c : columns) names += (names.empty() ? "" : ", ") + c.path;
            invalid_input("unknown dataset array '" + path + "': expected one of " + names);
        }
        wanted.push_back(found);
    }
    std::vector<std::vector<std::uint8_t>> cells(wanted.size());
    {
        py::gil_scoped_release release;
        const SimulatedSample sample = simulate(config, seed, index, 1);
        const SampleView view{sample, index};
        for (std::size_t i = 0; i < wanted.size(); ++i) wanted[i]->extract(view, cells[i]);
    }
    py::dict out;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        const Column& c = *wanted[i];
        std::vector<py::ssize_t> shape;
        if (c.image) shape = {spec.pixels, spec.pixels};
        py::array a(element_dtype(c.element), shape);
        if (static_cast<std::size_t>(a.nbytes()) != cells[i].size())
            throw Error(ErrorKind::Internal, "dataset array " + c.path + " has an unexpected size");
        std::memcpy(a.mutable_data(), cells[i].data(), cells[i].size());
        out[py::str(c.path)] = a;
    }
    return out;
}

/// `synthstm ldos --json` without the text: (energy_eV, ldos) as float64 arrays; sizes left out
/// take the command's defaults.
py::tuple ldos(const std::string& model_name, const std::string& method_name, const std::string& site,
               std::array<int, 2> cell, double emin_eV, double emax_eV, int points, double broadening_eV,
               std::optional<int> supercell, std::optional<int> kpm_supercell, std::optional<int> k_grid) {
    SiteLdos result;
    {
        py::gil_scoped_release release;
        const PeriodicModel& model = periodic_model_by_name(model_name);
        const LdosMethod method = parse_ldos_method(method_name);
        const EnergyGrid grid{emin_eV, emax_eV, points};
        grid.validate();
        validate_broadening(broadening_eV);
        SurfaceLdosSettings settings;
        settings.exact_supercell = supercell.value_or(settings.exact_supercell);
        settings.kpm_supercell = kpm_supercell.value_or(settings.kpm_supercell);
        settings.k_grid = k_grid.value_or(settings.k_grid);
        result = site_ldos(method, model, site, cell, {}, grid, broadening_eV, settings);
    }
    return py::make_tuple(py::array_t<double>(result.energy_eV.size(), result.energy_eV.data()),
                          py::array_t<double>(result.ldos.size(), result.ldos.data()));
}

/// The schema as JSON text: [{"key", "kind", "unit", "default", "min", "max", "allowed", "help"}].
std::string schema_json() {
    json out = json::array();
    for (const ParameterSpec& s : sample_schema()) {
        const char* kind = s.kind == ParameterKind::Number    ? "number"
                           : s.kind == ParameterKind::Integer ? "integer"
                           : s.kind == ParameterKind::Flag    ? "flag"
                                                              : "text";
        out.push_back({{"key", s.key}, {"kind", kind}, {"unit", s.unit}, {"default", s.default_value},
                       {"min", s.min}, {"max", s.max}, {"allowed", s.allowed}, {"help", s.help}});
    }
    return out.dump();
}

}  // namespace
}  // namespace synthstm::python

PYBIND11_MODULE(_synthstm, m) {
    using namespace synthstm;
    using namespace synthstm::python;
    m.doc() = "Compiled core of synthstm; use the package synthstm, which wraps it.";

    // Library errors: bad input → ValueError, files → OSError, the rest → RuntimeError; the
    // message is the one the command line prints after "synthstm: error: ".
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::InvalidInput) PyErr_SetString(PyExc_ValueError, e.what());
            else if (e.kind() == ErrorKind::Io) PyErr_SetString(PyExc_OSError, e.what());
            else PyErr_SetString(PyExc_RuntimeError, e.what());
        } catch (const nlohmann::json::exception& e) {
            PyErr_SetString(PyExc_ValueError, e.what());
        }
    });

    py::class_<Config>(m, "Config")
        .def(py::init<>(), "The schema's defaults.")
        .def_static("preset", &Config::preset, py::arg("name"), "A built-in preset.")
        .def_static("from_file", &Config::from_file, py::arg("path"), "Reads a JSON config file.")
        .def_static(
            "from_json_text",
            [](const std::string& text, const std::string& origin) { return Config::from_json(json::parse(text), origin); },
            py::arg("text"), py::arg("origin"), "A config from JSON text; origin names it in messages.")
        .def("set", &Config::set, py::arg("assignment"), "Overrides a key: 'key=value', as --set.")
        .def("to_json", [](const Config& c) { return c.to_json().dump(); }, "Every key's constant or distribution, JSON text.")
        .def(
            "draw", [](const Config& c, std::uint64_t seed, std::uint64_t index) { return c.draw(seed, index).to_json().dump(); },
            py::arg("seed"), py::arg("index"), "One sample's drawn parameters, JSON text {key: {value, unit}}.");

    m.def("preset_names", &Config::preset_names, "Names of the built-in presets.");
    m.def("schema_json", &schema_json, "The config schema as JSON text.");
    m.def("render", &render, py::arg("config"), py::arg("seed"), py::arg("index"), py::arg("threads"),
          "Simulates one sample: (arrays, parameters JSON, derived JSON, defects).");
    m.def("dataset_sample", &dataset_sample, py::arg("config"), py::arg("seed"), py::arg("index"), py::arg("paths"),
          "The arrays synthstm generate stores for one sample, by dataset path.");
    m.def("ldos", &ldos, py::arg("model"), py::arg("method"), py::arg("site"), py::arg("cell"), py::arg("emin"),
          py::arg("emax"), py::arg("points"), py::arg("broadening"), py::arg("supercell"), py::arg("kpm_supercell"),
          py::arg("kgrid"), "LDOS of a surface site: (energy_eV, ldos).");
    m.attr("version") = kSynthstmVersion;
}
