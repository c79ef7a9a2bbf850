"""The course-2 three-layer network, written once for its four assignments.

LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID, with the course's caches:

- plain: the 12-tuple (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3);
- dropout: the 14-tuple (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3),
  with A1 and A2 stored after masking and scaling.

The assignments differ in small ways that change the last bits of the numbers, so each
module chooses: where 1/m enters the backward pass (once, in dZ3 = (A3 - Y)/m, for
initialisation and optimisation; in every dW and db, for regularisation and gradient
checking), how the cross-entropy is reduced (nan-ignoring mean, plain mean, or a sum)
and whether the gradient keys are spelled in lower case.

Private to ``layerwise.course``; every formula is evaluated in the course's order.
"""

from __future__ import annotations

import numpy as np

from ..activations import relu as _relu_kernel
from ..activations import relu_derivative
from ..activations import sigmoid as _sigmoid_kernel
from ..errors import ConfigError, DataError, ShapeError
from ._numerics import QUIET, as_float, draw_weights

Array = np.ndarray

#: the gradient keys in the course's order, upper-case spelling
GRAD_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")


def sigmoid(x: Array) -> Array:
    """1 / (1 + e^(-x)), elementwise."""
    return _sigmoid_kernel(as_float(x))


def relu(x: Array) -> Array:
    """max(0, x), elementwise."""
    return _relu_kernel(as_float(x))


def as_labels(Y: Array) -> Array:
    """0/1 labels (int, uint8 or bool) as float64, so every label type gives the same numbers."""
    return np.asarray(Y, dtype=np.float64)


def num_layers(parameters: dict) -> int:
    """L = len(parameters) // 2 (the dict holds only W and b entries)."""
    return len(parameters) // 2


def check_layer_dims(layer_dims) -> list[int]:
    """The layer sizes [n_x, n_1, ..., n_L] as ints, or ConfigError."""
    try:
        dims = [int(n) for n in layer_dims]
    except (TypeError, ValueError):
        raise ConfigError(
            f"layer dims must be a list of positive ints, got {layer_dims!r}"
        ) from None
    if len(dims) < 2 or any(n < 1 for n in dims):
        raise ConfigError(f"layer dims must be at least [n_x, n_y], all >= 1, got {dims}")
    return dims


def initialize(layer_dims, scale) -> dict[str, Array]:
    """Seed 3, then W{l} = scale(randn(n_l, n_{l-1}), n_{l-1}) for l = 1 ... L; b{l} zeros.

    ``scale`` is the assignment's rule, e.g. ``lambda W, n: W * np.sqrt(2 / n)`` (He).
    """
    np.random.seed(3)
    return draw_weights(check_layer_dims(layer_dims), scale)


def he(W: Array, n_prev: int) -> Array:
    """He's scale rule W * sqrt(2 / n_{l-1})."""
    return W * np.sqrt(2 / n_prev)


def unpack(parameters: dict) -> tuple[Array, ...]:
    """(W1, b1, W2, b2, W3, b3) from a three-layer parameter dict, or ShapeError."""
    missing = [k for k in ("W1", "b1", "W2", "b2", "W3", "b3") if k not in parameters]
    if missing:
        raise ShapeError(f"three-layer parameters need W1, b1, ..., W3, b3; missing {missing}")
    return tuple(as_float(parameters[k]) for k in ("W1", "b1", "W2", "b2", "W3", "b3"))


def forward(X: Array, parameters: dict) -> tuple[Array, tuple]:
    """A3 (1, m) and the 12-tuple cache for X (n_x, m)."""
    X = as_float(X)
    W1, b1, W2, b2, W3, b3 = unpack(parameters)
    with np.errstate(**QUIET):
        Z1 = np.dot(W1, X) + b1
        A1 = relu(Z1)
        Z2 = np.dot(W2, A1) + b2
        A2 = relu(Z2)
        Z3 = np.dot(W3, A2) + b3
        A3 = sigmoid(Z3)
    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def forward_dropout(X: Array, parameters: dict, keep_prob: float) -> tuple[Array, tuple]:
    """A3 (1, m) and the 14-tuple cache, with inverted dropout on A1 and A2.

    Seeds the global generator with 1, then draws D1 = rand(A1 shape) < keep_prob and
    D2 = rand(A2 shape) < keep_prob; A <- A * D / keep_prob. So every call uses the same masks.
    """
    check_keep_prob(keep_prob)
    np.random.seed(1)
    X = as_float(X)
    W1, b1, W2, b2, W3, b3 = unpack(parameters)
    with np.errstate(**QUIET):
        Z1 = np.dot(W1, X) + b1
        A1 = relu(Z1)
        D1 = (np.random.rand(A1.shape[0], A1.shape[1]) < keep_prob).astype(np.int64)
        A1 = A1 * D1
        A1 = A1 / keep_prob
        Z2 = np.dot(W2, A1) + b2
        A2 = relu(Z2)
        D2 = (np.random.rand(A2.shape[0], A2.shape[1]) < keep_prob).astype(np.int64)
        A2 = A2 * D2
        A2 = A2 / keep_prob
        Z3 = np.dot(W3, A2) + b3
        A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def check_keep_prob(keep_prob: float) -> None:
    if not 0.0 < keep_prob <= 1.0:
        raise ConfigError(f"keep_prob must be in (0, 1], got {keep_prob}")


def _unpack_cache(cache: tuple) -> tuple[tuple, Array | None, Array | None]:
    """The 12 plain entries and the dropout masks (None, None for a 12-tuple)."""
    if len(cache) == 12:
        return tuple(cache), None, None
    if len(cache) == 14:
        Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = cache
        return (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3), D1, D2
    raise ShapeError(f"cache must be the course's 12- or 14-tuple, got {len(cache)} entries")


def backward(
    X: Array,
    Y: Array,
    cache: tuple,
    *,
    m_in_dz3: bool,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    course_bugs: bool = False,
) -> dict[str, Array]:
    """The 11 gradients dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1 (upper case).

    ``m_in_dz3``: dZ3 = (1/m)(A3 - Y) and dW = dZ A_prevᵀ, db = Σ dZ (initialisation,
    optimisation); otherwise dZ3 = A3 - Y, dW = (1/m) dZ A_prevᵀ, db = (1/m) Σ dZ.
    ``lambd`` adds (lambd/m) W to every dW (L2). A 14-tuple cache applies its masks:
    dA <- dA * D / keep_prob before dZ. ``course_bugs`` doubles dW2 and uses 4/m in db1.
    X (n_x, m), Y (1, m); m = X.shape[1].
    """
    X = as_float(X)
    Y = as_labels(Y)
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3), D1, D2 = _unpack_cache(cache)
    with np.errstate(**QUIET):
        dZ3 = 1.0 / m * (A3 - Y) if m_in_dz3 else A3 - Y
        dW3, db3 = _weight_grads(dZ3, A2, W3, m, m_in_dz3, lambd)
        dA2, dZ2 = _relu_grads(dZ3, W3, D2, keep_prob, A2)
        dW2, db2 = _weight_grads(dZ2, A1, W2, m, m_in_dz3, lambd, double_dW=course_bugs)
        dA1, dZ1 = _relu_grads(dZ2, W2, D1, keep_prob, A1)
        db_numerator = 4.0 if course_bugs else 1.0
        dW1, db1 = _weight_grads(dZ1, X, W1, m, m_in_dz3, lambd, db_numerator=db_numerator)

    values = (dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1)
    return dict(zip(GRAD_KEYS, values, strict=True))


def _weight_grads(
    dZ: Array,
    A_prev: Array,
    W: Array,
    m: int,
    m_in_dz3: bool,
    lambd: float,
    *,
    double_dW: bool = False,
    db_numerator: float = 1.0,
) -> tuple[Array, Array]:
    """(dW, db) of one layer from dZ (n_l, m) and A_prev (n_{l-1}, m), as ``backward`` says.

    ``double_dW`` and ``db_numerator`` = 4.0 are the course's planted mistakes."""
    if m_in_dz3:
        dW = np.dot(dZ, A_prev.T)
        db = np.sum(dZ, axis=1, keepdims=True)
    else:
        dW = 1.0 / m * np.dot(dZ, A_prev.T)
        if double_dW:
            dW = dW * 2
        db = db_numerator / m * np.sum(dZ, axis=1, keepdims=True)
    if lambd:
        dW = dW + lambd / m * W
    return dW, db


def _relu_grads(
    dZ_next: Array, W_next: Array, D: Array | None, keep_prob: float, A: Array
) -> tuple[Array, Array]:
    """(dA, dZ) of a RELU layer: dA = W_nextᵀ dZ_next, masked as dA * D / keep_prob when
    there is a dropout mask D, and dZ = dA [A > 0]."""
    dA = np.dot(W_next.T, dZ_next)
    if D is not None:
        dA = dA * D
        dA = dA / keep_prob
    return dA, np.multiply(dA, relu_derivative(A))


def lower_case(grads: dict[str, Array]) -> dict[str, Array]:
    """The same gradients with dZ/dA spelled dz/da (the initialisation/optimisation keys)."""
    return {k.replace("dZ", "dz").replace("dA", "da"): v for k, v in grads.items()}


def cross_entropy_terms(A3: Array, Y: Array) -> Array:
    """-log(A3) * Y - log(1 - A3) * (1 - Y), elementwise; 0 * inf gives NaN, silently."""
    A3 = as_float(A3)
    Y = as_labels(Y)
    with np.errstate(**QUIET):
        return np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)


def nan_mean_cost(A3: Array, Y: Array) -> np.float64:
    """(1/m) times the nan-ignoring sum of the cross-entropy terms; m = Y.shape[1]."""
    m = as_labels(Y).shape[1]
    with np.errstate(**QUIET):
        return np.float64(1.0 / m * np.nansum(cross_entropy_terms(A3, Y)))


def model_result(parameters: dict, costs: list, return_costs: bool):
    """A course-2 ``model``'s return: parameters, or (parameters, costs) if ``return_costs``."""
    return (parameters, costs) if return_costs else parameters


def predict(X: Array, y: Array, parameters: dict) -> Array:
    """Int 0/1 predictions (1, m), 1 where A3 > 0.5; prints "Accuracy: " and mean(p = y)."""
    a3, _ = forward(X, parameters)
    p = (a3 > 0.5).astype(np.int64)
    y = np.asarray(y)
    print("Accuracy: " + str(np.mean(p[0, :] == y.reshape(1, -1)[0, :])))
    return p


def predict_dec(parameters: dict, X: Array) -> Array:
    """Boolean predictions (1, m), A3 > 0.5 (used to shade decision boundaries)."""
    a3, _ = forward(X, parameters)
    return a3 > 0.5


def import_sklearn_datasets():
    """sklearn.datasets, or DataError saying how to install the optional extra."""
    try:
        import sklearn.datasets  # noqa: PLC0415 - optional sklearn extra
    except ImportError:
        raise DataError(
            "the circles and moons data need scikit-learn: pip install 'layerwise[sklearn]'"
        ) from None
    return sklearn.datasets
