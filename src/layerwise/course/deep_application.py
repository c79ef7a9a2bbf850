"""Course 1 week 4: the cat classifier (COURSE.md §2.4).

Re-exports ``deep``'s forward, backward, cost and update functions and its
``initialize_parameters``; only ``initialize_parameters_deep`` differs. X is (12288, m)
pixels in [0, 1], Y is (1, m).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..data.images import load_cat_files
from ._numerics import as_float, draw_weights, over_sqrt_n, silent
from .deep import (
    L_model_backward,
    L_model_forward,
    compute_cost,
    initialize_parameters,
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


def initialize_parameters_deep(layer_dims) -> dict:
    """Seed 1, then W{l} = randn(n_l, n_{l-1}) / sqrt(n_{l-1}) for l = 1 ... L; b zeros."""
    np.random.seed(1)
    return draw_weights(layer_dims, over_sqrt_n)


@silent
def _train(X, Y, initialize, step, learning_rate, num_iterations, print_cost):
    """Seed 1, ``initialize()``, then gradient descent: ``step(X, Y, parameters) -> (cost,
    grads)`` each iteration, then ``update_parameters``. Returns (parameters, costs): the
    cost (0-d array) at every 100th iteration, printed (and the last) when ``print_cost``."""
    X, Y = as_float(X), as_float(Y)
    np.random.seed(1)
    parameters = initialize()
    costs: list = []
    for i in range(num_iterations):
        cost, grads = step(X, Y, parameters)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
        if print_cost and (i % 100 == 0 or i == num_iterations - 1):
            print(f"Cost after iteration {i}: {np.squeeze(cost)}")
    return parameters, costs


def _two_layer_step(X: Array, Y: Array, parameters: dict) -> tuple[Array, dict]:
    """The cost and {dW1, db1, dW2, db2} of LINEAR -> RELU -> LINEAR -> SIGMOID."""
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    A1, cache1 = linear_activation_forward(X, W1, b1, "relu")
    A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
    cost = compute_cost(A2, Y)
    dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
    dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
    _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
    return cost, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def _L_layer_step(X: Array, Y: Array, parameters: dict) -> tuple[Array, dict]:
    """The cost and gradients of [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID."""
    AL, caches = L_model_forward(X, parameters)
    cost = compute_cost(AL, Y)
    return cost, L_model_backward(AL, Y, caches)


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
    n_x, n_h, n_y = layers_dims
    initialize = partial(initialize_parameters, n_x, n_h, n_y)
    return _train(X, Y, initialize, _two_layer_step, learning_rate, num_iterations, print_cost)


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
    initialize = partial(initialize_parameters_deep, layers_dims)
    return _train(X, Y, initialize, _L_layer_step, learning_rate, num_iterations, print_cost)


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
    return load_cat_files(folder)
