"""Course 2, week 1: initialisation (zeros, large random, He) on the circles data.

``model`` trains the three-layer network of ``_three_layer`` with layers [n_x, 10, 5, 1]
on X (n_x, m) and 0/1 labels Y (1, m). Gradient keys are lower case (COURSE.md §2.5).
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from . import _three_layer as _net
from ._numerics import gradient_step as update_parameters
from ._three_layer import forward as forward_propagation
from ._three_layer import predict, predict_dec, relu, sigmoid

Array = np.ndarray

__all__ = [
    "initialize_parameters_zeros",
    "initialize_parameters_random",
    "initialize_parameters_he",
    "model",
    "forward_propagation",
    "compute_loss",
    "backward_propagation",
    "update_parameters",
    "predict",
    "predict_dec",
    "load_dataset",
    "sigmoid",
    "relu",
]

INITIALIZATIONS = ("zeros", "random", "he")


# --------------------------------------------------------------------------- graded
def initialize_parameters_zeros(layers_dims: list[int]) -> dict[str, Array]:
    """W{l} zeros (n_l, n_{l-1}) and b{l} zeros (n_l, 1); no randomness."""
    dims = _net.check_layer_dims(layers_dims)
    parameters: dict[str, Array] = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = np.zeros((dims[l], dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((dims[l], 1))
    return parameters


def initialize_parameters_random(layers_dims: list[int]) -> dict[str, Array]:
    """np.random.seed(3); W{l} = randn(n_l, n_{l-1}) * 10; b{l} zeros (n_l, 1)."""
    return _net.initialize(layers_dims, lambda W, n_prev: W * 10)


def initialize_parameters_he(layers_dims: list[int]) -> dict[str, Array]:
    """np.random.seed(3); W{l} = randn(n_l, n_{l-1}) * sqrt(2 / n_{l-1}); b{l} zeros."""
    return _net.initialize(layers_dims, _net.he)


_INITIALIZERS = {
    "zeros": initialize_parameters_zeros,
    "random": initialize_parameters_random,
    "he": initialize_parameters_he,
}


def model(
    X: Array,
    Y: Array,
    learning_rate: float = 0.01,
    num_iterations: int = 15000,
    print_cost: bool = True,
    initialization: str = "he",
    *,
    return_costs: bool = False,
):
    """Full-batch gradient descent on [n_x, 10, 5, 1] from the chosen initialisation.

    X (n_x, m), Y (1, m). ``initialization`` is "zeros", "random" or "he". Every 1000
    iterations the cost is recorded (and printed if ``print_cost``). Returns parameters,
    or ``(parameters, costs)`` when ``return_costs``.
    """
    if initialization not in _INITIALIZERS:
        raise ConfigError(
            f"unknown initialization {initialization!r}; expected one of "
            + ", ".join(repr(n) for n in INITIALIZATIONS)
        )
    X = _net.as_float(X)
    costs: list[np.float64] = []
    layers_dims = [X.shape[0], 10, 5, 1]
    parameters = _INITIALIZERS[initialization](layers_dims)
    for i in range(num_iterations):
        a3, cache = forward_propagation(X, parameters)
        cost = compute_loss(a3, Y)
        grads = backward_propagation(X, Y, cache)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 1000 == 0:
            if print_cost:
                print(f"Cost after iteration {i}: {cost}")
            if print_cost or return_costs:
                costs.append(cost)
    return _net.model_result(parameters, costs, return_costs)


# --------------------------------------------------------------------------- helpers


def compute_loss(a3: Array, Y: Array) -> np.float64:
    """(1/m) * nansum(-log(a3) Y - log(1 - a3)(1 - Y)); a float64 scalar, may be inf."""
    return _net.nan_mean_cost(a3, Y)


def backward_propagation(X: Array, Y: Array, cache: tuple) -> dict[str, Array]:
    """dz3 = (a3 - Y)/m, dW3 = dz3 a2ᵀ, db3 = Σ dz3, da2 = W3ᵀ dz3, dz2 = da2 [a2 > 0], ...

    Keys: dz3, dW3, db3, da2, dz2, dW2, db2, da1, dz1, dW1, db1.
    """
    return _net.lower_case(_net.backward(X, Y, cache, m_in_dz3=True))


def load_dataset() -> tuple[Array, Array, Array, Array]:
    """The circles: (train_X (2, 300), train_Y (1, 300), test_X (2, 100), test_Y (1, 100)).

    np.random.seed(1) then make_circles(n_samples=300, noise=0.05) for train;
    np.random.seed(2) then make_circles(n_samples=100, noise=0.05) for test. Needs
    scikit-learn (``pip install 'layerwise[sklearn]'``).
    """
    datasets = _net.import_sklearn_datasets()
    np.random.seed(1)
    train_X, train_Y = datasets.make_circles(n_samples=300, noise=0.05)
    np.random.seed(2)
    test_X, test_Y = datasets.make_circles(n_samples=100, noise=0.05)
    train_X = train_X.T
    train_Y = train_Y.reshape((1, train_Y.shape[0]))
    test_X = test_X.T
    test_Y = test_Y.reshape((1, test_Y.shape[0]))
    return train_X, train_Y, test_X, test_Y
