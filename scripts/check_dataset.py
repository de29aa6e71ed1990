"""Checks a synthstm dataset file with h5py: no NaN or Inf in any array, targets within [0, 1],
inputs scaled 0-255 per image, every stored parameter within the ranges of the config it was
generated from, and a defect table that matches the per-sample counts.

Usage: check_dataset.py DATASET.h5 [EXPECTED_SAMPLES]"""
import json
import sys

import h5py
import numpy as np


def check_parameters(f, n):
    config = json.loads(f.attrs["config"])
    for key, spec in config.items():
        col = f["parameters/" + key][:]
        assert col.shape == (n,), key
        values = [v.decode() if isinstance(v, bytes) else v for v in col.tolist()]
        if isinstance(spec, dict) and ("uniform" in spec or "loguniform" in spec):
            lo, hi = spec.get("uniform", spec.get("loguniform"))
            mags = [abs(v) for v in values] if spec.get("random_sign") else values
            assert all(lo <= v <= hi for v in mags), (key, spec, values[:10])
        elif isinstance(spec, dict) and "choice" in spec:
            assert all(v in spec["choice"] for v in values), (key, spec, values[:10])
        elif isinstance(spec, dict):
            continue  # normal: unbounded by construction
        elif isinstance(spec, bool):
            assert all(bool(v) == spec for v in values), (key, spec, values[:10])
        else:
            assert all(v == spec for v in values), (key, spec, values[:10])
    return len(config)


def check_arrays(f, n, pixels):
    def finite(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f":
            assert np.all(np.isfinite(obj[()])), f"{name} holds NaN or Inf"
    f.visititems(finite)
    for name in ("targets/lattice", "targets/defects"):
        t = f[name][:]
        assert t.dtype == np.float32 and t.shape == (n, pixels, pixels), name
        assert t.min() >= 0 and t.max() <= 1, f"{name} outside [0, 1]"
    x = f["inputs/z_recorded"][:]
    assert x.dtype == np.uint8 and x.shape == (n, pixels, pixels)
    flat = f["derived/z_recorded_min_nm"][:] == f["derived/z_recorded_max_nm"][:]
    assert all(img.min() == 0 and (img.max() == 255 or is_flat) for img, is_flat in zip(x, flat))
    raw = f["inputs/z_recorded_raw"][:]
    assert np.allclose(raw.min(axis=(1, 2)), f["derived/z_recorded_min_nm"][:], atol=1e-6)
    assert np.allclose(raw.max(axis=(1, 2)), f["derived/z_recorded_max_nm"][:], atol=1e-6)
    for channel in json.loads(f.attrs["channels"]):
        assert f["inputs/" + channel].shape == (n, pixels, pixels), channel
    c = f["targets/class_map"][:]
    assert c.dtype == np.uint8 and c.max() <= 7


def check_defects(f, n):
    d = f["defects"][:]
    counts = f["derived/defect_count"][:]
    assert len(d) == counts.sum(), (len(d), counts.sum())
    assert np.array_equal(np.bincount(d["sample_index"].astype(np.int64), minlength=n), counts)
    assert set(d["type"]) <= {b"vacancy", b"dopant"}
    return len(d)


def main():
    f = h5py.File(sys.argv[1], "r")
    n = int(f.attrs["samples"])
    if len(sys.argv) > 2:
        assert n == int(sys.argv[2]), (n, sys.argv[2])
    assert f["sample_index"][:].tolist() == list(range(n))
    pixels = f["inputs/z_recorded"].shape[1]
    keys = check_parameters(f, n)
    check_arrays(f, n, pixels)
    defects = check_defects(f, n)
    print(f"{sys.argv[1]}: {n} samples of {pixels}x{pixels}, {keys} parameters within their ranges, "
          f"no NaN or Inf, targets within [0, 1], {defects} defects consistent")


if __name__ == "__main__":
    main()
