"""Labels: class indices (1, m) <-> one-hot (C, m), and targets for an output layer."""

from __future__ import annotations

import numpy as np

from layerwise.errors import ConfigError, DataError, ShapeError

from .validation import check_finite, to_numeric

__all__ = ["as_targets", "class_indices", "one_hot", "prepare_targets"]

CLASSIFIER_OUTPUTS = ("sigmoid", "softmax")


def _indices_row(y, name: str = "y") -> np.ndarray:
    """Class indices (1, m) or (m,) -> int64 (m,), checking they are whole and >= 0."""
    arr = to_numeric(y, name)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 1:
        raise ShapeError(f"{name} has shape {arr.shape}: class indices must be (1, m) or (m,)")
    if arr.size == 0:
        raise DataError(f"{name} is empty: class indices must be (1, m) with m >= 1")
    check_finite(arr, name)
    if arr.dtype.kind == "f":
        whole = arr == np.round(arr)
        if not np.all(whole):
            bad = arr[~whole][0]
            raise DataError(f"class indices must be whole numbers 0, 1, ..., found {bad}")
    idx = arr.astype(np.int64)
    if idx.min() < 0:
        raise DataError(f"class indices must be >= 0, found {int(idx.min())}")
    return idx


def one_hot(y, C: int | None = None) -> np.ndarray:
    """Class indices (1, m) or (m,) -> one-hot Y (C, m) float64, Y[y[i], i] = 1.

    C defaults to max(y) + 1; a given C must exceed every index.
    """
    idx = _indices_row(y)
    top = int(idx.max())
    if C is None:
        C = top + 1
    elif isinstance(C, bool) or not isinstance(C, (int, np.integer)) or C < 1:
        raise ConfigError(f"C must be a positive integer number of classes, got {C!r}")
    if top >= C:
        raise DataError(f"class index {top} is out of range for C = {C} classes (0..{C - 1})")
    Y = np.zeros((int(C), idx.size))
    Y[idx, np.arange(idx.size)] = 1.0
    return Y


def class_indices(Y) -> np.ndarray:
    """One-hot (or probabilities) Y (C, m) -> class indices (1, m) int64, argmax per column."""
    Y = to_numeric(Y, "Y")
    if Y.ndim != 2 or Y.size == 0:
        raise ShapeError(f"Y has shape {Y.shape}: one-hot labels must be (C, m) with C, m >= 1")
    return np.argmax(Y, axis=0).reshape(1, -1).astype(np.int64)


def _is_one_hot(Y: np.ndarray) -> bool:
    return bool(np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=0) == 1))


def as_targets(Y, n_y: int) -> np.ndarray:
    """Labels as an output layer with n_y units needs them.

    Accepts class indices (1, m) / (m,) or one-hot (C, m). For n_y == 1 returns (1, m)
    0/1 labels; for n_y = C > 1 returns one-hot (C, m).
    """
    if isinstance(n_y, bool) or not isinstance(n_y, (int, np.integer)) or n_y < 1:
        raise ConfigError(f"n_y must be a positive integer (output units), got {n_y!r}")
    Y = to_numeric(Y, "Y")
    if Y.ndim == 1:
        Y = Y.reshape(1, -1)
    if Y.ndim != 2:
        raise ShapeError(
            f"Y has shape {Y.shape}: labels must be class indices (1, m) or one-hot (C, m)"
        )
    if Y.size == 0:
        raise DataError(f"Y is empty with shape {Y.shape}: labels must be (n_y, m) with m >= 1")
    check_finite(Y, "Y")
    if Y.shape[0] > 1:
        if Y.shape[0] != n_y:
            raise ShapeError(
                f"Y has {Y.shape[0]} rows but the output layer has n_y = {n_y} units: "
                f"one-hot Y must be (n_y, m) = ({n_y}, m)"
            )
        if not _is_one_hot(Y):
            raise DataError(
                f"Y with {Y.shape[0]} rows must be one-hot (one 1 per column, zeros elsewhere)"
            )
        return Y
    idx = _indices_row(Y, "Y")
    if n_y == 1:
        if idx.max() > 1:
            raise DataError(
                f"binary labels must be 0 or 1, found {int(idx.max())} "
                "(an output layer with n_y = 1 unit needs Y (1, m) of 0/1)"
            )
        return Y
    return one_hot(idx, n_y)


def prepare_example_targets(Y, output_shape: tuple[int, ...], m: int) -> np.ndarray:
    """Targets for an output whose examples come first (m, *output_shape), e.g. a YOLO
    grid (m, S, S, B(5 + C)): numeric, finite, of exactly that shape."""
    Y = to_numeric(Y, "Y")
    want = (m, *output_shape)
    if Y.shape != want:
        raise ShapeError(
            f"Y has shape {Y.shape} but the output A[L] is (m, {', '.join(map(str, output_shape))})"
            f" = {want}"
        )
    check_finite(Y, "Y")
    return Y


def prepare_targets(Y, n_y: int, output_activation: str, m: int) -> np.ndarray:
    """Y as an output layer of n_y units needs it: for a sigmoid/softmax output, (1, m)
    0/1 for one unit, one-hot (C, m) for C units (class indices (1, m) are accepted and
    expanded); for any other output (regression), the real-valued targets (n_y, m) as
    given. ``m`` is the number of examples X has."""
    if output_activation in CLASSIFIER_OUTPUTS:
        Y = as_targets(np.asarray(Y), n_y)
    else:
        Y = to_numeric(Y, "Y")
        if Y.ndim == 1:
            Y = Y.reshape(1, -1)
        if Y.ndim != 2 or Y.shape[0] != n_y:
            raise ShapeError(
                f"Y has shape {Y.shape} but the output A[L] is (n_y, m) = ({n_y}, {m})"
            )
        check_finite(Y, "Y")
    if Y.shape[-1] != m:
        raise ShapeError(f"Y has {Y.shape[-1]} examples (columns) but X has {m}")
    return Y
