"""synthstm.render gives the bytes `synthstm render` writes; parameters and derived values agree."""
import json

import numpy as np

import synthstm
from conftest import small_config, small_set_args


def test_render_equals_cli_npy_bit_for_bit(cli, tmp_path):
    out = tmp_path / "render"
    cli("render", "--preset", "wse2-main", *small_set_args(), "--seed", 7, "--index", 2, "--out", out)
    result = synthstm.render(small_config(), seed=7, index=2)

    files = sorted(p.stem for p in out.glob("*.npy"))
    arrays = sorted(k for k, v in result.items() if isinstance(v, np.ndarray))
    assert files == arrays
    for name in files:
        expected = np.load(out / f"{name}.npy")
        got = result[name]
        assert got.dtype == expected.dtype == np.float32, name
        assert got.shape == expected.shape == (16, 16), name
        assert got.tobytes() == expected.tobytes(), name

    params = json.loads((out / "params.json").read_text())
    assert result["parameters"] == {k: v["value"] for k, v in params["parameters"].items()}
    assert result["units"]["size_nm"] == "nm"
    assert result["derived"] == {k: v["value"] for k, v in params["derived"].items()}
    csv_rows = (out / "defects.csv").read_text().strip().splitlines()[1:]
    assert len(result["defects_list"]) == len(csv_rows)
    for row, line in zip(result["defects_list"], csv_rows):
        fields = line.split(",")
        assert [row["type"], row["sublattice"], row["class"]] == [fields[0], fields[1], fields[5]]
        assert abs(row["x_nm"] - float(fields[6])) < 1e-5


def test_render_is_deterministic_and_threads_do_not_matter():
    a = synthstm.render(small_config(), seed=1, index=0, threads=1)
    b = synthstm.render(small_config(), seed=1, index=0, threads=2)
    c = synthstm.render(small_config(), seed=1, index=1)
    assert a["z_recorded_forward"].tobytes() == b["z_recorded_forward"].tobytes()
    assert a["z_recorded_forward"].tobytes() != c["z_recorded_forward"].tobytes()


def test_render_lets_other_python_threads_run():
    import threading
    import time

    config = small_config().set("resolution_px", 32)
    span = []

    def render():
        t0 = time.perf_counter()
        synthstm.render(config, seed=2)
        span.append(time.perf_counter() - t0)

    thread = threading.Thread(target=render)
    last, longest = time.perf_counter(), 0.0
    thread.start()
    while thread.is_alive():  # holding the GIL through the simulation would stall this loop
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    thread.join()
    assert longest < 0.5 * span[0], (longest, span[0])


def test_render_accepts_a_preset_name_and_draw_matches():
    config = small_config("wse2-ideal")
    drawn = config.draw(4, 3)
    assert drawn["resolution_px"] == 16
    assert synthstm.render(config, 4, 3)["parameters"] == drawn


def test_ldos_equals_cli_json(cli):
    args = ["--model", "wse2-single", "--method", "tmatrix", "--site", "W", "--emin", -1, "--emax", 1,
            "--points", 21, "--broadening", 0.1, "--kgrid", 24]
    expected = json.loads(cli("ldos", *args, "--json").stdout)
    got = synthstm.ldos(model="wse2-single", method="tmatrix", site="W", emin=-1, emax=1, points=21,
                        broadening=0.1, kgrid=24)
    assert got["energy_eV"].tolist() == expected["energy_eV"]
    assert got["ldos"].tolist() == expected["ldos"]


def test_parameters_and_config_docstring_come_from_the_schema():
    params = synthstm.parameters()
    keys = [p["key"] for p in params]
    assert "size_nm" in keys and "resolution_px" in keys
    size = next(p for p in params if p["key"] == "size_nm")
    assert size["unit"] == "nm" and size["min"] < size["max"] and size["help"]
    for p in params:
        assert f"    {p['key']}" in synthstm.Config.__doc__
    assert "wse2-main" in synthstm.preset_names()


def test_config_round_trips_through_json_dict_and_pickle():
    import pickle

    config = small_config().set("bias_V", -1.0)
    assert synthstm.Config.from_dict(config.to_dict()) == config
    assert pickle.loads(pickle.dumps(config)) == config
    assert json.loads(config.to_json())["bias_V"] == -1.0
