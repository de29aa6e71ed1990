"""open_dataset reads what `synthstm generate` writes; the streaming datasets yield the same samples."""
import numpy as np
import pytest
import torch

import synthstm
from conftest import small_config, small_set_args
from synthstm.torch import SyntheticSTMMap


@pytest.fixture(scope="module")
def generated(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("generate") / "data"
    cli("generate", "--preset", "wse2-main", *small_set_args(), "-n", 3, "--seed", 9, "--out", out, "--quiet")
    return out


def test_open_dataset_reads_every_sample_as_simulated(generated):
    with synthstm.open_dataset(generated) as ds:
        assert len(ds) == 3 and ds.seed == 9
        assert ds.config["resolution_px"] == 16
        config = synthstm.Config.from_dict(ds.config)
        for i in range(3):
            sample = ds[i]
            assert sample["sample_index"] == i
            expected = synthstm.dataset_sample(config, 9, i)
            for path, name in [("inputs/z_recorded", "input"), ("inputs/z_recorded_raw", "input_raw"),
                               ("targets/lattice", "lattice"), ("targets/defects", "defects"),
                               ("targets/class_map", "class_map"), ("targets/terrace", "terrace")]:
                assert sample[name].dtype == expected[path].dtype, name
                assert sample[name].tobytes() == expected[path].tobytes(), name
            drawn = config.draw(9, i)
            assert sample["parameters"]["size_nm"] == drawn["size_nm"]
            assert sample["parameters"]["tip"] == drawn["tip"]
        assert set(ds.parameters) >= {"size_nm", "bias_V", "tip"}
        assert all(len(column) == 3 for column in ds.parameters.values())
        assert set(ds.defects.dtype.names) >= {"sample_index", "type", "x_px", "y_px"}
        assert ds[-1]["sample_index"] == 2
        with pytest.raises(IndexError):
            ds[3]


def test_streaming_samples_equal_the_stored_ones(generated):
    with synthstm.open_dataset(generated) as ds:
        stream = SyntheticSTMMap(synthstm.Config.from_dict(ds.config), len(ds), seed=ds.seed)
        raw = SyntheticSTMMap(synthstm.Config.from_dict(ds.config), len(ds), seed=ds.seed, input="raw")
        for i in range(len(ds)):
            x, y = stream[i]
            stored = ds[i]
            assert torch.equal(x[0], torch.from_numpy(stored["input"]).to(torch.float32) / 255)
            assert torch.equal(raw[i][0][0], torch.from_numpy(stored["input_raw"]))
            assert np.array_equal(y[0].numpy(), stored["lattice"])
            assert np.array_equal(y[1].numpy(), stored["defects"])


def test_open_dataset_refuses_other_files(tmp_path):
    with pytest.raises(OSError, match="no dataset.h5"):
        synthstm.open_dataset(tmp_path)
    (tmp_path / "dataset.h5").write_text("not hdf5")
    with pytest.raises(OSError, match="cannot open"):
        synthstm.open_dataset(tmp_path)
