"""Sliding f×f windows over images (m, n_H, n_W, n_C), shared by Conv2D and Pool2D."""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def out_size(n_prev: int, f: int, s: int, p: int = 0) -> int:
    """n = ⌊(n_prev + 2p − f) / s⌋ + 1."""
    return (n_prev + 2 * p - f) // s + 1


def zero_pad(X: Array, pad: int) -> Array:
    """X (m, n_H, n_W, n_C) with ``pad`` zeros around height and width, as the course's."""
    if pad == 0:
        return X
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def windows(A: Array, f: int, s: int, n_H: int, n_W: int) -> Array:
    """Strided view (m, n_H, n_W, n_C, f, f) of the f×f windows of A (m, H, W, n_C)."""
    view = np.lib.stride_tricks.sliding_window_view(A, (f, f), axis=(1, 2))
    return view[:, : (n_H - 1) * s + 1 : s, : (n_W - 1) * s + 1 : s]


def scatter_windows(dwin: Array, shape: tuple[int, ...], s: int) -> Array:
    """Sum window gradients dwin (m, n_H, n_W, f, f, n_C) back into an array of ``shape``
    (m, H, W, n_C): the adjoint of ``windows``. One strided add per kernel position."""
    _, n_H, n_W, f, _, _ = dwin.shape
    out = np.zeros(shape, dtype=dwin.dtype)
    for i in range(f):
        for j in range(f):
            out[:, i : i + (n_H - 1) * s + 1 : s, j : j + (n_W - 1) * s + 1 : s] += dwin[
                :, :, :, i, j
            ]
    return out
