"""Costs J (averaged over the m examples) and their gradients.

A and Y are (n_y, m). ``gradient`` returns dJ/dA, which already carries the 1/m;
``output_delta`` is the fused dZ[L] = (A - Y) / m, valid when the output activation is
the loss's ``fused_with`` (sigmoid + BCE, softmax + CCE, linear + MSE), which saves the
division by A and the activation's backward pass. ``cost_from_logits`` (BCE, CCE)
computes J from the output layer's Z[L] with log-sum-exp, exact however confident the
prediction; the model uses it whenever the output layer keeps its logits. From A, logs
never see 0: A is clipped to [eps, 1 - eps] with eps the machine epsilon of A's dtype
(pass ``eps=0`` for the plain formula, as the course package does).
"""

from __future__ import annotations

import numpy as np

from .errors import ConfigError

Array = np.ndarray


def _eps(A: Array, eps: float | None) -> float:
    return float(np.finfo(A.dtype).eps) if eps is None else float(eps)


class Loss:
    """A cost J(A, Y) with dJ/dA; ``fused_with`` names the output activation whose
    dZ[L] = (A - Y) / m."""

    name = ""
    fused_with = ""

    def cost(self, A: Array, Y: Array) -> float:
        raise NotImplementedError

    def gradient(self, A: Array, Y: Array) -> Array:
        raise NotImplementedError

    def cost_from_logits(self, Z: Array, Y: Array) -> float:
        """J from the output layer's Z[L] (exact where A saturates); only for the losses
        whose ``fused_with`` is sigmoid or softmax."""
        raise NotImplementedError

    def output_delta(self, A: Array, Y: Array, out: Array | None = None) -> Array:
        """dZ[L] = (A - Y) / m, for the activation named by ``fused_with``."""
        out = np.subtract(A, Y, out=out)
        out *= 1.0 / A.shape[-1]
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class BinaryCrossEntropy(Loss):
    """J = -(1/m) sum[Y log A + (1 - Y) log(1 - A)], Y in {0, 1}, (1, m)."""

    name = "binary_crossentropy"
    fused_with = "sigmoid"

    def __init__(self, eps: float | None = None) -> None:
        self.eps = eps

    def cost(self, A: Array, Y: Array) -> float:
        e = _eps(A, self.eps)
        Ac = np.clip(A, e, 1 - e) if e else A
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.sum(Y * np.log(Ac) + (1 - Y) * np.log(1 - Ac))
        return float(-s / A.shape[-1])

    def cost_from_logits(self, Z: Array, Y: Array) -> float:
        """J = (1/m) sum[max(Z, 0) - Z Y + log(1 + e^(-|Z|))], the same quantity as from
        A = sigma(Z), computed without ever forming log(0)."""
        terms = np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))
        return float(np.sum(terms) / Z.shape[-1])

    def gradient(self, A: Array, Y: Array) -> Array:
        """dJ/dA = -(1/m) (Y / A - (1 - Y) / (1 - A))."""
        e = _eps(A, self.eps)
        Ac = np.clip(A, e, 1 - e) if e else A
        return -(Y / Ac - (1 - Y) / (1 - Ac)) / A.shape[-1]


class CategoricalCrossEntropy(Loss):
    """J = -(1/m) sum_ij Y[i, j] log A[i, j], Y one-hot (C, m)."""

    name = "categorical_crossentropy"
    fused_with = "softmax"

    def __init__(self, eps: float | None = None) -> None:
        self.eps = eps

    def cost(self, A: Array, Y: Array) -> float:
        e = _eps(A, self.eps)
        Ac = np.maximum(A, e) if e else A
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.sum(Y * np.log(Ac))
        return float(-s / A.shape[-1])

    def cost_from_logits(self, Z: Array, Y: Array) -> float:
        """J = -(1/m) sum Y (Z - logsumexp(Z)) over each column's classes: log A without
        forming A (exact for any logits)."""
        # np.max / np.sum as their reductions, without the wrappers' per-call overhead
        top = np.maximum.reduce(Z, axis=0, keepdims=True)
        log_A = Z - (top + np.log(np.add.reduce(np.exp(Z - top), axis=0, keepdims=True)))
        return float(-np.add.reduce(Y * log_A, axis=None) / Z.shape[-1])

    def gradient(self, A: Array, Y: Array) -> Array:
        """dJ/dA = -(1/m) Y / A."""
        e = _eps(A, self.eps)
        Ac = np.maximum(A, e) if e else A
        return -(Y / Ac) / A.shape[-1]


class MeanSquaredError(Loss):
    """J = (1/(2m)) sum (A - Y)^2: half the squared error, averaged over examples,
    as the course's 1/2 (y_hat - y)^2, so that dZ[L] = (A - Y)/m for a linear output."""

    name = "mse"
    fused_with = "linear"

    def cost(self, A: Array, Y: Array) -> float:
        """Summed in float64: a float32 A of 1e20 has a finite cost, but (A - Y)^2 overflows
        float32."""
        d = np.subtract(A, Y, dtype=np.float64)
        return float(np.sum(d * d) / (2 * A.shape[-1]))

    def gradient(self, A: Array, Y: Array) -> Array:
        """dJ/dA = (A - Y) / m."""
        return (A - Y) / A.shape[-1]


LOSSES = {
    "binary_crossentropy": BinaryCrossEntropy,
    "bce": BinaryCrossEntropy,
    "categorical_crossentropy": CategoricalCrossEntropy,
    "cce": CategoricalCrossEntropy,
    "mse": MeanSquaredError,
}

#: The loss chosen when none is given, from the output activation.
DEFAULT_FOR_OUTPUT = {
    "sigmoid": "binary_crossentropy",
    "softmax": "categorical_crossentropy",
    "linear": "mse",
}


def get_loss(spec: str | Loss) -> Loss:
    """A Loss from a name ("bce", "cce", "mse" or the long names) or a Loss."""
    if isinstance(spec, Loss):
        return spec
    if not isinstance(spec, str) or spec.lower() not in LOSSES:
        raise ConfigError(f"unknown loss {spec!r}; expected one of {', '.join(LOSSES)}")
    return LOSSES[spec.lower()]()


def default_loss(output_activation: str) -> Loss:
    """The loss that pairs with the output activation (sigmoid -> BCE, softmax -> CCE,
    linear -> MSE)."""
    if output_activation not in DEFAULT_FOR_OUTPUT:
        raise ConfigError(
            f"no default loss for output activation {output_activation!r}; pass loss= "
            f"(one of {', '.join(LOSSES)})"
        )
    return get_loss(DEFAULT_FOR_OUTPUT[output_activation])
