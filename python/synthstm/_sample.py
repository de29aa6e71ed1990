"""One sample (render, dataset_sample) and the LDOS of a site."""
import json

from . import _synthstm
from ._checks import non_negative
from ._config import as_config

# The arrays synthstm generate stores per sample without --channels (docs/dataset.md).
DATASET_ARRAYS = ("inputs/z_recorded", "inputs/z_recorded_raw", "targets/lattice", "targets/defects",
                  "targets/class_map", "targets/terrace")


def render(config, seed, index=0, threads=1):
    """Simulates sample ``index`` of dataset ``seed``, as ``synthstm render`` does.

    Returns a dict: one float32 array [N, N] (row 0 = top line) per file ``synthstm render``
    writes as .npy, under the same name and with the same bytes (every channel, then
    ``lattice``, ``defects`` and ``classes``), and
    ``parameters`` ({key: value} drawn for the sample), ``units`` ({key: unit}),
    ``derived`` ({name: value}: setpoint_current, ideal_gain_nm, ...) and ``defects_list``
    (one dict per defect, the columns of defects.csv plus ``class_id``).
    ``config`` is a :class:`Config` or a preset name; ``threads`` speeds up the ideal scans
    without changing the result.
    """
    config = as_config(config)
    arrays, parameters, derived, defects = _synthstm.render(
        config._core, non_negative(seed, "seed"), non_negative(index, "index"), int(threads))
    parameters = json.loads(parameters)
    out = dict(arrays)
    out["parameters"] = {key: entry["value"] for key, entry in parameters.items()}
    out["units"] = {key: entry["unit"] for key, entry in parameters.items()}
    out["derived"] = {key: entry["value"] for key, entry in json.loads(derived).items()}
    out["defects_list"] = list(defects)
    return out


def dataset_sample(config, seed, index, arrays=DATASET_ARRAYS):
    """The arrays ``synthstm generate`` stores for sample ``index`` of dataset ``seed``:
    {path: array} for the given dataset paths (default: the input, its raw heights and the three
    targets), with the stored dtype and the same bytes. The config's ``resolution_px`` must be a
    constant, as for a dataset."""
    config = as_config(config)
    return dict(_synthstm.dataset_sample(config._core, non_negative(seed, "seed"), non_negative(index, "index"),
                                         list(arrays)))


def ldos(model="wse2-single", method="tmatrix", site="Se_top", cell=(0, 0), emin=-4.0, emax=4.0, points=801,
         broadening=0.05, supercell=None, kpm_supercell=None, kgrid=None):
    """The LDOS of one surface site, as ``synthstm ldos --json`` prints it (same defaults).

    ``method`` is exact, kpm or tmatrix; ``supercell``, ``kpm_supercell`` and ``kgrid`` are the
    command's --supercell, --kpm-supercell and --kgrid. Returns a dict with float64 arrays
    ``energy_eV`` and ``ldos`` (states/eV) and the model, method, site, cell and broadening_eV.
    """
    cell = tuple(int(c) for c in cell)
    if len(cell) != 2:
        raise ValueError(f"cell must be two integers (i, j), got {cell!r}")
    energy, values = _synthstm.ldos(str(model), str(method), str(site), cell, float(emin), float(emax), int(points),
                                    float(broadening), supercell, kpm_supercell, kgrid)
    return {"energy_eV": energy, "ldos": values, "model": model, "method": method, "site": site, "cell": list(cell),
            "broadening_eV": float(broadening)}
