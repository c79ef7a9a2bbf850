"""Course 1 week 2: logistic regression as one neuron (COURSE.md §2.1).

X is (n_x, m), one example per column; Y is (1, m) of 0/1 labels; w is (n_x, 1) and b
a scalar. A = sigma(w^T X + b) is (1, m). Everything is float64 and nothing is random.
"""

from __future__ import annotations

import copy

import numpy as np

from ..data.images import load_cat_files
from ..losses import BinaryCrossEntropy
from ._numerics import as_float, silent
from ._numerics import scalar_sigmoid as sigmoid

__all__ = [
    "initialize_with_zeros",
    "load_dataset",
    "model",
    "optimize",
    "predict",
    "propagate",
    "sigmoid",
]

Array = np.ndarray

_bce = BinaryCrossEntropy(eps=0)


def initialize_with_zeros(dim: int) -> tuple[Array, float]:
    """w = zeros (dim, 1), b = 0.0 (a Python float)."""
    return np.zeros((dim, 1)), 0.0


@silent
def propagate(w: Array, b: float, X: Array, Y: Array) -> tuple[dict, Array]:
    """One forward and backward pass.

    A = sigma(w^T X + b) (1, m); cost = -(1/m) sum[Y log A + (1 - Y) log(1 - A)] as a
    0-d array; grads = {"dw": (1/m) X (A - Y)^T (n_x, 1), "db": (1/m) sum(A - Y) float64}.
    """
    X, Y = as_float(X), as_float(Y)
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = np.squeeze(np.asarray(_bce.cost(A, Y)))
    dZ = A - Y
    dw = (1 / m) * (X @ dZ.T)
    db = (1 / m) * np.sum(dZ)
    return {"dw": dw, "db": db}, cost


def optimize(
    w: Array,
    b: float,
    X: Array,
    Y: Array,
    num_iterations: int = 100,
    learning_rate: float = 0.009,
    print_cost: bool = False,
) -> tuple[dict, dict, list]:
    """Gradient descent: w <- w - lr dw, b <- b - lr db, on copies of w and b.

    Returns ({"w", "b"}, the last iteration's {"dw", "db"}, costs every 100 iterations).
    """
    w = copy.deepcopy(w)
    b = copy.deepcopy(b)
    costs = []
    grads = {}
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
    return {"w": w, "b": b}, grads, costs


def predict(w: Array, b: float, X: Array) -> Array:
    """(1, m) float array: 1.0 where sigma(w^T X + b) > 0.5, else 0.0."""
    X = as_float(X)
    w = np.asarray(w).reshape(X.shape[0], 1)
    A = sigmoid(w.T @ X + b)
    return (A > 0.5).astype(np.float64)


def accuracy(Y_prediction: Array, Y: Array) -> float:
    """The course's percentage: 100 - 100 mean(|Y_prediction - Y|)."""
    return float(100 - np.mean(np.abs(as_float(Y_prediction) - as_float(Y))) * 100)


def model(
    X_train: Array,
    Y_train: Array,
    X_test: Array,
    Y_test: Array,
    num_iterations: int = 2000,
    learning_rate: float = 0.5,
    print_cost: bool = False,
) -> dict:
    """Zeros initialisation, ``optimize``, then ``predict`` on both sets.

    Returns {"costs", "Y_prediction_test", "Y_prediction_train", "w", "b",
    "learning_rate", "num_iterations"}; prints the two accuracies when ``print_cost``.
    """
    w, b = initialize_with_zeros(X_train.shape[0])
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    if print_cost:
        print(f"train accuracy: {accuracy(Y_prediction_train, Y_train)} %")
        print(f"test accuracy: {accuracy(Y_prediction_test, Y_test)} %")
    return {
        "costs": costs,
        "Y_prediction_test": Y_prediction_test,
        "Y_prediction_train": Y_prediction_train,
        "w": w,
        "b": b,
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
    }


def load_dataset(folder) -> tuple[Array, Array, Array, Array, Array]:
    """The cat files in ``folder`` -> (train_x_orig, train_y, test_x_orig, test_y, classes).

    Images are (m, 64, 64, 3) uint8, labels (1, m); see ``layerwise.data.images``.
    """
    return load_cat_files(folder)
