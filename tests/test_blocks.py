"""Training from data bigger than memory (layerwise.data.blocks): block-wise training of a
memory map equals in-memory training in the same order, every example once per epoch,
a resumed run reads the blocks an uninterrupted one reads, the normaliser from one
streaming pass, peak memory bounded by a block (a subprocess, measured with getrusage)."""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import layerwise as lw
from layerwise.data import Blocks, Standardizer
from layerwise.errors import ConfigError, DataError, ShapeError

M, N_X, BATCH = 1000, 6, 32
ROW_BYTES = N_X * 8  # float64 rows
BLOCK_BYTES = 3 * BATCH * ROW_BYTES  # 3 mini-batches per block: 11 blocks, the last short


class Recorded:
    """A sliceable on-disk array that records the rows each read asks for."""

    def __init__(self, a: np.ndarray) -> None:
        self.a, self.shape, self.dtype, self.reads = a, a.shape, a.dtype, []

    def __getitem__(self, key):
        if isinstance(key, slice):
            self.reads.append((key.start, key.stop))
        return self.a[key]

    def block_reads(self) -> list[tuple[int, int]]:
        return [r for r in self.reads if r != (0, 1)]  # (0, 1) builds the model


@pytest.fixture
def data(tmp_path: Path):
    rng = np.random.default_rng(7)
    X = rng.standard_normal((M, N_X)) * [1, 2, 3, 0.5, 10, 1] + [0, 1, -2, 5, 3, 0]
    Y = (X[:, 0] - 0.5 * X[:, 1] + 0.1 * X[:, 4] > 0).astype(np.int64)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "Y.npy", Y)
    return X, Y, np.load(tmp_path / "X.npy", mmap_mode="r"), tmp_path


def net(normalize: bool = False) -> lw.Sequential:
    layers = [lw.Dense(5, "relu"), lw.Dense(3, "tanh"), lw.Dense(1, "sigmoid")]
    return lw.Sequential(layers, seed=4, dtype="float64", normalize=normalize).build(N_X)


def test_blockwise_training_equals_in_memory_training_in_the_same_order(data, tmp_path):
    X, Y, _, _ = data
    X, Y = X[:960], Y[:960]  # 10 whole blocks (a short block makes a short batch)
    np.save(tmp_path / "X960.npy", X)
    blocks = Blocks(np.load(tmp_path / "X960.npy", mmap_mode="r"), Y, block_bytes=BLOCK_BYTES)
    assert blocks.block_size(BATCH) == 3 * BATCH
    on_disk, in_memory = net(), net()
    rng = copy.deepcopy(in_memory.rng)  # the generator fit draws the block order from
    on_disk.fit(blocks, None, epochs=3, batch_size=BATCH, optimizer="adam", verbose=0)
    for epoch in range(3):
        plan = blocks.plan(BATCH, rng)
        assert len(plan) == 10
        order = np.concatenate([b.start + b.perm for b in plan])
        X_e, Y_e = np.asfortranarray(X[order].T), Y[order][None]
        opt = "adam" if epoch == 0 else None  # None continues the same Adam
        in_memory.fit(X_e, Y_e, epochs=1, batch_size=BATCH, shuffle=False, optimizer=opt, verbose=0)
    theta_disk, theta_mem = on_disk.parameter_vector.theta, in_memory.parameter_vector.theta
    np.testing.assert_array_equal(theta_disk, theta_mem)
    assert not np.array_equal(theta_disk, net().parameter_vector.theta)  # it trained


def test_every_example_once_per_epoch_and_blocks_read_whole(data):
    X, Y, X_disk, _ = data
    recorded = Recorded(X_disk)
    model = net()
    blocks = Blocks(recorded, Y, block_bytes=BLOCK_BYTES)
    model.fit(blocks, None, epochs=2, batch_size=BATCH, optimizer="adam", verbose=0)
    reads = recorded.block_reads()
    assert len(reads) == 2 * 11
    for epoch_reads in (reads[:11], reads[11:]):  # each epoch reads each block once
        covered = np.concatenate([np.arange(s, e) for s, e in epoch_reads])
        np.testing.assert_array_equal(np.sort(covered), np.arange(M))
        assert [s for s, _ in epoch_reads] != sorted(s for s, _ in epoch_reads)  # shuffled
    assert reads[:11] != reads[11:]  # a new block order each epoch
    # the batches themselves: every (x, y) pair once, x and y kept together
    rng = np.random.default_rng(0)
    seen_X, seen_Y = [], []
    for Xb, Yb in blocks.batches(Y[None], BATCH, rng, lambda x: x):
        assert Xb.shape[1] == Yb.shape[1] <= BATCH
        seen_X.append(Xb)
        seen_Y.append(Yb)
    X_seen, Y_seen = np.concatenate(seen_X, axis=1), np.concatenate(seen_Y, axis=1)
    order = np.lexsort(X_seen[::-1])
    np.testing.assert_array_equal(X_seen[:, order], X[np.lexsort(X.T[::-1])].T)
    rows = [int(np.flatnonzero((X == x).all(axis=1))[0]) for x in X_seen.T]
    assert sorted(rows) == list(range(M))
    np.testing.assert_array_equal(Y_seen[0], Y[rows])


def test_a_resumed_run_reads_the_blocks_of_an_uninterrupted_one(data, tmp_path):
    _, Y, X_disk, _ = data
    kwargs = dict(batch_size=BATCH, verbose=0)
    whole = Recorded(X_disk)
    straight = net()
    straight.fit(
        Blocks(whole, Y, block_bytes=BLOCK_BYTES), None, epochs=4, optimizer="adam", **kwargs
    )
    ckpt = tmp_path / "run.ckpt.npz"
    first = net()
    first.fit(Blocks(Recorded(X_disk), Y, block_bytes=BLOCK_BYTES), None, epochs=2,
              optimizer="adam", checkpoint=ckpt, **kwargs)  # fmt: skip
    second = lw.Sequential([lw.Dense(5, "relu"), lw.Dense(3, "tanh"), lw.Dense(1, "sigmoid")],
                           seed=99, dtype="float64")  # fmt: skip
    rest = Recorded(X_disk)
    second.fit(Blocks(rest, Y, block_bytes=BLOCK_BYTES), None, epochs=4, optimizer="adam",
               checkpoint=ckpt, resume=True, **kwargs)  # fmt: skip
    assert rest.block_reads() == whole.block_reads()[22:]
    np.testing.assert_array_equal(second.parameter_vector.theta, straight.parameter_vector.theta)


def test_the_normaliser_comes_from_one_streaming_pass(data):
    X, Y, X_disk, _ = data
    recorded = Recorded(X_disk)
    streamed = Blocks(recorded, Y, block_bytes=BLOCK_BYTES).standardizer(BATCH)
    reference = Standardizer().fit(X.T)
    np.testing.assert_allclose(streamed.mu_, reference.mu_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(streamed.sigma2_, reference.sigma2_, rtol=1e-10)
    assert max(e - s for s, e in recorded.reads) == 3 * BATCH  # never the whole X
    model = net(normalize=True)
    model.fit(X_disk, Y, epochs=20, batch_size=BATCH, optimizer="adam", verbose=0)
    np.testing.assert_allclose(model.normalizer_.mu_, reference.mu_, rtol=1e-12)
    assert model.evaluate(X.T, Y[None])["accuracy"] > 0.9


def test_h5py_dataset_trains_as_a_memory_map_does(data, tmp_path):
    h5py = pytest.importorskip("h5py")
    X, Y, _, _ = data
    X32 = X.astype(np.float32)
    np.save(tmp_path / "X32.npy", X32)
    with h5py.File(tmp_path / "d.h5", "w") as f:
        f["X"], f["Y"] = X32, Y
    thetas = []
    for source in ("h5", "npy"):
        model = lw.Sequential([lw.Dense(5, "relu"), lw.Dense(1, "sigmoid")], seed=1)
        with h5py.File(tmp_path / "d.h5", "r") as f:
            X_disk = f["X"] if source == "h5" else np.load(tmp_path / "X32.npy", mmap_mode="r")
            blocks = Blocks(X_disk, f["Y"], block_bytes=BLOCK_BYTES // 2)
            model.fit(blocks, None, epochs=3, batch_size=BATCH, optimizer="adam", verbose=0)
        thetas.append(model.parameter_vector.theta)
    assert thetas[0].dtype == np.float32
    np.testing.assert_array_equal(thetas[0], thetas[1])


def test_zarr_array_trains_as_a_memory_map_does(data, tmp_path):
    zarr = pytest.importorskip("zarr")
    X, Y, X_disk, _ = data
    z = zarr.open(str(tmp_path / "X.zarr"), mode="w", shape=X.shape, chunks=(100, N_X), dtype="f8")
    z[:] = X
    thetas = []
    for X_source in (zarr.open(str(tmp_path / "X.zarr"), mode="r"), X_disk):
        model = net()
        model.fit(X_source, Y, epochs=2, batch_size=BATCH, optimizer="adam", verbose=0)
        thetas.append(model.parameter_vector.theta)
    np.testing.assert_array_equal(thetas[0], thetas[1])


def test_images_on_disk(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.random((200, 6, 6, 1))
    Y = (X[:, :3].mean(axis=(1, 2, 3)) > X[:, 3:].mean(axis=(1, 2, 3))).astype(np.int64)
    np.save(tmp_path / "img.npy", X)
    layers = [lw.Conv2D(2, 3), lw.Flatten(), lw.Dense(1, "sigmoid")]
    model = lw.Sequential(layers, seed=1, dtype="float64")
    blocks = Blocks(np.load(tmp_path / "img.npy", mmap_mode="r"), Y, block_bytes=2 * 16 * 36 * 8)
    history = model.fit(blocks, None, epochs=30, batch_size=16, optimizer="adam", verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    seen = np.concatenate([Xb for Xb, _ in blocks.batches(Y[None], 16, rng, lambda x: x)])
    assert seen.shape == X.shape
    np.testing.assert_array_equal(np.sort(seen.ravel()), np.sort(X.ravel()))


def test_bad_on_disk_data_gets_one_clear_error(data):
    X, Y, X_disk, tmp_path = data
    with pytest.raises(ShapeError, match=r"examples first"):
        Blocks(X_disk, Y[:-1])
    with pytest.raises(ShapeError, match=r"\(m, n_x\)"):
        Blocks(np.load(tmp_path / "Y.npy", mmap_mode="r"), Y)
    with pytest.raises(ConfigError, match="batch_size"):
        net().fit(X_disk, Y, epochs=1, verbose=0)
    with pytest.raises(ConfigError, match="holds its labels"):
        net().fit(Blocks(X_disk, Y), Y, epochs=1, batch_size=BATCH, verbose=0)
    bad = X.copy()
    bad[500, 2] = np.nan
    np.save(tmp_path / "bad.npy", bad)
    bad_disk = np.load(tmp_path / "bad.npy", mmap_mode="r")
    with pytest.raises(DataError, match=r"examples \d+:\d+ of the on-disk X: .*NaN"):
        net().fit(bad_disk, Y, epochs=1, batch_size=BATCH, verbose=0)


_MEMORY_SCRIPT = """
import resource, sys
import numpy as np
import layerwise as lw

path, m, n_x = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "wb") as f:  # written in pieces: never all of X in memory
    header = {"descr": "<f4", "fortran_order": False, "shape": (m, n_x)}
    np.lib.format.write_array_header_1_0(f, header)
    for s in range(0, m, 4096):
        np.random.default_rng(s).random((min(4096, m - s), n_x), np.float32).tofile(f)
Y = np.arange(m) % 2
model = lw.Sequential([lw.Dense(4, "relu"), lw.Dense(1, "sigmoid")], seed=1).build(n_x)
model.predict(np.zeros((n_x, 2), np.float32))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
X = np.load(path, mmap_mode="r")
blocks = lw.data.Blocks(X, Y, block_bytes=4 * 2**20)
model.fit(blocks, None, epochs=1, batch_size=512, optimizer="adam", verbose=0)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before * 1024, after * 1024, X.nbytes)
"""


def test_peak_memory_is_a_few_blocks_not_the_data_set(tmp_path):
    """A 160 MB memory map trained in 4 MB blocks: the peak resident memory grows by
    less than a sixth of the file (without releasing mapped pages it grows by all of it)."""
    m, n_x = 40_000, 1000
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_MEMORY_SCRIPT), str(tmp_path / "big.npy"),
         str(m), str(n_x)],  # fmt: skip
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    before, after, nbytes = map(int, out.stdout.split())
    assert nbytes == m * n_x * 4
    assert after - before < nbytes / 6, (before, after, nbytes)
