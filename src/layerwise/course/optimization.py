"""Course 2, week 2: mini-batch gradient descent, momentum, Adam and learning-rate decay.

The network is the three-layer LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID;
``model`` trains it on the moons with mini-batches shuffled from seeds 11, 12, 13, ...
X is (n_x, m), Y is (1, m) with 0/1 labels. Gradient keys are lower case (COURSE.md §2.8).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..errors import ConfigError, ShapeError
from . import _three_layer as _net
from ._numerics import gradient_step
from ._three_layer import forward as forward_propagation
from ._three_layer import predict, predict_dec, relu, sigmoid

Array = np.ndarray

__all__ = [
    "update_parameters_with_gd",
    "random_mini_batches",
    "initialize_velocity",
    "update_parameters_with_momentum",
    "initialize_adam",
    "update_parameters_with_adam",
    "update_lr",
    "schedule_lr_decay",
    "model",
    "initialize_parameters",
    "forward_propagation",
    "backward_propagation",
    "compute_cost",
    "predict",
    "predict_dec",
    "load_dataset",
    "sigmoid",
    "relu",
]

OPTIMIZERS = ("gd", "momentum", "adam")


# --------------------------------------------------------------------------- helpers
def initialize_parameters(layer_dims: list[int]) -> dict[str, Array]:
    """np.random.seed(3); W{l} = randn(n_l, n_{l-1}) * sqrt(2 / n_{l-1}); b{l} zeros."""
    return _net.initialize(layer_dims, _net.he)


def backward_propagation(X: Array, Y: Array, cache: tuple) -> dict[str, Array]:
    """dz3 = (a3 - Y)/m with m the columns of this mini-batch, dW3 = dz3 a2ᵀ, db3 = Σ dz3, ...

    Keys: dz3, dW3, db3, da2, dz2, dW2, db2, da1, dz1, dW1, db1.
    """
    if len(cache) != 12:
        raise ShapeError(f"expected the 12-tuple cache, got {len(cache)} entries")
    return _net.lower_case(_net.backward(X, Y, cache, m_in_dz3=True))


def compute_cost(a3: Array, Y: Array) -> np.float64:
    """The SUM over examples of -log(a3) Y - log(1 - a3)(1 - Y) (not the mean)."""
    with np.errstate(**_net.QUIET):
        return np.float64(np.sum(_net.cross_entropy_terms(a3, Y)))


def load_dataset() -> tuple[Array, Array]:
    """The moons: np.random.seed(3) then make_moons(n_samples=300, noise=0.2);
    X (2, 300), Y (1, 300). Needs scikit-learn (``pip install 'layerwise[sklearn]'``)."""
    datasets = _net.import_sklearn_datasets()
    np.random.seed(3)
    train_X, train_Y = datasets.make_moons(n_samples=300, noise=0.2)
    train_X = train_X.T
    train_Y = train_Y.reshape((1, train_Y.shape[0]))
    return train_X, train_Y


# --------------------------------------------------------------------------- graded
def update_parameters_with_gd(parameters: dict, grads: dict, learning_rate: float) -> dict:
    """W{l} = W{l} - lr dW{l}, b{l} = b{l} - lr db{l} for l = 1 ... L; returns the dict."""
    return gradient_step(parameters, grads, learning_rate)


def random_mini_batches(
    X: Array, Y: Array, mini_batch_size: int = 64, seed: int = 0
) -> list[tuple[Array, Array]]:
    """np.random.seed(seed), one permutation of the m columns, then ⌊m/size⌋ full batches
    and one batch of the m mod size remaining columns if any: [(X_k (n_x, size), Y_k (1, size))]."""
    if int(mini_batch_size) != mini_batch_size or mini_batch_size < 1:
        raise ConfigError(f"mini_batch_size must be a positive int, got {mini_batch_size!r}")
    mini_batch_size = int(mini_batch_size)
    X = np.asarray(X)
    Y = np.asarray(Y)
    np.random.seed(seed)
    m = X.shape[1]
    if Y.size != m:
        raise ShapeError(f"Y has {Y.size} labels but X has m = {m} columns (Y must be (1, m))")
    mini_batches = []
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y.reshape((1, m))[:, permutation]
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(num_complete_minibatches):
        cols = slice(k * mini_batch_size, (k + 1) * mini_batch_size)
        mini_batches.append((shuffled_X[:, cols], shuffled_Y[:, cols]))
    if m % mini_batch_size != 0:
        cols = slice(num_complete_minibatches * mini_batch_size, m)
        mini_batches.append((shuffled_X[:, cols], shuffled_Y[:, cols]))
    return mini_batches


def initialize_velocity(parameters: dict) -> dict[str, Array]:
    """v: zeros like each parameter under the keys dW1, db1, ..., dWL, dbL."""
    v: dict[str, Array] = {}
    for l in range(1, _net.num_layers(parameters) + 1):
        v[f"dW{l}"] = np.zeros(np.shape(parameters[f"W{l}"]))
        v[f"db{l}"] = np.zeros(np.shape(parameters[f"b{l}"]))
    return v


def update_parameters_with_momentum(
    parameters: dict, grads: dict, v: dict, beta: float, learning_rate: float
) -> tuple[dict, dict]:
    """v = β v + (1 - β) g, then θ = θ - lr v, for every W and b; returns (parameters, v)."""
    for l in range(1, _net.num_layers(parameters) + 1):
        for p in ("W", "b"):
            key = f"d{p}{l}"
            v[key] = beta * v[key] + (1 - beta) * grads[key]
            parameters[f"{p}{l}"] = parameters[f"{p}{l}"] - learning_rate * v[key]
    return parameters, v


def initialize_adam(parameters: dict) -> tuple[dict[str, Array], dict[str, Array]]:
    """(v, s): zeros like each parameter under the keys dW1, db1, ..., dWL, dbL."""
    return initialize_velocity(parameters), initialize_velocity(parameters)


def update_parameters_with_adam(
    parameters: dict,
    grads: dict,
    v: dict,
    s: dict,
    t: int,
    learning_rate: float = 0.01,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
) -> tuple[dict, dict, dict, dict, dict]:
    """One Adam step t (t >= 1) for every W and b:

    v = β1 v + (1 - β1) g,  v̂ = v / (1 - β1^t);  s = β2 s + (1 - β2) g²,  ŝ = s / (1 - β2^t);
    θ = θ - lr v̂ / (√ŝ + ε).  Returns (parameters, v, s, v_corrected, s_corrected).
    """
    if t < 1:
        raise ConfigError(f"the Adam step count t starts at 1, got {t}")
    v_corrected: dict[str, Array] = {}
    s_corrected: dict[str, Array] = {}
    for l in range(1, _net.num_layers(parameters) + 1):
        for p in ("W", "b"):
            key = f"d{p}{l}"
            g = grads[key]
            v[key] = beta1 * v[key] + (1 - beta1) * g
            v_corrected[key] = v[key] / (1 - np.power(beta1, t))
            s[key] = beta2 * s[key] + (1 - beta2) * np.power(g, 2)
            s_corrected[key] = s[key] / (1 - np.power(beta2, t))
            parameters[f"{p}{l}"] = parameters[f"{p}{l}"] - learning_rate * v_corrected[key] / (
                np.sqrt(s_corrected[key]) + epsilon
            )
    return parameters, v, s, v_corrected, s_corrected


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    """α = α0 / (1 + decay_rate · epoch_num), a Python float."""
    return float(learning_rate0 / (1 + decay_rate * epoch_num))


def schedule_lr_decay(
    learning_rate0: float, epoch_num: int, decay_rate: float, time_interval: int = 1000
) -> float:
    """α = α0 / (1 + decay_rate · ⌊epoch_num / time_interval⌋), a Python float."""
    if time_interval <= 0:
        raise ConfigError(f"time_interval must be positive, got {time_interval}")
    return float(learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval)))


def model(
    X: Array,
    Y: Array,
    layers_dims: list[int],
    optimizer: str,
    learning_rate: float = 0.0007,
    mini_batch_size: int = 64,
    beta: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    epsilon: float = 1e-8,
    num_epochs: int = 5000,
    print_cost: bool = True,
    decay: Callable[[float, int, float], float] | None = None,
    decay_rate: float = 1,
    *,
    return_costs: bool = False,
):
    """Mini-batch training of ``layers_dims`` with "gd", "momentum" or "adam".

    X (n_x, m), Y (1, m). Epoch i shuffles with seed 10 + i + 1; Adam's t counts updates
    from 1. After each epoch cost_avg = (summed batch costs)/m, and with ``decay``
    learning_rate = decay(α0, i, decay_rate). Prints every 1000 epochs if ``print_cost``,
    records cost_avg every 100. Returns parameters, or (parameters, costs) if ``return_costs``.
    """
    if optimizer not in OPTIMIZERS:
        raise ConfigError(
            f"unknown optimizer {optimizer!r}; expected one of "
            + ", ".join(repr(o) for o in OPTIMIZERS)
        )
    if decay is not None and not callable(decay):
        raise ConfigError(f"decay must be a function like update_lr or None, got {decay!r}")
    X = _net.as_float(X)
    costs: list[np.float64] = []
    t = 0
    seed = 10
    m = X.shape[1]
    learning_rate0 = learning_rate
    parameters = initialize_parameters(layers_dims)
    if optimizer == "momentum":
        v = initialize_velocity(parameters)
    elif optimizer == "adam":
        v, s = initialize_adam(parameters)
    for i in range(num_epochs):
        seed = seed + 1
        minibatches = random_mini_batches(X, Y, mini_batch_size, seed)
        cost_total = 0
        for minibatch_X, minibatch_Y in minibatches:
            a3, caches = forward_propagation(minibatch_X, parameters)
            cost_total += compute_cost(a3, minibatch_Y)
            grads = backward_propagation(minibatch_X, minibatch_Y, caches)
            if optimizer == "gd":
                parameters = update_parameters_with_gd(parameters, grads, learning_rate)
            elif optimizer == "momentum":
                parameters, v = update_parameters_with_momentum(
                    parameters, grads, v, beta, learning_rate
                )
            else:
                t = t + 1
                parameters, v, s, _, _ = update_parameters_with_adam(
                    parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon
                )
        cost_avg = cost_total / m
        if decay:
            learning_rate = decay(learning_rate0, i, decay_rate)
        if print_cost and i % 1000 == 0:
            print(f"Cost after epoch {i}: {cost_avg:f}")
            if decay:
                print(f"learning rate after epoch {i}: {learning_rate:f}")
        if (print_cost or return_costs) and i % 100 == 0:
            costs.append(cost_avg)
    return _net.model_result(parameters, costs, return_costs)
