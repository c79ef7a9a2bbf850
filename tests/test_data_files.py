"""load_npz, load_csv, load_dataset and the save helpers."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.data import load_csv, load_dataset, load_npz, save_csv, save_npz
from layerwise.errors import DataError, ShapeError

# ---- npz -------------------------------------------------------------------------------


def test_load_npz_round_values(tmp_path):
    X = np.arange(6.0).reshape(2, 3)
    np.savez(tmp_path / "d.npz", X=X, Y=np.array([1, 0, 1]))
    X2, Y2 = load_npz(tmp_path / "d.npz")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(Y2, [[1, 0, 1]])


def test_load_npz_wrong_key(tmp_path):
    np.savez(tmp_path / "d.npz", features=np.zeros((2, 3)), Y=np.zeros(3))
    with pytest.raises(
        DataError,
        match=r"lacks array\(s\) X: expected arrays named X "
        r"\(n_x, m\) and Y \(n_y, m\) \(found features, Y\)",
    ):
        load_npz(tmp_path / "d.npz")


def test_load_npz_transposed_X_refused(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((5, 2)), Y=np.zeros(5))
    with pytest.raises(DataError, match=r"looks like \(m, n_x\): X must be \(n_x, m\)"):
        load_npz(tmp_path / "d.npz")


def test_load_npz_mismatched_m(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((2, 5)), Y=np.zeros((1, 4)))
    with pytest.raises(ShapeError, match="X has 5 examples \\(columns\\) but Y has 4"):
        load_npz(tmp_path / "d.npz")


def test_load_npz_nan(tmp_path):
    X = np.zeros((2, 3))
    X[1, 0] = np.nan
    np.savez(tmp_path / "d.npz", X=X, Y=np.zeros(3))
    with pytest.raises(DataError, match=r"first at row 1, column 0"):
        load_npz(tmp_path / "d.npz")


def test_load_npz_pickled_objects_refused(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.array([{"a": 1}], dtype=object), Y=np.zeros(1))
    with pytest.raises(DataError, match=r"d\.npz holds pickled objects \(array X\), which"):
        load_npz(tmp_path / "d.npz")


def test_load_npz_not_npz(tmp_path):
    p = tmp_path / "d.npz"
    p.write_text("hello")
    with pytest.raises(DataError, match=r"d\.npz is not an \.npz file of arrays X and Y$"):
        load_npz(p)


def test_load_npz_without_y_when_y_is_optional(tmp_path):
    np.savez(tmp_path / "x.npz", X=np.ones((2, 3)))
    X, Y = load_npz(tmp_path / "x.npz", require_y=False)
    assert X.shape == (2, 3) and Y is None
    np.savez(tmp_path / "xy.npz", X=np.ones((2, 3)), Y=np.array([0, 1, 0]))
    X, Y = load_npz(tmp_path / "xy.npz", require_y=False)
    assert Y.shape == (1, 3)
    with pytest.raises(DataError, match=r"lacks array\(s\) Y"):
        load_npz(tmp_path / "x.npz")


def test_load_npz_reads_compressed_and_fortran_arrays(tmp_path):
    X = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    np.savez_compressed(tmp_path / "c.npz", X=X, Y=np.array([1, 0, 1]))
    X2, _ = load_npz(tmp_path / "c.npz")
    np.testing.assert_array_equal(X2, X)


def test_load_npz_corrupt_member(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.ones((2, 50)), Y=np.zeros(50))
    data = bytearray((tmp_path / "d.npz").read_bytes())
    data[300] ^= 0xFF
    (tmp_path / "d.npz").write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"is not a readable \.npz file \(truncated or corrupt\)"):
        load_npz(tmp_path / "d.npz")


def test_load_npz_missing(tmp_path):
    with pytest.raises(DataError, match="no such data file: .*gone.npz"):
        load_npz(tmp_path / "gone.npz")


# ---- csv -------------------------------------------------------------------------------


def test_load_csv_with_header(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("x1,x2,label\n1,2,0\n3,4,1\n5,6,1\n")
    X, Y = load_csv(p)
    np.testing.assert_array_equal(X, [[1, 3, 5], [2, 4, 6]])
    np.testing.assert_array_equal(Y, [[0, 1, 1]])


def test_load_csv_without_header(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("1.5,2,0\n\n-3e1,4,1\n")
    X, Y = load_csv(p)
    assert X.shape == (2, 2) and Y.shape == (1, 2)
    np.testing.assert_array_equal(X, [[1.5, -30.0], [2.0, 4.0]])
    np.testing.assert_array_equal(Y, [[0, 1]])


def test_load_csv_non_numeric_cell(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("a,b,y\n1,2,0\n3,oops,1\n")
    with pytest.raises(DataError, match=r"row 3, column 2 holds 'oops', not a number"):
        load_csv(p)


def test_load_csv_empty_cell(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("1,2,0\n3,,1\n")
    with pytest.raises(DataError, match=r"row 2, column 2 holds '', not a number"):
        load_csv(p)


def test_load_csv_ragged(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("1,2,0\n3,1\n")
    with pytest.raises(DataError, match="row 2 has 2 columns but the first data row has 3"):
        load_csv(p)


def test_load_csv_only_header(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("x,y\n")
    with pytest.raises(DataError, match="holds no data rows"):
        load_csv(p)


def test_load_csv_one_column(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("1\n2\n")
    with pytest.raises(DataError, match="at least one feature column and a label"):
        load_csv(p)


def test_load_csv_nan_text(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("1,2,0\nnan,4,1\n")
    with pytest.raises(
        DataError,
        match=r"X contains NaN or inf at 1 entry \(first at row 0, "
        r"column 1\)",
    ):
        load_csv(p)


def test_load_csv_missing(tmp_path):
    with pytest.raises(DataError, match="no such data file"):
        load_csv(tmp_path / "missing.csv")


# ---- load_dataset ----------------------------------------------------------------------


def test_load_dataset_flower_and_alias():
    X, Y = load_dataset("flower")
    assert X.shape == (2, 400) and Y.shape == (1, 400)
    np.testing.assert_allclose(X[:, 0], [1.20444229, 3.57611415], atol=1e-8)
    X2, _ = load_dataset("Planar")
    np.testing.assert_array_equal(X, X2)


def test_load_dataset_seed_passed_to_flower():
    X, _ = load_dataset("flower", seed=2)
    assert not np.allclose(X[:, 0], [1.20444229, 3.57611415])


def test_load_dataset_digits():
    pytest.importorskip("sklearn")
    X, Y = load_dataset("digits")
    assert X.shape == (64, 1797) and Y.shape == (1, 1797)
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(Y)) == set(range(10))
    # first digit of the bundled set is a 0; its top-left pixels are 0, 0, 5/16, 13/16
    np.testing.assert_allclose(X[:4, 0], [0, 0, 5 / 16, 13 / 16])
    assert Y[0, 0] == 0


def test_load_dataset_digits_without_sklearn(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("no sklearn")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(DataError, match=r"pip install 'layerwise\[sklearn\]'"):
        load_dataset("digits")


def test_load_dataset_missing_file():
    with pytest.raises(DataError, match=r"^no such data file: missing\.csv$"):
        load_dataset("missing.csv")


def test_load_dataset_unknown_name():
    with pytest.raises(DataError, match=r"unknown data set 'iris': expected one of flower"):
        load_dataset("iris")


def test_load_dataset_unknown_extension(tmp_path):
    p = tmp_path / "d.txt"
    p.write_text("1,2\n")
    with pytest.raises(DataError, match=r"data files must end in \.npz"):
        load_dataset(p)


def test_load_dataset_dispatches_files(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.ones((3, 2)), Y=np.array([0, 1]))
    assert load_dataset(tmp_path / "d.npz")[0].shape == (3, 2)
    (tmp_path / "d.csv").write_text("1,2,3,1\n")
    assert load_dataset(str(tmp_path / "d.csv"))[0].shape == (3, 1)


def test_load_dataset_h5(tmp_path):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "d.hdf5", "w") as f:
        f["train_set_x"] = np.full((4, 2, 2, 3), 255, dtype=np.uint8)
        f["train_set_y"] = np.array([0, 1, 1, 0])
        f["list_classes"] = np.array([b"no", b"yes"])
    X, Y = load_dataset(tmp_path / "d.hdf5")
    assert X.shape == (12, 4) and Y.shape == (1, 4)
    np.testing.assert_allclose(X, 1.0)


# ---- save helpers ----------------------------------------------------------------------


def test_save_csv_then_load(tmp_path):
    X = np.array([[0.1, 0.2, 1 / 3], [4.0, 5.0, 6.0]])
    Y = np.array([[1, 0, 1]])
    save_csv(tmp_path / "o.csv", X, Y)
    assert (tmp_path / "o.csv").read_text().splitlines()[0] == "x1,x2,y"
    X2, Y2 = load_csv(tmp_path / "o.csv")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(Y2, Y)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_save_csv_features_only_no_header(tmp_path):
    save_csv(tmp_path / "o.csv", np.array([[1.0, 2.0]]), header=False)
    assert (tmp_path / "o.csv").read_text().split() == ["1", "2"]


def test_save_npz_then_load(tmp_path):
    X = np.random.default_rng(0).normal(size=(3, 4))
    save_npz(tmp_path / "o.npz", X, np.array([0, 1, 1, 0]))
    X2, Y2 = load_npz(tmp_path / "o.npz")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(Y2, [[0, 1, 1, 0]])


def test_load_npz_single_array_file(tmp_path):
    with open(tmp_path / "one.npz", "wb") as fh:
        np.save(fh, np.zeros(3))
    with pytest.raises(DataError, match=r"holds a single array, not an \.npz file of arrays X"):
        load_npz(tmp_path / "one.npz")
