"""Layers: Dense, Dropout, BatchNorm and Activation, forward against hand NumPy and
backward against finite differences of a scalar function of the output."""

from __future__ import annotations

import math

import numpy as np
import pytest

from layerwise import Activation, BatchNorm, ConfigError, Dense, Dropout, ShapeError
from layerwise.layers import build_layer

CLOSED = {
    "sigmoid": lambda Z: 1 / (1 + np.exp(-Z)),
    "tanh": np.tanh,
    "relu": lambda Z: np.where(Z > 0, Z, 0.0),
    "leaky_relu": lambda Z: np.where(Z > 0, Z, 0.01 * Z),
    "linear": lambda Z: Z,
    "softmax": lambda Z: np.exp(Z) / np.exp(Z).sum(axis=0),
}


def _build(layer, n_prev, dtype=np.float64, seed=0):
    build_layer(layer, (n_prev,), np.random.default_rng(seed), np.dtype(dtype))
    return layer


def _numerical(f, arr, h=1e-6):
    """d f / d arr by two-sided differences, perturbing arr in place."""
    g = np.zeros(arr.shape)
    for idx in np.ndindex(arr.shape):
        old = arr[idx]
        arr[idx] = old + h
        fp = f()
        arr[idx] = old - h
        fm = f()
        arr[idx] = old
        g[idx] = (fp - fm) / (2 * h)
    return g


# ---------------------------------------------------------------------------- Dense
@pytest.mark.parametrize("activation", list(CLOSED))
@pytest.mark.parametrize("training", [True, False])
def test_dense_forward_float64(activation, training):
    rng = np.random.default_rng(1)
    layer = _build(Dense(3, activation), 4)
    layer.params["b"][...] = rng.standard_normal((3, 1))
    X = rng.standard_normal((4, 6))
    W, b = layer.params["W"], layer.params["b"]
    Z = np.array([[sum(W[i, k] * X[k, j] for k in range(4)) + b[i, 0] for j in range(6)]
                  for i in range(3)])  # fmt: skip
    A = layer.forward(X, training=training)
    assert A.shape == (3, 6) and A.dtype == np.float64
    np.testing.assert_allclose(A, CLOSED[activation](Z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", list(CLOSED))
def test_dense_forward_float32(activation):
    rng = np.random.default_rng(2)
    layer = _build(Dense(5, activation), 3, dtype=np.float32)
    assert layer.params["W"].dtype == np.float32 and layer.params["b"].dtype == np.float32
    layer.params["b"][...] = rng.standard_normal((5, 1))
    X = rng.standard_normal((3, 7)).astype(np.float32)
    W64, b64 = layer.params["W"].astype(np.float64), layer.params["b"].astype(np.float64)
    expected = CLOSED[activation](W64 @ X.astype(np.float64) + b64)
    for training in (True, False):
        A = layer.forward(X, training=training)
        assert A.dtype == np.float32
        np.testing.assert_allclose(A, expected, rtol=1e-5, atol=1e-6)


def test_dense_without_bias():
    layer = _build(Dense(2, "linear", use_bias=False), 3)
    assert set(layer.params) == {"W"} and set(layer.grads) == {"W"}
    X = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(layer.forward(X, training=True), layer.params["W"] @ X)


def test_dense_inference_output_is_not_reused():
    layer = _build(Dense(2, "tanh"), 3)
    X = np.random.default_rng(3).standard_normal((3, 4))
    A1 = layer.forward(X)
    kept = A1.copy()
    layer.forward(2 * X)
    np.testing.assert_array_equal(A1, kept)


@pytest.mark.parametrize("activation", list(CLOSED))
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_backward_finite_differences(activation, use_bias):
    rng = np.random.default_rng(4)
    n_prev, n, m = 4, 3, 5
    layer = _build(Dense(n, activation, use_bias=use_bias), n_prev)
    if use_bias:
        layer.params["b"][...] = rng.standard_normal((n, 1)) * 0.5
    X = rng.standard_normal((n_prev, m))
    X[np.abs(X) < 0.05] = 0.3
    R = rng.standard_normal((n, m))  # f = sum(R * A), so dA = R

    def f():
        return float(np.sum(R * layer.forward(X, training=False)))

    layer.forward(X, training=True)
    dA_prev = layer.backward(R.copy())
    for key in layer.params:
        np.testing.assert_allclose(
            layer.grads[key], _numerical(f, layer.params[key]), rtol=1e-6, atol=1e-9
        )
    np.testing.assert_allclose(dA_prev, _numerical(f, X), rtol=1e-6, atol=1e-9)


def test_dense_backward_course_formulas_with_given_dZ():
    rng = np.random.default_rng(5)
    layer = _build(Dense(3, "sigmoid"), 4)
    X = rng.standard_normal((4, 6))
    layer.forward(X, training=True)
    dZ = rng.standard_normal((3, 6))
    dA_prev = layer.backward(dZ.copy(), dZ_given=True)
    np.testing.assert_allclose(layer.grads["W"], dZ @ X.T, rtol=1e-13)
    np.testing.assert_allclose(layer.grads["b"], dZ.sum(axis=1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(dA_prev, layer.params["W"].T @ dZ, rtol=1e-13)


def test_dense_first_layer_skips_input_gradient_and_needs_forward():
    layer = _build(Dense(2, "relu"), 3)
    with pytest.raises(RuntimeError):
        layer.backward(np.ones((2, 4)))
    layer.need_input_grad = False
    layer.forward(np.ones((3, 4)), training=True)
    assert layer.backward(np.ones((2, 4))) is None


@pytest.mark.parametrize("units", [0, -1, 2.5, True, "3"])
def test_dense_bad_units(units):
    with pytest.raises(ConfigError):
        Dense(units)


def test_dense_rejects_image_input():
    with pytest.raises(ShapeError):
        build_layer(Dense(2), (4, 4, 3), np.random.default_rng(0), np.float64)


# ---------------------------------------------------------------------------- Dropout
@pytest.mark.parametrize("keep_prob", [0.8, 0.5])
def test_dropout_inverted_scaling_preserves_mean(keep_prob):
    layer = _build(Dropout(keep_prob), 200)
    X = np.ones((200, 500))
    A = layer.forward(X, training=True)
    values = np.unique(A)
    np.testing.assert_allclose(values, [0.0, 1 / keep_prob], rtol=1e-15)
    kept = np.mean(A > 0)
    # 100,000 Bernoulli draws: the kept fraction is within ~0.5% of keep_prob
    assert abs(kept - keep_prob) < 0.01
    assert abs(A.mean() - 1.0) < 0.02
    # on data: E[A] = X, so the column means track the input's
    Xr = np.random.default_rng(6).uniform(1, 2, (200, 500))
    Ar = layer.forward(Xr, training=True)
    assert abs(Ar.mean() / Xr.mean() - 1) < 0.02


def test_dropout_is_identity_at_inference():
    layer = _build(Dropout(0.3), 4)
    X = np.random.default_rng(7).standard_normal((4, 9))
    A = layer.forward(X, training=False)
    np.testing.assert_array_equal(A, X)
    dA = np.ones((4, 9))
    np.testing.assert_array_equal(layer.backward(dA), np.ones((4, 9)))


def test_dropout_keep_prob_one_is_identity_in_training():
    layer = _build(Dropout(1.0), 4)
    X = np.random.default_rng(8).standard_normal((4, 9))
    np.testing.assert_array_equal(layer.forward(X, training=True), X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_backward_uses_the_forward_mask(dtype):
    layer = _build(Dropout(0.6), 30, dtype=dtype)
    X = np.random.default_rng(9).uniform(0.5, 1.5, (30, 40)).astype(dtype)
    A = layer.forward(X, training=True).copy()
    assert A.dtype == dtype
    dropped = A == 0
    assert dropped.any() and (~dropped).any()
    np.testing.assert_allclose(A[~dropped], X[~dropped] / 0.6, rtol=1e-6)
    dA = np.random.default_rng(10).uniform(0.5, 1.5, (30, 40)).astype(dtype)
    dA_prev = layer.backward(dA.copy())
    assert np.all(dA_prev[dropped] == 0)
    assert np.all(dA_prev[~dropped] != 0)
    np.testing.assert_allclose(dA_prev[~dropped], dA[~dropped] / 0.6, rtol=1e-6)


def test_dropout_masks_differ_unless_frozen():
    layer = _build(Dropout(0.5), 20)
    X = np.ones((20, 20))
    A1 = layer.forward(X, training=True).copy()
    A2 = layer.forward(X, training=True).copy()
    assert not np.array_equal(A1, A2)
    layer.frozen = True
    A3 = layer.forward(X, training=True).copy()
    A4 = layer.forward(X, training=True).copy()
    np.testing.assert_array_equal(A3, A2)
    np.testing.assert_array_equal(A4, A2)


@pytest.mark.parametrize("keep_prob", [0.0, -0.2, 1.01, 2, float("nan")])
def test_dropout_bad_keep_prob(keep_prob):
    with pytest.raises(ConfigError):
        Dropout(keep_prob)


# ---------------------------------------------------------------------------- BatchNorm
def _bn(n=3, seed=11, dtype=np.float64):
    rng = np.random.default_rng(seed)
    layer = _build(BatchNorm(), n, dtype=dtype)
    layer.params["gamma"][...] = rng.uniform(0.5, 2.0, (n, 1))
    layer.params["beta"][...] = rng.standard_normal((n, 1))
    Z = rng.standard_normal((n, 16)) * rng.uniform(0.5, 4, (n, 1)) + rng.uniform(-3, 3, (n, 1))
    return layer, Z.astype(dtype)


def test_batchnorm_training_output_statistics():
    layer, Z = _bn()
    gamma, beta = layer.params["gamma"], layer.params["beta"]
    out = layer.forward(Z, training=True)
    np.testing.assert_allclose(out.mean(axis=1, keepdims=True), beta, atol=1e-12)
    var = Z.var(axis=1, keepdims=True)
    # std of the output is gamma * sigma / sqrt(sigma^2 + eps): gamma up to the eps
    np.testing.assert_allclose(
        out.std(axis=1, keepdims=True), gamma * np.sqrt(var / (var + 1e-5)), rtol=1e-12
    )
    np.testing.assert_allclose(out.std(axis=1, keepdims=True), gamma, rtol=1e-4)
    expected = gamma * (Z - Z.mean(axis=1, keepdims=True)) / np.sqrt(var + 1e-5) + beta
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_batchnorm_running_statistics_and_inference():
    layer, Z1 = _bn()
    Z2 = Z1[:, ::-1] * 2 + 1
    mom, eps = 0.8, 1e-3
    layer = _build(BatchNorm(momentum=mom, epsilon=eps), 3)
    np.testing.assert_array_equal(layer.state["running_mean"], np.zeros((3, 1)))
    np.testing.assert_array_equal(layer.state["running_var"], np.ones((3, 1)))
    layer.forward(Z1, training=True)
    rm = mom * 0 + (1 - mom) * Z1.mean(axis=1, keepdims=True)
    rv = mom * 1 + (1 - mom) * Z1.var(axis=1, keepdims=True)
    np.testing.assert_allclose(layer.state["running_mean"], rm, rtol=1e-13)
    np.testing.assert_allclose(layer.state["running_var"], rv, rtol=1e-13)
    layer.forward(Z2, training=True)
    rm = mom * rm + (1 - mom) * Z2.mean(axis=1, keepdims=True)
    rv = mom * rv + (1 - mom) * Z2.var(axis=1, keepdims=True)
    np.testing.assert_allclose(layer.state["running_mean"], rm, rtol=1e-13)
    np.testing.assert_allclose(layer.state["running_var"], rv, rtol=1e-13)

    layer.params["gamma"][...] = [[2.0], [0.5], [1.0]]
    layer.params["beta"][...] = [[1.0], [-1.0], [0.0]]
    Zt = np.random.default_rng(12).standard_normal((3, 5))
    out = layer.forward(Zt, training=False)
    expected = layer.params["gamma"] * (Zt - rm) / np.sqrt(rv + eps) + layer.params["beta"]
    np.testing.assert_allclose(out, expected, rtol=1e-13)
    # inference leaves the running statistics alone
    np.testing.assert_allclose(layer.state["running_mean"], rm, rtol=1e-13)


def test_batchnorm_backward_finite_differences():
    layer, Z = _bn(n=3)
    R = np.random.default_rng(13).standard_normal(Z.shape)

    def f():
        return float(np.sum(R * layer.forward(Z, training=True)))

    layer.forward(Z, training=True)
    dZ = layer.backward(R.copy())
    np.testing.assert_allclose(dZ, _numerical(f, Z), rtol=1e-6, atol=1e-9)
    for key in ("gamma", "beta"):
        np.testing.assert_allclose(
            layer.grads[key], _numerical(f, layer.params[key]), rtol=1e-6, atol=1e-9
        )


def test_batchnorm_float32_keeps_dtype():
    layer, Z = _bn(dtype=np.float32)
    out = layer.forward(Z, training=True)
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(Z)).dtype == np.float32
    assert layer.state["running_var"].dtype == np.float32
    assert layer.forward(Z, training=False).dtype == np.float32


@pytest.mark.parametrize("kwargs", [{"momentum": 1.0}, {"momentum": -0.1}, {"epsilon": 0.0},
                                    {"epsilon": -1e-5}])  # fmt: skip
def test_batchnorm_bad_arguments(kwargs):
    with pytest.raises(ConfigError):
        BatchNorm(**kwargs)


def test_batchnorm_rejects_image_input():
    with pytest.raises(ShapeError):
        build_layer(BatchNorm(), (4, 4), np.random.default_rng(0), np.float64)


# ---------------------------------------------------------------------------- Activation
@pytest.mark.parametrize("name", list(CLOSED))
def test_activation_layer_forward_and_backward(name):
    rng = np.random.default_rng(14)
    Z = rng.standard_normal((3, 5))
    Z[np.abs(Z) < 0.05] = 0.4
    layer = _build(Activation(name), 3)
    assert layer.params == {}
    np.testing.assert_allclose(layer.forward(Z, training=False), CLOSED[name](Z), rtol=1e-13)
    A = layer.forward(Z, training=True)
    np.testing.assert_allclose(A, CLOSED[name](Z), rtol=1e-13)
    R = rng.standard_normal(Z.shape)
    dZ = layer.backward(R.copy())

    def f():
        return float(np.sum(R * CLOSED[name](Z)))

    np.testing.assert_allclose(dZ, _numerical(f, Z), rtol=1e-6, atol=1e-9)


def test_activation_layer_tanh_backward_closed_form():
    Z = np.linspace(-3, 3, 12).reshape(3, 4)
    layer = _build(Activation("tanh"), 3)
    layer.forward(Z, training=True)
    dA = np.full_like(Z, 2.0)
    np.testing.assert_allclose(layer.backward(dA.copy()), 2.0 * (1 - np.tanh(Z) ** 2), rtol=1e-13)


def test_activation_layer_unknown_name():
    with pytest.raises(ConfigError):
        Activation("mish")


def test_activation_layer_leaky_slope_config():
    layer = Activation({"name": "leaky_relu", "slope": 0.1})
    assert math.isclose(layer.activation.slope, 0.1)
    np.testing.assert_allclose(layer.forward(np.array([[-2.0, 3.0]])), [[-0.2, 3.0]])
