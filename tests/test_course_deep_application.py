"""layerwise.course.deep_application against COURSE.md §2.4 and the §4 week-4 cat results."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest

from layerwise.course import deep, deep_application
from layerwise.data.images import flatten_images, scale_pixels

TWO_LAYER_COSTS = [
    0.693050, 0.646432, 0.632514, 0.601502, 0.560197, 0.515830, 0.475490, 0.433916, 0.400798,
    0.358071, 0.339428, 0.305275, 0.274914, 0.246818, 0.198507, 0.174483, 0.170808, 0.113065,
    0.096294, 0.083426, 0.074391, 0.066307, 0.059193, 0.053361, 0.048555,
]  # fmt: skip
L_LAYER_COSTS = [
    0.771749, 0.672053, 0.648263, 0.611507, 0.567047, 0.540138, 0.527930, 0.465477, 0.369126,
    0.391747, 0.315187, 0.272700, 0.237419, 0.199601, 0.189263, 0.161189, 0.148214, 0.137775,
    0.129740, 0.121225, 0.113821, 0.107839, 0.102855, 0.100897, 0.092878,
]  # fmt: skip
REEXPORTED = [
    "linear_forward",
    "sigmoid",
    "relu",
    "sigmoid_backward",
    "relu_backward",
    "linear_activation_forward",
    "L_model_forward",
    "compute_cost",
    "linear_backward",
    "linear_activation_backward",
    "L_model_backward",
    "update_parameters",
]


# the long loops run on one BLAS thread (see conftest.one_blas_thread)
pytestmark = pytest.mark.usefixtures("one_blas_thread")


def run_quietly(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        result = fn(*args, **kwargs)
    return result, buf.getvalue()


def printed_costs(out: str) -> dict[int, float]:
    costs = {}
    for line in out.splitlines():
        if line.startswith("Cost after iteration "):
            head, value = line.split(": ")
            costs[int(head.rsplit(" ", 1)[1])] = float(value)
    return costs


def tiny_data(m=12, n_x=6, seed=0):
    rng = np.random.RandomState(seed)
    return rng.rand(n_x, m), (rng.rand(1, m) > 0.5).astype(np.uint8)


# ----------------------------------------------------------------- structure
@pytest.mark.parametrize("name", REEXPORTED)
def test_reexports_deep(name):
    assert getattr(deep_application, name) is getattr(deep, name)


def test_initialize_parameters_same_as_deep():
    p = deep_application.initialize_parameters(4, 3, 1)
    q = deep.initialize_parameters(4, 3, 1)
    assert list(p) == ["W1", "b1", "W2", "b2"]
    for k in p:
        np.testing.assert_array_equal(p[k], q[k])


def test_initialize_parameters_deep_seed_one_scaled():
    p = deep_application.initialize_parameters_deep([5, 4, 3])
    np.random.seed(1)
    W1 = np.random.randn(4, 5) / np.sqrt(5)
    W2 = np.random.randn(3, 4) / np.sqrt(4)
    assert list(p) == ["W1", "b1", "W2", "b2"]
    np.testing.assert_array_equal(p["W1"], W1)
    np.testing.assert_array_equal(p["W2"], W2)
    np.testing.assert_array_equal(p["b1"], np.zeros((4, 1)))
    np.testing.assert_array_equal(p["b2"], np.zeros((3, 1)))


@pytest.mark.parametrize("iterations", [1, 100, 101, 250])
def test_cost_record_and_silence(iterations):
    X, Y = tiny_data()
    (params, costs), out = run_quietly(
        deep_application.L_layer_model, X, Y, [6, 3, 1], num_iterations=iterations
    )
    assert out == ""  # not even the last iteration without print_cost
    assert len(costs) == math.ceil(iterations / 100)
    assert all(isinstance(c, np.ndarray) and c.ndim == 0 for c in costs)
    assert set(params) == {"W1", "b1", "W2", "b2"}


def test_print_cost_includes_last_iteration():
    X, Y = tiny_data()
    (_, costs), out = run_quietly(
        deep_application.two_layer_model, X, Y, (6, 3, 1), num_iterations=150, print_cost=True
    )
    printed = printed_costs(out)
    assert sorted(printed) == [0, 100, 149]
    assert printed[0] == float(costs[0])  # full precision
    assert f"Cost after iteration 0: {float(costs[0])!r}" in out


def test_two_layer_model_matches_hand_loop():
    X, Y = tiny_data()
    (params, costs), _ = run_quietly(
        deep_application.two_layer_model, X, Y, (6, 3, 1), learning_rate=0.5, num_iterations=3
    )
    p = deep_application.initialize_parameters(6, 3, 1)
    for _ in range(3):
        AL, caches = deep.L_model_forward(X, p)
        grads = deep.L_model_backward(AL, Y, caches)
        p = deep.update_parameters(p, grads, 0.5)
    for k in p:
        np.testing.assert_allclose(params[k], p[k], rtol=1e-14, atol=1e-17)


@pytest.mark.parametrize("dtype", [np.int64, bool])
def test_label_dtypes_agree(dtype):
    X, Y = tiny_data()
    (_, ref), _ = run_quietly(deep_application.L_layer_model, X, Y, [6, 3, 1], num_iterations=101)
    (_, got), _ = run_quietly(
        deep_application.L_layer_model, X, Y.astype(dtype), [6, 3, 1], num_iterations=101
    )
    assert [float(c) for c in got] == [float(c) for c in ref]


def test_predict_prints_fraction():
    X, Y = tiny_data()
    params = deep_application.initialize_parameters_deep([6, 3, 1])
    params["b2"] += 10.0  # predicts 1 everywhere
    p, out = run_quietly(deep_application.predict, X, Y, params)
    assert p.shape == (1, 12) and p.dtype == np.float64
    np.testing.assert_array_equal(p, 1.0)
    frac = np.sum((p == Y) / 12)
    assert out == f"Accuracy: {frac}\n"


# ----------------------------------------------------------------- the cat data
@pytest.fixture(scope="module")
def cats(course1_dir):
    train_x_orig, train_y, test_x_orig, test_y, classes = deep_application.load_data(course1_dir)
    assert list(classes) == [b"non-cat", b"cat"]
    return (
        scale_pixels(flatten_images(train_x_orig)),
        train_y,
        scale_pixels(flatten_images(test_x_orig)),
        test_y,
    )


@pytest.fixture(scope="module")
def two_layer(cats):
    train_x, train_y, _, _ = cats
    return run_quietly(
        deep_application.two_layer_model,
        train_x,
        train_y,
        (12288, 7, 1),
        num_iterations=2500,
        print_cost=True,
    )


@pytest.fixture(scope="module")
def l_layer(cats):
    train_x, train_y, _, _ = cats
    return run_quietly(
        deep_application.L_layer_model,
        train_x,
        train_y,
        [12288, 20, 7, 5, 1],
        num_iterations=2500,
        print_cost=True,
    )


def _check_costs(costs, out, table, first, hundred, at_2400, last):
    assert len(costs) == 25
    assert all(isinstance(c, np.ndarray) and c.ndim == 0 for c in costs)
    np.testing.assert_allclose([float(c) for c in costs], table, rtol=0, atol=1e-6)
    printed = printed_costs(out)
    assert sorted(printed) == list(range(0, 2500, 100)) + [2499]
    assert printed[0] == pytest.approx(first, abs=1e-6)
    assert printed[100] == pytest.approx(hundred, abs=1e-6)
    assert printed[2400] == pytest.approx(at_2400, abs=1e-6)
    assert printed[2499] == pytest.approx(last, abs=1e-6)


def _accuracies(cats, params):
    train_x, train_y, test_x, test_y = cats
    p_train, out_train = run_quietly(deep_application.predict, train_x, train_y, params)
    p_test, out_test = run_quietly(deep_application.predict, test_x, test_y, params)
    assert out_train.startswith("Accuracy: ") and out_test.startswith("Accuracy: ")
    return float(out_train.split(": ")[1]), float(out_test.split(": ")[1])


@pytest.mark.slow
def test_two_layer_costs(two_layer):
    (_, costs), out = two_layer
    _check_costs(
        costs, out, TWO_LAYER_COSTS,
        0.6930497356599888, 0.6464320953428849, 0.048554785628770226, 0.04421498215868951,
    )  # fmt: skip


@pytest.mark.slow
def test_two_layer_accuracy(two_layer, cats):
    (params, _), _ = two_layer
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (7, 12288),
        "b1": (7, 1),
        "W2": (1, 7),
        "b2": (1, 1),
    }
    train, test = _accuracies(cats, params)
    assert train == pytest.approx(1.0, abs=1e-12)
    assert test == pytest.approx(0.72, abs=1e-12)


@pytest.mark.slow
def test_l_layer_costs(l_layer):
    (_, costs), out = l_layer
    _check_costs(
        costs, out, L_LAYER_COSTS,
        0.7717493284237686, 0.6720534400822914, 0.09287821526472395, 0.088439943441702,
    )  # fmt: skip


@pytest.mark.slow
def test_l_layer_accuracy(l_layer, cats):
    (params, _), _ = l_layer
    assert len(params) == 8
    train, test = _accuracies(cats, params)
    assert train == pytest.approx(0.9856459330143539, abs=1e-12)
    assert test == pytest.approx(0.8, abs=1e-12)
