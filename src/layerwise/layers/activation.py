"""An activation on its own, A = g(Z): used after BatchNorm (Dense -> BatchNorm -> Activation)."""

from __future__ import annotations

from ..activations import ActivationFunction, get_activation
from .base import Array, Layer, buffer, keep
from .registry import register_layer


@register_layer
class Activation(Layer):
    """A = g(Z), (n, m) -> (n, m); backward dZ = dA * g'(Z).

    As the output layer (after BatchNorm) it keeps Z[L] like Dense, so the cost is exact
    and the fused dZ[L] = (A - Y)/m applies."""

    def __init__(self, activation: str | dict | ActivationFunction = "relu") -> None:
        super().__init__()
        self.activation = get_activation(activation)
        self._buf: dict[str, Array] = {}
        self._A: Array | None = None
        #: set by the model on an output layer: keep Z[L] in ``logits`` for an exact cost
        self.keep_logits = False
        self.logits: Array | None = None

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        if self.keep_logits:
            self.logits = keep(self._buf, A_prev, training)
        out = buffer(self._buf, "A", A_prev.shape, A_prev.dtype) if training else None
        A = self.activation.forward(A_prev, out=out)
        if training:
            self._A = A
        return A

    def backward(self, dA: Array, *, dZ_given: bool = False) -> Array:
        """dA -> dZ = dA * g'(Z); with ``dZ_given`` the argument already is dZ (the fused
        output gradient (A - Y)/m) and is returned as it is."""
        if dZ_given:
            return dA
        return self.activation.backward(dA, self._A, out=dA)

    def config(self) -> dict:
        return {"activation": self.activation.config()}

    def describe(self) -> str:
        return self.activation.name
