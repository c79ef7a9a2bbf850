"""Flatten: images (m, n_H, n_W, n_C) to columns (n_H·n_W·n_C, m) for the dense layers."""

from __future__ import annotations

from ..errors import ShapeError
from .base import Array, Layer
from .registry import register_layer


@register_layer
class Flatten(Layer):
    """A_prev (m, n_H, n_W, n_C) -> A (n_H·n_W·n_C, m), one example per column, entries in
    row-major (height, width, channel) order: A = A_prev.reshape(m, -1).T, the course's
    image flattening. Backward reshapes dA back to (m, n_H, n_W, n_C). No parameters."""

    example_axis = 0

    output_axis = -1  # images in, columns out

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise ShapeError(
                f"Flatten expects images (m, n_H, n_W, n_C), got examples of shape "
                f"{tuple(input_shape)}"
            )
        n = 1
        for d in input_shape:
            n *= int(d)
        return (n,)

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        """A_prev (m, n_H, n_W, n_C) -> A (n_H·n_W·n_C, m), a view when possible."""
        return A_prev.reshape(A_prev.shape[0], -1).T

    def backward(self, dA: Array) -> Array | None:
        """dA (n_H·n_W·n_C, m) -> dA_prev (m, n_H, n_W, n_C)."""
        if not self.need_input_grad:
            return None
        return dA.T.reshape(dA.shape[1], *self.input_shape)
