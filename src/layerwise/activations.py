"""Activation functions g and their backward rules.

Every activation maps Z (n[l], m) to A (n[l], m), column by column. The backward rule
turns dA into dZ = dA * g'(Z) and is written in terms of A alone (for ReLU and leaky
ReLU, A > 0 exactly where Z > 0), so a layer may compute A in place over Z and keep
only A for backward.

All kernels accept ``out=`` (which may be Z itself) and never warn or produce NaN
for finite Z, in float32 or float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .checks import in_range
from .errors import ConfigError

Array = np.ndarray


# --------------------------------------------------------------------------- forward
def sigmoid(Z: Array, out: Array | None = None) -> Array:
    """sigma(Z) = 1 / (1 + e^(-Z)), computed in exactly that form.

    When e^(-Z) overflows to inf the result is exactly 0, so no NaN is possible;
    the overflow warning is silenced.
    """
    Z = np.asarray(Z)
    if out is None:  # a float array even for integer or 0-d input
        out = np.empty(Z.shape, dtype=np.result_type(Z.dtype, np.float16))
    with np.errstate(over="ignore"):
        np.negative(Z, out=out)
        np.exp(out, out=out)
    out += 1
    return np.divide(1, out, out=out)


def tanh(Z: Array, out: Array | None = None) -> Array:
    """tanh(Z)."""
    return np.tanh(Z, out=out)


def relu(Z: Array, out: Array | None = None) -> Array:
    """max(0, Z)."""
    return np.maximum(Z, 0, out=out)


def leaky_relu(Z: Array, out: Array | None = None, slope: float = 0.01) -> Array:
    """Z where Z > 0, slope * Z elsewhere (0 <= slope <= 1, so it is max(Z, slope Z))."""
    Z = np.asarray(Z)
    return np.maximum(Z, Z * slope, out=out)


def linear(Z: Array, out: Array | None = None) -> Array:
    """The identity g(Z) = Z."""
    if out is None:
        return np.array(Z, copy=True)
    if out is not Z:
        np.copyto(out, Z)
    return out


def softmax(Z: Array, out: Array | None = None) -> Array:
    """Softmax over the class axis (rows): A[i, j] = e^Z[i, j] / sum_k e^Z[k, j].

    The column maximum is subtracted first, so e^ never overflows.
    """
    Z = np.asarray(Z)  # Z.max and .sum as their reductions, without the method wrappers
    out = np.subtract(Z, np.maximum.reduce(Z, axis=0, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= np.add.reduce(out, axis=0, keepdims=True)
    return out


# --------------------------------------------------------------------------- derivatives
# One form of each g', written in A = g(Z); backward is dZ = dA * g'(Z) everywhere.
def sigmoid_derivative(A: Array) -> Array:
    """g'(Z) = A (1 - A) for A = sigma(Z)."""
    return A * (1 - A)


def tanh_derivative(A: Array) -> Array:
    """g'(Z) = 1 - A^2 for A = tanh(Z)."""
    return 1 - A * A


def relu_derivative(A: Array) -> Array:
    """g'(Z) = 1 where Z > 0 (equivalently A > 0), else 0, as a boolean 0/1 mask
    (multiplying by it is ~10x faster than zeroing through a boolean index)."""
    return A > 0


def leaky_relu_derivative(A: Array, slope: float = 0.01) -> Array:
    """g'(Z) = 1 where Z > 0, else slope (for slope >= 0, A > 0 exactly where Z > 0)."""
    return np.where(A > 0, 1, slope).astype(A.dtype)


def linear_derivative(A: Array) -> Array:
    """g'(Z) = 1."""
    return np.ones_like(A)


# --------------------------------------------------------------------------- objects
class ActivationFunction:
    """An activation g with its backward rule dZ = dA * g'(Z), both written in A.

    ``forward(Z, out)`` -> A, (n, m); ``backward(dA, A, out)`` -> dZ, (n, m).
    """

    name: str = ""

    def __init__(
        self,
        name: str,
        forward: Callable[..., Array],
        derivative: Callable[[Array], Array] | None,
    ) -> None:
        self.name = name
        self._forward = forward
        self._derivative = derivative

    def forward(self, Z: Array, out: Array | None = None) -> Array:
        return self._forward(Z, out=out)

    def derivative(self, A: Array) -> Array:
        """g'(Z) as an array, given A = g(Z)."""
        return self._derivative(A)

    def backward(self, dA: Array, A: Array, out: Array | None = None) -> Array:
        """dZ = dA * g'(Z), given A = g(Z)."""
        return np.multiply(dA, self.derivative(A), out=out)

    def config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"ActivationFunction({self.name!r})"


class LeakyReLU(ActivationFunction):
    """max(Z, slope * Z) with a configurable slope (0.01 by default)."""

    def __init__(self, slope: float = 0.01) -> None:
        self.slope = in_range(slope, "leaky_relu slope", 0.0, 1.0)
        super().__init__("leaky_relu", self._fwd, self._der)

    def _fwd(self, Z: Array, out: Array | None = None) -> Array:
        return leaky_relu(Z, out=out, slope=self.slope)

    def _der(self, A: Array) -> Array:
        return leaky_relu_derivative(A, self.slope)

    def config(self) -> dict:
        return {"name": self.name, "slope": self.slope}


class Softmax(ActivationFunction):
    """Softmax over rows. Its Jacobian couples the classes of one example:
    dZ = A * (dA - sum_k dA[k] A[k])."""

    def __init__(self) -> None:
        super().__init__("softmax", softmax, None)

    def derivative(self, A: Array) -> Array:
        raise ConfigError("softmax has a Jacobian, not an elementwise derivative; use backward")

    def backward(self, dA: Array, A: Array, out: Array | None = None) -> Array:
        s = (dA * A).sum(axis=0, keepdims=True)
        out = np.subtract(dA, s, out=out)
        out *= A
        return out


def _factories() -> dict[str, Callable[..., ActivationFunction]]:
    return {
        "sigmoid": lambda: ActivationFunction("sigmoid", sigmoid, sigmoid_derivative),
        "tanh": lambda: ActivationFunction("tanh", tanh, tanh_derivative),
        "relu": lambda: ActivationFunction("relu", relu, relu_derivative),
        "leaky_relu": LeakyReLU,
        "linear": lambda: ActivationFunction("linear", linear, linear_derivative),
        "softmax": Softmax,
    }


ACTIVATIONS = tuple(_factories())


def get_activation(spec: str | dict | ActivationFunction, **kwargs: float) -> ActivationFunction:
    """An ActivationFunction from a name ("relu", ...), a config dict or an ActivationFunction."""
    if isinstance(spec, ActivationFunction):
        return spec
    if isinstance(spec, dict):
        kwargs = {k: v for k, v in spec.items() if k != "name"}
        spec = spec.get("name", "")
    factories = _factories()
    if not isinstance(spec, str) or spec.lower() not in factories:
        raise ConfigError(f"unknown activation {spec!r}; expected one of {', '.join(ACTIVATIONS)}")
    return factories[spec.lower()](**kwargs)
