"""Rescale: A = factor · A_prev, e.g. pixels 0 ... 255 (or the digits' 0 ... 16) to [0, 1],
kept inside the model so prediction scales its input the way training did."""

from __future__ import annotations

from ..checks import in_range
from .base import Array, Layer
from .registry import register_layer


@register_layer
class Rescale(Layer):
    """A = factor · A_prev for images (m, n_H, n_W, n_C); dA_prev = factor · dA. No
    parameters. Put it first in a convolutional network."""

    example_axis = 0

    def __init__(self, factor: float = 1 / 255) -> None:
        super().__init__()
        self.factor = in_range(factor, "Rescale factor", 0.0, low_open=True)

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        return A_prev * A_prev.dtype.type(self.factor)

    def backward(self, dA: Array) -> Array | None:
        if not self.need_input_grad:
            return None
        return dA * dA.dtype.type(self.factor)

    def config(self) -> dict:
        return {"factor": self.factor}

    def describe(self) -> str:
        return f"× {self.factor:.4g}"
