"""PyTorch datasets that simulate samples on the fly, in C++.

``SyntheticSTM(config, length, seed, first=0)`` is an IterableDataset of the samples with
indices ``first .. first+length-1`` of dataset ``seed``; ``SyntheticSTMMap`` is the same as a
map-style Dataset. Sample k is the sample ``synthstm generate`` stores as index k for the same
config and seed (``first`` sets apart, say, a validation range of the same dataset):

- ``x``: float32 [1, H, W]. With ``input="scaled"`` (the default) it is the stored network
  input ``inputs/z_recorded`` (uint8 0–255) divided by 255; with ``input="raw"`` the recorded
  forward topography in nm (``inputs/z_recorded_raw``).
- ``y``: float32 [2, H, W]: the lattice map and the defect map (``targets/lattice``,
  ``targets/defects``).

Under a DataLoader with several workers, worker w of W takes indices first + w, first + w + W,
first + w + 2W, ...:
each index exactly once per epoch, and every epoch the same samples.
"""
import torch
from torch.utils.data import Dataset, IterableDataset, get_worker_info

from ._checks import non_negative, sample_row
from ._config import as_config
from ._sample import dataset_sample

_INPUTS = {"scaled": "inputs/z_recorded", "raw": "inputs/z_recorded_raw"}


class _Source:
    """What both datasets share: the config, seed, length and how a sample becomes tensors."""

    def __init__(self, config, length, seed, input, first):
        if input not in _INPUTS:
            raise ValueError(f"input must be one of {', '.join(_INPUTS)}, got {input!r}")
        self.config = as_config(config)
        self.length = non_negative(length, "length")
        self.seed = non_negative(seed, "seed")
        self.first = non_negative(first, "first")
        self.input = input
        # Checks now, not in a worker, that the config can form a dataset (constant resolution).
        pixels = self.config.to_dict()["resolution_px"]
        if not isinstance(pixels, int):
            raise ValueError(f"resolution_px must be a constant in a dataset (images are stacked [N, H, W]), "
                             f"got {pixels}")

    def sample(self, index):
        """(x, y) of sample ``index``."""
        path = _INPUTS[self.input]
        arrays = dataset_sample(self.config, self.seed, index, (path, "targets/lattice", "targets/defects"))
        x = torch.from_numpy(arrays[path])
        x = x.to(torch.float32) / 255.0 if self.input == "scaled" else x
        y = torch.stack([torch.from_numpy(arrays["targets/lattice"]), torch.from_numpy(arrays["targets/defects"])])
        return x.unsqueeze(0), y


class SyntheticSTM(IterableDataset):
    """A stream of ``length`` simulated samples of dataset ``seed`` (indices
    first .. first+length-1), rendered on the fly; see the module's doc for x, y and workers."""

    def __init__(self, config, length, seed, input="scaled", first=0):
        super().__init__()
        self._source = _Source(config, length, seed, input, first)

    def __len__(self):
        return self._source.length

    def indices(self):
        """The indices this process yields: all, or this DataLoader worker's share."""
        info = get_worker_info()
        worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
        first = self._source.first
        return range(first + worker, first + self._source.length, workers)

    def __iter__(self):
        for index in self.indices():
            yield self._source.sample(index)


class SyntheticSTMMap(Dataset):
    """The map-style form of :class:`SyntheticSTM`: ``ds[k]`` renders sample first + k."""

    def __init__(self, config, length, seed, input="scaled", first=0):
        super().__init__()
        self._source = _Source(config, length, seed, input, first)

    def __len__(self):
        return self._source.length

    def __getitem__(self, index):
        return self._source.sample(self._source.first + sample_row(index, self._source.length))
