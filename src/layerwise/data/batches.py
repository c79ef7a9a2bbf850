"""Mini-batches: the (X{t}, Y{t}) of one epoch, in order or by a permutation."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

Array = np.ndarray

#: Bytes of X gathered at once for shuffled batches (a whole number of batches, at least one).
GATHER_BYTES = 1 << 20


def batches(
    X: Array,
    Y: Array,
    batch_size: int | None,
    perm: Array | None = None,
    axis: int = -1,
    y_axis: int = -1,
) -> Iterator[tuple[Array, Array]]:
    """Yield (X{t}, Y{t}) of ``batch_size`` examples (the last one smaller), examples
    along ``axis`` of X (-1 for (n_x, m), 0 for images) and ``y_axis`` of Y (-1 for
    columns (n_y, m), 0 for targets whose examples come first).

    ``batch_size`` None (or >= m): the whole set once. ``perm``: the order of the m
    examples (a shuffled epoch); None keeps theirs, and batches are then views. Shuffled
    small batches are gathered several at a time (about ``GATHER_BYTES`` of X per gather,
    then sliced): one copy per ~1 MiB instead of one per batch.
    """
    m = Y.shape[y_axis]
    if batch_size is None or batch_size >= m:
        yield X, Y
        return
    if perm is None:
        for start in range(0, m, batch_size):
            idx = slice(start, start + batch_size)
            yield (X[..., idx] if axis == -1 else X[idx]), (Y[..., idx] if y_axis == -1 else Y[idx])
        return
    per_example = X.nbytes // max(1, X.shape[axis])
    step = batch_size * max(1, GATHER_BYTES // max(1, batch_size * per_example))
    for first in range(0, m, step):
        idx = perm[first : first + step]
        X_g = X[:, idx] if axis == -1 else X[idx]
        Y_g = Y[:, idx] if y_axis == -1 else Y[idx]
        yield from batches(X_g, Y_g, batch_size, None, axis, y_axis)
