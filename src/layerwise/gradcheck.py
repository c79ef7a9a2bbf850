"""Gradient checking: back-propagation against two-sided numerical differences."""

from __future__ import annotations

import numpy as np

from .losses import Loss
from .network import Sequential

Array = np.ndarray


def _float64_copy(model: Sequential) -> Sequential:
    """The same architecture and parameter values, in float64."""
    from .io import model_from_config

    clone = model_from_config({**model.config(), "dtype": "float64"})
    for name, value in model.parameters.items():
        clone.parameters[name][...] = value
    for src, dst in zip(model.layers, clone.layers):
        for key, value in src.state.items():
            dst.state[key][...] = value
        if hasattr(src, "frozen"):
            dst.frozen = src.frozen
            dst._D = None if src._D is None else src._D.astype(np.float64)
    clone.normalizer_ = model.normalizer_
    return clone


def _cost(model: Sequential, X: Array, Y: Array, loss: Loss, l2: float) -> float:
    AL = model.forward(X, training=True)
    J = loss.cost(AL, Y)
    if l2:
        J += l2 / (2 * Y.shape[-1]) * sum(float(np.sum(W * W)) for W in model.weights())
    return J


def gradients(
    model: Sequential, X: Array, Y: Array, *, loss: str | Loss | None = None, l2: float = 0.0
) -> dict[str, Array]:
    """Back-propagated gradients {"dW1": ..., ...} of J at X (n_x, m), Y (n_y, m)."""
    from .training import prepare_targets

    X = model.check_input(X)
    Y = prepare_targets(model, Y, X.shape[model.example_axis]).astype(model.dtype)
    loss_obj = model.resolve_loss(loss)
    AL = model.forward(X, training=True)
    if model.fused_output(loss_obj):
        model.backward(loss_obj.output_delta(AL, Y), dZ_given=True)
    else:
        model.backward(loss_obj.gradient(AL, Y))
    grads = {k: v.copy() for k, v in model.gradients.items()}
    if l2:
        for name, value in model.parameters.items():
            if name.startswith("W"):
                grads["d" + name] += (l2 / Y.shape[-1]) * value
    return grads


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
    J(theta - eps e_i)) / (2 eps) for every parameter entry i. Below about 1e-7 the
    backward pass is right. Dropout layers should be ``frozen`` (a fixed mask) first.
    X: (n_x, m), Y: (n_y, m). The model itself is not changed.
    """
    model._require_built() if model.built else model.check_input(X)
    net = _float64_copy(model)
    X64 = np.asarray(X, dtype=np.float64)
    if net.normalizer_ is not None:
        X64 = net.normalizer_.transform(X64)
        net.normalizer_ = None
    from .training import prepare_targets

    Y64 = prepare_targets(net, Y, X64.shape[net.example_axis]).astype(np.float64)
    loss_obj = net.resolve_loss(loss)
    g = gradients(net, X64, Y64, loss=loss_obj, l2=l2)
    grad, approx = [], []
    for name, theta in net.parameters.items():
        flat = theta.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + epsilon
            J_plus = _cost(net, X64, Y64, loss_obj, l2)
            flat[i] = old - epsilon
            J_minus = _cost(net, X64, Y64, loss_obj, l2)
            flat[i] = old
            approx.append((J_plus - J_minus) / (2 * epsilon))
        grad.append(g["d" + name].reshape(-1))
    grad_v = np.concatenate(grad)
    approx_v = np.asarray(approx)
    denom = np.linalg.norm(grad_v) + np.linalg.norm(approx_v)
    if denom == 0:
        return 0.0
    return float(np.linalg.norm(grad_v - approx_v) / denom)
