"""Image data: the course's cat / non-cat HDF5 files, your own picture, flattening."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from layerwise.errors import ConfigError, DataError, ShapeError

__all__ = [
    "flatten_images",
    "load_cat_files",
    "load_h5",
    "load_picture",
    "scale_pixels",
    "unflatten",
]

CAT_TRAIN_FILE = "train_catvnoncat.h5"
CAT_TEST_FILE = "test_catvnoncat.h5"


def _h5py():
    try:
        import h5py  # noqa: PLC0415 - optional data extra
    except ImportError:
        raise DataError("reading HDF5 files needs h5py: pip install 'layerwise[data]'") from None
    return h5py


def _read_h5_keys(path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Read ``keys`` from the HDF5 file at ``path`` into arrays, with DataError on any failure."""
    h5py = _h5py()
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such data file: {path}")
    if not h5py.is_hdf5(path):
        raise DataError(f"{path} is not an HDF5 file: expected keys {', '.join(keys)}")
    try:
        with h5py.File(path, "r") as f:
            missing = [k for k in keys if k not in f]
            if missing:
                found = ", ".join(sorted(f.keys())) or "none"
                raise DataError(
                    f"{path} lacks key(s) {', '.join(missing)}: expected "
                    f"{', '.join(keys)} (found {found})"
                )
            return {k: np.array(f[k][()]) for k in keys}
    except OSError as exc:
        raise DataError(f"could not read HDF5 file {path}: {exc}") from None


def load_cat_files(folder) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read the course's cat / non-cat files from ``folder``.

    Returns (train_x_orig, train_y, test_x_orig, test_y, classes): images (m, 64, 64, 3)
    uint8 (209 train, 50 test), labels (1, m) with 1 = cat, and classes
    [b'non-cat', b'cat'] from the test file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(
            f"no such folder: {folder} (expected it to hold {CAT_TRAIN_FILE} and {CAT_TEST_FILE})"
        )
    train = _read_h5_keys(folder / CAT_TRAIN_FILE, ("train_set_x", "train_set_y"))
    test = _read_h5_keys(folder / CAT_TEST_FILE, ("test_set_x", "test_set_y", "list_classes"))
    train_y = train["train_set_y"].reshape(1, -1)
    test_y = test["test_set_y"].reshape(1, -1)
    return train["train_set_x"], train_y, test["test_set_x"], test_y, test["list_classes"]


def flatten_images(X_orig) -> np.ndarray:
    """Images (m, height, width, channels) -> columns (n_x, m), as X_orig.reshape(m, -1).T.

    Pixel order within a column is height, then width, then channel (channel fastest).
    """
    X_orig = np.asarray(X_orig)
    if X_orig.ndim < 2:
        raise ShapeError(
            f"images have shape {X_orig.shape}: expected (m, height, width, channels), "
            "one image per entry of the first axis"
        )
    return X_orig.reshape(X_orig.shape[0], -1).T


def scale_pixels(X) -> np.ndarray:
    """Pixel values 0..255 -> float64 in [0, 1]: X / 255."""
    return np.asarray(X, dtype=np.float64) / 255.0


def load_h5(path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One course-layout HDF5 file -> (X, Y, classes).

    The file holds ``train_set_x``/``train_set_y`` or ``test_set_x``/``test_set_y`` and
    ``list_classes``. X is (n_x, m) float64 in [0, 1] (flattened, / 255), Y is (1, m).
    """
    h5py = _h5py()
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such data file: {path}")
    if not h5py.is_hdf5(path):
        raise DataError(
            f"{path} is not an HDF5 file: expected train_set_x/train_set_y or "
            "test_set_x/test_set_y and list_classes"
        )
    try:
        with h5py.File(path, "r") as f:
            names = set(f.keys())
    except OSError as exc:
        raise DataError(f"could not read HDF5 file {path}: {exc}") from None
    prefix = next((p for p in ("train_set", "test_set") if f"{p}_x" in names), None)
    if prefix is None:
        found = ", ".join(sorted(names)) or "none"
        raise DataError(
            f"{path} lacks the image key: expected train_set_x/train_set_y or "
            f"test_set_x/test_set_y and list_classes (found {found})"
        )
    data = _read_h5_keys(path, (f"{prefix}_x", f"{prefix}_y", "list_classes"))
    X = scale_pixels(flatten_images(data[f"{prefix}_x"]))
    Y = data[f"{prefix}_y"].reshape(1, -1)
    if Y.shape[1] != X.shape[1]:
        raise DataError(
            f"{path} holds {X.shape[1]} images but {Y.shape[1]} labels: "
            f"{prefix}_x must be (m, height, width, channels) and {prefix}_y (m,)"
        )
    return np.asfortranarray(X), Y, data["list_classes"]


def load_picture(path, num_px: int = 64) -> np.ndarray:
    """Your own picture -> one column (num_px * num_px * 3, 1), float64 in [0, 1].

    The image is converted to RGB and resized to num_px x num_px, then flattened in the
    same height, width, channel order as :func:`flatten_images`.
    """
    if isinstance(num_px, bool) or not isinstance(num_px, (int, np.integer)) or num_px < 1:
        raise ConfigError(f"num_px must be a positive integer, got {num_px!r}")
    try:
        from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 - optional data extra
    except ImportError:
        raise DataError("reading pictures needs Pillow: pip install 'layerwise[data]'") from None
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such image file: {path}")
    try:
        with Image.open(path) as img:
            rgb = img.convert("RGB").resize((int(num_px), int(num_px)))
            pixels = np.asarray(rgb, dtype=np.uint8)
    except (UnidentifiedImageError, OSError) as exc:
        raise DataError(f"{path} is not a readable image (PNG, JPEG, ...): {exc}") from None
    return scale_pixels(pixels.reshape(1, -1).T)


def unflatten(X, num_px: int) -> np.ndarray:
    """Columns (num_px * num_px * 3, m) -> images (m, num_px, num_px, 3), e.g. for plotting."""
    X = np.asarray(X)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    n_x = num_px * num_px * 3
    if X.ndim != 2 or X.shape[0] != n_x:
        raise ShapeError(
            f"X has shape {X.shape} but num_px = {num_px} needs (n_x, m) with "
            f"n_x = {num_px} * {num_px} * 3 = {n_x}"
        )
    return X.T.reshape(X.shape[1], num_px, num_px, 3)
