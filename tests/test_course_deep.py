"""layerwise.course.deep against COURSE.md §1 and §2.3: seeds, caches, keys, gradients."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.course import deep
from layerwise.errors import ConfigError


def random_net(layer_dims=(5, 4, 3, 1), m=6, seed=0):
    rng = np.random.RandomState(seed)
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = rng.randn(layer_dims[l], layer_dims[l - 1])
        params[f"b{l}"] = rng.randn(layer_dims[l], 1) * 0.1
    X = rng.randn(layer_dims[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(np.uint8)
    return X, Y, params


def small_weights(W1, W2) -> dict:
    """{W1, b1, W2, b2} with zero biases shaped for W1 (n_h, n_x) and W2 (n_y, n_h)."""
    return {"W1": W1, "b1": np.zeros((W1.shape[0], 1)), "W2": W2, "b2": np.zeros((W2.shape[0], 1))}


def same_global_state(a, b) -> bool:
    return a[0] == b[0] and a[2] == b[2] and np.array_equal(a[1], b[1])


# ----------------------------------------------------------------- initialisers
def test_initialize_parameters_seed_one(assert_parameters_equal):
    p = deep.initialize_parameters(3, 2, 1)
    state = np.random.get_state()
    np.random.seed(1)
    W1 = np.random.randn(2, 3) * 0.01
    W2 = np.random.randn(1, 2) * 0.01
    assert_parameters_equal(p, small_weights(W1, W2))
    assert same_global_state(state, np.random.get_state())


def test_initialize_parameters_deep_seed_three(assert_parameters_equal):
    p = deep.initialize_parameters_deep([5, 4, 3])
    state = np.random.get_state()
    np.random.seed(3)
    W1 = np.random.randn(4, 5) * 0.01
    W2 = np.random.randn(3, 4) * 0.01
    assert_parameters_equal(p, small_weights(W1, W2))
    assert p["W1"].dtype == np.float64
    assert same_global_state(state, np.random.get_state())


# ----------------------------------------------------------------- forward
def test_linear_forward_and_cache():
    X, _, p = random_net()
    Z, cache = deep.linear_forward(X, p["W1"], p["b1"])
    np.testing.assert_allclose(Z, p["W1"] @ X + p["b1"], rtol=1e-14)
    assert type(cache) is tuple and len(cache) == 3
    assert cache[0] is X and cache[1] is p["W1"] and cache[2] is p["b1"]


def test_activations_return_value_and_cache():
    Z = np.array([[-2.0, 0.0, 3.0], [1000.0, -1000.0, 0.5]])
    A, cache = deep.sigmoid(Z)
    assert cache is Z
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(A, 1 / (1 + np.exp(-Z)))
    assert A[1, 1] == 0.0 and not np.isnan(A).any()  # the plain form, silently
    A, cache = deep.relu(Z)
    assert cache is Z
    np.testing.assert_array_equal(A, np.maximum(0, Z))


def test_sigmoid_backward():
    rng = np.random.RandomState(1)
    dA, Z = rng.randn(3, 4), rng.randn(3, 4)
    s = 1 / (1 + np.exp(-Z))
    np.testing.assert_allclose(deep.sigmoid_backward(dA, Z), dA * s * (1 - s), rtol=1e-14)


def test_relu_backward_is_a_masked_copy():
    dA = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    Z = np.array([[-1.0, 0.0, 2.0], [3.0, -0.5, 1e-300]])
    dZ = deep.relu_backward(dA, Z)
    np.testing.assert_array_equal(dZ, [[0.0, 0.0, 3.0], [4.0, 0.0, 6.0]])
    assert dZ is not dA
    np.testing.assert_array_equal(dA, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_linear_activation_forward(activation):
    X, _, p = random_net()
    A, cache = deep.linear_activation_forward(X, p["W1"], p["b1"], activation)
    Z = p["W1"] @ X + p["b1"]
    want = 1 / (1 + np.exp(-Z)) if activation == "sigmoid" else np.maximum(0, Z)
    np.testing.assert_allclose(A, want, rtol=1e-14)
    linear_cache, activation_cache = cache
    assert type(cache) is tuple and type(linear_cache) is tuple and len(linear_cache) == 3
    np.testing.assert_allclose(activation_cache, Z, rtol=1e-15)


@pytest.mark.parametrize("bad", ["tanh", "Sigmoid", "", None])
def test_unknown_activation_raises(bad):
    X, _, p = random_net()
    with pytest.raises(ConfigError):
        deep.linear_activation_forward(X, p["W1"], p["b1"], bad)
    _, cache = deep.linear_activation_forward(X, p["W1"], p["b1"], "relu")
    with pytest.raises(ConfigError):
        deep.linear_activation_backward(np.ones((4, 6)), cache, bad)


def test_L_model_forward_structure():
    X, _, p = random_net()
    AL, caches = deep.L_model_forward(X, p)
    assert AL.shape == (1, 6)
    assert type(caches) is list and len(caches) == 3
    A = X
    for l, (linear_cache, Z) in enumerate(caches, start=1):
        A_prev, W, b = linear_cache
        np.testing.assert_allclose(A_prev, A, rtol=1e-15)
        assert W is p[f"W{l}"] and b is p[f"b{l}"]
        np.testing.assert_allclose(Z, W @ A + b, rtol=1e-14)
        A = np.maximum(0, Z) if l < 3 else 1 / (1 + np.exp(-Z))
    np.testing.assert_allclose(AL, A, rtol=1e-14)


def test_compute_cost_zero_d_array():
    AL = np.array([[0.8, 0.9, 0.4]])
    Y = np.array([[1, 1, 0]])
    cost = deep.compute_cost(AL, Y)
    assert isinstance(cost, np.ndarray) and cost.ndim == 0
    want = -np.sum(np.log([0.8, 0.9, 0.6])) / 3
    assert float(cost) == pytest.approx(want, rel=1e-14)
    for dtype in (np.uint8, bool, np.int64):
        assert float(deep.compute_cost(AL, Y.astype(dtype))) == float(cost)


# ----------------------------------------------------------------- backward
def test_linear_backward():
    rng = np.random.RandomState(2)
    dZ, A_prev, W, b = rng.randn(3, 4), rng.randn(5, 4), rng.randn(3, 5), rng.randn(3, 1)
    dA_prev, dW, db = deep.linear_backward(dZ, (A_prev, W, b))
    np.testing.assert_allclose(dW, dZ @ A_prev.T / 4, rtol=1e-14)
    np.testing.assert_allclose(db, dZ.sum(axis=1, keepdims=True) / 4, rtol=1e-14)
    np.testing.assert_allclose(dA_prev, W.T @ dZ, rtol=1e-14)
    assert db.shape == (3, 1)


def test_L_model_backward_keys():
    X, Y, p = random_net()
    AL, caches = deep.L_model_forward(X, p)
    grads = deep.L_model_backward(AL, Y, caches)
    want = {"dA0", "dA1", "dA2", "dW1", "dW2", "dW3", "db1", "db2", "db3"}
    assert set(grads) == want and len(grads) == len(want)
    for l in (1, 2, 3):
        assert grads[f"dW{l}"].shape == p[f"W{l}"].shape
        assert grads[f"db{l}"].shape == p[f"b{l}"].shape
    assert grads["dA0"].shape == X.shape
    # Y may come flat: it is reshaped to AL's shape
    flat = deep.L_model_backward(AL, Y.ravel(), caches)
    for k in want:
        np.testing.assert_array_equal(flat[k], grads[k])


def _cost(X, Y, p):
    return float(deep.compute_cost(deep.L_model_forward(X, p)[0], Y))


@pytest.mark.parametrize("layer_dims", [(5, 4, 3, 1), (4, 1), (3, 6, 1)])
def test_L_model_backward_finite_differences(layer_dims):
    X, Y, p = random_net(layer_dims, m=7, seed=5)
    AL, caches = deep.L_model_forward(X, p)
    grads = deep.L_model_backward(AL, Y, caches)
    eps = 1e-6
    for key, value in p.items():
        num = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in p.items()}
            minus = {k: v.copy() for k, v in p.items()}
            plus[key][idx] += eps
            minus[key][idx] -= eps
            num[idx] = (_cost(X, Y, plus) - _cost(X, Y, minus)) / (2 * eps)
        np.testing.assert_allclose(grads["d" + key], num, rtol=1e-5, atol=1e-8)
    # dA0 is dJ/dX times m (the course's dA carry no 1/m)
    m = X.shape[1]
    num = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        Xp, Xm = X.copy(), X.copy()
        Xp[idx] += eps
        Xm[idx] -= eps
        num[idx] = (_cost(Xp, Y, p) - _cost(Xm, Y, p)) / (2 * eps) * m
    np.testing.assert_allclose(grads["dA0"], num, rtol=1e-5, atol=1e-8)


def test_L_model_backward_silent_when_saturated():
    X, Y, p = random_net((5, 1), m=4)
    p["W1"] *= 1e4  # AL saturates to exactly 0 or 1: divisions by zero, without warnings
    AL, caches = deep.L_model_forward(X, p)
    deep.L_model_backward(AL, Y, caches)
    deep.compute_cost(AL, Y)


def test_update_parameters_deep_copies():
    X, Y, p = random_net()
    AL, caches = deep.L_model_forward(X, p)
    grads = deep.L_model_backward(AL, Y, caches)
    p0 = {k: v.copy() for k, v in p.items()}
    new = deep.update_parameters(p, grads, 0.1)
    assert set(new) == set(p)
    for k, v in p.items():
        np.testing.assert_array_equal(v, p0[k])
        np.testing.assert_allclose(new[k], p0[k] - 0.1 * grads["d" + k], rtol=1e-15)
        assert new[k] is not v
