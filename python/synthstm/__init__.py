"""synthstm: simulated STM images of transition-metal dichalcogenides, from Python.

The simulation runs in the compiled module ``_synthstm`` (the same C++ library as the
``synthstm`` command); this package gives it a Python face:

- :class:`Config`: a sample config (preset, file, ``set``), validated like the command line;
- :func:`parameters`: every config key with unit, default, range and help;
- :func:`render`: one sample as NumPy arrays, the same values ``synthstm render`` writes as .npy;
- :func:`dataset_sample`: the arrays ``synthstm generate`` stores for one sample;
- :func:`ldos`: the LDOS of a surface site, as ``synthstm ldos``;
- :func:`open_dataset`: a dataset written by ``synthstm generate`` (h5py);
- ``synthstm.torch``: PyTorch datasets that render samples on the fly.

Bad input raises ValueError (unreadable files OSError) with the message the command line
prints after ``synthstm: error:``. See docs/python.md.
"""
from ._config import Config, parameters, preset_names
from ._sample import dataset_sample, ldos, render
from ._dataset import Dataset, open_dataset
from . import _synthstm

__version__ = _synthstm.version
__all__ = ["Config", "Dataset", "dataset_sample", "ldos", "open_dataset", "parameters", "preset_names", "render"]
