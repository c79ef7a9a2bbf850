"""layerwise.course.regularization against COURSE.md §2.6 and the §4 headline results."""

# The course's functions use the legacy global generator; so do the references here.
# ruff: noqa: NPY002

from __future__ import annotations

import numpy as np
import pytest

from layerwise.course import regularization as reg
from layerwise.errors import ConfigError, DataError

DIMS = [2, 20, 3, 1]
UPPER_KEYS = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]


def small_case(m: int = 9):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, m))
    Y = (rng.random((1, m)) > 0.5).astype(np.uint8)
    return X, Y


def test_initialize_parameters_recomputed_from_seed_3():
    p = reg.initialize_parameters(DIMS)
    np.random.seed(3)
    for l in range(1, 4):
        W = np.random.randn(DIMS[l], DIMS[l - 1]) / np.sqrt(DIMS[l - 1])
        np.testing.assert_array_equal(p[f"W{l}"], W)
        np.testing.assert_array_equal(p[f"b{l}"], np.zeros((DIMS[l], 1)))


def test_backward_keys_and_finite_differences(numerical_grads):
    X, Y = small_case()
    p = reg.initialize_parameters(DIMS)
    _, cache = reg.forward_propagation(X, p)
    assert len(cache) == 12
    grads = reg.backward_propagation(X, Y, cache)
    assert list(grads) == UPPER_KEYS
    num = numerical_grads(p, lambda q: reg.compute_cost(reg.forward_propagation(X, q)[0], Y))
    for k, v in num.items():
        np.testing.assert_allclose(grads[k], v, rtol=1e-5, atol=1e-8)


def test_l2_cost_and_backward(numerical_grads):
    X, Y = small_case()
    p = reg.initialize_parameters(DIMS)
    a3, cache = reg.forward_propagation(X, p)
    lambd, m = 0.7, X.shape[1]
    cost = reg.compute_cost_with_regularization(a3, Y, p, lambd)
    assert type(cost) is np.float64
    penalty = sum(float((p[f"W{l}"] ** 2).sum()) for l in (1, 2, 3)) * lambd / (2 * m)
    assert cost == pytest.approx(reg.compute_cost(a3, Y) + penalty, abs=1e-14)

    plain = reg.backward_propagation(X, Y, cache)
    l2 = reg.backward_propagation_with_regularization(X, Y, cache, lambd)
    assert list(l2) == UPPER_KEYS
    for l in (1, 2, 3):
        np.testing.assert_allclose(l2[f"dW{l}"], plain[f"dW{l}"] + lambd / m * p[f"W{l}"])
        np.testing.assert_array_equal(l2[f"db{l}"], plain[f"db{l}"])
    num = numerical_grads(
        p,
        lambda q: reg.compute_cost_with_regularization(
            reg.forward_propagation(X, q)[0], Y, q, lambd),
    )  # fmt: skip
    for k, v in num.items():
        np.testing.assert_allclose(l2[k], v, rtol=1e-5, atol=1e-8)


def test_dropout_masks_from_seed_1_on_every_call():
    X, _ = small_case()
    p = reg.initialize_parameters(DIMS)
    kp = 0.7
    a3, cache = reg.forward_propagation_with_dropout(X, p, kp)
    assert len(cache) == 14
    Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = cache
    np.random.seed(1)
    ref_D1 = np.random.rand(20, X.shape[1]) < kp
    ref_D2 = np.random.rand(3, X.shape[1]) < kp
    np.testing.assert_array_equal(np.asarray(D1, bool), ref_D1)
    np.testing.assert_array_equal(np.asarray(D2, bool), ref_D2)
    ref_A1 = np.maximum(0, p["W1"] @ X + p["b1"]) * ref_D1 / kp
    np.testing.assert_allclose(A1, ref_A1, rtol=1e-15)
    ref_A2 = np.maximum(0, p["W2"] @ ref_A1 + p["b2"]) * ref_D2 / kp
    np.testing.assert_allclose(A2, ref_A2, rtol=1e-14)
    np.testing.assert_array_equal(a3, A3)
    # a second call draws the very same masks
    _, cache2 = reg.forward_propagation_with_dropout(X, p, kp)
    np.testing.assert_array_equal(cache2[1], D1)
    np.testing.assert_array_equal(cache2[6], D2)


def test_dropout_backward_is_the_gradient_for_fixed_masks(numerical_grads):
    X, Y = small_case()
    p = reg.initialize_parameters(DIMS)
    kp = 0.8
    _, cache = reg.forward_propagation_with_dropout(X, p, kp)
    grads = reg.backward_propagation_with_dropout(X, Y, cache, kp)
    assert list(grads) == UPPER_KEYS
    # the masks are reseeded on every call, so the masked cost is a fixed function of p
    num = numerical_grads(
        p,
        lambda q: reg.compute_cost(reg.forward_propagation_with_dropout(X, q, kp)[0], Y),
    )  # fmt: skip
    for k, v in num.items():
        np.testing.assert_allclose(grads[k], v, rtol=1e-5, atol=1e-8)
    # the returned dA2 is the masked, rescaled one
    D2 = cache[6]
    np.testing.assert_allclose(grads["dA2"], (cache[12].T @ grads["dZ3"]) * D2 / kp)


def test_model_rejects_bad_combinations():
    X, Y = small_case()
    with pytest.raises(ConfigError):
        reg.model(X, Y, num_iterations=1, lambd=0.7, keep_prob=0.86)
    with pytest.raises(ConfigError):
        reg.model(X, Y, num_iterations=1, keep_prob=0)
    with pytest.raises(ConfigError):
        reg.model(X, Y, num_iterations=1, keep_prob=1.5)


def test_model_prints_every_10000_and_records_every_1000(capsys):
    X, Y = small_case()
    _, costs = reg.model(X, Y, num_iterations=10001, return_costs=True)
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == [
        "Cost after iteration 0",
        "Cost after iteration 10000",
    ]
    assert len(costs) == 11 and type(costs[0]) is np.float64


def test_label_types_give_the_same_numbers():
    X, Y = small_case()
    runs = [
        reg.model(X, Y.astype(t), num_iterations=30, print_cost=False, keep_prob=0.86)
        for t in (np.int64, np.uint8, bool)
    ]
    for other in runs[1:]:
        for k in runs[0]:
            np.testing.assert_array_equal(runs[0][k], other[k])


def test_load_2D_dataset_missing_file(tmp_path):
    pytest.importorskip("scipy", reason="data.mat needs SciPy (layerwise[sklearn])")
    with pytest.raises(DataError):
        reg.load_2D_dataset(tmp_path / "data.mat")


# --------------------------------------------------------------------------- headline
@pytest.fixture(scope="module")
def football(football_path):
    pytest.importorskip("scipy", reason="data.mat needs SciPy (layerwise[sklearn])")
    return reg.load_2D_dataset(football_path)


def test_football_shapes(football):
    train_X, train_Y, test_X, test_Y = football
    assert train_X.shape == (2, 211) and train_Y.shape == (1, 211)
    assert test_X.shape == (2, 200) and test_Y.shape == (1, 200)
    assert int(train_Y.sum()) == 106 and int(test_Y.sum()) == 87


RUNS = {
    "none": ({}, (0.6557412523481002, 0.16329987525724, 0.13851642423246),
             0.9478672985781991, 0.915),
    "l2": ({"lambd": 0.7}, (0.6974484493131264, 0.2684918873282239, 0.2680916337127301),
           0.9383886255924171, 0.93),
    "dropout": ({"keep_prob": 0.86},
                (0.6543912405149825, 0.0610169865749056, 0.060582435798513114),
                0.9289099526066351, 0.95),
}  # fmt: skip


@pytest.fixture(scope="module")
def headline(football):
    """The three 30000-iteration runs of COURSE.md §4 (about 15 s together)."""
    train_X, train_Y, test_X, test_Y = football
    results = {}
    for name, (kwargs, *_) in RUNS.items():
        params, costs = reg.model(train_X, train_Y, print_cost=False, return_costs=True, **kwargs)
        train = np.mean(reg.predict_dec(params, train_X) == train_Y)
        test = np.mean(reg.predict_dec(params, test_X) == test_Y)
        results[name] = (costs, train, test)
    return results


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RUNS))
def test_headline_exact(headline, name, capsys):
    _, published_costs, published_train, published_test = RUNS[name]
    costs, train, test = headline[name]
    assert len(costs) == 30
    np.testing.assert_allclose([costs[0], costs[10], costs[20]], published_costs, atol=1e-6)
    assert train == pytest.approx(published_train, abs=1e-12)
    assert test == pytest.approx(published_test, abs=1e-12)
