"""Initialisers: shapes, exact values against the same generator's draws, statistics,
and Dense's default initialisation per activation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from layerwise import ConfigError, Dense, Sequential
from layerwise import initializers as init
from layerwise.initializers import get_initializer
from layerwise.layers import build_layer


def _randn(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("name", ["zeros", "random", "xavier", "he"])
@pytest.mark.parametrize(("n", "n_prev"), [(1, 1), (3, 5), (7, 2)])
def test_shape_is_n_by_n_prev(name, n, n_prev):
    W = get_initializer(name)(n, n_prev, np.random.default_rng(0))
    assert W.shape == (n, n_prev)


def test_zeros():
    W = init.zeros(4, 3)
    assert W.shape == (4, 3)
    assert not W.any()


def test_random_is_standard_normal_times_001():
    W = init.random(4, 6, np.random.default_rng(7))
    np.testing.assert_array_equal(W, _randn(7, (4, 6)) * 0.01)


@pytest.mark.parametrize("scale", [10.0, 0.5, 1e-3])
def test_random_with_configured_scale(scale):
    W = get_initializer("random", scale=scale)(5, 3, np.random.default_rng(8))
    np.testing.assert_array_equal(W, _randn(8, (5, 3)) * scale)
    np.testing.assert_array_equal(init.random(5, 3, np.random.default_rng(8), scale=scale), W)


def test_xavier_exact():
    W = init.xavier(6, 9, np.random.default_rng(9))
    np.testing.assert_allclose(W, _randn(9, (6, 9)) * math.sqrt(1 / 9), rtol=1e-15)


def test_he_exact():
    W = init.he(6, 9, np.random.default_rng(10))
    np.testing.assert_allclose(W, _randn(10, (6, 9)) * math.sqrt(2 / 9), rtol=1e-15)


@pytest.mark.parametrize(("name", "var"), [("xavier", 1.0), ("he", 2.0)])
def test_variance_on_a_big_matrix(name, var):
    n, n_prev = 400, 500
    W = get_initializer(name)(n, n_prev, np.random.default_rng(11))
    expected_std = math.sqrt(var / n_prev)
    # 200,000 draws: the sample std is within ~0.3% of the true one, the mean near 0
    assert abs(W.std() / expected_std - 1) < 0.01
    assert abs(W.mean()) < 5 * expected_std / math.sqrt(W.size)
    # each row is a unit's fan-in: E[||W_i||^2] = var
    np.testing.assert_allclose(np.mean(np.sum(W * W, axis=1)), var, rtol=0.02)


def test_random_statistics():
    W = init.random(300, 300, np.random.default_rng(12))
    assert abs(W.std() / 0.01 - 1) < 0.01


@pytest.mark.parametrize("name", ["glorot", "He", "", None, 3])
def test_unknown_initializer(name):
    with pytest.raises(ConfigError):
        get_initializer(name)


@pytest.mark.parametrize("name", ["zeros", "xavier", "he"])
def test_scale_only_for_random(name):
    with pytest.raises(ConfigError):
        get_initializer(name, scale=0.1)


@pytest.mark.parametrize(
    ("activation", "factor"),
    [
        ("relu", 2.0),
        ("leaky_relu", 2.0),
        ("tanh", 1.0),
        ("sigmoid", 1.0),
        ("linear", 1.0),
        ("softmax", 1.0),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dense_default_init_per_activation(activation, factor, dtype):
    seed, n_prev, n = 3, 7, 5
    model = Sequential([Dense(n, activation)], input_dim=n_prev, seed=seed, dtype=dtype)
    layer = model.layers[0]
    assert layer.init == ("he" if factor == 2.0 else "xavier")
    expected = _randn(seed, (n, n_prev)) * math.sqrt(factor / n_prev)
    W, b = model.parameters["W1"], model.parameters["b1"]
    assert W.shape == (n, n_prev) and b.shape == (n, 1)
    assert W.dtype == np.dtype(dtype) and b.dtype == np.dtype(dtype)
    np.testing.assert_allclose(W, expected.astype(dtype), rtol=1e-6 if dtype == "float32" else 0)
    assert not b.any()


def test_dense_explicit_init_and_scale():
    layer = Dense(4, "relu", init="random", init_scale=0.5)
    build_layer(layer, (3,), np.random.default_rng(21), np.float64)
    np.testing.assert_array_equal(layer.params["W"], _randn(21, (4, 3)) * 0.5)
    layer = Dense(4, "tanh", init="zeros")
    build_layer(layer, (3,), np.random.default_rng(21), np.float64)
    assert not layer.params["W"].any() and not layer.params["b"].any()
    layer = Dense(2, "sigmoid", init="he")
    build_layer(layer, (8,), np.random.default_rng(22), np.float64)
    np.testing.assert_allclose(layer.params["W"], _randn(22, (2, 8)) * 0.5, rtol=1e-15)
    with pytest.raises(ConfigError):
        Dense(4, "relu", init="orthogonal")


def test_deeper_stack_draws_layer_by_layer():
    model = Sequential([Dense(3, "relu"), Dense(2, "tanh")], input_dim=4, seed=5, dtype="float64")
    rng = np.random.default_rng(5)
    W1 = rng.standard_normal((3, 4)) * math.sqrt(2 / 4)
    W2 = rng.standard_normal((2, 3)) * math.sqrt(1 / 3)
    np.testing.assert_allclose(model.parameters["W1"], W1, rtol=1e-15)
    np.testing.assert_allclose(model.parameters["W2"], W2, rtol=1e-15)
