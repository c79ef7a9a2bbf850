"""Cat / non-cat files, HDF5 errors, flattening, and pictures."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.data import (
    flatten_images,
    load_cat_files,
    load_h5,
    load_picture,
    scale_pixels,
    unflatten,
)
from layerwise.errors import ConfigError, DataError, ShapeError

h5py = pytest.importorskip("h5py")

# Published values from the data README: flattened pixel values.
TRAIN_COL1 = [196, 192, 190, 193, 186, 182, 188, 179, 174, 213]
TEST_COL1 = [115, 110, 111, 137, 129, 129, 155, 146, 145, 159]
TRAIN_COL0 = [17, 31, 56, 22, 33]


def test_load_cat_files_shapes_and_counts(course1_dir):
    train_x, train_y, test_x, test_y, classes = load_cat_files(course1_dir)
    assert train_x.shape == (209, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (50, 64, 64, 3)
    assert train_y.shape == (1, 209) and test_y.shape == (1, 50)
    assert int(train_y.sum()) == 72
    assert int(test_y.sum()) == 33
    assert list(classes) == [b"non-cat", b"cat"]


def test_flattened_sanity_values(course1_dir):
    train_x, _, test_x, _, _ = load_cat_files(course1_dir)
    train = flatten_images(train_x)
    test = flatten_images(test_x)
    assert train.shape == (12288, 209) and test.shape == (12288, 50)
    np.testing.assert_array_equal(train[0:10, 1], TRAIN_COL1)
    np.testing.assert_array_equal(test[0:10, 1], TEST_COL1)
    np.testing.assert_array_equal(train[0:5, 0], TRAIN_COL0)


def test_load_h5_train_and_test(course1_dir):
    X, Y, classes = load_h5(course1_dir / "train_catvnoncat.h5")
    assert X.shape == (12288, 209) and X.dtype == np.float64
    assert Y.shape == (1, 209) and int(Y.sum()) == 72
    np.testing.assert_allclose(X[0:10, 1], np.array(TRAIN_COL1) / 255.0)
    assert 0.0 <= X.min() and X.max() <= 1.0
    assert list(classes) == [b"non-cat", b"cat"]
    X, Y, _ = load_h5(course1_dir / "test_catvnoncat.h5")
    assert X.shape == (12288, 50) and int(Y.sum()) == 33
    np.testing.assert_allclose(X[0:10, 1], np.array(TEST_COL1) / 255.0)


def test_flatten_pixel_order():
    # 2 images of 2x3 pixels, 2 channels: value encodes (image, h, w, c)
    imgs = np.zeros((2, 2, 3, 2), dtype=np.int64)
    for i in range(2):
        for h in range(2):
            for w in range(3):
                for c in range(2):
                    imgs[i, h, w, c] = 1000 * i + 100 * h + 10 * w + c
    X = flatten_images(imgs)
    assert X.shape == (12, 2)
    expected_col1 = [
        1000 + 100 * h + 10 * w + c for h in range(2) for w in range(3) for c in range(2)
    ]
    np.testing.assert_array_equal(X[:, 1], expected_col1)


def test_unflatten_inverts_flatten():
    imgs = np.arange(3 * 4 * 4 * 3).reshape(3, 4, 4, 3)
    np.testing.assert_array_equal(unflatten(flatten_images(imgs), 4), imgs)


def test_unflatten_wrong_rows():
    with pytest.raises(ShapeError, match=r"n_x = 4 \* 4 \* 3 = 48"):
        unflatten(np.zeros((47, 2)), 4)


def test_flatten_needs_images():
    with pytest.raises(ShapeError, match="expected \\(m, height, width, channels\\)"):
        flatten_images(np.zeros(5))


def test_scale_pixels():
    out = scale_pixels(np.array([[0, 51, 255]], dtype=np.uint8))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [[0.0, 0.2, 1.0]])


def _write_h5(path, **arrays):
    with h5py.File(path, "w") as f:
        for k, v in arrays.items():
            f.create_dataset(k, data=v)


def test_load_h5_small_file(tmp_path):
    imgs = np.arange(2 * 2 * 2 * 3, dtype=np.uint8).reshape(2, 2, 2, 3)
    _write_h5(
        tmp_path / "t.h5",
        test_set_x=imgs,
        test_set_y=np.array([1, 0]),
        list_classes=np.array([b"a", b"b"]),
    )
    X, Y, classes = load_h5(tmp_path / "t.h5")
    np.testing.assert_allclose(X, imgs.reshape(2, -1).T / 255.0)
    np.testing.assert_array_equal(Y, [[1, 0]])


def test_load_h5_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such data file: .*nothing.h5"):
        load_h5(tmp_path / "nothing.h5")


def test_load_h5_not_hdf5(tmp_path):
    p = tmp_path / "fake.h5"
    p.write_text("this is not HDF5\n")
    with pytest.raises(DataError, match=r"fake\.h5 is not an HDF5 file: expected train_set_x"):
        load_h5(p)


def test_load_h5_missing_image_key(tmp_path):
    _write_h5(tmp_path / "k.h5", images=np.zeros((2, 2, 2, 3)))
    with pytest.raises(DataError, match=r"k\.h5 lacks the image key.*\(found images\)"):
        load_h5(tmp_path / "k.h5")


def test_load_h5_missing_classes(tmp_path):
    _write_h5(tmp_path / "c.h5", train_set_x=np.zeros((2, 2, 2, 3)), train_set_y=np.zeros(2))
    with pytest.raises(DataError, match=r"c\.h5 lacks key\(s\) list_classes"):
        load_h5(tmp_path / "c.h5")


def test_load_h5_label_count_mismatch(tmp_path):
    _write_h5(
        tmp_path / "n.h5",
        train_set_x=np.zeros((3, 2, 2, 3)),
        train_set_y=np.zeros(2),
        list_classes=np.array([b"a"]),
    )
    with pytest.raises(DataError, match="holds 3 images but 2 labels"):
        load_h5(tmp_path / "n.h5")


def test_load_h5_group_instead_of_an_array(tmp_path):
    with h5py.File(tmp_path / "g.h5", "w") as f:
        f.create_group("train_set_x")
        f["train_set_y"] = np.zeros(2)
        f["list_classes"] = np.array([b"a"])
    with pytest.raises(DataError, match=r"g\.h5: train_set_x is an HDF5 group, not an array"):
        load_h5(tmp_path / "g.h5")


def test_load_h5_text_images(tmp_path):
    _write_h5(
        tmp_path / "s.h5",
        train_set_x=np.array([[[[b"a"]]]]),
        train_set_y=np.zeros(1),
        list_classes=np.array([b"a"]),
    )
    with pytest.raises(DataError, match=r"s\.h5: train_set_x holds \|S1 values, not numbers"):
        load_h5(tmp_path / "s.h5")


def test_load_h5_truncated(tmp_path):
    imgs = np.zeros((4, 2, 2, 3), dtype=np.uint8)
    _write_h5(tmp_path / "t.h5", train_set_x=imgs, train_set_y=np.zeros(4), list_classes=[b"a"])
    data = (tmp_path / "t.h5").read_bytes()
    (tmp_path / "t.h5").write_bytes(data[: len(data) // 2])
    with pytest.raises(
        DataError, match=r"t\.h5 is not a readable HDF5 file \(truncated or corrupt\)"
    ):
        load_h5(tmp_path / "t.h5")


def test_load_cat_files_missing_folder(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        load_cat_files(tmp_path / "absent")


def test_load_cat_files_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such data file: .*train_catvnoncat.h5"):
        load_cat_files(tmp_path)


def test_load_cat_files_wrong_keys(tmp_path):
    _write_h5(tmp_path / "train_catvnoncat.h5", x=np.zeros(2))
    _write_h5(tmp_path / "test_catvnoncat.h5", x=np.zeros(2))
    with pytest.raises(DataError, match="lacks key\\(s\\) train_set_x, train_set_y"):
        load_cat_files(tmp_path)


def test_missing_h5py_message(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_h5py(name, *args, **kwargs):
        if name == "h5py":
            raise ImportError("no h5py")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_h5py)
    with pytest.raises(
        DataError,
        match=r"reading HDF5 files needs h5py: pip install "
        r"'layerwise\[data\]'",
    ):
        load_h5(tmp_path / "x.h5")


def test_load_picture(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    pixels = np.zeros((8, 8, 3), dtype=np.uint8)
    pixels[:, :, 0] = 255  # pure red
    pixels[0, 0] = (0, 51, 102)
    PIL.fromarray(pixels).save(tmp_path / "red.png")
    x = load_picture(tmp_path / "red.png", num_px=8)
    assert x.shape == (8 * 8 * 3, 1) and x.dtype == np.float64
    np.testing.assert_allclose(x[:3, 0], [0.0, 0.2, 0.4])
    np.testing.assert_allclose(x[3:6, 0], [1.0, 0.0, 0.0])
    small = load_picture(tmp_path / "red.png", num_px=4)
    assert small.shape == (48, 1)
    assert 0.0 <= small.min() and small.max() <= 1.0


def test_load_picture_respects_max_image_pixels(tmp_path, monkeypatch):
    PIL = pytest.importorskip("PIL.Image")
    PIL.fromarray(np.zeros((10, 12, 3), dtype=np.uint8)).save(tmp_path / "p.png")
    monkeypatch.setattr(PIL, "MAX_IMAGE_PIXELS", 100)  # 120 pixels: Pillow only warns
    with pytest.raises(
        DataError, match=r"p\.png declares 12×10 pixels, more than the limit of 100"
    ):
        load_picture(tmp_path / "p.png")
    monkeypatch.setattr(PIL, "MAX_IMAGE_PIXELS", 50)  # over twice the limit: Pillow's error
    with pytest.raises(DataError, match=r"declares 12×10 pixels, more than the limit of 50 "):
        load_picture(tmp_path / "p.png")
    monkeypatch.setattr(PIL, "MAX_IMAGE_PIXELS", None)  # no limit
    assert load_picture(tmp_path / "p.png", num_px=2).shape == (12, 1)


def test_load_picture_grey_becomes_rgb(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    PIL.fromarray(np.full((5, 5), 255, dtype=np.uint8)).save(tmp_path / "g.png")
    x = load_picture(tmp_path / "g.png", num_px=5)
    assert x.shape == (75, 1)
    np.testing.assert_allclose(x, 1.0)


def test_load_picture_errors(tmp_path):
    pytest.importorskip("PIL")
    with pytest.raises(DataError, match="no such image file"):
        load_picture(tmp_path / "absent.jpg")
    (tmp_path / "bad.jpg").write_text("not an image")
    with pytest.raises(DataError, match=r"bad\.jpg is not a readable image"):
        load_picture(tmp_path / "bad.jpg")
    PIL = pytest.importorskip("PIL.Image")
    PIL.fromarray(np.zeros((64, 64, 3), dtype=np.uint8)).save(tmp_path / "full.png")
    (tmp_path / "cut.png").write_bytes((tmp_path / "full.png").read_bytes()[:60])
    with pytest.raises(DataError, match=r"cut\.png is not a readable image"):
        load_picture(tmp_path / "cut.png")
    with pytest.raises(ConfigError, match="num_px must be a positive integer"):
        load_picture(tmp_path / "bad.jpg", num_px=0)
