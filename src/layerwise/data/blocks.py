"""Training data bigger than memory: examples read one shuffled block at a time.

On disk, examples come first, as files usually hold them: dense inputs are rows
(m, n_x), images (m, n_H, n_W, n_C), labels (m,) or (m, n_y). Any array that supports
slicing works: ``np.load(path, mmap_mode="r")``, ``np.memmap``, an ``h5py.Dataset``, a
zarr array. A block of rows X[s:e] is one sequential read; its transpose (n_x, b) is
the engine's layout at no cost (a column-major view), so a shuffled gather of columns
is then a contiguous copy, as for in-memory training. Labels are small (m × n_y) and
are read whole.

Block-wise shuffling, each epoch, from the model's generator (so a resumed run draws
what an uninterrupted one would):

    order = rng.permutation(number of blocks)
    for each block k in that order:  perm_k = rng.permutation(examples in block k)

A block holds a whole number of mini-batches (``block_bytes`` of inputs, at least one
batch), so a batch never straddles two blocks and every example is seen once per
epoch. Memory is bounded by a block: pages of a memory map are released once their
block is copied in.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from layerwise.checks import positive_int
from layerwise.errors import ConfigError, DataError, ShapeError

from .batches import batches
from .scaling import Standardizer

__all__ = ["Blocks", "as_blocks"]

Array = np.ndarray
BLOCK_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Block:
    """Examples ``start:stop`` of the file, visited in the order ``perm`` (local indices)."""

    start: int
    stop: int
    perm: Array | None


class Blocks:
    """X (m, n_x) or (m, n_H, n_W, n_C) and labels Y (m,) or (m, n_y) on disk (or any
    sliceable arrays), for ``fit``: ``model.fit(Blocks(X, Y), None, batch_size=256)``;
    ``fit(X, Y)`` wraps a memory map, an h5py or a zarr array itself."""

    def __init__(self, X, Y, *, block_bytes: int = BLOCK_BYTES) -> None:
        shape = tuple(getattr(X, "shape", ()))
        if len(shape) not in (2, 4) or not hasattr(X, "__getitem__"):
            raise ShapeError(
                "on-disk X must be 2-D rows (m, n_x) or images (m, n_H, n_W, n_C), "
                f"examples first; got shape {shape}"
            )
        if np.dtype(X.dtype).kind not in "iuf":
            raise DataError(f"on-disk X must be numeric, got dtype {X.dtype}")
        self.X, self.m, self.images = X, shape[0], len(shape) == 4
        self.Y = _labels(Y, self.m, shape)
        self.block_bytes = positive_int(block_bytes, "block_bytes")
        if self.m == 0:
            raise DataError("on-disk X holds no examples (m = 0)")

    @property
    def shape(self) -> tuple[int, ...]:
        """X's shape in the engine's layout: (n_x, m), or images (m, n_H, n_W, n_C)."""
        shape = tuple(self.X.shape)
        return shape if self.images else (shape[1], shape[0])

    def read(self, start: int, stop: int) -> Array:
        """Examples start:stop in the engine's layout (a copy in memory)."""
        rows = self.X[start:stop]
        if isinstance(rows, np.memmap) or not isinstance(rows, np.ndarray):
            rows = np.array(rows)
            _release(self.X, start, stop)
        return rows if self.images else rows.T

    def chunks(self, size: int = 4096) -> Iterator[tuple[Array, Array]]:
        """(X, Y) of examples in file order, ``size`` at a time, in the engine's layout
        (for scoring: the labels as given to ``Blocks``, (n_y, m))."""
        for s in range(0, self.m, size):
            e = min(s + size, self.m)
            yield self.read(s, e), (self.Y[s:e] if self.Y.ndim > 2 else self.Y[:, s:e])

    def block_size(self, batch_size: int) -> int:
        """Examples per block: whole mini-batches, about ``block_bytes`` of X."""
        row = int(np.prod(self.X.shape[1:])) * np.dtype(self.X.dtype).itemsize
        return batch_size * max(1, self.block_bytes // (batch_size * row))

    def plan(self, batch_size: int, rng: np.random.Generator | None) -> list[Block]:
        """One epoch's blocks, in order; shuffled (blocks, then examples within each)
        when ``rng`` is given. Draws every number at the start of the epoch."""
        size = self.block_size(batch_size)
        starts = np.arange(0, self.m, size)
        order = starts if rng is None else starts[rng.permutation(len(starts))]
        plan = []
        for s in order.tolist():
            e = min(s + size, self.m)
            plan.append(Block(s, e, None if rng is None else rng.permutation(e - s)))
        return plan

    def batches(
        self,
        Y: Array,
        batch_size: int,
        rng: np.random.Generator | None,
        prepare: Callable[[Array], Array],
        y_axis: int = -1,
    ) -> Iterator[tuple[Array, Array]]:
        """(X{t}, Y{t}) of one epoch, block after block; ``Y`` the prepared labels in the
        engine's layout, ``prepare`` turns a block into the model's input (dtype,
        normalisation, finite check); ``y_axis`` the examples' axis of Y."""
        y_first, axis = y_axis == 0, 0 if self.images else -1
        plan = self.plan(batch_size, rng)
        _prefetch(self.X, plan[0].start, plan[0].stop)
        for k, block in enumerate(plan):
            rows = self.read(block.start, block.stop)
            if k + 1 < len(plan):
                _prefetch(self.X, plan[k + 1].start, plan[k + 1].stop)
            X_blk = _prepared(prepare, rows, block)
            Y_blk = Y[block.start : block.stop] if y_first else Y[:, block.start : block.stop]
            yield from batches(X_blk, Y_blk, batch_size, block.perm, axis, y_axis)

    def standardizer(self, batch_size: int = 4096) -> Standardizer:
        """mu and sigma2 per feature in one streaming pass (Chan's merge of block
        means and sums of squared deviations, in float64)."""
        if self.images:
            raise ConfigError("normalize=True standardises (n_x, m) columns, not images")
        count, mu, m2 = 0, 0.0, 0.0
        size = self.block_size(batch_size)
        for s in range(0, self.m, size):
            X_blk = self.read(s, min(s + size, self.m)).astype(np.float64)
            n = X_blk.shape[1]
            mu_b = X_blk.mean(axis=1, keepdims=True)
            m2_b = np.square(X_blk - mu_b).sum(axis=1, keepdims=True)
            delta, total = mu_b - mu, count + n
            mu = mu + delta * (n / total)
            m2 = m2 + m2_b + np.square(delta) * (count * n / total)
            count = total
        return Standardizer.from_dict({"mu": mu, "sigma2": m2 / count})


def as_blocks(X, Y) -> Blocks | None:
    """``X`` itself when it is ``Blocks``; a memory map or another sliceable non-NumPy
    array (h5py, zarr) with its labels wrapped in ``Blocks``; None for in-memory data."""
    if isinstance(X, Blocks):
        if Y is not None:
            raise ConfigError("Blocks(X, Y) holds its labels: call fit(blocks, None)")
        return X
    if isinstance(X, np.memmap) or (
        not isinstance(X, (np.ndarray, list, tuple))
        and hasattr(X, "shape")
        and hasattr(X, "dtype")
        and hasattr(X, "__getitem__")
    ):
        return Blocks(X, Y)
    return None


def _labels(Y, m: int, x_shape: tuple) -> Array:
    """Labels (m,) or (m, n_y) from disk as (n_y, m) (labels already (n_y, m) in memory
    are kept); outputs whose examples come first ((m, ...), 3+ axes) stay as they are."""
    Y = np.array(Y[...]) if hasattr(Y, "shape") and hasattr(Y, "__getitem__") else np.asarray(Y)
    if Y.ndim == 2 and Y.shape[1] == m and Y.shape[0] != m:
        return Y
    if Y.ndim == 0 or Y.shape[0] != m:
        raise ShapeError(
            f"on-disk X {x_shape} holds m = {m} examples along its first axis, but the labels "
            f"have shape {Y.shape}: expected (m,) or (m, n_y), examples first"
        )
    return Y.reshape(m, -1).T if Y.ndim <= 2 else Y


def _prepared(prepare: Callable[[Array], Array], X_blk: Array, block: Block) -> Array:
    try:
        return prepare(X_blk)
    except DataError as exc:
        raise DataError(f"examples {block.start}:{block.stop} of the on-disk X: {exc}") from None


def _release(X, start: int, stop: int) -> None:
    """Drop the pages of rows start:stop from this process (a memory map's pages stay
    in the page cache, but no longer count in its resident memory)."""
    _advise(X, start, stop, "MADV_DONTNEED")


def _prefetch(X, start: int, stop: int) -> None:
    """Ask the kernel to read rows start:stop of a memory map ahead, while the current
    block trains."""
    _advise(X, start, stop, "MADV_WILLNEED")


def _advise(X, start: int, stop: int, advice: str) -> None:
    buf = getattr(X, "_mmap", None)
    if not isinstance(buf, mmap.mmap) or not hasattr(mmap, advice):
        return
    try:  # where X starts in the mapping (a slice of a memory map starts further in)
        base = np.frombuffer(buf, np.uint8).__array_interface__["data"][0]
    except (ValueError, TypeError):  # a closed mapping
        return
    lead = X.__array_interface__["data"][0] - base
    first = (lead + start * X.strides[0]) // mmap.PAGESIZE * mmap.PAGESIZE
    last = min(lead + stop * X.strides[0], len(buf))
    if last > first:
        buf.madvise(getattr(mmap, advice), first, last - first)
