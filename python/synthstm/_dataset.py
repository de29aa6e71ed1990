"""Reading a dataset written by ``synthstm generate`` (layout: docs/dataset.md)."""
import json
import os

from ._checks import sample_row


class Dataset:
    """A synthstm dataset opened for reading (h5py). ``len(ds)`` samples; ``ds[i]`` is a dict
    with ``input`` (uint8 [H, W], inputs/z_recorded), ``input_raw`` (float32, nm), ``lattice``,
    ``defects`` (float32 target maps), ``class_map`` (uint8), ``sample_index`` and
    ``parameters`` ({key: value} of that sample). ``ds.parameters`` is the whole parameter
    table ({key: array [N]}), ``ds.defects`` the defect table (a NumPy structured array),
    ``ds.config`` the config (dict), ``ds.seed`` the seed, ``ds.file`` the open h5py.File.
    Close it with ``close()`` or use it in a ``with`` block."""

    def __init__(self, path):
        import h5py

        path = os.fspath(path)
        file_path = os.path.join(path, "dataset.h5") if os.path.isdir(path) else path
        if not os.path.exists(file_path):
            raise OSError(f"{path}: no dataset.h5 here (write one with synthstm generate)")
        try:
            self.file = h5py.File(file_path, "r")
        except OSError as error:
            raise OSError(f"cannot open {file_path} as an HDF5 file: {error}") from None
        if "inputs/z_recorded" not in self.file or "parameters" not in self.file:
            self.file.close()
            raise OSError(f"{file_path} is not a synthstm dataset (no inputs/z_recorded or parameters)")
        self.path = file_path
        self.config = json.loads(self.file.attrs["config"])
        self.seed = int(self.file.attrs["seed"])
        self._parameters = None

    def __len__(self):
        return int(self.file["inputs/z_recorded"].shape[0])

    def __getitem__(self, i):
        i = sample_row(i, len(self))
        f = self.file
        sample = {
            "input": f["inputs/z_recorded"][i],
            "input_raw": f["inputs/z_recorded_raw"][i],
            "lattice": f["targets/lattice"][i],
            "defects": f["targets/defects"][i],
            "class_map": f["targets/class_map"][i],
            "sample_index": int(f["sample_index"][i]),
        }
        if "targets/terrace" in f:  # datasets written before step edges have no terrace map
            sample["terrace"] = f["targets/terrace"][i]
        sample["parameters"] = {key: _plain(column[i]) for key, column in self.parameters.items()}
        return sample

    @property
    def parameters(self):
        """The parameter table: {key: NumPy array [N]} (texts as bytes, as h5py reads them)."""
        if self._parameters is None:
            group = self.file["parameters"]
            self._parameters = {key: group[key][:] for key in group.keys()}
        return self._parameters

    @property
    def defects(self):
        """The defect table: a NumPy structured array, one row per defect (docs/dataset.md)."""
        return self.file["defects"][:]

    def close(self):
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"synthstm.Dataset({self.path!r}, {len(self)} samples, seed {self.seed})"


def _plain(value):
    """A table cell as a plain Python value (texts decoded)."""
    if isinstance(value, bytes):
        return value.decode()
    return value.item() if hasattr(value, "item") else value


def open_dataset(path):
    """Opens the dataset ``synthstm generate`` wrote to directory ``path`` (or its dataset.h5 or
    any one shard); OSError when there is none."""
    return Dataset(path)
