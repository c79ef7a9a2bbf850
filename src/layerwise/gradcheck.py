"""Gradient checking: back-propagation against two-sided numerical differences."""

from __future__ import annotations

import numpy as np

from .checks import in_range
from .layers import Dropout
from .losses import Loss
from .network import Sequential
from .step import Objective, cost, forward_backward

Array = np.ndarray


def float64_copy(model: Sequential) -> Sequential:
    """The same architecture and state (parameters, layer state, frozen dropout masks,
    standardisation), in float64."""
    clone = Sequential.from_config({**model.get_config(), "dtype": "float64"})
    clone.load_state_dict(model.state_dict(training=False) | _frozen_flags(model))
    return clone


def _frozen_flags(model: Sequential) -> dict[str, object]:
    return {
        f"state/{i}/frozen": value
        for i, layer in enumerate(model.layers)
        for key, value in layer.state_dict().items()
        if key == "frozen"
    }


def _checked(model: Sequential, X: Array, Y: Array) -> tuple[Array, Array]:
    X = model.check_input(X)
    return X, model.targets(Y, X.shape[model.example_axis])


def gradients(
    model: Sequential, X: Array, Y: Array, *, loss: str | Loss | None = None, l2: float = 0.0
) -> dict[str, Array]:
    """Back-propagated gradients {"dW1": ..., ...} of J (with the L2 term for ``l2`` =
    lambda) at X (n_x, m), Y (n_y, m), by the training step ``fit`` takes."""
    X, Y = _checked(model, X, Y)
    objective = Objective.of(model, model.resolve_loss(loss), l2, X.shape[model.example_axis])
    forward_backward(model, X, Y, objective)
    return {k: v.copy() for k, v in model.gradients.items()}


def gradcheck(
    model: Sequential,
    X: Array,
    Y: Array,
    epsilon: float = 1e-7,
    *,
    loss: str | Loss | None = None,
    l2: float = 0.0,
) -> float:
    """||g - g_approx|| / (||g|| + ||g_approx||) over all parameters, in float64.

    g is back-propagation's gradient of J; g_approx[i] = (J(theta + eps e_i) -
    J(theta - eps e_i)) / (2 eps) for every entry i of the parameter vector theta. Below
    about 1e-7 the backward pass is right. ``epsilon`` must be > 0. X: (n_x, m),
    Y: (n_y, m). The model itself is not changed.

    Dropout draws a new mask on every forward pass, which would make the numerical
    gradient noise; so in the float64 copy every Dropout layer (keep_prob < 1) that is not
    ``frozen`` is frozen on one mask, drawn by the first training forward pass, and all
    the costs below use that same mask. A frozen layer's own mask is kept.
    """
    epsilon = in_range(epsilon, "gradcheck epsilon", 0.0, low_open=True)
    if not model.built:
        model.check_input(X)
    net = float64_copy(model)
    for layer in net.layers:
        if isinstance(layer, Dropout) and layer.keep_prob < 1 and not layer.frozen:
            layer.frozen = True  # the next training forward draws the mask, then keeps it
    X64, Y64 = _checked(net, np.asarray(X, dtype=np.float64), Y)
    objective = Objective.of(net, net.resolve_loss(loss), l2, X64.shape[net.example_axis])
    forward_backward(net, X64, Y64, objective)
    indices = net.parameter_vector.trainable_indices()  # frozen layers are not checked
    grad = net.parameter_vector.dtheta[indices].copy()
    theta = net.parameter_vector.theta
    approx = np.empty_like(grad)
    for j, i in enumerate(indices):
        old = theta[i]
        theta[i] = old + epsilon
        J_plus = cost(net, X64, Y64, objective)
        theta[i] = old - epsilon
        J_minus = cost(net, X64, Y64, objective)
        theta[i] = old
        approx[j] = (J_plus - J_minus) / (2 * epsilon)
    denom = np.linalg.norm(grad) + np.linalg.norm(approx)
    if denom == 0:
        return 0.0
    return float(np.linalg.norm(grad - approx) / denom)
