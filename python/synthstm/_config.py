"""Config and the parameter listing, both taken from the library's schema."""
import json
import os

from . import _synthstm
from ._checks import non_negative


def parameters():
    """Every config key, in schema order: a list of dicts with ``key``, ``kind`` (number,
    integer, flag, text), ``unit``, ``default`` (a constant or a distribution), ``min``,
    ``max`` (numbers), ``allowed`` (texts; empty: any) and ``help``."""
    specs = json.loads(_synthstm.schema_json())
    for s in specs:
        if s["kind"] not in ("number", "integer"):
            s["min"] = s["max"] = None
    return specs


def preset_names():
    """Names of the built-in presets (configs/NAME.json)."""
    return list(_synthstm.preset_names())


def _describe(spec):
    unit = f" [{spec['unit']}]" if spec["unit"] else ""
    if spec["kind"] in ("number", "integer"):
        allowed = f"range {spec['min']:g} to {spec['max']:g}"
    elif spec["allowed"]:
        allowed = "one of " + ", ".join(spec["allowed"])
    else:
        allowed = "any text" if spec["kind"] == "text" else "true or false"
    default = json.dumps(spec["default"])
    return f"    {spec['key']}{unit} ({spec['kind']}): {spec['help']}\n        default {default}; {allowed}"


def _parameters_doc():
    return "\n".join(_describe(s) for s in parameters())


def _text_of(value):
    """A value as the text after '=' in --set key=value."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"cannot use {value!r} as a config value: {error}") from None


# set(key) without a value: key is the whole "key=value" text.
_WHOLE_ASSIGNMENT = object()


class Config:
    # The docstring is completed from the schema below the class.
    """A sample config: every parameter a constant or a distribution.

    ``Config()`` holds the schema's defaults; ``Config.from_preset(name)``,
    ``Config.from_file(path)`` and ``Config.from_dict(d)`` read others. ``set(key, value)``
    overrides one key as ``--set key=value`` does (same checks, same messages, ValueError).
    A value is a constant or ``{"uniform": [lo, hi]}``, ``{"loguniform": [lo, hi]}``,
    ``{"normal": [mean, std]}`` or ``{"choice": [a, b, ...]}``.

    Parameters (key [unit] (kind): help; default; allowed values):

"""

    def __init__(self, _core=None):
        self._core = _core if _core is not None else _synthstm.Config()

    @classmethod
    def from_preset(cls, name):
        """A built-in preset (see :func:`preset_names`), e.g. ``"wse2-main"``."""
        return cls(_synthstm.Config.preset(str(name)))

    @classmethod
    def from_file(cls, path):
        """A JSON config file; ValueError for bad content, OSError when it cannot be read."""
        return cls(_synthstm.Config.from_file(os.fspath(path)))

    @classmethod
    def from_dict(cls, values, origin="a dict"):
        """A config from a dict of the JSON config's form; ``origin`` names it in messages."""
        return cls(_synthstm.Config.from_json_text(json.dumps(values), origin))

    def set(self, key, value=_WHOLE_ASSIGNMENT):
        """Overrides one key: ``set("size_nm", 2.0)`` or ``set("size_nm=2.0")`` (as --set).
        A str value is taken as the command line takes it (JSON when it parses, else text);
        other values are written as JSON. Returns the config, so calls chain."""
        assignment = key if value is _WHOLE_ASSIGNMENT else f"{key}={_text_of(value)}"
        self._core.set(assignment)
        return self

    def to_json(self):
        """Every key's constant or distribution, as JSON text (the form of a config file)."""
        return self._core.to_json()

    def to_dict(self):
        """Every key's constant or distribution, as a dict."""
        return json.loads(self._core.to_json())

    def draw(self, seed, index=0):
        """The parameters of sample ``index`` of dataset ``seed``: {key: value}."""
        drawn = json.loads(self._core.draw(non_negative(seed, "seed"), non_negative(index, "index")))
        return {key: entry["value"] for key, entry in drawn.items()}

    def __repr__(self):
        return f"synthstm.Config({self.to_json()})"

    def __eq__(self, other):
        return isinstance(other, Config) and self.to_dict() == other.to_dict()

    def __getstate__(self):
        return self.to_json()

    def __setstate__(self, state):
        self._core = _synthstm.Config.from_json_text(state, "a pickled config")


Config.__doc__ += _parameters_doc() + "\n"


def as_config(config):
    """A Config from a Config or a preset name."""
    if isinstance(config, Config):
        return config
    if isinstance(config, str):
        return Config.from_preset(config)
    raise TypeError(f"expected a synthstm.Config or a preset name, got {type(config).__name__}")
