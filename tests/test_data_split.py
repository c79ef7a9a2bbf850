"""train_test_split and train_dev_test_split: sizes, disjointness, seeds, strata, layout."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.data import train_dev_test_split, train_test_split
from layerwise.errors import ConfigError, DataError


def make(m=100, n_x=3):
    # column i holds i in every row, so the example ids can be read back from X
    X = np.tile(np.arange(m, dtype=float), (n_x, 1))
    Y = (np.arange(m) % 4 == 0).astype(np.int64).reshape(1, m)  # 25 % positive
    return X, Y


def ids(X):
    return X[0].astype(int)


def test_sizes_and_disjoint_cover():
    X, Y = make()
    X_tr, Y_tr, X_te, Y_te = train_test_split(X, Y, test_size=0.2)
    assert X_tr.shape == (3, 80) and Y_tr.shape == (1, 80)
    assert X_te.shape == (3, 20) and Y_te.shape == (1, 20)
    a, b = ids(X_tr), ids(X_te)
    assert not set(a) & set(b)
    assert sorted(np.concatenate([a, b])) == list(range(100))


def test_rows_stay_with_their_example():
    X, Y = make()
    X_tr, Y_tr, _, _ = train_test_split(X, Y)
    np.testing.assert_array_equal(Y_tr[0], (ids(X_tr) % 4 == 0).astype(int))
    np.testing.assert_array_equal(X_tr[0], X_tr[2])


def test_int_test_size():
    X, Y = make(10)
    out = train_test_split(X, Y, test_size=3)
    assert out[0].shape[1] == 7 and out[2].shape[1] == 3


def test_deterministic_by_seed():
    X, Y = make()
    a = train_test_split(X, Y, seed=5)
    b = train_test_split(X, Y, seed=5)
    c = train_test_split(X, Y, seed=6)
    np.testing.assert_array_equal(a[2], b[2])
    assert not np.array_equal(a[2], c[2])


def test_uses_default_rng_permutation():
    X, Y = make(10)
    _, _, X_te, _ = train_test_split(X, Y, test_size=0.2, seed=11)
    perm = np.random.default_rng(11).permutation(10)
    assert set(ids(X_te)) == set(perm[:2])


def test_results_are_column_major():
    X, Y = make()
    for A in train_test_split(X, Y):
        assert A.flags.f_contiguous


def test_stratified_proportions():
    X, Y = make(200)  # 50 positives, 150 negatives
    X_tr, Y_tr, X_te, Y_te = train_test_split(X, Y, test_size=0.3, stratify=True, seed=1)
    assert Y_te.shape[1] == 60
    assert int(Y_te.sum()) == 15  # 25 % of 60
    assert int(Y_tr.sum()) == 35


def test_stratified_one_hot_by_argmax():
    m = 90
    idx = np.repeat([0, 1, 2], [60, 20, 10])
    Y = np.zeros((3, m))
    Y[idx, np.arange(m)] = 1
    X = np.arange(m, dtype=float).reshape(1, m)
    _, Y_tr, _, Y_te = train_test_split(X, Y, test_size=1 / 3, stratify=True, seed=3)
    counts = Y_te.sum(axis=1)
    assert counts.sum() == 30
    for c, n_c in enumerate([60, 20, 10]):
        assert abs(counts[c] - n_c / 3) <= 1


def test_stratified_many_seeds_within_one():
    X, Y = make(101)
    positives = int(Y.sum())
    for seed in range(20):
        _, _, _, Y_te = train_test_split(X, Y, test_size=0.25, stratify=True, seed=seed)
        share = Y_te.shape[1] * positives / 101
        assert abs(int(Y_te.sum()) - share) <= 1


def test_train_dev_test_sizes_and_disjoint():
    X, Y = make()
    X_tr, Y_tr, X_dev, Y_dev, X_te, Y_te = train_dev_test_split(X, Y, (0.6, 0.2, 0.2))
    assert [A.shape[1] for A in (X_tr, X_dev, X_te)] == [60, 20, 20]
    assert [A.shape[1] for A in (Y_tr, Y_dev, Y_te)] == [60, 20, 20]
    parts = [set(ids(A)) for A in (X_tr, X_dev, X_te)]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert parts[0] | parts[1] | parts[2] == set(range(100))


def test_train_dev_test_counts_and_stratify():
    X, Y = make(40)  # 10 positives
    out = train_dev_test_split(X, Y, (20, 10, 10), stratify=True, seed=2)
    assert [out[i].shape[1] for i in (0, 2, 4)] == [20, 10, 10]
    positives = [int(out[i].sum()) for i in (1, 3, 5)]
    assert sum(positives) == 10
    for got, ideal in zip(positives, (5, 2.5, 2.5), strict=True):
        assert abs(got - ideal) <= 1


def test_train_dev_test_deterministic():
    X, Y = make()
    a = train_dev_test_split(X, Y, seed=9)
    b = train_dev_test_split(X, Y, seed=9)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5])
def test_test_size_out_of_range(bad):
    X, Y = make(10)
    with pytest.raises(ConfigError, match=r"test_size must be a fraction in \(0, 1\)"):
        train_test_split(X, Y, test_size=bad)


@pytest.mark.parametrize("bad", [0, 10, 12])
def test_int_test_size_out_of_range(bad):
    X, Y = make(10)
    with pytest.raises(DataError, match="it must be between 1 and 9"):
        train_test_split(X, Y, test_size=bad)


def test_too_few_examples():
    X, Y = make(2)
    with pytest.raises(DataError, match="too few examples to split: m = 2 gives train 2, test 0"):
        train_test_split(X, Y, test_size=0.1)
    with pytest.raises(DataError, match="too few examples to split: m = 2"):
        train_dev_test_split(X, Y)


@pytest.mark.parametrize("sizes", [(0.5, 0.5, 0.5), (0.7, 0.3, 0.0), (0.5, 0.5), "abc"])
def test_bad_sizes(sizes):
    X, Y = make(10)
    with pytest.raises(ConfigError, match="sizes"):
        train_dev_test_split(X, Y, sizes)


def test_split_validates_inputs():
    X, Y = make(10)
    with pytest.raises(ValueError, match="X has 10 examples"):
        train_test_split(X, Y[:, :9])
