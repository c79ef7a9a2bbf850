"""Inverted dropout: keep each unit with probability keep_prob and divide by keep_prob."""

from __future__ import annotations

import numpy as np

from ..checks import probability
from ..errors import ShapeError
from .base import Array, Layer, buffer
from .registry import register_layer


@register_layer
class Dropout(Layer):
    """A = A_prev * D / keep_prob with D[i, j] ~ Bernoulli(keep_prob), in training only.

    Backward applies the same mask: dA_prev = dA * D / keep_prob. At inference the layer
    is the identity. ``frozen = True`` reuses the last mask (for gradient checking).
    """

    def __init__(self, keep_prob: float = 0.5) -> None:
        super().__init__()
        self.keep_prob = probability(keep_prob, "Dropout keep_prob")
        self.frozen = False
        self._buf: dict[str, Array] = {}
        self._D: Array | None = None
        self._rng: np.random.Generator | None = None

    def initialize(self, rng):
        # Dropout draws from its own stream, spawned from the network's generator.
        self._rng = np.random.default_rng(rng.integers(2**63))

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

    def state_dict(self) -> dict[str, object]:
        """The mask generator's state ("rng"), "frozen", and the frozen mask D ("mask")."""
        out: dict[str, object] = {"rng": self._rng.bit_generator.state, "frozen": self.frozen}
        if self.frozen and self._D is not None:
            out["mask"] = self._D.copy()
        return out

    def load_state_dict(self, state) -> None:
        unknown = set(state) - {"rng", "frozen", "mask"}
        if unknown:
            raise ShapeError(f"Dropout has no state {', '.join(sorted(unknown))}")
        if "rng" in state:
            try:
                self._rng.bit_generator.state = state["rng"]
            except (TypeError, ValueError) as exc:
                raise ShapeError(f"Dropout has an unusable generator state ({exc})") from None
        if "frozen" in state:
            self.frozen = bool(state["frozen"])
            self._D = None
        if "mask" in state:
            self._D = np.array(state["mask"], dtype=self.dtype)

    def describe(self) -> str:
        return f"keep_prob={self.keep_prob:g}"
