"""Splitting the columns (examples) of X (n_x, m) and Y (n_y, m) into train / dev / test."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from layerwise import checks
from layerwise.errors import ConfigError, DataError

from .validation import check_XY

__all__ = ["train_dev_test_split", "train_test_split"]


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_real(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _counts(sizes: Sequence, m: int, names: Sequence[str]) -> list[int]:
    """Example counts per part: fractions in (0, 1) summing to 1, or whole counts summing to m."""
    if not all(_is_real(s) for s in sizes):
        raise ConfigError(f"split sizes must be numbers, got {tuple(sizes)!r}")
    if all(_is_int(s) for s in sizes) and sum(sizes) == m and m > 1:
        counts = [int(s) for s in sizes]
    else:
        if any(not 0.0 < float(s) < 1.0 for s in sizes) or abs(sum(sizes) - 1.0) > 1e-6:
            raise ConfigError(
                f"split sizes {tuple(sizes)} must be fractions in (0, 1) summing to 1, "
                f"or whole numbers of examples summing to m = {m}"
            )
        rest = [_round_half_up(float(s) * m) for s in sizes[1:]]
        counts = [m - sum(rest), *rest]
    if any(c < 1 for c in counts):
        shown = ", ".join(f"{n} {c}" for n, c in zip(names, counts, strict=True))
        raise DataError(
            f"too few examples to split: m = {m} gives {shown}; every part needs at least "
            "one example (use more data or other sizes)"
        )
    return counts


def _strata(Y: np.ndarray) -> np.ndarray:
    """Class of each example: the label value for Y (1, m), the argmax for one-hot Y (C, m)."""
    if Y.shape[0] == 1:
        return np.unique(Y[0], return_inverse=True)[1].ravel()
    return np.argmax(Y, axis=0)


def _spread(n_pick: int, n: int) -> np.ndarray:
    """Boolean mask of length n with n_pick True entries spread evenly along it."""
    i = np.arange(n, dtype=np.int64)  # pick i where round(i * n_pick / n) steps up
    return (2 * (i + 1) * n_pick + n) // (2 * n) > (2 * i * n_pick + n) // (2 * n)


def _partition(
    m: int, counts: list[int], strata: np.ndarray | None, rng: np.random.Generator
) -> list[np.ndarray]:
    """Shuffle 0..m-1 into parts of ``counts`` sizes; with strata, each class in proportion."""
    perm = rng.permutation(m)
    if strata is not None:
        # Group the shuffled examples by class, then deal each part evenly along that order:
        # every class lands in every part within one example of its proportion.
        perm = perm[np.argsort(strata[perm], kind="stable")]
    parts: list[np.ndarray] = []
    remaining = perm
    for c in reversed(counts[1:]):
        pick = _spread(c, remaining.size) if strata is not None else np.arange(remaining.size) < c
        parts.append(remaining[pick])
        remaining = remaining[~pick]
    parts.append(remaining)
    parts.reverse()
    if strata is not None:  # undo the grouping by class within each part
        parts = [rng.permutation(p) for p in parts]
    return parts


def _take(A: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Columns ``idx`` of A (n, m) as a column-major (n, len(idx)) array, in one copy."""
    return np.asfortranarray(np.take(A.T, idx, axis=0).T)


def _split(X, Y, sizes, names, seed, stratify) -> tuple[np.ndarray, ...]:
    """Split checked X (n_x, m), Y (n_y, m) into parts of ``sizes`` (see :func:`_counts`)."""
    if seed is not None:
        seed = checks.seed(seed, "seed")
    m = X.shape[1]
    counts = _counts(sizes, m, names)
    strata = _strata(Y) if stratify else None
    parts = _partition(m, counts, strata, np.random.default_rng(seed))
    out: list[np.ndarray] = []
    for idx in parts:
        out += [_take(X, idx), _take(Y, idx)]
    return tuple(out)


def train_test_split(
    X, Y, test_size: float = 0.2, *, seed: int | None = 0, stratify: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split the m columns of X (n_x, m), Y (n_y, m) into train and test.

    ``test_size`` is a fraction in (0, 1) (rounded to whole examples) or a whole number
    of examples. Columns are shuffled with ``np.random.default_rng(seed)``; with
    ``stratify`` each class (label value of a (1, m) Y, argmax of a one-hot Y) keeps its
    proportion in both parts. Returns (X_train, Y_train, X_test, Y_test), column-major.
    """
    X, Y = check_XY(X, Y)
    m = X.shape[1]
    if _is_int(test_size):
        if not 1 <= test_size < m:
            raise DataError(
                f"test_size = {test_size} examples is out of range for m = {m}: "
                f"it must be between 1 and {m - 1}"
            )
        sizes = (m - int(test_size), int(test_size))
    elif _is_real(test_size):
        if not 0.0 < float(test_size) < 1.0:
            raise ConfigError(
                f"test_size must be a fraction in (0, 1) or a whole number of examples, "
                f"got {test_size}"
            )
        sizes = (1.0 - float(test_size), float(test_size))
    else:
        raise ConfigError(f"test_size must be a number, got {test_size!r}")
    return _split(X, Y, sizes, ("train", "test"), seed, stratify)


def train_dev_test_split(
    X,
    Y,
    sizes: Sequence[float] = (0.6, 0.2, 0.2),
    *,
    seed: int | None = 0,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split the m columns of X (n_x, m), Y (n_y, m) into train, dev and test.

    ``sizes`` are three fractions in (0, 1) summing to 1 (dev and test rounded to whole
    examples, train gets the rest), or three whole counts summing to m. Shuffling and
    ``stratify`` as in :func:`train_test_split`.
    Returns (X_train, Y_train, X_dev, Y_dev, X_test, Y_test), column-major.
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) != 3:
        raise ConfigError(f"sizes must be three numbers (train, dev, test), got {sizes!r}")
    X, Y = check_XY(X, Y)
    return _split(X, Y, tuple(sizes), ("train", "dev", "test"), seed, stratify)
