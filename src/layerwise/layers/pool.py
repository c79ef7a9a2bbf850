"""Max and average pooling (course 4, week 1) over f×f windows with stride s."""

from __future__ import annotations

import numpy as np

from ..checks import positive_int
from ..errors import ConfigError, ShapeError
from ._windows import out_size, scatter_windows, windows
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
        self._arg: Array | None = None
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
        """A_prev (m, n_H_prev, n_W_prev, n_C) -> A (m, n_H, n_W, n_C)."""
        check_images(self, A_prev)
        f, s = self.pool_size, self.stride
        n_H, n_W, _ = self.output_shape
        win = windows(A_prev, f, s, n_H, n_W)  # (m, n_H, n_W, n_C, f, f)
        if self.mode == "average":
            A = win.mean(axis=(4, 5), dtype=A_prev.dtype)
        else:
            flat = win.reshape(*win.shape[:4], f * f)
            arg = flat.argmax(axis=4)
            A = np.take_along_axis(flat, arg[..., None], axis=4)[..., 0]
            if training:
                self._arg = arg
        if training:
            self._shape = A_prev.shape
        return A

    def backward(self, dA: Array) -> Array | None:
        """dA (m, n_H, n_W, n_C) -> dA_prev (m, n_H_prev, n_W_prev, n_C)."""
        if self._shape is None:
            raise RuntimeError("backward called before a training forward pass")
        if not self.need_input_grad:
            return None
        f = self.pool_size
        if self.mode == "average":
            share = dA * (1.0 / (f * f))
            dwin = np.broadcast_to(
                share[:, :, :, None, None, :], (*dA.shape[:3], f, f, dA.shape[3])
            )
        else:
            # one-hot mask of each window's arg-max, laid out (m, n_H, n_W, f, f, n_C)
            k = np.arange(f * f).reshape(f, f, 1)
            dwin = (self._arg[:, :, :, None, None, :] == k) * dA[:, :, :, None, None, :]
        return scatter_windows(dwin.astype(dA.dtype, copy=False), self._shape, self.stride)

    def config(self) -> dict:
        cfg = {"pool_size": self.pool_size, "mode": self.mode}
        if self.stride != self.pool_size:
            cfg["stride"] = self.stride
        return cfg

    def describe(self) -> str:
        return self.mode
