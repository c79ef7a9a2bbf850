"""layerwise.sklearn: the estimators pass scikit-learn's own checks and behave like
scikit-learn estimators on (n_samples, n_features) data."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from layerwise.data import make_flower  # noqa: E402
from layerwise.sklearn import DenseClassifier, DenseRegressor  # noqa: E402

FLOAT32_ORDER = {
    "check_methods_sample_order_invariance": (
        "float32 matrix products may round the last bit differently for a column at another "
        "position in the batch (BLAS kernels); the float64 instances pass it"
    ),
    "check_methods_subset_invariance": (
        "float32 matrix products may round the last bit differently for a batch of another "
        "size (BLAS kernels); the float64 instances pass it"
    ),
}


def _expected_failures(estimator) -> dict[str, str]:
    return FLOAT32_ORDER if estimator.dtype == "float32" else {}


@parametrize_with_checks(
    [
        DenseClassifier(epochs=20),
        DenseRegressor(epochs=20),
        DenseClassifier(epochs=20, dtype="float64"),
        DenseRegressor(epochs=20, dtype="float64"),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def flower():
    """The flower data as scikit-learn sees it: X (m, 2), string labels (m,)."""
    X, Y = make_flower(400, seed=1)
    return X.T, np.where(Y[0] == 1, "blue", "red")


def _linear(m: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3))
    y = X @ np.array([2.0, -1.0, 0.5]) + 3.0 + 0.2 * rng.normal(size=m)
    return X, y


def test_flower_accuracy_with_string_labels(flower):
    X, y = flower
    clf = DenseClassifier(
        hidden_layer_sizes=(64, 64), learning_rate=0.01, epochs=150, random_state=0
    ).fit(X, y)
    assert list(clf.classes_) == ["blue", "red"]
    assert clf.score(X, y) >= 0.9
    assert set(clf.predict(X)) <= {"blue", "red"}
    assert clf.n_features_in_ == 2
    assert clf.n_iter_ == 150 == len(clf.loss_curve_)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.history_.history["loss"] == clf.loss_curve_
    assert clf.model_.output_activation == "sigmoid"


def test_binary_predict_proba_matches_engine(flower):
    X, y = flower
    clf = DenseClassifier(hidden_layer_sizes=(8,), epochs=5, random_state=1).fit(X, y)
    P = clf.predict_proba(X)
    assert P.shape == (400, 2)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(P[:, 1], clf.model_.predict_proba(X.T).T[:, 0], rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[np.argmax(P, axis=1)])


def test_multiclass_uses_softmax():
    rng = np.random.default_rng(3)
    centers = np.array([[0.0, 4.0], [4.0, 0.0], [-4.0, -4.0]])
    labels = np.array([10, 20, 30])
    k = rng.integers(0, 3, size=300)
    X = centers[k] + rng.normal(size=(300, 2))
    y = labels[k]
    clf = DenseClassifier(hidden_layer_sizes=(16,), epochs=30, random_state=0).fit(X, y)
    assert clf.model_.output_activation == "softmax"
    P = clf.predict_proba(X)
    assert P.shape == (300, 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-5)
    assert clf.score(X, y) >= 0.95
    assert set(clf.predict(X)) <= {10, 20, 30}


def test_regression_r2_and_shapes():
    X, y = _linear()
    reg = DenseRegressor(epochs=50, learning_rate=0.01, random_state=0).fit(X[:200], y[:200])
    assert reg.score(X[200:], y[200:]) >= 0.95
    assert reg.predict(X[:5]).shape == (5,)
    Y2 = np.column_stack([y, -y])
    reg2 = DenseRegressor(epochs=5, random_state=0).fit(X, Y2)
    assert reg2.n_outputs_ == 2
    assert reg2.predict(X[:5]).shape == (5, 2)


def test_pipeline_and_cross_val_score(flower):
    X, y = flower
    pipe = make_pipeline(
        StandardScaler(),
        DenseClassifier(
            hidden_layer_sizes=(32, 32),
            learning_rate=0.01,
            epochs=40,
            normalize=False,
            random_state=0,
        ),
    )
    scores = cross_val_score(pipe, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,) and scores.mean() > 0.8
    Xr, yr = _linear()
    reg = make_pipeline(
        StandardScaler(), DenseRegressor(epochs=30, learning_rate=0.01, random_state=0)
    )
    assert cross_val_score(reg, Xr, yr, cv=KFold(3, shuffle=True, random_state=0)).mean() > 0.9


def test_random_state_makes_fits_identical(flower):
    X, y = flower
    est = DenseClassifier(hidden_layer_sizes=(8,), epochs=5, keep_prob=0.8, random_state=7)
    a, b = clone(est).fit(X, y), clone(est).fit(X, y)
    assert a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    for name, value in a.model_.parameters.items():
        np.testing.assert_array_equal(value, b.model_.parameters[name])
    c = clone(est).set_params(random_state=8).fit(X, y)
    assert c.loss_curve_ != a.loss_curve_


def test_early_stopping_and_batch_norm(flower):
    X, y = flower
    clf = DenseClassifier(
        hidden_layer_sizes=(16,),
        batch_norm=True,
        early_stopping=True,
        patience=2,
        learning_rate=0.05,
        epochs=200,
        batch_size=None,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ < 200
    assert "val_loss" in clf.history_.history


def test_bad_input_raises(flower):
    X, y = flower
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DenseClassifier(epochs=1).fit(X_nan, y)
    clf = DenseClassifier(hidden_layer_sizes=(4,), epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        clf.predict(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="2 classes"):
        DenseClassifier(epochs=1).fit(X, np.full(len(X), "red"))
    with pytest.raises(ValueError, match="Unknown label type"):
        DenseClassifier(epochs=1).fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        DenseClassifier(hidden_layer_sizes=(0,)).fit(X, y)
    with pytest.raises(ValueError, match="keep_prob"):
        DenseRegressor(keep_prob=0.0).fit(X, np.zeros(len(X)))


def test_missing_sklearn_says_how_to_install():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "try:\n    import layerwise.sklearn\n"
        "except ImportError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'layerwise[sklearn]'" in out.stdout


def test_init_stores_arguments_only():
    est = DenseRegressor(hidden_layer_sizes=[3], learning_rate=-1)  # checked at fit
    assert est.get_params()["hidden_layer_sizes"] == [3]
    assert not [k for k in vars(est) if k.endswith("_")]
