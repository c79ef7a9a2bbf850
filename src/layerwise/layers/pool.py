"""Max and average pooling (course 4, week 1) over f×f windows with stride s."""

from __future__ import annotations

import numpy as np

from .. import kernel_dispatch
from ..checks import positive_int
from ..errors import ConfigError, ShapeError
from ._windows import gather_windows, out_size, scatter_windows, workspace
from .base import Array, Layer, check_images
from .registry import register_layer

MODES = ("max", "average")


@register_layer
class Pool2D(Layer):
    """A_prev (m, n_H_prev, n_W_prev, n_C) -> A (m, n_H, n_W, n_C), each channel pooled
    over f×f windows: n_H = ⌊(n_H_prev − f) / s⌋ + 1 (no padding, as the course).

    ``mode`` "max" takes each window's largest value and backward routes dA to that one
    position (the first of ties); "average" takes the mean and spreads dA evenly, dA/f².
    ``stride`` defaults to ``pool_size``. No parameters.
    """

    example_axis = 0

    def __init__(self, pool_size: int = 2, stride: int | None = None, mode: str = "max") -> None:
        super().__init__()
        self.pool_size = positive_int(pool_size, "Pool2D pool_size")
        self.stride = self.pool_size if stride is None else positive_int(stride, "Pool2D stride")
        if mode not in MODES:
            raise ConfigError(f"Pool2D mode must be 'max' or 'average', got {mode!r}")
        self.mode = mode
        self._buf: dict[str, Array] = {}  # work arrays kept between batches
        self._win: Array | None = None  # the gathered windows of the last training pass
        self._X: Array | None = None  # its input, when the compiled kernels ran instead
        self._A: Array | None = None
        self._shape: tuple[int, ...] | None = None

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ShapeError(
                "Pool2D expects images (m, n_H_prev, n_W_prev, n_C), got examples of "
                f"shape {tuple(input_shape)}"
            )
        n_H_prev, n_W_prev, n_C = input_shape
        f, s = self.pool_size, self.stride
        if f > n_H_prev or f > n_W_prev:
            raise ShapeError(
                f"Pool2D window f = {f} is bigger than the input (n_H_prev, n_W_prev) = "
                f"({n_H_prev}, {n_W_prev})"
            )
        return (out_size(n_H_prev, f, s), out_size(n_W_prev, f, s), n_C)

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        """A_prev (m, n_H_prev, n_W_prev, n_C) -> A (m, n_H, n_W, n_C).

        The windows are first gathered into (f, f, m, n_H, n_W, n_C) (one copy), so the
        maximum or mean over a window is f·f − 1 whole-array passes. In training the
        gathered windows are kept for backward and A is a work array overwritten by the
        next training pass; at inference A is a new array."""
        check_images(self, A_prev)
        f, s = self.pool_size, self.stride
        m = A_prev.shape[0]
        n_H, n_W, n_C = self.output_shape
        shape, dt = (m, n_H, n_W, n_C), A_prev.dtype
        kernels = kernel_dispatch.image_kernels()
        if kernels is not None:  # compiled: one visit of each window, no gathered copy
            X = np.ascontiguousarray(A_prev)
            A = workspace(self._buf, "A", shape, dt) if training else np.empty(shape, dt)
            kernel_dispatch.run_images(kernels.pool_forward, m, X, f, s, self.mode == "average", A)
            if training:
                self._win, self._X, self._A, self._shape = None, X, A, A_prev.shape
            return A
        wshape = (f * f, m, n_H, n_W, n_C)
        win = workspace(self._buf, "win", wshape, dt) if training else np.empty(wshape, dt)
        gather_windows(A_prev, f, s, n_H, n_W, win.reshape(f, f, *shape))
        A = workspace(self._buf, "A", shape, dt) if training else np.empty(shape, dt)
        if self.mode == "average":
            np.add.reduce(win, axis=0, out=A)
            np.divide(A, f * f, out=A)
        elif f == 1:
            np.copyto(A, win[0])
        else:
            np.maximum(win[0], win[1], out=A)
            for k in range(2, f * f):
                np.maximum(A, win[k], out=A)
        if training:
            self._win, self._X, self._A, self._shape = win, None, A, A_prev.shape
        return A

    def backward(self, dA: Array) -> Array | None:
        """dA (m, n_H, n_W, n_C) -> dA_prev (m, n_H_prev, n_W_prev, n_C), a work array
        overwritten by the next backward pass; dA is left as it is. Max: each window's dA
        goes to the first position (row-major) holding its maximum: position by position,
        what the window has left is handed to a position equal to the maximum (and is then
        zero); the last position gets whatever is left. Average: dA/f² to every position."""
        if self._shape is None:
            raise RuntimeError("backward called before a training forward pass")
        if not self.need_input_grad:
            return None
        f, s = self.pool_size, self.stride
        shape = self._A.shape
        if self._X is not None:  # the compiled forward ran: its backward, from the input
            dX = workspace(self._buf, "dA_prev", self._shape, self._A.dtype)
            dA = np.ascontiguousarray(dA, dtype=self._A.dtype)
            kernels, average = kernel_dispatch.image_kernels(), self.mode == "average"
            args = (self._X, self._A, dA, f, s, average, dX)
            kernel_dispatch.run_images(kernels.pool_backward, shape[0], *args)
            return dX
        if self.mode == "average":
            share = dA * (1.0 / (f * f))
            dwin = np.broadcast_to(share, (f, f, *shape))
        else:
            win, A, dt, last = self._win, self._A, self._A.dtype, f * f - 1
            dwin = workspace(self._buf, "dwin", (f * f, *shape), dt)
            rest = workspace(self._buf, "rest", shape, dt)
            hit = workspace(self._buf, "hit", shape, np.dtype(bool))
            left = dA  # what the window still has to hand out
            for k in range(last):
                np.equal(win[k], A, out=hit)
                np.multiply(left, hit, out=dwin[k])
                left = np.subtract(left, dwin[k], out=dwin[last] if k == last - 1 else rest)
            if last == 0:
                np.copyto(dwin[0], dA)
            dwin = dwin.reshape(f, f, *shape)
        out = workspace(self._buf, "dA_prev", self._shape, dwin.dtype)
        return scatter_windows(dwin, out, s)

    def config(self) -> dict:
        cfg = {"pool_size": self.pool_size, "mode": self.mode}
        if self.stride != self.pool_size:
            cfg["stride"] = self.stride
        return cfg

    def describe(self) -> str:
        return self.mode
