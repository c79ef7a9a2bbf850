"""Course 4 week 1: convolutional networks step by step (COURSE.md §2.9).

Images are (m, n_H, n_W, n_C), one example per *first* axis, as the course writes them;
filters W are (f, f, n_C_prev, n_C) and biases b are (1, 1, 1, n_C). Output sizes are
n_H = ⌊(n_H_prev + 2·pad − f)/stride⌋ + 1 for a convolution and ⌊(n_H_prev − f)/stride⌋ + 1
for pooling (no padding); likewise n_W.

This is the readable reference: every function loops over examples i, rows h, columns w
and channels c exactly as the assignment does, one window at a time. The engine's
``layerwise.Conv2D`` and ``layerwise.Pool2D`` compute the same numbers vectorised (im2col,
one matrix product). No function here draws random numbers. Float64 throughout.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError, ShapeError
from ._numerics import as_float

__all__ = [
    "conv_backward",
    "conv_forward",
    "conv_single_step",
    "create_mask_from_window",
    "distribute_value",
    "pool_backward",
    "pool_forward",
    "zero_pad",
]

Array = np.ndarray

_MODES = ("max", "average")


def _check_mode(mode: str) -> None:
    if mode not in _MODES:
        raise ConfigError(f"unknown pooling mode {mode!r}; expected 'max' or 'average'")


def _hparameter(hparameters: dict, key: str, smallest: int) -> int:
    """hparameters[key] as an int >= smallest, or a ConfigError naming the key."""
    if key not in hparameters:
        raise ConfigError(f"hparameters needs {key!r}, got keys {sorted(hparameters)}")
    value = hparameters[key]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < smallest:
        raise ConfigError(f'hparameters["{key}"] must be an integer >= {smallest}, got {value!r}')
    return int(value)


def _check_images(A: Array, name: str) -> None:
    if A.ndim != 4:
        raise ShapeError(f"{name} must be images (m, n_H, n_W, n_C), got shape {A.shape}")


def zero_pad(X: Array, pad: int) -> Array:
    """X (m, n_H, n_W, n_C) with ``pad`` zeros around each image, on height and width only:
    (m, n_H + 2·pad, n_W + 2·pad, n_C)."""
    X = as_float(X)
    _check_images(X, "X")
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=0)


def conv_single_step(a_slice_prev: Array, W: Array, b: Array) -> np.float64:
    """Σ(a_slice_prev ∗ W) + b for one (f, f, n_C_prev) window and one filter W
    (f, f, n_C_prev), b (1, 1, 1): a NumPy float64 scalar, not an array."""
    s = np.multiply(as_float(a_slice_prev), as_float(W))
    Z = np.sum(s)
    # the course casts b to a float so that Z stays a scalar
    return Z + as_float(b).item()


def conv_forward(A_prev: Array, W: Array, b: Array, hparameters: dict) -> tuple[Array, tuple]:
    """Z (m, n_H, n_W, n_C) = the convolution of A_prev (m, n_H_prev, n_W_prev, n_C_prev)
    with the n_C filters W (f, f, n_C_prev, n_C) plus b (1, 1, 1, n_C), with
    ``hparameters = {"stride": s, "pad": p}``; and the cache (A_prev, W, b, hparameters).

    Window (h, w) of example i starts at row h·s and column w·s of the padded input.
    """
    A_prev, W, b = as_float(A_prev), as_float(W), as_float(b)
    _check_images(A_prev, "A_prev")
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    if W.ndim != 4 or W.shape[0] != W.shape[1] or W.shape[2] != n_C_prev:
        raise ShapeError(
            f"W must be (f, f, n_C_prev, n_C) with n_C_prev = {n_C_prev}, got shape {W.shape}"
        )
    (f, f, n_C_prev, n_C) = W.shape
    if b.shape != (1, 1, 1, n_C):
        raise ShapeError(f"b must be (1, 1, 1, n_C) = (1, 1, 1, {n_C}), got shape {b.shape}")
    stride = _hparameter(hparameters, "stride", 1)
    pad = _hparameter(hparameters, "pad", 0)
    if f > n_H_prev + 2 * pad or f > n_W_prev + 2 * pad:
        raise ShapeError(
            f"the filter f = {f} is bigger than the padded input "
            f"({n_H_prev + 2 * pad}, {n_W_prev + 2 * pad}) (n_H_prev + 2·pad, n_W_prev + 2·pad)"
        )

    n_H = (n_H_prev + 2 * pad - f) // stride + 1
    n_W = (n_W_prev + 2 * pad - f) // stride + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        for h in range(n_H):
            vert_start = stride * h
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = stride * w
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_slice_prev = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    weights = W[:, :, :, c]
                    biases = b[:, :, :, c]
                    Z[i, h, w, c] = conv_single_step(a_slice_prev, weights, biases)

    cache = (A_prev, W, b, hparameters)
    return Z, cache


def conv_backward(dZ: Array, cache: tuple) -> tuple[Array, Array, Array]:
    """(dA_prev, dW, db) for dZ (m, n_H, n_W, n_C) and conv_forward's cache, shaped like
    A_prev, W and b: dA_prev accumulates W·dZ over every window (the padding is then cut
    away), dW accumulates the window times dZ, db sums dZ over examples and positions.
    No 1/m: dZ already carries it, as in the course."""
    (A_prev, W, b, hparameters) = cache
    dZ = as_float(dZ)
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = _hparameter(hparameters, "stride", 1)
    pad = _hparameter(hparameters, "pad", 0)
    n_H = (n_H_prev + 2 * pad - f) // stride + 1
    n_W = (n_W_prev + 2 * pad - f) // stride + 1
    if dZ.shape != (m, n_H, n_W, n_C):
        raise ShapeError(f"dZ must be (m, n_H, n_W, n_C) = {(m, n_H, n_W, n_C)}, got {dZ.shape}")

    dA_prev = np.zeros((m, n_H_prev, n_W_prev, n_C_prev))
    dW = np.zeros((f, f, n_C_prev, n_C))
    db = np.zeros((1, 1, 1, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        da_prev_pad = dA_prev_pad[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = stride * h
                    vert_end = vert_start + f
                    horiz_start = stride * w
                    horiz_end = horiz_start + f
                    a_slice = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    da_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :] += (
                        W[:, :, :, c] * dZ[i, h, w, c]
                    )
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
        # The course slices [pad:-pad], which is empty for pad = 0; this cut works for any pad.
        dA_prev[i, :, :, :] = da_prev_pad[pad : pad + n_H_prev, pad : pad + n_W_prev, :]

    return dA_prev, dW, db


def pool_forward(A_prev: Array, hparameters: dict, mode: str = "max") -> tuple[Array, tuple]:
    """A (m, n_H, n_W, n_C): each f×f window of A_prev (m, n_H_prev, n_W_prev, n_C) reduced
    by its maximum (``mode="max"``) or its mean (``"average"``), with
    ``hparameters = {"stride": s, "f": f}``; and the cache (A_prev, hparameters)."""
    _check_mode(mode)
    A_prev = as_float(A_prev)
    _check_images(A_prev, "A_prev")
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    f = _hparameter(hparameters, "f", 1)
    stride = _hparameter(hparameters, "stride", 1)
    if f > n_H_prev or f > n_W_prev:
        raise ShapeError(
            f"the window f = {f} is bigger than the input (n_H_prev, n_W_prev) = "
            f"({n_H_prev}, {n_W_prev})"
        )

    n_H = 1 + (n_H_prev - f) // stride
    n_W = 1 + (n_W_prev - f) // stride
    n_C = n_C_prev
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            vert_start = stride * h
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = stride * w
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]
                    if mode == "max":
                        A[i, h, w, c] = np.max(a_prev_slice)
                    else:
                        A[i, h, w, c] = np.mean(a_prev_slice)

    cache = (A_prev, hparameters)
    return A, cache


def create_mask_from_window(x: Array) -> Array:
    """The boolean array x == max(x): True at the window's maximum (at every one of
    tied maxima)."""
    mask = x == np.max(x)
    return mask


def distribute_value(dz: float, shape: tuple[int, int]) -> Array:
    """An array of ``shape`` (n_H, n_W) holding dz/(n_H·n_W) everywhere."""
    (n_H, n_W) = shape
    average = dz / (n_H * n_W)
    a = np.ones(shape) * average
    return a


def pool_backward(dA: Array, cache: tuple, mode: str = "max") -> Array:
    """dA_prev, shaped like A_prev, for dA (m, n_H, n_W, n_C) and pool_forward's cache:
    max mode routes each dA entry through the mask of its window (to every tied maximum),
    average mode spreads it evenly over the window; overlapping windows add up."""
    _check_mode(mode)
    (A_prev, hparameters) = cache
    dA = as_float(dA)
    stride = _hparameter(hparameters, "stride", 1)
    f = _hparameter(hparameters, "f", 1)
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    n_H, n_W = 1 + (n_H_prev - f) // stride, 1 + (n_W_prev - f) // stride
    if dA.shape != (m, n_H, n_W, n_C_prev):
        raise ShapeError(
            f"dA must be (m, n_H, n_W, n_C) = {(m, n_H, n_W, n_C_prev)}, got {dA.shape}"
        )
    m, n_H, n_W, n_C = dA.shape

    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        a_prev = A_prev[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = h * stride
                    vert_end = vert_start + f
                    horiz_start = w * stride
                    horiz_end = horiz_start + f
                    if mode == "max":
                        a_prev_slice = a_prev[vert_start:vert_end, horiz_start:horiz_end, c]
                        mask = create_mask_from_window(a_prev_slice)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += (
                            mask * dA[i, h, w, c]
                        )
                    else:
                        da = dA[i, h, w, c]
                        shape = (f, f)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += (
                            distribute_value(da, shape)
                        )

    return dA_prev
