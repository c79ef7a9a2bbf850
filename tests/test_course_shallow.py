"""layerwise.course.shallow against COURSE.md §1, §2.2, §3 (flower) and §4 (week 3)."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from layerwise.course import shallow

KEYS = {"W1", "b1", "W2", "b2"}
GRAD_KEYS = {"dW1", "db1", "dW2", "db2"}
CACHE_KEYS = ["Z1", "A1", "Z2", "A2"]
HEADLINE_COSTS = [
    0.693162, 0.258625, 0.239334, 0.230802, 0.225528, 0.221845, 0.219094,  # exact (1e-6)
    0.220639, 0.219403, 0.218483,  # within 1e-4
]  # fmt: skip
SWEEP_EXACT = {1: 67.5, 2: 67.25, 3: 90.75, 4: 90.5, 5: 91.25}


def small_case(n_x=3, n_h=4, m=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = (rng.rand(1, m) > 0.5).astype(np.uint8)
    params = {
        "W1": rng.randn(n_h, n_x),
        "b1": rng.randn(n_h, 1),
        "W2": rng.randn(1, n_h),
        "b2": rng.randn(1, 1),
    }
    return X, Y, params


def reference_forward(X, p):
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.tanh(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    return Z1, A1, Z2, 1 / (1 + np.exp(-Z2))


def cost_of(X, Y, p):
    return shallow.compute_cost(shallow.forward_propagation(X, p)[0], Y)


# ----------------------------------------------------------------- small functions
def test_layer_sizes_tuple():
    sizes = shallow.layer_sizes(np.zeros((5, 3)), np.zeros((2, 3)))
    assert type(sizes) is tuple and sizes == (5, 4, 2)


def test_initialize_parameters_uses_callers_seed(assert_parameters_equal):
    np.random.seed(2)
    p = shallow.initialize_parameters(2, 4, 1)
    after = np.random.randn()
    np.random.seed(2)
    W1 = np.random.randn(4, 2) * 0.01
    W2 = np.random.randn(1, 4) * 0.01
    b1, b2 = np.zeros((4, 1)), np.zeros((1, 1))
    assert_parameters_equal(p, {"W1": W1, "b1": b1, "W2": W2, "b2": b2})
    assert after == np.random.randn()  # exactly the two draws were consumed


def test_forward_propagation_and_cache():
    X, _, p = small_case()
    A2, cache = shallow.forward_propagation(X, p)
    assert isinstance(cache, dict) and list(cache) == CACHE_KEYS
    for got, want in zip([cache[k] for k in CACHE_KEYS], reference_forward(X, p)):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    assert A2 is cache["A2"] and A2.shape == (1, 5)


def test_compute_cost_type_and_inputs():
    X, Y, p = small_case()
    A2, _ = shallow.forward_propagation(X, p)
    cost = shallow.compute_cost(A2, Y)
    assert type(cost) is float
    Yf = Y.astype(float)
    want = -np.sum(Yf * np.log(A2) + (1 - Yf) * np.log(1 - A2)) / 5
    assert cost == pytest.approx(want, rel=1e-13)
    assert shallow.compute_cost(A2.ravel(), Y) == pytest.approx(cost, rel=1e-15)  # 1-D A2
    assert shallow.compute_cost(A2, Y.astype(bool)) == cost
    assert shallow.compute_cost(A2, Y.astype(np.int64)) == cost


def test_backward_propagation_formulas():
    X, Y, p = small_case()
    _, cache = shallow.forward_propagation(X, p)
    grads = shallow.backward_propagation(p, cache, X, Y)
    assert set(grads) == GRAD_KEYS and len(grads) == 4
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dZ1 = (p["W2"].T @ dZ2) * (1 - cache["A1"] ** 2)
    np.testing.assert_allclose(grads["dW2"], dZ2 @ cache["A1"].T / m, rtol=1e-13)
    np.testing.assert_allclose(grads["db2"], dZ2.sum(axis=1, keepdims=True) / m, rtol=1e-13)
    np.testing.assert_allclose(grads["dW1"], dZ1 @ X.T / m, rtol=1e-12)
    np.testing.assert_allclose(grads["db1"], dZ1.sum(axis=1, keepdims=True) / m, rtol=1e-12)
    for k in KEYS:
        assert grads["d" + k].shape == p[k].shape


def test_backward_uses_cached_A1():
    X, Y, p = small_case()
    _, cache = shallow.forward_propagation(X, p)
    cache = dict(cache, A1=np.zeros_like(cache["A1"]))  # then 1 - A1^2 = 1 and dW2 = 0
    grads = shallow.backward_propagation(p, cache, X, Y)
    np.testing.assert_array_equal(grads["dW2"], 0)
    np.testing.assert_allclose(grads["dW1"], (p["W2"].T @ (cache["A2"] - Y)) @ X.T / 5)


def test_backward_matches_finite_differences():
    X, Y, p = small_case(seed=4)
    _, cache = shallow.forward_propagation(X, p)
    grads = shallow.backward_propagation(p, cache, X, Y)
    eps = 1e-6
    for key in KEYS:
        num = np.zeros_like(p[key])
        for idx in np.ndindex(p[key].shape):
            plus = {k: v.copy() for k, v in p.items()}
            minus = {k: v.copy() for k, v in p.items()}
            plus[key][idx] += eps
            minus[key][idx] -= eps
            num[idx] = (cost_of(X, Y, plus) - cost_of(X, Y, minus)) / (2 * eps)
        np.testing.assert_allclose(grads["d" + key], num, rtol=1e-6, atol=1e-9)


def test_update_parameters_leaves_inputs():
    X, Y, p = small_case()
    _, cache = shallow.forward_propagation(X, p)
    grads = shallow.backward_propagation(p, cache, X, Y)
    p0 = {k: v.copy() for k, v in p.items()}
    g0 = {k: v.copy() for k, v in grads.items()}
    new = shallow.update_parameters(p, grads)
    assert set(new) == KEYS
    for k in KEYS:
        np.testing.assert_array_equal(p[k], p0[k])
        np.testing.assert_array_equal(grads["d" + k], g0["d" + k])
        np.testing.assert_allclose(new[k], p0[k] - 1.2 * g0["d" + k], rtol=1e-15)
    new2 = shallow.update_parameters(p, grads, learning_rate=0.5)
    np.testing.assert_allclose(new2["W1"], p0["W1"] - 0.5 * g0["dW1"])


def test_predict_is_boolean():
    X, _, p = small_case()
    pred = shallow.predict(p, X)
    assert pred.dtype == np.bool_ and pred.shape == (1, 5)
    np.testing.assert_array_equal(pred, reference_forward(X, p)[3] > 0.5)


def test_nn_model_seeds_three():
    X, Y, _ = small_case(n_x=2)
    p = shallow.nn_model(X, Y, 3, num_iterations=0)
    np.random.seed(3)
    want = shallow.initialize_parameters(2, 3, 1)
    for k in KEYS:
        np.testing.assert_array_equal(p[k], want[k])


def test_nn_model_prints_only_when_asked():
    X, Y, _ = small_case(n_x=2)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        shallow.nn_model(X, Y, 2, num_iterations=1001)
    assert buf.getvalue() == ""
    with contextlib.redirect_stdout(buf):
        shallow.nn_model(X, Y, 2, num_iterations=1001, print_cost=True)
    lines = buf.getvalue().splitlines()
    assert [ln.split(":")[0] for ln in lines] == [
        "Cost after iteration 0",
        "Cost after iteration 1000",
    ]


def test_sigmoid_helper():
    assert shallow.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(shallow.sigmoid(np.array([1.0, -1.0])), [0.7310585786, 0.2689414214])


# ----------------------------------------------------------------- the flower
def test_load_planar_dataset():
    X, Y = shallow.load_planar_dataset()
    state = np.random.get_state()
    assert X.shape == (2, 400) and X.dtype == np.float64
    assert Y.shape == (1, 400) and Y.dtype == np.uint8
    np.testing.assert_array_equal(Y[0, :200], 0)
    np.testing.assert_array_equal(Y[0, 200:], 1)
    np.testing.assert_allclose(X[:, 0], [1.20444229, 3.57611415], atol=1e-8)
    np.testing.assert_allclose(X.mean(axis=1), [-0.04334591, 0.06856587], atol=1e-8)
    # the global generator ends after seed 1 and exactly 800 normals
    np.random.seed(1)
    np.random.randn(800)
    want = np.random.get_state()
    assert state[0] == want[0] and state[2] == want[2]
    np.testing.assert_array_equal(state[1], want[1])


@pytest.fixture(scope="module")
def flower():
    return shallow.load_planar_dataset()


@pytest.fixture(scope="module")
def headline(flower):
    X, Y = flower
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        params = shallow.nn_model(X, Y, n_h=4, num_iterations=10000, print_cost=True)
    return params, buf.getvalue()


def test_headline_costs(headline):
    _, out = headline
    lines = out.splitlines()
    assert len(lines) == 10
    costs = []
    for i, line in enumerate(lines):
        head, value = line.split(": ")
        assert head == f"Cost after iteration {1000 * i}"
        costs.append(float(value))
    np.testing.assert_allclose(costs[:7], HEADLINE_COSTS[:7], rtol=0, atol=1e-6)
    np.testing.assert_allclose(costs[7:], HEADLINE_COSTS[7:], rtol=0, atol=1e-4)


def test_headline_accuracy(headline, flower):
    params, _ = headline
    X, Y = flower
    assert set(params) == KEYS
    assert params["W1"].shape == (4, 2) and params["b2"].shape == (1, 1)
    assert shallow.accuracy(shallow.predict(params, X), Y) == pytest.approx(90.75, abs=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("n_h", [1, 2, 3, 4, 5, 20, 50])
def test_hidden_size_sweep(flower, n_h):
    X, Y = flower
    params = shallow.nn_model(X, Y, n_h, num_iterations=5000)
    acc = shallow.accuracy(shallow.predict(params, X), Y)
    if n_h in SWEEP_EXACT:
        assert acc == pytest.approx(SWEEP_EXACT[n_h], abs=1e-12)
    else:
        assert acc >= 90.0
