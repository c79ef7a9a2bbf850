"""Standardizer: statistics from the training set only, transform, saving, errors."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.data import Standardizer
from layerwise.errors import DataError, NotFittedError, ShapeError


@pytest.fixture
def sets():
    rng = np.random.default_rng(0)
    X_train = rng.normal(loc=[[3.0], [-2.0], [10.0]], scale=[[2.0], [0.5], [4.0]], size=(3, 50))
    X_test = rng.normal(size=(3, 20)) * 7 + 1
    return X_train, X_test


def test_fit_statistics_from_training_set(sets):
    X_train, X_test = sets
    s = Standardizer().fit(X_train)
    assert s.mu_.shape == (3, 1) and s.sigma2_.shape == (3, 1)
    np.testing.assert_allclose(s.mu_[:, 0], [np.mean(X_train[i]) for i in range(3)])
    np.testing.assert_allclose(s.sigma2_[:, 0], [np.var(X_train[i]) for i in range(3)])


def test_transform_uses_training_statistics(sets):
    X_train, X_test = sets
    s = Standardizer().fit(X_train)
    mu = X_train.mean(axis=1, keepdims=True)
    var = X_train.var(axis=1, keepdims=True)
    np.testing.assert_allclose(s.transform(X_test), (X_test - mu) / np.sqrt(var + 1e-8))


def test_fit_transform_zero_mean_unit_variance(sets):
    X_train, _ = sets
    Z = Standardizer().fit_transform(X_train)
    np.testing.assert_allclose(Z.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.var(axis=1), 1.0, rtol=1e-6)


def test_constant_feature_stays_finite():
    X = np.vstack([np.ones(5), np.arange(5.0)])
    Z = Standardizer().fit_transform(X)
    assert np.all(np.isfinite(Z))
    np.testing.assert_array_equal(Z[0], 0.0)


def test_inverse_transform(sets):
    X_train, X_test = sets
    s = Standardizer().fit(X_train)
    np.testing.assert_allclose(s.inverse_transform(s.transform(X_test)), X_test)


def test_float32_kept(sets):
    X_train, _ = sets
    s = Standardizer().fit(X_train)
    assert s.transform(X_train.astype(np.float32)).dtype == np.float32


def test_to_dict_from_dict_round_trip(sets, tmp_path):
    X_train, X_test = sets
    s = Standardizer().fit(X_train)
    state = s.to_dict()
    assert all(isinstance(v, np.ndarray) for v in state.values())
    np.savez(tmp_path / "s.npz", **state)
    with np.load(tmp_path / "s.npz", allow_pickle=False) as f:
        t = Standardizer.from_dict(dict(f))
    np.testing.assert_array_equal(t.transform(X_test), s.transform(X_test))


def test_from_dict_bad_state():
    with pytest.raises(DataError, match="lacks 'sigma2'"):
        Standardizer.from_dict({"mu": np.zeros((2, 1))})
    with pytest.raises(DataError, match=r"both must be \(n_x, 1\)"):
        Standardizer.from_dict({"mu": np.zeros(2), "sigma2": np.ones(2)})


def test_transform_before_fit():
    with pytest.raises(NotFittedError, match=r"not fitted yet: call fit\(X_train\)"):
        Standardizer().transform(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        Standardizer().to_dict()


def test_transform_other_n_x(sets):
    X_train, _ = sets
    s = Standardizer().fit(X_train)
    with pytest.raises(
        ShapeError,
        match=r"X has 2 rows but the Standardizer was fitted on "
        r"n_x = 3 features",
    ):
        s.transform(np.zeros((2, 4)))


def test_fit_rejects_nan():
    X = np.ones((2, 3))
    X[0, 1] = np.nan
    with pytest.raises(DataError, match="X contains NaN or inf"):
        Standardizer().fit(X)
