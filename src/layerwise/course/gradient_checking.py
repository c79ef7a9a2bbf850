"""Course 2, week 1: gradient checking, in one dimension and on the three-layer network.

The two-sided difference gradapprox = (J(θ + ε) - J(θ - ε)) / (2ε) is compared with the
analytic gradient by ‖grad - gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂); above 2e-7 the
backward pass is judged wrong. Gradient keys are upper case (COURSE.md §2.7).
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from . import _three_layer as _net
from ._three_layer import relu, sigmoid

Array = np.ndarray

__all__ = [
    "forward_propagation",
    "backward_propagation",
    "gradient_check",
    "forward_propagation_n",
    "backward_propagation_n",
    "gradient_check_n",
    "dictionary_to_vector",
    "vector_to_dictionary",
    "gradients_to_vector",
    "sigmoid",
    "relu",
]

#: the verdict threshold the course's code uses
THRESHOLD = 2e-7

#: the course's fixed three-layer layout, in vector order
COURSE_SHAPES: tuple[tuple[str, tuple[int, int]], ...] = (
    ("W1", (5, 4)),
    ("b1", (5, 1)),
    ("W2", (3, 5)),
    ("b2", (3, 1)),
    ("W3", (1, 3)),
    ("b3", (1, 1)),
)
_ORDER = ("W1", "b1", "W2", "b2", "W3", "b3")


def _difference(grad, gradapprox, print_msg: bool) -> np.float64:
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    with np.errstate(**_net.QUIET):
        difference = np.float64(numerator / denominator)
    if print_msg:
        if difference > THRESHOLD:
            print(f"There is a mistake in the backward propagation! difference = {difference}")
        else:
            print(f"Your backward propagation works perfectly fine! difference = {difference}")
    return difference


# --------------------------------------------------------------------------- 1-D
def forward_propagation(x, theta):
    """J = θ x."""
    return theta * x


def backward_propagation(x, theta):
    """dJ/dθ = x."""
    return x


def gradient_check(x, theta, epsilon: float = 1e-7, print_msg: bool = False) -> np.float64:
    """The relative difference between x and (J(θ + ε) - J(θ - ε)) / (2ε); a float64."""
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    J_plus = forward_propagation(x, theta_plus)
    J_minus = forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    return _difference(grad, gradapprox, print_msg)


# --------------------------------------------------------------------------- n-D
def forward_propagation_n(X: Array, Y: Array, parameters: dict) -> tuple[np.float64, tuple]:
    """cost = (1/m) Σ(-log(A3) Y - log(1 - A3)(1 - Y)) (a plain sum) and the 12-tuple cache.

    X (n_x, m), Y (1, m) or (m,).
    """
    X = _net.as_float(X)
    m = X.shape[1]
    A3, cache = _net.forward(X, parameters)
    log_probs = _net.cross_entropy_terms(A3, Y)
    with np.errstate(**_net.QUIET):
        cost = np.float64(1.0 / m * np.sum(log_probs))
    return cost, cache


def backward_propagation_n(
    X: Array, Y: Array, cache: tuple, *, with_course_bugs: bool = False
) -> dict[str, Array]:
    """The 11 gradients dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1, correctly.

    dZ3 = A3 - Y, dW = (1/m) dZ A_prevᵀ, db = (1/m) Σ dZ. ``with_course_bugs=True``
    reproduces the course's two planted mistakes: dW2 doubled and db1 with 4/m.
    """
    if len(cache) != 12:
        raise ShapeError(f"expected the 12-tuple cache, got {len(cache)} entries")
    return _net.backward(X, Y, cache, m_in_dz3=False, course_bugs=with_course_bugs)


def dictionary_to_vector(parameters: dict) -> tuple[Array, list[str]]:
    """θ (n, 1): W1, b1, W2, b2, W3, b3 flattened row-major and stacked; and the key of
    every entry."""
    keys: list[str] = []
    pieces = []
    for key in _ORDER:
        new_vector = np.reshape(np.asarray(parameters[key], dtype=np.float64), (-1, 1))
        keys = keys + [key] * new_vector.shape[0]
        pieces.append(new_vector)
    return np.concatenate(pieces, axis=0), keys


def vector_to_dictionary(theta: Array, shapes=None) -> dict[str, Array]:
    """The inverse of dictionary_to_vector for the layout ``shapes`` (a sequence of
    (key, shape)); the default is the course's W1 (5,4), b1 (5,1), W2 (3,5), b2 (3,1),
    W3 (1,3), b3 (1,1): 47 values."""
    layout = COURSE_SHAPES if shapes is None else tuple((k, tuple(s)) for k, s in shapes)
    theta = np.asarray(theta, dtype=np.float64)
    total = sum(int(np.prod(s)) for _, s in layout)
    if theta.size != total:
        raise ShapeError(f"theta has {theta.size} values but the layout needs {total}")
    flat = theta.reshape(-1, 1)
    parameters: dict[str, Array] = {}
    start = 0
    for key, shape in layout:
        size = int(np.prod(shape))
        parameters[key] = flat[start : start + size].reshape(shape)
        start += size
    return parameters


def gradients_to_vector(gradients: dict) -> Array:
    """A column (n, 1) of dW1, db1, dW2, db2, dW3, db3, each flattened row-major; other keys
    are ignored."""
    pieces = [np.reshape(np.asarray(gradients["d" + k], dtype=np.float64), (-1, 1)) for k in _ORDER]
    return np.concatenate(pieces, axis=0)


def gradient_check_n(
    parameters: dict,
    gradients: dict,
    X: Array,
    Y: Array,
    epsilon: float = 1e-7,
    print_msg: bool = False,
) -> np.float64:
    """The relative difference between ``gradients`` and the two-sided numerical gradient of
    forward_propagation_n's cost, one parameter at a time; a float64 scalar."""
    parameters_values, _ = dictionary_to_vector(parameters)
    shapes = tuple((k, np.shape(parameters[k])) for k in _ORDER)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        theta_plus = np.copy(parameters_values)
        theta_plus[i] = theta_plus[i] + epsilon
        J_plus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus, shapes))
        theta_minus = np.copy(parameters_values)
        theta_minus[i] = theta_minus[i] - epsilon
        J_minus[i], _ = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus, shapes))
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
    return _difference(grad, gradapprox, print_msg)
