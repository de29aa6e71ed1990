"""Shared helpers of the Python tests: the built command line (SYNTHSTM_BINARY, set by CTest)
and small configs that simulate in a fraction of a second."""
import os
import subprocess

import pytest

import synthstm

# A small wse2-main sample: 16 × 16 pixels over 1.5 nm.
SMALL = ["resolution_px=16", "size_nm=1.5"]


def small_config(preset="wse2-main"):
    config = synthstm.Config.from_preset(preset)
    for assignment in SMALL:
        config.set(assignment)
    return config


def small_set_args():
    return [arg for a in SMALL for arg in ("--set", a)]


@pytest.fixture(scope="session")
def cli():
    """Runs the synthstm command line; returns the CompletedProcess (text output)."""
    binary = os.environ.get("SYNTHSTM_BINARY")
    if not binary or not os.path.exists(binary):
        pytest.skip("SYNTHSTM_BINARY does not name the built synthstm program")

    def run(*args, check=True):
        result = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"synthstm {' '.join(map(str, args))} failed: {result.stderr}")
        return result

    return run
