"""Batch normalisation of Z over the examples of a mini-batch."""

from __future__ import annotations

import numpy as np

from ..checks import in_range
from ..errors import ShapeError
from .base import Array, Layer, buffer
from .registry import register_layer


@register_layer
class BatchNorm(Layer):
    """Z_norm = (Z - mu) / sqrt(sigma^2 + eps);  Z_tilde = gamma Z_norm + beta.

    Z: (n, m). gamma, beta: (n, 1), learnt. In training mu and sigma^2 are the batch's
    mean and variance over its m columns, and the running estimates are updated as
    running = momentum * running + (1 - momentum) * batch; at inference the running
    estimates are used. Place it after a Dense with activation="linear" and follow it
    with an Activation layer; the Dense bias is then redundant (use_bias=False).
    """

    numbered = False  # gamma[l], beta[l] take the number of the layer before
    regularized = ()

    def __init__(self, momentum: float = 0.9, epsilon: float = 1e-5) -> None:
        super().__init__()
        self.momentum = in_range(momentum, "BatchNorm momentum", 0.0, 1.0)
        self.epsilon = in_range(epsilon, "BatchNorm epsilon", 0.0, low_open=True)
        self._buf: dict[str, Array] = {}
        self._cache: tuple[Array, Array] | None = None

    def build(self, input_shape):
        if len(input_shape) != 1:
            raise ShapeError(
                f"BatchNorm expects inputs (n, m), got examples of shape {input_shape}"
            )
        n = int(input_shape[0])
        self.add_param("gamma", (n, 1))
        self.add_param("beta", (n, 1))
        self.state = {
            "running_mean": np.zeros((n, 1), dtype=self.dtype),
            "running_var": np.ones((n, 1), dtype=self.dtype),
        }
        return input_shape

    def initialize(self, rng):
        """gamma = 1, beta = 0."""
        self.params["gamma"][...] = 1
        self.params["beta"][...] = 0

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        gamma, beta = self.params["gamma"], self.params["beta"]
        if not training:
            inv_std = 1.0 / np.sqrt(self.state["running_var"] + self.epsilon)
            return (A_prev - self.state["running_mean"]) * (gamma * inv_std) + beta
        mu = A_prev.mean(axis=1, keepdims=True)
        Z_norm = buffer(self._buf, "Z_norm", A_prev.shape, self.dtype)
        np.subtract(A_prev, mu, out=Z_norm)
        var = np.mean(Z_norm * Z_norm, axis=1, keepdims=True)
        inv_std = (1.0 / np.sqrt(var + self.epsilon)).astype(self.dtype)
        Z_norm *= inv_std
        out = buffer(self._buf, "out", A_prev.shape, self.dtype)
        np.multiply(Z_norm, gamma, out=out)
        out += beta
        k = self.momentum
        self.state["running_mean"] *= k
        self.state["running_mean"] += (1.0 - k) * mu
        self.state["running_var"] *= k
        self.state["running_var"] += (1.0 - k) * var
        self._cache = (Z_norm, inv_std)
        return out

    def backward(self, dA: Array) -> Array:
        """dgamma = sum dZ_tilde * Z_norm, dbeta = sum dZ_tilde, and
        dZ = (inv_std / m) (m dZ_norm - sum dZ_norm - Z_norm sum(dZ_norm Z_norm))
        with dZ_norm = gamma dZ_tilde (sums over the m columns)."""
        Z_norm, inv_std = self._cache
        m = Z_norm.shape[1]
        np.sum(dA * Z_norm, axis=1, keepdims=True, out=self.grads["gamma"])
        np.sum(dA, axis=1, keepdims=True, out=self.grads["beta"])
        # With dZ_norm = gamma dA: sum dZ_norm = gamma dbeta, sum dZ_norm Z_norm = gamma dgamma
        g = self.params["gamma"]
        scale = g * inv_std
        mean_d = self.grads["beta"] / m
        mean_dz = self.grads["gamma"] / m
        dZ = np.subtract(dA, mean_d, out=dA)
        dZ -= Z_norm * mean_dz
        dZ *= scale
        return dZ

    def config(self) -> dict:
        return {"momentum": self.momentum, "epsilon": self.epsilon}

    def describe(self) -> str:
        return "batch norm"
