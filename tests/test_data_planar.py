"""The flower data: the course recipe, the published sanity values, RNG handling."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.data import make_flower
from layerwise.errors import ConfigError


def recipe(m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """COURSE.md section 3, written out step by step (rows are examples here)."""
    rs = np.random.RandomState(seed)
    N, a = m // 2, 4
    X, Y = [], []
    for j in (0, 1):
        theta = np.linspace(3.12 * j, 3.12 * (j + 1), N) + 0.2 * rs.randn(N)
        r = a * np.sin(4 * theta) + 0.2 * rs.randn(N)
        X.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        Y.append(np.full(N, j))
    return np.concatenate(X).T, np.concatenate(Y).reshape(1, -1)


def test_sanity_values_seed_1():
    X, Y = make_flower()
    assert X.shape == (2, 400) and X.dtype == np.float64
    assert Y.shape == (1, 400) and Y.dtype == np.uint8
    np.testing.assert_allclose(X[:, 0], [1.20444229, 3.57611415], atol=1e-8)
    np.testing.assert_allclose(X.mean(axis=1), [-0.04334591, 0.06856587], atol=1e-8)


def test_class_zero_first():
    _, Y = make_flower()
    np.testing.assert_array_equal(Y[0, :200], 0)
    np.testing.assert_array_equal(Y[0, 200:], 1)


@pytest.mark.parametrize(("m", "seed"), [(400, 1), (100, 7), (12, 0)])
def test_matches_recipe(m, seed):
    X, Y = make_flower(m, seed)
    X_ref, Y_ref = recipe(m, seed)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(Y, Y_ref)


def test_does_not_touch_global_state():
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (the course's global-state style, on purpose)
    make_flower(seed=5)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002 (the course's global-state style, on purpose)


def test_draws_from_given_rng_module():
    saved = np.random.get_state()  # noqa: NPY002 (the course's global-state style, on purpose)
    try:
        np.random.seed(1)  # noqa: NPY002 (the course's global-state style, on purpose)
        X, _ = make_flower(rng=np.random)
        after = np.random.randn()  # noqa: NPY002 (the course's global-state style, on purpose)
    finally:
        np.random.set_state(saved)  # noqa: NPY002 (the course's global-state style, on purpose)
    np.testing.assert_allclose(X[:, 0], [1.20444229, 3.57611415], atol=1e-8)
    # exactly 800 normals consumed: the next draw is the 801st of the seed-1 stream
    assert after == np.random.RandomState(1).randn(801)[800]


def test_draws_from_given_rng_object_not_seed():
    X, _ = make_flower(seed=99, rng=np.random.RandomState(1))
    np.testing.assert_allclose(X[:, 0], [1.20444229, 3.57611415], atol=1e-8)


def test_different_seeds_differ():
    assert not np.array_equal(make_flower(seed=1)[0], make_flower(seed=2)[0])


def test_columns_are_contiguous_examples():
    X, _ = make_flower()
    assert X.flags.f_contiguous


@pytest.mark.parametrize("m", [0, 1, -4, 2.5, True])
def test_bad_m(m):
    with pytest.raises(ConfigError, match="m must be an integer >= 2"):
        make_flower(m)


def test_bad_rng():
    with pytest.raises(ConfigError, match="randn"):
        make_flower(rng=np.random.default_rng(0))
