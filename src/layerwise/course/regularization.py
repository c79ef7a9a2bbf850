"""Course 2, week 1: L2 regularisation and dropout on the football data.

``model`` fits layers [n_x, 20, 3, 1] to X (n_x, m) and Y (1, m), penalising W (L2) or
dropping hidden units (dropout). Gradient keys are upper case: dZ3, dW3, ... (COURSE.md §2.6).
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import ConfigError, DataError, ShapeError
from . import _three_layer as _net
from ._numerics import gradient_step as update_parameters
from ._numerics import over_sqrt_n
from ._three_layer import forward as forward_propagation
from ._three_layer import predict, predict_dec, relu, sigmoid

Array = np.ndarray

__all__ = [
    "compute_cost_with_regularization",
    "backward_propagation_with_regularization",
    "forward_propagation_with_dropout",
    "backward_propagation_with_dropout",
    "model",
    "initialize_parameters",
    "forward_propagation",
    "compute_cost",
    "backward_propagation",
    "update_parameters",
    "predict",
    "predict_dec",
    "load_2D_dataset",
    "sigmoid",
    "relu",
]


# --------------------------------------------------------------------------- helpers
def initialize_parameters(layer_dims: list[int]) -> dict[str, Array]:
    """np.random.seed(3); W{l} = randn(n_l, n_{l-1}) / sqrt(n_{l-1}); b{l} zeros (n_l, 1)."""
    return _net.initialize(layer_dims, over_sqrt_n)


def compute_cost(a3: Array, Y: Array) -> np.float64:
    """(1/m) * nansum(-log(a3) Y - log(1 - a3)(1 - Y)); a float64 scalar."""
    return _net.nan_mean_cost(a3, Y)


def backward_propagation(X: Array, Y: Array, cache: tuple) -> dict[str, Array]:
    """dZ3 = A3 - Y, dW = (1/m) dZ A_prevᵀ, db = (1/m) Σ dZ, dA2 = W3ᵀ dZ3, dZ2 = dA2 [A2 > 0], ...

    Keys: dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1.
    """
    return _net.backward(X, Y, _plain_cache(cache), m_in_dz3=False)


def load_2D_dataset(path: str | os.PathLike) -> tuple[Array, Array, Array, Array]:
    """The football data from ``data.mat``: (train_X (2, 211), train_Y (1, 211),
    test_X (2, 200), test_Y (1, 200)), the transposes of X, y, Xval and yval.

    Needs SciPy's MAT-file reader (``pip install 'layerwise[sklearn]'``).
    """
    try:
        import scipy.io  # noqa: PLC0415 - optional sklearn extra (scipy)
    except ImportError:
        raise DataError("reading data.mat needs SciPy: pip install 'layerwise[sklearn]'") from None
    if not os.path.isfile(path):
        raise DataError(f"cannot find the football data {os.fspath(path)!r}")
    try:
        data = scipy.io.loadmat(path)
    except Exception as exc:  # scipy raises several kinds for a bad file
        raise DataError(f"cannot read {os.fspath(path)!r} as a MAT file: {exc}") from None
    missing = [k for k in ("X", "y", "Xval", "yval") if k not in data]
    if missing:
        raise DataError(f"{os.fspath(path)!r} lacks the keys {missing} of the football data")
    train_X = data["X"].T
    train_Y = data["y"].T
    test_X = data["Xval"].T
    test_Y = data["yval"].T
    return train_X, train_Y, test_X, test_Y


def _plain_cache(cache: tuple) -> tuple:
    if len(cache) != 12:
        raise ShapeError(f"expected the 12-tuple cache, got {len(cache)} entries")
    return cache


# --------------------------------------------------------------------------- graded
def compute_cost_with_regularization(
    A3: Array, Y: Array, parameters: dict, lambd: float
) -> np.float64:
    """compute_cost(A3, Y) + (lambd / (2m)) (ΣW1² + ΣW2² + ΣW3²); m = Y.shape[1]."""
    m = np.shape(Y)[1]
    W1 = np.asarray(parameters["W1"], dtype=np.float64)
    W2 = np.asarray(parameters["W2"], dtype=np.float64)
    W3 = np.asarray(parameters["W3"], dtype=np.float64)
    cross_entropy_cost = compute_cost(A3, Y)
    L2_regularization_cost = (
        lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    )
    return np.float64(cross_entropy_cost + L2_regularization_cost)


def backward_propagation_with_regularization(
    X: Array, Y: Array, cache: tuple, lambd: float
) -> dict[str, Array]:
    """backward_propagation with (lambd/m) W{l} added to every dW{l}; db unchanged."""
    return _net.backward(X, Y, _plain_cache(cache), m_in_dz3=False, lambd=lambd)


def forward_propagation_with_dropout(
    X: Array, parameters: dict, keep_prob: float = 0.5
) -> tuple[Array, tuple]:
    """A3 (1, m) and the cache (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3).

    Seeds the global generator with 1 on every call, then D1 = rand(A1 shape) < keep_prob,
    A1 <- A1 * D1 / keep_prob, and the same for A2 with D2. The output layer keeps all units.
    """
    return _net.forward_dropout(X, parameters, keep_prob)


def backward_propagation_with_dropout(
    X: Array, Y: Array, cache: tuple, keep_prob: float
) -> dict[str, Array]:
    """backward_propagation with dA2 <- dA2 * D2 / keep_prob before dZ2 and
    dA1 <- dA1 * D1 / keep_prob before dZ1 (the returned dA2, dA1 are these)."""
    _net.check_keep_prob(keep_prob)
    if len(cache) != 14:
        raise ShapeError(f"expected the 14-tuple dropout cache, got {len(cache)} entries")
    return _net.backward(X, Y, cache, m_in_dz3=False, keep_prob=keep_prob)


def model(
    X: Array,
    Y: Array,
    learning_rate: float = 0.3,
    num_iterations: int = 30000,
    print_cost: bool = True,
    lambd: float = 0,
    keep_prob: float = 1,
    *,
    return_costs: bool = False,
):
    """Gradient descent on [n_x, 20, 3, 1], with L2 (lambd > 0) or dropout (keep_prob < 1).

    X (n_x, m), Y (1, m). Prints the cost every 10000 iterations if ``print_cost`` and
    records it every 1000. Returns parameters, or ``(parameters, costs)`` when
    ``return_costs``. Combining L2 with dropout raises ConfigError.
    """
    _net.check_keep_prob(keep_prob)
    if lambd < 0:
        raise ConfigError(f"lambd must be >= 0, got {lambd}")
    if lambd != 0 and keep_prob < 1:
        raise ConfigError(
            f"use L2 (lambd={lambd}) or dropout (keep_prob={keep_prob}), not both at once"
        )
    X = _net.as_float(X)
    costs: list[np.float64] = []
    layers_dims = [X.shape[0], 20, 3, 1]
    parameters = initialize_parameters(layers_dims)
    for i in range(num_iterations):
        if keep_prob == 1:
            a3, cache = forward_propagation(X, parameters)
        else:
            a3, cache = forward_propagation_with_dropout(X, parameters, keep_prob)
        if lambd == 0:
            cost = compute_cost(a3, Y)
        else:
            cost = compute_cost_with_regularization(a3, Y, parameters, lambd)
        if lambd == 0 and keep_prob == 1:
            grads = backward_propagation(X, Y, cache)
        elif lambd != 0:
            grads = backward_propagation_with_regularization(X, Y, cache, lambd)
        else:
            grads = backward_propagation_with_dropout(X, Y, cache, keep_prob)
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost and i % 10000 == 0:
            print(f"Cost after iteration {i}: {cost}")
        if (print_cost or return_costs) and i % 1000 == 0:
            costs.append(cost)
    return _net.model_result(parameters, costs, return_costs)
