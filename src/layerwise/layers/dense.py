"""The fully connected layer: Z = W A_prev + b, A = g(Z)."""

from __future__ import annotations

import numpy as np

from ..activations import ActivationFunction, get_activation
from ..checks import positive_int
from ..errors import ShapeError
from ..initializers import DEFAULT_FOR_ACTIVATION, get_initializer
from .base import Array, Layer, buffer, keep
from .registry import register_layer


@register_layer
class Dense(Layer):
    """g(W A_prev + b). W: (n[l], n[l-1]), b: (n[l], 1); A_prev: (n[l-1], m) -> A: (n[l], m).

    ``init`` is "zeros", "random" (randn x 0.01, or x ``init_scale``), "xavier" or "he";
    by default He for relu/leaky_relu and Xavier otherwise. Backward computes
    dZ = dA * g'(Z), dW = dZ A_prevᵀ, db = sum of dZ over columns, dA_prev = Wᵀ dZ; the
    1/m of the course's formulas is already in dA (the loss puts it there).
    """

    numbered = True

    def __init__(
        self,
        units: int,
        activation: str | dict | ActivationFunction = "relu",
        init: str | None = None,
        *,
        init_scale: float | None = None,
        use_bias: bool = True,
    ) -> None:
        super().__init__()
        self.units = positive_int(units, "Dense units")
        self.activation = get_activation(activation)
        self.init = init or DEFAULT_FOR_ACTIVATION[self.activation.name]
        self.init_scale = init_scale
        self._initializer = get_initializer(self.init, init_scale)
        self.use_bias = bool(use_bias)
        self._buf: dict[str, Array] = {}
        self._A_prev: Array | None = None
        self._A: Array | None = None
        #: set by the model on an output layer: keep Z[L] in ``logits`` for an exact cost
        self.keep_logits = False
        self.logits: Array | None = None

    def build(self, input_shape):
        if len(input_shape) != 1:
            raise ShapeError(
                f"Dense expects inputs (n[l-1], m), got examples of shape {tuple(input_shape)}; "
                "put a Flatten layer before it"
            )
        self.add_param("W", (self.units, input_shape[0]))
        if self.use_bias:
            self.add_param("b", (self.units, 1))
        return (self.units,)

    def initialize(self, rng):
        """W from the initialiser (drawn in float64, then cast); b = 0."""
        self.params["W"][...] = self._initializer(self.units, self.input_shape[0], rng)
        if self.use_bias:
            self.params["b"][...] = 0

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        W = self.params["W"]
        m = A_prev.shape[1]
        # In training the work arrays are reused from batch to batch; at inference
        # a fresh array is returned so callers may keep it.
        Z = buffer(self._buf, "Z", (self.units, m), self.dtype) if training else None
        Z = np.matmul(W, A_prev, out=Z)
        if self.use_bias:
            Z += self.params["b"]
        if self.keep_logits:
            self.logits = keep(self._buf, Z, training)
        A = self.activation.forward(Z, out=Z)
        if training:
            self._A_prev, self._A = A_prev, A
        return A

    def backward(self, dA: Array, *, dZ_given: bool = False) -> Array | None:
        """dA: (n[l], m) -> dA_prev: (n[l-1], m). With ``dZ_given`` the argument is
        already dZ (the fused output gradient) and g' is skipped. dA may be overwritten."""
        if self._A is None:
            raise RuntimeError("backward called before a training forward pass")
        dZ = dA if dZ_given else self.activation.backward(dA, self._A, out=dA)
        np.matmul(dZ, self._A_prev.T, out=self.grads["W"])
        if self.use_bias:
            np.add.reduce(dZ, axis=1, keepdims=True, out=self.grads["b"])  # np.sum, sans wrapper
        if not self.need_input_grad:
            return None
        dA_prev = buffer(self._buf, "dA_prev", self._A_prev.shape, self.dtype)
        return np.matmul(self.params["W"].T, dZ, out=dA_prev)

    def config(self) -> dict:
        cfg = {"units": self.units, "activation": self.activation.config(), "init": self.init}
        if self.init_scale is not None:
            cfg["init_scale"] = self.init_scale
        if not self.use_bias:
            cfg["use_bias"] = False
        return cfg

    def describe(self) -> str:
        return self.activation.name
