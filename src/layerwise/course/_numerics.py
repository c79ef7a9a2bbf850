"""What every course module shares: float64 input, silenced warnings, the weight draw.

Private to ``layerwise.course``; every formula is evaluated in the course's order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..activations import sigmoid as _sigmoid_kernel

Array = np.ndarray

#: silence exactly what the course's formulas may legitimately produce (log 0, 0 * inf)
QUIET = {"over": "ignore", "divide": "ignore", "invalid": "ignore", "under": "ignore"}

#: a context manager and decorator applying QUIET
silent = np.errstate(**QUIET)


def as_float(a) -> Array:
    """``a`` as a float64 array (no copy when it already is one)."""
    return np.asarray(a, dtype=np.float64)


@silent
def scalar_sigmoid(z):
    """1 / (1 + e^(-z)): an array of z's shape, or a float64 scalar for a scalar z."""
    z = as_float(z)
    if z.ndim == 0:
        return _sigmoid_kernel(z.reshape(1))[0]
    return _sigmoid_kernel(z)


def draw_weights(layer_dims, scale: Callable[[Array, int], Array]) -> dict[str, Array]:
    """W{l} = scale(randn(n_l, n_{l-1}), n_{l-1}) for l = 1 ... L, in order; b{l} zeros (n_l, 1).

    Draws from the global generator without seeding it: the caller seeds.
    """
    parameters: dict[str, Array] = {}
    for l in range(1, len(layer_dims)):
        W = np.random.randn(layer_dims[l], layer_dims[l - 1])
        parameters[f"W{l}"] = scale(W, layer_dims[l - 1])
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def times_001(W: Array, n_prev: int) -> Array:
    """The course-1 scale rule W * 0.01."""
    return W * 0.01


def over_sqrt_n(W: Array, n_prev: int) -> Array:
    """The scale rule W / sqrt(n_{l-1})."""
    return W / np.sqrt(n_prev)


def gradient_step(parameters: dict, grads: dict, learning_rate: float) -> dict:
    """W{l} <- W{l} - lr dW{l} and b{l} <- b{l} - lr db{l}, l = 1 ... len(parameters) // 2.

    Updates ``parameters`` itself and returns it.
    """
    for l in range(1, len(parameters) // 2 + 1):
        parameters[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        parameters[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return parameters
