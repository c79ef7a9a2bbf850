"""Inverted dropout: keep each unit with probability keep_prob and divide by keep_prob."""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from .base import Array, Layer, buffer


class Dropout(Layer):
    """A = A_prev * D / keep_prob with D[i, j] ~ Bernoulli(keep_prob), in training only.

    Backward applies the same mask: dA_prev = dA * D / keep_prob. At inference the layer
    is the identity. ``frozen = True`` reuses the last mask (for gradient checking).
    """

    kind = "dropout"

    def __init__(self, keep_prob: float = 0.5) -> None:
        super().__init__()
        keep_prob = float(keep_prob)
        if not 0.0 < keep_prob <= 1.0:
            raise ConfigError(f"Dropout keep_prob must be in (0, 1], got {keep_prob}")
        self.keep_prob = keep_prob
        self.frozen = False
        self._buf: dict[str, Array] = {}
        self._D: Array | None = None
        self._rng: np.random.Generator | None = None

    def build(self, input_shape, rng, dtype):
        # Dropout draws from its own stream, spawned from the network's generator.
        self._rng = np.random.default_rng(rng.integers(2**63))
        return super().build(input_shape, rng, dtype)

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        if not training or self.keep_prob == 1.0:
            if not self.frozen:
                self._D = None
            return A_prev
        if not (self.frozen and self._D is not None and self._D.shape == A_prev.shape):
            u = buffer(self._buf, "u", A_prev.shape, np.dtype(np.float32))
            self._rng.random(out=u, dtype=np.float32)
            D = buffer(self._buf, "D", A_prev.shape, self.dtype)
            # D = [u < keep_prob] / keep_prob, the scaled mask used forward and backward
            np.less(u, self.keep_prob, out=D, casting="unsafe")
            D *= 1.0 / self.keep_prob
            self._D = D
        out = buffer(self._buf, "A", A_prev.shape, self.dtype)
        return np.multiply(A_prev, self._D, out=out)

    def backward(self, dA: Array) -> Array:
        if self._D is None:
            return dA
        return np.multiply(dA, self._D, out=dA)

    def config(self) -> dict:
        return {"keep_prob": self.keep_prob}

    def describe(self) -> str:
        return f"keep_prob={self.keep_prob:g}"
