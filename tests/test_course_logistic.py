"""layerwise.course.logistic against COURSE.md §1, §2.1 and the §4 week-2 headline numbers."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest

from layerwise.course import logistic
from layerwise.data.images import flatten_images, scale_pixels

HEADLINE_COSTS = [
    0.693147, 0.584508, 0.466949, 0.376007, 0.331463, 0.303273, 0.279880, 0.260042, 0.242941,
    0.228004, 0.214820, 0.203078, 0.192544, 0.183033, 0.174399, 0.166521, 0.159305, 0.152667,
    0.146542, 0.140872,
]  # fmt: skip
MODEL_KEYS = {
    "costs",
    "Y_prediction_test",
    "Y_prediction_train",
    "w",
    "b",
    "learning_rate",
    "num_iterations",
}


# the long loops run on one BLAS thread (see conftest.one_blas_thread)
pytestmark = pytest.mark.usefixtures("one_blas_thread")


def small_case():
    w = np.array([[1.0], [2.0]])
    b = 1.5
    X = np.array([[1.0, -2.0, -1.0], [3.0, 0.5, -3.2]])
    Y = np.array([[1, 1, 0]])
    return w, b, X, Y


def reference_propagate(w, b, X, Y):
    m = X.shape[1]
    Y = Y.astype(float)
    A = 1 / (1 + np.exp(-(w.T @ X + b)))
    cost = -(1 / m) * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    return (1 / m) * (X @ (A - Y).T), (1 / m) * np.sum(A - Y), cost


# ----------------------------------------------------------------- small functions
def test_sigmoid_array_and_scalar():
    z = np.array([0.0, 2.0, -1.0])
    np.testing.assert_allclose(logistic.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=0, atol=1e-15)
    assert logistic.sigmoid(z).shape == z.shape
    s = logistic.sigmoid(0.0)
    assert np.ndim(s) == 0 and not isinstance(s, np.ndarray)
    assert s == 0.5
    assert logistic.sigmoid(np.array([[1, 2]])).dtype == np.float64  # ints are fine


def test_sigmoid_saturates_silently():
    out = logistic.sigmoid(np.array([-1000.0, 1000.0]))
    assert out[0] == 0.0 and out[1] == 1.0


def test_initialize_with_zeros_types():
    w, b = logistic.initialize_with_zeros(3)
    assert w.shape == (3, 1) and w.dtype == np.float64 and not w.any()
    assert type(b) is float and b == 0.0


def test_propagate_values_and_types():
    w, b, X, Y = small_case()
    grads, cost = logistic.propagate(w, b, X, Y)
    dw, db, ref_cost = reference_propagate(w, b, X, Y)
    assert set(grads) == {"dw", "db"}
    assert grads["dw"].shape == w.shape
    np.testing.assert_allclose(grads["dw"], dw, rtol=1e-12)
    assert isinstance(grads["db"], np.float64) and not isinstance(grads["db"], np.ndarray)
    assert grads["db"] == pytest.approx(db, rel=1e-12)
    assert isinstance(cost, np.ndarray) and cost.ndim == 0
    assert float(cost) == pytest.approx(ref_cost, rel=1e-12)


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, bool])
def test_propagate_label_dtypes_agree(dtype):
    w, b, X, Y = small_case()
    grads, cost = logistic.propagate(w, b, X, Y.astype(dtype))
    ref_grads, ref_cost = logistic.propagate(w, b, X, Y.astype(np.float64))
    assert float(cost) == float(ref_cost)
    np.testing.assert_array_equal(grads["dw"], ref_grads["dw"])
    assert grads["db"] == ref_grads["db"]


def test_propagate_silent_when_saturated():
    w, b, X, Y = small_case()
    # A saturates to exactly 0 and 1: the plain formula meets log(0) (and 0 * log 0 = nan)
    # without a warning; RuntimeWarnings are errors in this suite
    _, cost = logistic.propagate(w * 1000, b, X, Y)
    assert not np.isfinite(cost)


def test_optimize_copies_and_records():
    w, b, X, Y = small_case()
    w0 = w.copy()
    params, grads, costs = logistic.optimize(w, b, X, Y, num_iterations=250, learning_rate=0.01)
    np.testing.assert_array_equal(w, w0)
    assert set(params) == {"w", "b"} and set(grads) == {"dw", "db"}
    assert len(costs) == math.ceil(250 / 100)
    assert all(isinstance(c, np.ndarray) and c.ndim == 0 for c in costs)
    # costs[k] is the cost before the update at iteration 100 k
    p100, _, _ = logistic.optimize(w, b, X, Y, num_iterations=100, learning_rate=0.01)
    _, c100 = logistic.propagate(p100["w"], p100["b"], X, Y)
    assert float(costs[1]) == float(c100)


def test_optimize_one_step():
    w, b, X, Y = small_case()
    params, grads, costs = logistic.optimize(w, b, X, Y, num_iterations=1, learning_rate=0.1)
    ref_grads, ref_cost = logistic.propagate(w, b, X, Y)
    np.testing.assert_array_equal(grads["dw"], ref_grads["dw"])  # from before the update
    np.testing.assert_array_equal(params["w"], w - 0.1 * ref_grads["dw"])
    assert params["b"] == b - 0.1 * ref_grads["db"]
    assert len(costs) == 1 and float(costs[0]) == float(ref_cost)


def test_optimize_prints_only_when_asked():
    w, b, X, Y = small_case()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        logistic.optimize(w, b, X, Y, num_iterations=150)
    assert buf.getvalue() == ""
    with contextlib.redirect_stdout(buf):
        logistic.optimize(w, b, X, Y, num_iterations=150, print_cost=True)
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Cost after iteration 0: ")


def test_predict_float_zero_one():
    w = np.array([0.1124579, 0.23106775])  # 1-D: reshaped to (n_x, 1)
    X = np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]])
    p = logistic.predict(w, -0.3, X)
    assert p.shape == (1, 3) and p.dtype == np.float64
    np.testing.assert_array_equal(p, [[1.0, 1.0, 0.0]])


def test_model_keys_and_silence():
    _, _, X, Y = small_case()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        d = logistic.model(X, Y, X, Y, num_iterations=50, learning_rate=0.01)
    assert set(d) == MODEL_KEYS and len(d) == len(MODEL_KEYS)
    assert buf.getvalue() == ""
    assert d["learning_rate"] == 0.01 and d["num_iterations"] == 50
    assert d["Y_prediction_train"].shape == (1, 3)


# ----------------------------------------------------------------- the cat data
@pytest.fixture(scope="module")
def cats(course1_dir):
    train_x_orig, train_y, test_x_orig, test_y, classes = logistic.load_dataset(course1_dir)
    return {
        "train_x_orig": train_x_orig,
        "train_y": train_y,
        "test_y": test_y,
        "classes": classes,
        "train_x": scale_pixels(flatten_images(train_x_orig)),
        "test_x": scale_pixels(flatten_images(test_x_orig)),
    }


@pytest.fixture(scope="module")
def headline(cats):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        d = logistic.model(
            cats["train_x"],
            cats["train_y"],
            cats["test_x"],
            cats["test_y"],
            num_iterations=2000,
            learning_rate=0.005,
            print_cost=True,
        )
    return d, buf.getvalue()


def test_load_dataset(cats):
    assert cats["train_x_orig"].shape == (209, 64, 64, 3)
    assert cats["train_y"].shape == (1, 209) and cats["test_y"].shape == (1, 50)
    assert int(cats["train_y"].sum()) == 72 and int(cats["test_y"].sum()) == 33
    assert list(cats["classes"]) == [b"non-cat", b"cat"]
    assert cats["train_x"].shape == (12288, 209)
    np.testing.assert_array_equal(
        cats["train_x"][:10, 1] * 255, [196, 192, 190, 193, 186, 182, 188, 179, 174, 213]
    )


@pytest.mark.slow
def test_headline_costs(headline):
    d, _ = headline
    assert len(d["costs"]) == 20
    assert all(isinstance(c, np.ndarray) and c.ndim == 0 for c in d["costs"])
    np.testing.assert_allclose([float(c) for c in d["costs"]], HEADLINE_COSTS, rtol=0, atol=1e-6)


@pytest.mark.slow
def test_headline_accuracies(headline, cats):
    d, out = headline
    train = logistic.accuracy(d["Y_prediction_train"], cats["train_y"])
    test = logistic.accuracy(d["Y_prediction_test"], cats["test_y"])
    assert train == pytest.approx(99.04306220095694, abs=1e-12)
    assert test == pytest.approx(70.0, abs=1e-12)
    assert "train accuracy: 99.04306220095694 %" in out
    assert "test accuracy: 70.0 %" in out
    assert "Cost after iteration 1900: 0.140872" in out
    assert set(d) == MODEL_KEYS
    assert d["Y_prediction_test"].dtype == np.float64 and d["Y_prediction_test"].shape == (1, 50)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lr", "train", "test"),
    [
        (0.01, 99.52153110047847, 68.0),
        (0.001, 88.99521531100478, 64.0),
        (0.0001, 68.42105263157895, 36.0),
    ],
)
def test_learning_rate_comparison(cats, lr, train, test):
    d = logistic.model(cats["train_x"], cats["train_y"], cats["test_x"], cats["test_y"], 1500, lr)
    assert logistic.accuracy(d["Y_prediction_train"], cats["train_y"]) == pytest.approx(
        train, abs=1e-12
    )
    assert logistic.accuracy(d["Y_prediction_test"], cats["test_y"]) == pytest.approx(
        test, abs=1e-12
    )
