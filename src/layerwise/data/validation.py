"""Checks at the edge: X is (n_x, m) (or images (m, n_H, n_W, n_C)), Y is (n_y, m),
numeric, finite, non-empty."""

from __future__ import annotations

import math

import numpy as np

from layerwise.errors import DataError, ShapeError

__all__ = [
    "check_X",
    "check_XY",
    "check_finite",
    "check_images",
    "looks_like_raw_pixels",
    "to_numeric",
]


def to_numeric(A, name: str) -> np.ndarray:
    """``A`` as a NumPy array of a real numeric dtype (bool becomes uint8), or DataError."""
    try:
        arr = np.asarray(A)
    except (TypeError, ValueError) as exc:  # ragged nested lists and the like
        raise DataError(f"{name} could not be turned into a numeric array: {exc}") from None
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8)
    if arr.dtype.kind in "iuf":
        return arr
    if arr.dtype.kind == "O":
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError):
            pass
    raise DataError(f"{name} must be numeric, got an array of dtype {arr.dtype}")


def sum_is_finite(A: np.ndarray) -> bool:
    """True when the sum of A's entries is finite, which proves every entry finite in one
    pass (an inf or NaN sum proves nothing: finite entries can overflow). One example's
    few values are summed as Python floats, where NumPy's reduction costs microseconds."""
    if A.size <= 256:
        return math.isfinite(sum(A.ravel().tolist()))
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(np.add.reduce(A, axis=None)))


def check_finite(A: np.ndarray, name: str) -> None:
    """Raise DataError if a float array ``A`` holds NaN or inf, saying how many and where first."""
    if A.dtype.kind != "f" or sum_is_finite(A):
        return
    bad = ~np.isfinite(A)
    count = int(np.count_nonzero(bad))
    if count == 0:
        return
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    if A.ndim == 2:
        where = f"row {first[0]}, column {first[1]}"
    elif A.ndim == 1:
        where = f"index {first[0]}"
    else:
        where = f"index {first}"
    noun = "entry" if count == 1 else "entries"
    raise DataError(f"{name} contains NaN or inf at {count} {noun} (first at {where})")


def check_X(X, name: str = "X") -> np.ndarray:
    """Validate inputs X of shape (n_x, m): 2-D, numeric, finite, non-empty.

    Returns X as a floating-point array (float32 and float64 are kept, anything else
    becomes float64).
    """
    arr = to_numeric(X, name)
    if arr.ndim != 2:
        raise ShapeError(
            f"{name} has {arr.ndim} dimension(s) with shape {arr.shape}: "
            f"{name} must be 2-D (n_x, m), one example per column"
        )
    if arr.size == 0:
        raise DataError(
            f"{name} is empty with shape {arr.shape}: {name} must be (n_x, m) with n_x, m >= 1"
        )
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    check_finite(arr, name)
    return arr


def _check_binary(Y: np.ndarray, name: str) -> None:
    bad = (Y != 0) & (Y != 1)
    if np.any(bad):
        first = Y[bad].flat[0]
        value = int(first) if float(first).is_integer() else float(first)
        raise DataError(f"binary labels must be 0 or 1, found {value} in {name}")


def looks_like_raw_pixels(X: np.ndarray) -> bool:
    """True when X's values lie in [0, 255] and go above 2: pixels not yet divided by 255."""
    if X.size == 0:
        return False
    top = float(np.max(X))
    return 2.0 < top <= 255.0 and float(np.min(X)) >= 0.0


def check_images(X, name: str = "X", example_shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Validate images X (m, n_H, n_W, n_C): 4-D, numeric, finite, non-empty, and of
    ``example_shape`` (n_H, n_W, n_C) when given. Returns a float array as ``check_X``."""
    arr = to_numeric(X, name)
    want = "(m, n_H, n_W, n_C)"
    if example_shape is not None:
        want += " = (m, " + ", ".join(str(d) for d in example_shape) + ")"
    if arr.ndim != 4 or (example_shape is not None and arr.shape[1:] != tuple(example_shape)):
        raise ShapeError(f"{name} must be images {want}, one example first; got {arr.shape}")
    if arr.size == 0:
        raise DataError(f"{name} is empty with shape {arr.shape}: {name} must be {want}")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    check_finite(arr, name)
    return arr


def check_XY(
    X, Y, *, binary: bool | None = None, images: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Validate X (n_x, m) (or images (m, n_H, n_W, n_C) with ``images``) and Y (n_y, m);
    a 1-D Y of length m becomes (1, m).

    X comes back as float (see :func:`check_X`); Y keeps its numeric dtype. With
    ``binary=True`` every label must be 0 or 1.
    """
    X = check_images(X, "X") if images else check_X(X, "X")
    Y = to_numeric(Y, "Y")
    if Y.ndim == 1:
        Y = Y.reshape(1, -1)
    if Y.ndim != 2:
        raise ShapeError(
            f"Y has {Y.ndim} dimensions with shape {Y.shape}: Y must be (n_y, m), "
            "one label column per example"
        )
    if Y.size == 0:
        raise DataError(f"Y is empty with shape {Y.shape}: Y must be (n_y, m) with n_y, m >= 1")
    m = X.shape[0] if images else X.shape[1]
    if Y.shape[1] != m:
        hint = ""
        if Y.shape[0] == m:
            hint = f" (Y looks like (m, n_y) = {Y.shape}; pass Y.T)"
        where, layout = ("", "(m, n_H, n_W, n_C)") if images else (" (columns)", "(n_x, m)")
        raise ShapeError(
            f"X has {m} examples{where} but Y has {Y.shape[1]}: "
            f"X must be {layout} and Y (n_y, m) with the same m{hint}"
        )
    check_finite(Y, "Y")
    if binary:
        _check_binary(Y, "Y")
    return X, Y
