"""Course 1 week 3: one hidden layer on the planar data (COURSE.md §2.2).

LINEAR -> tanh -> LINEAR -> sigmoid. X is (n_x, m), Y is (n_y, m) = (1, m);
W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1). Float64 throughout; the random
draws come from NumPy's legacy global generator in the course's order.
"""

from __future__ import annotations

import copy

import numpy as np

from ..activations import get_activation
from ..activations import sigmoid as _sigmoid_kernel
from ..activations import tanh as _tanh_kernel
from ..data.planar import make_flower
from ..losses import BinaryCrossEntropy
from ._numerics import as_float, draw_weights, silent, times_001
from ._numerics import scalar_sigmoid as sigmoid

__all__ = [
    "accuracy",
    "backward_propagation",
    "compute_cost",
    "forward_propagation",
    "initialize_parameters",
    "layer_sizes",
    "load_planar_dataset",
    "nn_model",
    "predict",
    "sigmoid",
    "update_parameters",
]

Array = np.ndarray

_bce = BinaryCrossEntropy(eps=0)
_tanh = get_activation("tanh")


def layer_sizes(X: Array, Y: Array) -> tuple[int, int, int]:
    """(n_x, 4, n_y) with n_x = X.shape[0], n_y = Y.shape[0]; the hidden size is fixed at 4."""
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x: int, n_h: int, n_y: int) -> dict:
    """{W1, b1, W2, b2}: W1 = randn(n_h, n_x) 0.01, then W2 = randn(n_y, n_h) 0.01; b zeros.

    Does not seed: the caller does.
    """
    return draw_weights((n_x, n_h, n_y), times_001)


@silent
def forward_propagation(X: Array, parameters: dict) -> tuple[Array, dict]:
    """A2 (1, m) and the cache {Z1, A1 (n_h, m), Z2, A2 (1, m)}.

    Z1 = W1 X + b1, A1 = tanh Z1, Z2 = W2 A1 + b2, A2 = sigma(Z2).
    """
    X = as_float(X)
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = _tanh_kernel(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = _sigmoid_kernel(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


@silent
def compute_cost(A2: Array, Y: Array) -> float:
    """-(1/m) sum[Y log A2 + (1 - Y) log(1 - A2)], m = Y.shape[1], as a Python float.

    A2 may be (1, m) or (m,); Y is (1, m), of any 0/1 dtype including bool.
    """
    # (1, m) each, so the loss's m = Y.shape[1]
    A2, Y = np.broadcast_arrays(as_float(A2), as_float(Y))
    return float(_bce.cost(A2, Y))


@silent
def backward_propagation(parameters: dict, cache: dict, X: Array, Y: Array) -> dict:
    """{dW1, db1, dW2, db2}, shaped like the parameters.

    dZ2 = A2 - Y; dW2 = dZ2 A1^T / m; db2 = (1/m) sum_cols dZ2;
    dZ1 = (W2^T dZ2) * (1 - A1^2) from the cached A1; dW1 = dZ1 X^T / m; db1 likewise.
    """
    X, Y = as_float(X), as_float(Y)
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y
    # The weight gradients divide the product by m rather than scaling by 1/m first: the
    # run is chaotic after ~6000 iterations, and only this rounding reproduces the
    # published 90.75 % (scaling first ends at 90.5 % with the same BLAS).
    dW2 = (dZ2 @ A1.T) / m
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = _tanh.backward(parameters["W2"].T @ dZ2, A1)
    dW1 = (dZ1 @ X.T) / m
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters: dict, grads: dict, learning_rate: float = 1.2) -> dict:
    """A new dict with theta - lr * d(theta) for W1, b1, W2, b2; the inputs are untouched."""
    new = {}
    for key in ("W1", "b1", "W2", "b2"):
        new[key] = copy.deepcopy(parameters[key]) - learning_rate * grads["d" + key]
    return new


def nn_model(
    X: Array, Y: Array, n_h: int, num_iterations: int = 10000, print_cost: bool = False
) -> dict:
    """Seed 3, initialise (n_x, n_h, n_y), then gradient descent at lr 1.2 -> parameters.

    Prints "Cost after iteration i: c" every 1000 iterations when ``print_cost``.
    """
    np.random.seed(3)
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads)
        if print_cost and i % 1000 == 0:
            print(f"Cost after iteration {i}: {cost:f}")
    return parameters


def predict(parameters: dict, X: Array) -> Array:
    """Boolean (1, m): A2 > 0.5."""
    A2, _ = forward_propagation(X, parameters)
    return A2 > 0.5


def accuracy(predictions: Array, Y: Array) -> float:
    """The course's percentage: (Y P^T + (1 - Y)(1 - P)^T) / m * 100."""
    P, Y = as_float(predictions), as_float(Y)
    return float(np.squeeze((Y @ P.T + (1 - Y) @ (1 - P).T) / float(Y.size) * 100))


def load_planar_dataset() -> tuple[Array, Array]:
    """The flower: X (2, 400) float64, Y (1, 400) uint8, from np.random.seed(1)."""
    np.random.seed(1)
    return make_flower(400, 1, rng=np.random)
