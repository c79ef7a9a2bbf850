"""Course 1 week 4: a deep network step by step (COURSE.md §2.3).

[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID. A[l] is (n_l, m), W{l} (n_l, n_{l-1}),
b{l} (n_l, 1). A linear cache is (A_prev, W, b), an activation cache is Z, a layer cache
is (linear_cache, activation_cache). Float64 throughout.
"""

from __future__ import annotations

import copy

import numpy as np

from ..activations import get_activation
from ..activations import relu as _relu_kernel
from ..activations import sigmoid as _sigmoid_kernel
from ..errors import ConfigError
from ..losses import BinaryCrossEntropy
from ._numerics import as_float, draw_weights, gradient_step, silent, times_001

__all__ = [
    "L_model_backward",
    "L_model_forward",
    "compute_cost",
    "initialize_parameters",
    "initialize_parameters_deep",
    "linear_activation_backward",
    "linear_activation_forward",
    "linear_backward",
    "linear_forward",
    "relu",
    "relu_backward",
    "sigmoid",
    "sigmoid_backward",
    "update_parameters",
]

Array = np.ndarray

_bce = BinaryCrossEntropy(eps=0)
_sigmoid_g = get_activation("sigmoid")
_relu_g = get_activation("relu")
_ACTIVATIONS = ("sigmoid", "relu")


def _check_activation(activation: str) -> None:
    if activation not in _ACTIVATIONS:
        raise ConfigError(f"unknown activation {activation!r}; expected 'sigmoid' or 'relu'")


def initialize_parameters(n_x: int, n_h: int, n_y: int) -> dict:
    """Seed 1, then W1 = randn(n_h, n_x) 0.01 and W2 = randn(n_y, n_h) 0.01; b zeros."""
    np.random.seed(1)
    return draw_weights((n_x, n_h, n_y), times_001)


def initialize_parameters_deep(layer_dims) -> dict:
    """Seed 3, then W{l} = randn(n_l, n_{l-1}) 0.01 for l = 1 ... L; b{l} zeros (n_l, 1)."""
    np.random.seed(3)
    return draw_weights(layer_dims, times_001)


def linear_forward(A: Array, W: Array, b: Array) -> tuple[Array, tuple]:
    """Z = W A + b (n_l, m), and the linear cache (A, W, b)."""
    Z = W @ A + b
    return Z, (A, W, b)


@silent
def sigmoid(Z: Array) -> tuple[Array, Array]:
    """(sigma(Z), Z): the activation and its cache."""
    return _sigmoid_kernel(as_float(Z)), Z


def relu(Z: Array) -> tuple[Array, Array]:
    """(max(0, Z), Z): the activation and its cache."""
    return _relu_kernel(Z), Z


@silent
def sigmoid_backward(dA: Array, cache: Array) -> Array:
    """dZ = dA s (1 - s), s = sigma(Z), Z the cache."""
    s = _sigmoid_kernel(as_float(cache))
    return _sigmoid_g.backward(dA, s)


def relu_backward(dA: Array, cache: Array) -> Array:
    """dZ: a copy of dA with the entries where Z <= 0 set to 0."""
    # The relu rule zeroes where its A <= 0, and A = max(0, Z) <= 0 exactly where Z <= 0.
    return _relu_g.backward(dA, cache)


def linear_activation_forward(
    A_prev: Array, W: Array, b: Array, activation: str
) -> tuple[Array, tuple]:
    """A = g(W A_prev + b) for activation "sigmoid" or "relu", and (linear_cache, Z)."""
    _check_activation(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z) if activation == "sigmoid" else relu(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X: Array, parameters: dict) -> tuple[Array, list]:
    """AL (1, m) and the list of L layer caches: RELU for layers 1 ... L-1, SIGMOID for L."""
    A = as_float(X)
    L = len(parameters) // 2
    caches = []
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    caches.append(cache)
    return AL, caches


@silent
def compute_cost(AL: Array, Y: Array) -> Array:
    """-(1/m) sum[Y log AL + (1 - Y) log(1 - AL)], m = Y.shape[1], squeezed to a 0-d array."""
    AL, Y = as_float(AL), as_float(Y)
    AL, Y = np.broadcast_arrays(AL, Y)
    return np.squeeze(np.asarray(_bce.cost(AL, Y)))


def linear_backward(dZ: Array, cache: tuple) -> tuple[Array, Array, Array]:
    """(dA_prev, dW, db): dW = (1/m) dZ A_prev^T, db = (1/m) sum_cols dZ, dA_prev = W^T dZ."""
    A_prev, W, _ = cache
    m = A_prev.shape[1]
    dW = (1 / m) * (dZ @ A_prev.T)
    db = (1 / m) * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def linear_activation_backward(
    dA: Array, cache: tuple, activation: str
) -> tuple[Array, Array, Array]:
    """(dA_prev, dW, db): the activation's backward step, then ``linear_backward``."""
    _check_activation(activation)
    linear_cache, activation_cache = cache
    if activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    else:
        dZ = relu_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


@silent
def L_model_backward(AL: Array, Y: Array, caches: list) -> dict:
    """Gradients {dA0 ... dA{L-1}, dW1 ... dWL, db1 ... dbL}, from dAL = -(Y/AL - (1-Y)/(1-AL))."""
    grads = {}
    L = len(caches)
    Y = as_float(Y).reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA_prev, dW, db = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = dA_prev, dW, db
    for l in reversed(range(L - 1)):
        dA_prev, dW, db = linear_activation_backward(grads[f"dA{l + 1}"], caches[l], "relu")
        grads[f"dA{l}"], grads[f"dW{l + 1}"], grads[f"db{l + 1}"] = dA_prev, dW, db
    return grads


def update_parameters(params: dict, grads: dict, learning_rate: float) -> dict:
    """A deep copy with W{l} - lr dW{l} and b{l} - lr db{l}; ``params`` is untouched."""
    return gradient_step(copy.deepcopy(params), grads, learning_rate)
