"""layerwise.course.initialization against COURSE.md §2.5 and the §4 headline results."""

# The course's functions use the legacy global generator; so do the references here.
# ruff: noqa: NPY002

from __future__ import annotations

import numpy as np
import pytest

from layerwise.course import initialization as ini
from layerwise.errors import ConfigError

DIMS = [2, 10, 5, 1]
LOWER_KEYS = ["dz3", "dW3", "db3", "da2", "dz2", "dW2", "db2", "da1", "dz1", "dW1", "db1"]


def small_case(m: int = 7):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, m))
    Y = (rng.random((1, m)) > 0.5).astype(np.int64)
    return X, Y


# --------------------------------------------------------------------------- initialisers
def test_zeros():
    p = ini.initialize_parameters_zeros(DIMS)
    assert list(p) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for l in range(1, 4):
        assert p[f"W{l}"].shape == (DIMS[l], DIMS[l - 1]) and not p[f"W{l}"].any()
        assert p[f"b{l}"].shape == (DIMS[l], 1) and not p[f"b{l}"].any()


@pytest.mark.parametrize(
    "fn, scale",
    [
        (ini.initialize_parameters_random, lambda n: 10),
        (ini.initialize_parameters_he, lambda n: np.sqrt(2.0 / n)),
    ],
)
def test_random_and_he_recomputed_from_seed_3(fn, scale):
    p = fn(DIMS)
    after = np.random.rand()
    np.random.seed(3)
    for l in range(1, 4):
        W = np.random.randn(DIMS[l], DIMS[l - 1]) * scale(DIMS[l - 1])
        np.testing.assert_array_equal(p[f"W{l}"], W)
        np.testing.assert_array_equal(p[f"b{l}"], np.zeros((DIMS[l], 1)))
        assert p[f"W{l}"].dtype == np.float64
    # the global generator is left where the course leaves it
    assert np.random.rand() == after


def test_unknown_initialization_raises():
    X, Y = small_case()
    with pytest.raises(ConfigError, match="initialization"):
        ini.model(X, Y, num_iterations=1, initialization="xavier")


# --------------------------------------------------------------------------- helpers
def test_forward_cache_is_the_12_tuple():
    X, _ = small_case()
    p = ini.initialize_parameters_he(DIMS)
    a3, cache = ini.forward_propagation(X, p)
    assert len(cache) == 12 and a3.shape == (1, 7)
    z1, a1, W1, b1, z2, a2, W2, b2, z3, a3c, W3, b3 = cache
    np.testing.assert_array_equal(z1, p["W1"] @ X + p["b1"])
    np.testing.assert_array_equal(a1, np.maximum(0, z1))
    np.testing.assert_array_equal(a3c, 1 / (1 + np.exp(-z3)))
    assert W3 is not None and b3.shape == (1, 1)


def test_compute_loss_is_a_nan_ignoring_mean():
    a3 = np.array([[0.8, 0.1, 1.0, 0.6]])
    Y = np.array([[1, 0, 1, 0]])
    expected = (-np.log(0.8) - np.log(0.9) + 0.0 - np.log(0.4)) / 4
    cost = ini.compute_loss(a3, Y)
    assert type(cost) is np.float64
    assert cost == pytest.approx(expected, abs=1e-15)
    # a saturated wrong prediction gives +inf, silently
    assert ini.compute_loss(np.array([[0.0, 0.5]]), np.array([[1, 1]])) == np.inf


def test_backward_keys_and_finite_differences(numerical_grads):
    X, Y = small_case()
    p = ini.initialize_parameters_he(DIMS)
    a3, cache = ini.forward_propagation(X, p)
    grads = ini.backward_propagation(X, Y, cache)
    assert list(grads) == LOWER_KEYS
    num = numerical_grads(p, lambda q: ini.compute_loss(ini.forward_propagation(X, q)[0], Y))
    for key in ("W1", "b1", "W2", "b2", "W3", "b3"):
        np.testing.assert_allclose(grads["d" + key], num["d" + key], rtol=1e-5, atol=1e-8)


def test_update_and_predict(capsys):
    X, Y = small_case()
    p = ini.initialize_parameters_he(DIMS)
    W1 = p["W1"].copy()
    grads = ini.backward_propagation(X, Y, ini.forward_propagation(X, p)[1])
    p = ini.update_parameters(p, grads, 0.5)
    np.testing.assert_array_equal(p["W1"], W1 - 0.5 * grads["dW1"])
    pred = ini.predict(X, Y, p)
    assert pred.shape == (1, 7) and pred.dtype.kind == "i"
    assert capsys.readouterr().out.startswith("Accuracy: ")
    dec = ini.predict_dec(p, X)
    assert dec.dtype == bool
    np.testing.assert_array_equal(dec, pred == 1)


def test_label_types_give_the_same_numbers():
    X, Y = small_case()
    runs = [
        ini.model(X, Y.astype(t), num_iterations=50, print_cost=False)
        for t in (np.int64, np.uint8, bool)
    ]
    for other in runs[1:]:
        for k in runs[0]:
            np.testing.assert_array_equal(runs[0][k], other[k])


def test_model_prints_and_returns_costs(capsys):
    X, Y = small_case()
    params, costs = ini.model(X, Y, num_iterations=2001, print_cost=False, return_costs=True)
    assert capsys.readouterr().out == ""
    assert len(costs) == 3 and all(type(c) is np.float64 for c in costs)
    assert set(params) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    ini.model(X, Y, num_iterations=1001)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Cost after iteration 0: ") and len(out) == 2


# --------------------------------------------------------------------------- data + headline
@pytest.fixture(scope="module")
def circles():
    pytest.importorskip("sklearn", reason="the circles need scikit-learn (layerwise[sklearn])")
    return ini.load_dataset()


def test_circles_sanity(circles):
    train_X, train_Y, test_X, test_Y = circles
    assert train_X.shape == (2, 300) and train_Y.shape == (1, 300)
    assert test_X.shape == (2, 100) and test_Y.shape == (1, 100)
    assert train_Y.dtype == np.int64 and train_Y.sum() == 150 and test_Y.sum() == 50
    np.testing.assert_allclose(train_X[:, 0], [-0.07741354, 0.85260226], atol=1e-8)
    np.testing.assert_allclose(test_X[:, 0], [-0.52423739, -0.60910361], atol=1e-8)


@pytest.fixture(scope="module")
def headline(circles):
    """The three 15000-iteration runs of COURSE.md §4 (about 6 s together)."""
    train_X, train_Y, test_X, test_Y = circles
    results = {}
    for init in ("zeros", "random", "he"):
        params, costs = ini.model(
            train_X, train_Y, print_cost=False, initialization=init, return_costs=True
        )
        train = np.mean(ini.predict_dec(params, train_X) == train_Y)
        test = np.mean(ini.predict_dec(params, test_X) == test_Y)
        results[init] = (costs, train, test)
    return results


HE_COSTS = [0.883054, 0.687983, 0.675129, 0.652612, 0.608296, 0.530494, 0.413865, 0.311780,
            0.236962, 0.185973, 0.150156, 0.123251, 0.099177, 0.084571, 0.073579]  # fmt: skip


@pytest.mark.slow
def test_headline_he_exact(headline):
    costs, train, test = headline["he"]
    assert len(costs) == 15
    np.testing.assert_allclose(costs, HE_COSTS, atol=1e-6, rtol=0)
    assert costs[0] == pytest.approx(0.8830537463419761, abs=1e-6)
    assert costs[14] == pytest.approx(0.07357895962677362, abs=1e-6)
    assert train == pytest.approx(0.9933333333333333, abs=1e-12)
    assert test == pytest.approx(0.96, abs=1e-12)


@pytest.mark.slow
def test_headline_zeros_exact(headline):
    costs, train, test = headline["zeros"]
    np.testing.assert_allclose(costs, 0.6931471805599453, atol=1e-6, rtol=0)
    assert (train, test) == (0.5, 0.5)


@pytest.mark.slow
def test_headline_random_accuracies_and_cost_bounds(headline):
    costs, train, test = headline["random"]
    assert costs[0] == np.inf
    assert 0.38 <= costs[14] <= 0.39
    assert train == pytest.approx(0.83, abs=1e-12)
    assert test == pytest.approx(0.86, abs=1e-12)
