"""An activation on its own, A = g(Z): used after BatchNorm (Dense -> BatchNorm -> Activation)."""

from __future__ import annotations

from ..activations import ActivationFunction, get_activation
from .base import Array, Layer, buffer
from .registry import register_layer


@register_layer
class Activation(Layer):
    """A = g(Z), (n, m) -> (n, m); backward dZ = dA * g'(Z)."""

    def __init__(self, activation: str | dict | ActivationFunction = "relu") -> None:
        super().__init__()
        self.activation = get_activation(activation)
        self._buf: dict[str, Array] = {}
        self._A: Array | None = None

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        out = buffer(self._buf, "A", A_prev.shape, A_prev.dtype) if training else None
        A = self.activation.forward(A_prev, out=out)
        if training:
            self._A = A
        return A

    def backward(self, dA: Array) -> Array:
        return self.activation.backward(dA, self._A, out=dA)

    def config(self) -> dict:
        return {"activation": self.activation.config()}

    def describe(self) -> str:
        return self.activation.name
