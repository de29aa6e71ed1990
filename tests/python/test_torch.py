"""synthstm.torch: worker splitting, determinism, agreement with the map-style form, training."""
import pytest
import torch
from torch.utils.data import DataLoader

from conftest import small_config
from synthstm.torch import SyntheticSTM, SyntheticSTMMap

LENGTH = 6


def key(x):
    return x.numpy().tobytes()


@pytest.fixture(scope="module")
def reference():
    """Every sample of the map-style dataset, rendered in this process."""
    ds = SyntheticSTMMap(small_config(), LENGTH, seed=5)
    return [ds[i] for i in range(LENGTH)]


def epoch(loader):
    return [(x[0], y[0]) for x, y in loader]


def test_two_workers_yield_each_index_once_and_the_same_every_epoch(reference):
    ds = SyntheticSTM(small_config(), LENGTH, seed=5)
    loader = DataLoader(ds, batch_size=1, num_workers=2)
    first, second = epoch(loader), epoch(loader)
    again = epoch(DataLoader(SyntheticSTM(small_config(), LENGTH, seed=5), batch_size=1, num_workers=2))
    assert len(first) == LENGTH
    # Each index exactly once: the epoch's inputs are the reference's, each once.
    by_input = {key(x): i for i, (x, _) in enumerate(reference)}
    assert len(by_input) == LENGTH
    indices = sorted(by_input[key(x)] for x, _ in first)
    assert indices == list(range(LENGTH))
    for x, y in first:
        assert torch.equal(y, reference[by_input[key(x)]][1])
    # Deterministic: the same samples in the same order, epoch after epoch and run after run.
    assert [key(x) for x, _ in first] == [key(x) for x, _ in second] == [key(x) for x, _ in again]


def test_one_process_yields_indices_in_order(reference):
    ds = SyntheticSTM(small_config(), LENGTH, seed=5)
    assert list(ds.indices()) == list(range(LENGTH))
    streamed = list(ds)
    assert [key(x) for x, _ in streamed] == [key(x) for x, _ in reference]


def test_first_offsets_the_indices(reference):
    ds = SyntheticSTM(small_config(), LENGTH - 2, seed=5, first=2)
    assert list(ds.indices()) == list(range(2, LENGTH))
    assert key(SyntheticSTMMap(small_config(), LENGTH - 2, seed=5, first=2)[0][0]) == key(reference[2][0])


def test_samples_have_the_documented_form(reference):
    x, y = reference[0]
    assert x.dtype == y.dtype == torch.float32
    assert x.shape == (1, 16, 16) and y.shape == (2, 16, 16)
    assert x.min() == 0.0 and x.max() == 1.0  # min-max scaled per image
    assert torch.equal(x * 255, torch.round(x * 255))
    raw, _ = SyntheticSTMMap(small_config(), LENGTH, seed=5, input="raw")[0]
    assert not torch.equal(raw, x)


def test_bad_arguments():
    with pytest.raises(ValueError, match="input"):
        SyntheticSTM(small_config(), 4, seed=1, input="rgb")
    with pytest.raises(ValueError, match="length"):
        SyntheticSTM(small_config(), -1, seed=1)
    with pytest.raises(ValueError, match="resolution_px"):
        SyntheticSTM(small_config().set("resolution_px", {"choice": [16, 32]}), 4, seed=1)
    with pytest.raises(ValueError, match="first"):
        SyntheticSTMMap(small_config(), 4, seed=1, first=-2)
    with pytest.raises(IndexError):
        SyntheticSTMMap(small_config(), 4, seed=1)[4]


def test_a_small_network_learns_from_the_stream():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(8, 2, 3, padding=1))
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-2)
    loader = DataLoader(SyntheticSTM(small_config(), 8, seed=11), batch_size=4, num_workers=2)
    losses = []
    for _ in range(6):
        for x, y in loader:
            loss = torch.nn.functional.mse_loss(net(x), y)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
    assert len(losses) == 12
    assert sum(losses[-3:]) / 3 < 0.7 * sum(losses[:3]) / 3, losses
