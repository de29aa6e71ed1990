"""Bad input raises ValueError / OSError with the message `synthstm` prints after 'synthstm: error: '."""
import pytest

import synthstm
from conftest import small_config

PREFIX = "synthstm: error: "


def cli_message(cli, tmp_path, *args):
    result = cli("render", *args, "--seed", 1, "--out", tmp_path / "out", check=False)
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert line.startswith(PREFIX)
    return line[len(PREFIX):]


@pytest.mark.parametrize("key, value", [
    ("no_such_key", "1"),          # unknown key
    ("size_nm", "-3"),             # out of range
    ("resolution_px", "abc"),      # wrong type
    ("resolution_px", "2.5"),      # not an integer
    ("size_nm", '{"uniform": [4, 1]}'),  # min > max
])
def test_bad_set_raises_value_error_with_the_cli_message(cli, tmp_path, key, value):
    expected = cli_message(cli, tmp_path, "--preset", "wse2-main", "--set", f"{key}={value}")
    with pytest.raises(ValueError) as error:
        synthstm.Config.from_preset("wse2-main").set(key, value)
    assert str(error.value) == expected
    with pytest.raises(ValueError) as error:
        synthstm.Config.from_preset("wse2-main").set(f"{key}={value}")
    assert str(error.value) == expected


def test_errors_found_while_simulating(cli, tmp_path):
    # Any text passes --set for a tip; the simulation refuses an unknown one.
    expected = cli_message(cli, tmp_path, "--preset", "wse2-main", "--set", "resolution_px=16", "--set",
                           "tip=no-such-tip")
    with pytest.raises(ValueError) as error:
        synthstm.render(small_config().set("tip", "no-such-tip"), seed=1)
    assert str(error.value) == expected


def test_python_values_are_checked_like_their_json_text(cli, tmp_path):
    expected = cli_message(cli, tmp_path, "--set", "size_nm=-3")
    with pytest.raises(ValueError, match="size_nm") as error:
        synthstm.Config().set("size_nm", -3)
    assert str(error.value) == expected


def test_unknown_preset(cli, tmp_path):
    expected = cli_message(cli, tmp_path, "--preset", "no-such-preset")
    with pytest.raises(ValueError) as error:
        synthstm.Config.from_preset("no-such-preset")
    assert str(error.value) == expected


def test_missing_and_bad_config_files(cli, tmp_path):
    missing = tmp_path / "missing.json"
    expected = cli_message(cli, tmp_path, "--config", missing)
    with pytest.raises(OSError) as error:
        synthstm.Config.from_file(missing)
    assert str(error.value) == expected

    bad = tmp_path / "bad.json"
    bad.write_text('{"size_nm": "big", "nonsense": 1}')
    expected = cli_message(cli, tmp_path, "--config", bad)
    with pytest.raises(ValueError) as error:
        synthstm.Config.from_file(bad)
    assert str(error.value) == expected


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="seed"):
        synthstm.render(small_config(), seed=-1)
    with pytest.raises(ValueError, match="threads"):
        synthstm.render(small_config(), seed=1, threads=0)
    with pytest.raises(ValueError, match="method"):
        synthstm.ldos(method="magic")
    with pytest.raises(ValueError):
        synthstm.ldos(points=1)
    with pytest.raises(ValueError, match="resolution_px"):
        synthstm.dataset_sample(small_config().set("resolution_px", {"choice": [16, 32]}), 1, 0)
    with pytest.raises(ValueError, match="size_nm"):
        synthstm.Config().set("size_nm", None)
    with pytest.raises(ValueError, match="key=value"):
        synthstm.Config().set("size_nm")
    with pytest.raises(TypeError):
        synthstm.render(42, seed=1)
    with pytest.raises(OSError):
        synthstm.open_dataset("/nonexistent/dataset")
