"""one_hot, class_indices and as_targets."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.data import as_targets, class_indices, one_hot
from layerwise.errors import ConfigError, DataError, ShapeError


def test_one_hot_values():
    Y = one_hot(np.array([[2, 0, 1, 2]]))
    expected = np.array([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]], dtype=float)
    np.testing.assert_array_equal(Y, expected)


def test_one_hot_with_C_and_flat_input():
    Y = one_hot([0, 1], C=4)
    assert Y.shape == (4, 2)
    np.testing.assert_array_equal(Y[:, 0], [1, 0, 0, 0])
    np.testing.assert_array_equal(Y[:, 1], [0, 1, 0, 0])


def test_round_trip_indices():
    y = np.random.default_rng(3).integers(0, 5, size=(1, 50))
    np.testing.assert_array_equal(class_indices(one_hot(y, 5)), y)


def test_round_trip_one_hot():
    idx = np.array([1, 0, 2, 2, 1])
    Y = np.zeros((3, 5))
    Y[idx, np.arange(5)] = 1
    np.testing.assert_array_equal(one_hot(class_indices(Y), 3), Y)


def test_class_indices_of_probabilities():
    P = np.array([[0.1, 0.7], [0.6, 0.2], [0.3, 0.1]])
    np.testing.assert_array_equal(class_indices(P), [[1, 0]])


def test_one_hot_index_too_large():
    with pytest.raises(DataError, match=r"class index 3 is out of range for C = 3 classes"):
        one_hot([0, 3], C=3)


def test_one_hot_negative():
    with pytest.raises(DataError, match="class indices must be >= 0, found -1"):
        one_hot([0, -1, 2])


def test_one_hot_non_integer():
    with pytest.raises(DataError, match=r"must be whole numbers 0, 1, \.\.\., found 1\.5"):
        one_hot([0.0, 1.5])


def test_one_hot_float_whole_numbers_ok():
    np.testing.assert_array_equal(one_hot([1.0, 0.0]), [[0, 1], [1, 0]])


def test_one_hot_bad_C():
    with pytest.raises(ConfigError, match="C must be a positive integer"):
        one_hot([0], C=0)


def test_one_hot_wrong_shape():
    with pytest.raises(ShapeError, match=r"class indices must be \(1, m\) or \(m,\)"):
        one_hot(np.zeros((2, 3), dtype=int))


def test_as_targets_binary():
    Y = as_targets(np.array([[0, 1, 1]]), 1)
    np.testing.assert_array_equal(Y, [[0, 1, 1]])
    assert as_targets(np.array([1, 0]), 1).shape == (1, 2)


def test_as_targets_binary_rejects_multiclass():
    with pytest.raises(DataError, match="binary labels must be 0 or 1, found 2"):
        as_targets(np.array([[0, 2, 1]]), 1)


def test_as_targets_indices_to_one_hot():
    Y = as_targets(np.array([[2, 0]]), 3)
    np.testing.assert_array_equal(Y, [[0, 1], [0, 0], [1, 0]])


def test_as_targets_one_hot_passes_through():
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(as_targets(Y, 2), Y)


def test_as_targets_one_hot_wrong_C():
    with pytest.raises(ShapeError, match=r"Y has 3 rows but the output layer has n_y = 4"):
        as_targets(np.eye(3), 4)


def test_as_targets_not_one_hot():
    with pytest.raises(DataError, match="must be one-hot"):
        as_targets(np.array([[0.5, 1.0], [0.5, 0.0]]), 2)


def test_as_targets_index_too_large():
    with pytest.raises(DataError, match="class index 5 is out of range for C = 3"):
        as_targets(np.array([[0, 5]]), 3)


def test_as_targets_negative_and_fraction():
    with pytest.raises(DataError, match=">= 0, found -2"):
        as_targets(np.array([[-2, 1]]), 3)
    with pytest.raises(DataError, match="whole numbers"):
        as_targets(np.array([[0.25, 1]]), 3)


def test_as_targets_nan():
    with pytest.raises(DataError, match="Y contains NaN or inf"):
        as_targets(np.array([[np.nan, 1.0]]), 2)


def test_as_targets_bad_n_y():
    with pytest.raises(ConfigError, match="n_y must be a positive integer"):
        as_targets(np.array([[0, 1]]), 0)
