"""Mini-batches: the (X{t}, Y{t}) of one epoch, in order or by a permutation."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

Array = np.ndarray


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
    examples (a shuffled epoch); None keeps theirs, and batches are then views.
    """
    m = Y.shape[y_axis]
    if batch_size is None or batch_size >= m:
        yield X, Y
        return
    for start in range(0, m, batch_size):
        if perm is None:
            idx = slice(start, start + batch_size)
            yield (X[..., idx] if axis == -1 else X[idx]), (Y[..., idx] if y_axis == -1 else Y[idx])
        else:
            idx = perm[start : start + batch_size]
            yield (X[:, idx] if axis == -1 else X[idx]), (Y[:, idx] if y_axis == -1 else Y[idx])
