"""Image data: the course's cat / non-cat HDF5 files, your own picture, flattening."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np

from layerwise.errors import ConfigError, DataError, ShapeError
from layerwise.npz import format_bytes, max_bytes

__all__ = [
    "flatten_images",
    "load_cat_files",
    "load_h5",
    "load_picture",
    "read_picture",
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


#: What h5py (and the HDF5 library under it) raises on a damaged file.
_H5_ERRORS = (OSError, RuntimeError, ValueError, KeyError, TypeError, IndexError, OverflowError)


def _h5_corrupt(path, exc: object) -> DataError:
    text = " ".join(str(exc).split())
    return DataError(f"{path} is not a readable HDF5 file (truncated or corrupt): {text}")


def _key_list(keys) -> str:
    """ "a, b" for the names of an HDF5 group (bytes when a damaged name is not UTF-8)."""
    text = [k.decode("utf-8", "replace") if isinstance(k, bytes) else str(k) for k in keys]
    return ", ".join(sorted(text)) or "none"


def _check_h5_dataset(h5py, path: Path, key: str, obj) -> None:
    """Refuse, before reading it, a dataset that is no array or declares more bytes than
    the file could hold (contiguous storage) or than the reading limit allows."""
    if not isinstance(obj, h5py.Dataset):
        raise DataError(f"{path}: {key} is an HDF5 group, not an array")
    if obj.shape is None:
        raise DataError(f"{path}: {key} holds no data (an empty HDF5 dataspace)")
    nbytes = math.prod(obj.shape) * obj.dtype.itemsize
    shape = "×".join(map(str, obj.shape)) or "a scalar"
    limit = max_bytes()
    if nbytes > limit:
        raise DataError(
            f"{path} declares {key} of {shape} {obj.dtype} ({format_bytes(nbytes)}), more "
            f"than the limit of {format_bytes(limit)} for one file"
        )
    offset = obj.id.get_offset() if obj.chunks is None else None
    if offset is not None and offset + nbytes > path.stat().st_size:
        raise _h5_corrupt(
            path,
            f"{key} of {shape} {obj.dtype} ({format_bytes(nbytes)}) does not fit in the "
            f"file's {format_bytes(path.stat().st_size)}",
        )


def _read_h5_keys(path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Read ``keys`` from the HDF5 file at ``path`` into arrays, with DataError on any failure.

    Each dataset's declared shape and dtype are checked before it is read (see
    ``_check_h5_dataset``), so a small file declaring a huge array is refused in one line.
    """
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
                found = _key_list(f.keys())
                raise DataError(
                    f"{path} lacks key(s) {', '.join(missing)}: expected "
                    f"{', '.join(keys)} (found {found})"
                )
            total = 0
            for k in keys:
                _check_h5_dataset(h5py, path, k, f[k])
                total += math.prod(f[k].shape) * f[k].dtype.itemsize
            if total > max_bytes():
                raise DataError(
                    f"{path} declares {', '.join(keys)} of {format_bytes(total)} in all, more "
                    f"than the limit of {format_bytes(max_bytes())} for one file"
                )
            return {k: np.array(f[k][()]) for k in keys}
    except DataError:
        raise
    except _H5_ERRORS as exc:
        raise _h5_corrupt(path, exc) from None


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
    except _H5_ERRORS as exc:
        raise _h5_corrupt(path, exc) from None
    prefix = next((p for p in ("train_set", "test_set") if f"{p}_x" in names), None)
    if prefix is None:
        found = _key_list(names)
        raise DataError(
            f"{path} lacks the image key: expected train_set_x/train_set_y or "
            f"test_set_x/test_set_y and list_classes (found {found})"
        )
    data = _read_h5_keys(path, (f"{prefix}_x", f"{prefix}_y", "list_classes"))
    for key in (f"{prefix}_x", f"{prefix}_y"):
        if data[key].dtype.kind not in "biuf":
            raise DataError(f"{path}: {key} holds {data[key].dtype} values, not numbers")
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
    (:func:`read_picture` also gives the picture's own size.)

    The image is converted to RGB and resized to num_px x num_px, then flattened in the
    same height, width, channel order as :func:`flatten_images`. A picture declaring more
    pixels than Pillow's ``Image.MAX_IMAGE_PIXELS`` (a decompression bomb: Pillow's
    warning as well as its error) and an unreadable or truncated one are one DataError.
    """
    return read_picture(path, num_px)[0]


def read_picture(path, num_px: int = 64) -> tuple[np.ndarray, tuple[int, int]]:
    """(the column of :func:`load_picture`, the picture's own (height, width) in pixels)."""
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
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                size = (img.height, img.width)
                rgb = img.convert("RGB").resize((int(num_px), int(num_px)))
                pixels = np.asarray(rgb, dtype=np.uint8)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DataError(
            f"{path} declares {_declared_pixels(exc)} pixels, more than the limit of "
            f"{Image.MAX_IMAGE_PIXELS:,} (PIL.Image.MAX_IMAGE_PIXELS; a decompression bomb?)"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        text = " ".join(str(exc).split())
        raise DataError(f"{path} is not a readable image (PNG, JPEG, ...): {text}") from None
    return scale_pixels(pixels.reshape(1, -1).T), size


def _declared_pixels(exc: BaseException) -> str:
    """The size Pillow's decompression-bomb check was given, as "15000×15000" (the
    innermost frame of ``exc`` is that check), or else the pixel count its message states."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    size = tb.tb_frame.f_locals.get("size") if tb is not None else None
    if isinstance(size, tuple) and len(size) == 2 and all(isinstance(d, int) for d in size):
        return f"{size[0]}×{size[1]}"
    found = re.search(r"\((\d+) pixels\)", str(exc))
    return f"{int(found.group(1)):,}" if found else "too many"


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
