"""Argument checks shared by the package: bad values raise ValueError, never crash the module."""


def non_negative(value, name):
    """``value`` when it is an integer ≥ 0; else ValueError naming ``name``."""
    if isinstance(value, bool) or not hasattr(value, "__index__") or value.__index__() < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return value.__index__()


def sample_row(index, length):
    """A sample index within [0, length), negative ones counted from the end; IndexError beyond."""
    if isinstance(index, bool) or not hasattr(index, "__index__"):
        raise TypeError(f"a dataset index is an integer, got {type(index).__name__}")
    i = index.__index__()
    if i < 0:
        i += length
    if not 0 <= i < length:
        raise IndexError(f"sample {index} is out of range for a dataset of {length} samples")
    return i
