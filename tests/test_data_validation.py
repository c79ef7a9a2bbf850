"""check_X / check_XY: shapes, dtypes and every bad-data case, with the message."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.data import check_X, check_XY
from layerwise.errors import DataError, LayerwiseError, ShapeError


def test_check_X_returns_float_and_keeps_values():
    X = np.arange(6).reshape(2, 3)
    out = check_X(X)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[0, 1, 2], [3, 4, 5]])


def test_check_X_keeps_float32():
    assert check_X(np.ones((2, 3), dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("bad", [np.ones(3), np.ones((2, 3, 4))])
def test_check_X_wrong_ndim(bad):
    with pytest.raises(ShapeError, match=r"must be 2-D \(n_x, m\)"):
        check_X(bad)


def test_check_X_empty():
    with pytest.raises(DataError, match=r"X is empty with shape \(3, 0\)"):
        check_X(np.ones((3, 0)))


def test_check_X_nan_count_and_first_position():
    X = np.zeros((2, 10))
    X[0, 7] = np.nan
    X[1, 2] = np.inf
    X[1, 9] = -np.inf
    with pytest.raises(
        DataError,
        match=r"X contains NaN or inf at 3 entries \(first at row 0, "
        r"column 7\)",
    ):
        check_X(X)


def test_check_X_single_inf():
    X = np.zeros((3, 4))
    X[2, 1] = np.inf
    with pytest.raises(DataError, match=r"at 1 entry \(first at row 2, column 1\)"):
        check_X(X)


def test_check_X_non_numeric():
    with pytest.raises(DataError, match="must be numeric"):
        check_X(np.array([["a", "b"], ["c", "d"]]))


def test_check_X_names_argument_in_message():
    with pytest.raises(DataError, match="X_dev contains NaN"):
        check_X(np.array([[np.nan]]), name="X_dev")


def test_errors_are_value_errors():
    assert issubclass(DataError, ValueError) and issubclass(DataError, LayerwiseError)


def test_check_XY_one_d_Y_becomes_row():
    X, Y = check_XY(np.zeros((2, 4)), np.array([0, 1, 1, 0]))
    assert Y.shape == (1, 4)
    assert X.shape == (2, 4)


def test_check_XY_mismatched_m():
    with pytest.raises(ShapeError) as info:
        check_XY(np.zeros((3, 5)), np.zeros((1, 4)))
    assert str(info.value).startswith(
        "X has 5 examples (columns) but Y has 4: X must be (n_x, m) and Y (n_y, m) with the same m"
    )


def test_check_XY_transposed_Y_hint():
    with pytest.raises(ShapeError, match=r"pass Y\.T"):
        check_XY(np.zeros((3, 5)), np.zeros((5, 1)))


def test_check_XY_nan_in_Y():
    with pytest.raises(DataError, match=r"Y contains NaN or inf at 1 entry"):
        check_XY(np.zeros((2, 3)), np.array([[0.0, np.nan, 1.0]]))


def test_check_XY_inf_in_X():
    X = np.zeros((2, 3))
    X[1, 2] = np.inf
    with pytest.raises(DataError, match=r"first at row 1, column 2"):
        check_XY(X, np.zeros((1, 3)))


def test_check_XY_empty_Y():
    with pytest.raises(DataError, match="Y is empty"):
        check_XY(np.zeros((2, 3)), np.zeros((0, 3)))


def test_check_XY_empty_X():
    with pytest.raises(DataError, match="X is empty"):
        check_XY(np.zeros((2, 0)), np.zeros((1, 0)))


def test_check_XY_binary_rejects_other_labels():
    with pytest.raises(DataError, match="binary labels must be 0 or 1, found 2"):
        check_XY(np.zeros((2, 4)), np.array([[0, 1, 2, 1]]), binary=True)


def test_check_XY_binary_rejects_fraction():
    with pytest.raises(DataError, match=r"binary labels must be 0 or 1, found 0\.5"):
        check_XY(np.zeros((2, 2)), np.array([[0.5, 1.0]]), binary=True)


def test_check_XY_binary_accepts_bool_and_float_labels():
    _, Y = check_XY(np.zeros((1, 3)), np.array([True, False, True]), binary=True)
    np.testing.assert_array_equal(Y, [[1, 0, 1]])
    check_XY(np.zeros((1, 2)), np.array([[0.0, 1.0]]), binary=True)


def test_check_XY_non_numeric_Y():
    with pytest.raises(DataError, match="Y must be numeric"):
        check_XY(np.zeros((1, 2)), np.array(["cat", "dog"]))


def test_check_XY_three_d_Y():
    with pytest.raises(ShapeError, match=r"Y must be \(n_y, m\)"):
        check_XY(np.zeros((1, 2)), np.zeros((1, 1, 2)))


@pytest.mark.parametrize("size", [4, 256, 257, 5000])
def test_check_finite_finds_nan_and_inf_and_accepts_sums_that_overflow(size):
    """A finite sum proves every entry finite; finite entries whose sum overflows (1.5e308
    × size, beyond float64) are still accepted, and one NaN or inf anywhere is found."""
    from layerwise.data.validation import check_finite, sum_is_finite

    big = np.full((1, size), 1.5e308)
    assert not sum_is_finite(big)  # the sum overflows ...
    check_finite(big, "X")  # ... but every entry is finite
    for bad in (np.nan, np.inf, -np.inf):
        X = np.ones((1, size))
        X[0, size - 1] = bad
        with pytest.raises(DataError, match=f"first at row 0, column {size - 1}"):
            check_finite(X, "X")
