"""Course 1 week 4: the cat classifier (COURSE.md §2.4).

Re-exports ``deep``'s forward, backward, cost and update functions; only the two
initialisers differ. X is (12288, m) pixels in [0, 1], Y is (1, m).
"""

# The course's numbers depend on NumPy's legacy global generator (COURSE.md §1.5).
# ruff: noqa: NPY002

from __future__ import annotations

import numpy as np

from .deep import (
    L_model_backward,
    L_model_forward,
    compute_cost,
    linear_activation_backward,
    linear_activation_forward,
    linear_backward,
    linear_forward,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    update_parameters,
)

__all__ = [
    "L_layer_model",
    "L_model_backward",
    "L_model_forward",
    "accuracy",
    "compute_cost",
    "initialize_parameters",
    "initialize_parameters_deep",
    "linear_activation_backward",
    "linear_activation_forward",
    "linear_backward",
    "linear_forward",
    "load_data",
    "predict",
    "relu",
    "relu_backward",
    "sigmoid",
    "sigmoid_backward",
    "two_layer_model",
    "update_parameters",
]

Array = np.ndarray

_silent = np.errstate(over="ignore", divide="ignore", invalid="ignore")


def _f64(a) -> Array:
    return np.asarray(a, dtype=np.float64)


def initialize_parameters(n_x: int, n_h: int, n_y: int) -> dict:
    """Seed 1, then W1 = randn(n_h, n_x) 0.01 and W2 = randn(n_y, n_h) 0.01; b zeros."""
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def initialize_parameters_deep(layer_dims) -> dict:
    """Seed 1, then W{l} = randn(n_l, n_{l-1}) / sqrt(n_{l-1}) for l = 1 ... L; b zeros."""
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        W = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters[f"W{l}"] = W
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def _record(costs: list, i: int, cost: Array, num_iterations: int, print_cost: bool) -> None:
    if i % 100 == 0:
        costs.append(cost)
    if print_cost and (i % 100 == 0 or i == num_iterations - 1):
        print(f"Cost after iteration {i}: {np.squeeze(cost)}")


@_silent
def two_layer_model(
    X: Array,
    Y: Array,
    layers_dims,
    learning_rate: float = 0.0075,
    num_iterations: int = 3000,
    print_cost: bool = False,
) -> tuple[dict, list]:
    """LINEAR -> RELU -> LINEAR -> SIGMOID, layers_dims = (n_x, n_h, n_y).

    Returns (parameters, costs): the cost (0-d array) at every 100th iteration.
    """
    X, Y = _f64(X), _f64(Y)
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs: list = []
    for i in range(num_iterations):
        W1, b1 = parameters["W1"], parameters["b1"]
        W2, b2 = parameters["W2"], parameters["b2"]
        A1, cache1 = linear_activation_forward(X, W1, b1, "relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        parameters = update_parameters(parameters, grads, learning_rate)
        _record(costs, i, cost, num_iterations, print_cost)
    return parameters, costs


def L_layer_model(
    X: Array,
    Y: Array,
    layers_dims,
    learning_rate: float = 0.0075,
    num_iterations: int = 3000,
    print_cost: bool = False,
) -> tuple[dict, list]:
    """[LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID, layers_dims = [n_x, n_1, ..., n_L].

    Returns (parameters, costs): the cost (0-d array) at every 100th iteration.
    """
    X, Y = _f64(X), _f64(Y)
    np.random.seed(1)
    parameters = initialize_parameters_deep(layers_dims)
    costs: list = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        _record(costs, i, cost, num_iterations, print_cost)
    return parameters, costs


def accuracy(p: Array, y: Array) -> np.float64:
    """The course's fraction: the sum over examples of [p = y] / m."""
    m = p.shape[1]
    return np.sum((p == y) / m)


def predict(X: Array, y: Array, parameters: dict) -> Array:
    """p (1, m) float 0./1., 1 where AL > 0.5; prints "Accuracy: " and the fraction correct."""
    probas, _ = L_model_forward(X, parameters)
    p = (probas > 0.5).astype(np.float64)
    print("Accuracy: " + str(accuracy(p, y)))
    return p


def load_data(folder) -> tuple[Array, Array, Array, Array, Array]:
    """The cat files in ``folder`` -> (train_x_orig, train_y, test_x_orig, test_y, classes)."""
    from ..data.images import load_cat_files

    return load_cat_files(folder)
