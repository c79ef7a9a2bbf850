"""Losses: hand-computed costs, dJ/dA against finite differences, the fused output
delta, and predictions of exactly 0 or 1."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from layerwise import ConfigError
from layerwise.activations import get_activation
from layerwise.losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    MeanSquaredError,
    default_loss,
    get_loss,
)


# ---------------------------------------------------------------------------- values
def test_bce_hand_example():
    A = np.array([[0.9, 0.2, 0.6]])
    Y = np.array([[1.0, 0.0, 1.0]])
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.6)) / 3
    assert BinaryCrossEntropy().cost(A, Y) == pytest.approx(expected, rel=1e-14)


def test_cce_hand_example():
    A = np.array([[0.7, 0.1], [0.2, 0.3], [0.1, 0.6]])
    Y = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    expected = -(math.log(0.7) + math.log(0.6)) / 2
    assert CategoricalCrossEntropy().cost(A, Y) == pytest.approx(expected, rel=1e-14)


def test_mse_hand_example():
    A = np.array([[1.0, 2.0, 3.0]])
    Y = np.array([[0.0, 2.0, 5.0]])
    # (1/(2m)) sum (A - Y)^2 = (1 + 0 + 4) / 6
    assert MeanSquaredError().cost(A, Y) == pytest.approx(5 / 6, rel=1e-15)
    A2 = np.array([[1.0, 0.0], [2.0, 1.0]])
    Y2 = np.array([[0.0, 0.0], [0.0, 0.0]])
    assert MeanSquaredError().cost(A2, Y2) == pytest.approx((1 + 4 + 1) / 4, rel=1e-15)


def test_mse_of_large_float32_outputs_is_finite_and_exact():
    # (A - Y)^2 = 1e40 overflows float32 (max 3.4e38); the cost, a float, does not.
    A = np.array([[1e20, -1e20]], dtype=np.float32)
    Y = np.zeros((1, 2), dtype=np.float32)
    expected = (float(A[0, 0]) ** 2 + float(A[0, 1]) ** 2) / (2 * 2)
    assert MeanSquaredError().cost(A, Y) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("m", [1, 5, 40])
def test_costs_are_averages_over_m(m):
    rng = np.random.default_rng(m)
    A = rng.uniform(0.05, 0.95, (1, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    per_example = [-(y * math.log(a) + (1 - y) * math.log(1 - a)) for a, y in zip(A[0], Y[0])]
    assert BinaryCrossEntropy().cost(A, Y) == pytest.approx(sum(per_example) / m, rel=1e-12)

    C = 4
    Z = rng.standard_normal((C, m))
    P = np.exp(Z) / np.exp(Z).sum(axis=0)
    idx = rng.integers(0, C, m)
    Yc = np.zeros((C, m))
    Yc[idx, np.arange(m)] = 1
    per_example = [-math.log(P[idx[j], j]) for j in range(m)]
    assert CategoricalCrossEntropy().cost(P, Yc) == pytest.approx(sum(per_example) / m, rel=1e-12)

    R = rng.standard_normal((3, m))
    T = rng.standard_normal((3, m))
    per_example = [0.5 * sum((R[i, j] - T[i, j]) ** 2 for i in range(3)) for j in range(m)]
    assert MeanSquaredError().cost(R, T) == pytest.approx(sum(per_example) / m, rel=1e-12)


def test_cost_returns_python_float():
    A = np.array([[0.3, 0.6]], dtype=np.float32)
    Y = np.array([[0.0, 1.0]], dtype=np.float32)
    for loss in (BinaryCrossEntropy(), CategoricalCrossEntropy(), MeanSquaredError()):
        assert type(loss.cost(A, Y)) is float


# ---------------------------------------------------------------------------- gradients
def _numerical_grad(f, A, h=1e-6):
    g = np.zeros_like(A)
    for idx in np.ndindex(A.shape):
        Ap, Am = A.copy(), A.copy()
        Ap[idx] += h
        Am[idx] -= h
        g[idx] = (f(Ap) - f(Am)) / (2 * h)
    return g


def _case(name, rng, m=6):
    if name == "bce":
        A = rng.uniform(0.05, 0.95, (1, m))
        Y = (rng.random((1, m)) < 0.5).astype(float)
    elif name == "cce":
        A = rng.uniform(0.05, 0.95, (3, m))
        Y = np.eye(3)[:, rng.integers(0, 3, m)]
    else:
        A = rng.standard_normal((2, m))
        Y = rng.standard_normal((2, m))
    return A, Y


@pytest.mark.parametrize("name", ["bce", "cce", "mse"])
def test_gradient_matches_finite_differences(name):
    rng = np.random.default_rng(1)
    A, Y = _case(name, rng)
    loss = get_loss(name)
    num = _numerical_grad(lambda a: loss.cost(a, Y), A)
    np.testing.assert_allclose(loss.gradient(A, Y), num, rtol=1e-6, atol=1e-10)


def test_gradient_closed_forms():
    A = np.array([[0.25, 0.8]])
    Y = np.array([[1.0, 0.0]])
    np.testing.assert_allclose(BinaryCrossEntropy().gradient(A, Y), [[-4.0 / 2, 5.0 / 2]])
    A = np.array([[0.5], [0.25], [0.25]])
    Y = np.array([[0.0], [1.0], [0.0]])
    np.testing.assert_allclose(CategoricalCrossEntropy().gradient(A, Y), [[0.0], [-4.0], [0.0]])
    np.testing.assert_allclose(
        MeanSquaredError().gradient(np.array([[3.0, 1.0]]), np.array([[1.0, 1.0]])), [[1.0, 0.0]]
    )


def _cost_of_Z(act_name, loss, Y):
    g = get_activation(act_name)
    return lambda Z: loss.cost(g.forward(Z.copy()), Y)


@pytest.mark.parametrize(
    ("act_name", "loss_name", "n_y"),
    [("sigmoid", "bce", 1), ("softmax", "cce", 4), ("linear", "mse", 2)],
)
def test_fused_output_delta(act_name, loss_name, n_y):
    rng = np.random.default_rng(2)
    m = 5
    Z = rng.standard_normal((n_y, m))
    if loss_name == "bce":
        Y = (rng.random((1, m)) < 0.5).astype(float)
    elif loss_name == "cce":
        Y = np.eye(n_y)[:, rng.integers(0, n_y, m)]
    else:
        Y = rng.standard_normal((n_y, m))
    g = get_activation(act_name)
    loss = get_loss(loss_name)
    assert loss.fused_with == act_name
    A = g.forward(Z.copy())
    delta = loss.output_delta(A, Y)
    # the literal formula
    np.testing.assert_allclose(delta, (A - Y) / m, rtol=1e-15)
    # the unfused route: the activation's backward of dJ/dA
    np.testing.assert_allclose(delta, g.backward(loss.gradient(A, Y), A), rtol=1e-9, atol=1e-14)
    # and dJ/dZ by finite differences through g
    num = _numerical_grad(_cost_of_Z(act_name, loss, Y), Z)
    np.testing.assert_allclose(delta, num, rtol=1e-6, atol=1e-10)


def test_output_delta_in_place():
    A = np.array([[0.2, 0.9]])
    Y = np.array([[0.0, 1.0]])
    buf = A.copy()
    out = BinaryCrossEntropy().output_delta(buf, Y, out=buf)
    assert out is buf
    np.testing.assert_allclose(out, [[0.1, -0.05]])


# ---------------------------------------------------------------------------- 0 and 1
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exact_zero_and_one_predictions(dtype):
    A = np.array([[0.0, 1.0, 1.0, 0.0]], dtype=dtype)
    Y = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=dtype)
    Ac = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], dtype=dtype)
    Yc = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(divide="raise", invalid="raise", over="raise"):
        warnings.simplefilter("error")
        bce = BinaryCrossEntropy()
        J = bce.cost(A, Y)
        G = bce.gradient(A, Y)
        cce = CategoricalCrossEntropy()
        Jc = cce.cost(Ac, Yc)
        Gc = cce.gradient(Ac, Yc)
        right = bce.cost(np.array([[1.0, 0.0]], dtype=dtype), np.array([[1.0, 0.0]], dtype=dtype))
    for v in (J, Jc, right):
        assert math.isfinite(v)
    assert np.all(np.isfinite(G)) and np.all(np.isfinite(Gc))
    assert J > 5 and Jc > 5  # confidently wrong predictions cost a lot
    assert 0 <= right < 1e-6  # confidently right ones cost nothing
    # the wrong examples dominate: J is the clipped -log(eps) of the two wrong ones, over m
    eps = float(np.finfo(dtype).eps)
    assert J == pytest.approx(-2 * math.log(eps) / 4, rel=1e-3)


# ---------------------------------------------------------------------------- lookup
def test_names_and_defaults():
    assert isinstance(get_loss("bce"), BinaryCrossEntropy)
    assert isinstance(get_loss("binary_crossentropy"), BinaryCrossEntropy)
    assert isinstance(get_loss("CCE"), CategoricalCrossEntropy)
    assert isinstance(get_loss("mse"), MeanSquaredError)
    loss = MeanSquaredError()
    assert get_loss(loss) is loss
    assert isinstance(default_loss("sigmoid"), BinaryCrossEntropy)
    assert isinstance(default_loss("softmax"), CategoricalCrossEntropy)
    assert isinstance(default_loss("linear"), MeanSquaredError)


@pytest.mark.parametrize("name", ["hinge", "", None, 1])
def test_unknown_loss(name):
    with pytest.raises(ConfigError):
        get_loss(name)


def test_no_default_loss_for_hidden_style_output():
    with pytest.raises(ConfigError):
        default_loss("relu")
