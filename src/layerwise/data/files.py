"""Data sets by name or from files (.npz, .csv, .h5), and writing arrays back out."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ..atomic import atomic_write
from ..errors import DataError
from ..npz import open_npz
from .images import load_h5
from .planar import make_flower
from .validation import check_X, check_XY, to_numeric

__all__ = [
    "BUILTIN_DATASETS",
    "load_csv",
    "load_dataset",
    "load_npz",
    "open_rows",
    "save_csv",
    "save_npz",
]

#: Names :func:`load_dataset` knows besides file paths.
BUILTIN_DATASETS = ("flower", "planar", "digits")
_EXTENSIONS = (".npz", ".csv", ".h5", ".hdf5")


def _existing_file(path) -> Path:
    p = Path(path)
    if not p.is_file():
        raise DataError(f"no such data file: {path}")
    return p


def load_npz(path, *, require_y: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Arrays named ``X`` (n_x, m) and ``Y`` (n_y, m) or (m,) from a NumPy .npz file.

    Read through :mod:`layerwise.npz`: each array's header is checked before anything is
    allocated, object arrays (pickles) are refused, and a damaged file is one DataError
    ("... is not a readable .npz file (truncated or corrupt)"). X must already be
    (n_x, m), one example per column; a file holding X as (m, n_x) is refused, never
    silently transposed. With ``require_y=False`` a file without Y gives (X, None).
    """
    p = _existing_file(path)
    with open_npz(p, DataError, what="an .npz file of arrays X and Y") as npz:
        wanted = ("X", "Y") if require_y or "Y" in npz else ("X",)
        missing = [k for k in wanted if k not in npz]
        if missing:
            found = ", ".join(npz.names) or "none"
            raise DataError(
                f"{path} lacks array(s) {', '.join(missing)}: expected arrays named X "
                f"(n_x, m) and Y (n_y, m) (found {found})"
            )
        for key in wanted:  # both headers before either array is read
            npz.header(key)
        X = npz.read("X")
        Y = npz.read("Y") if "Y" in wanted else None
    if Y is None:
        return check_X(X), None
    m_y = Y.shape[-1] if Y.ndim else 0
    if X.ndim == 2 and X.shape[1] != m_y and X.shape[0] == m_y:
        raise DataError(
            f"X in {path} has shape {X.shape}, which looks like (m, n_x): X must be (n_x, m), "
            "one example per column (save X.T)"
        )
    return check_XY(X, Y)


def open_rows(data, labels=None) -> tuple[np.ndarray, np.ndarray]:
    """X memory-mapped from an .npy file (examples first: rows (m, n_x) or images
    (m, n_H, n_W, n_C), read later one block at a time) and labels Y (1, m) or (n_y, m)
    read whole from an .npy file of (m,) or (m, n_y)."""
    if labels is None:
        raise DataError(f"{data} holds only X: give its labels with --labels LABELS.npy")
    X, Y = _npy(data, mmap=True), _npy(labels, mmap=False)
    if X.ndim not in (2, 4) or X.dtype.kind not in "iuf":
        raise DataError(
            f"{data} holds a {X.dtype} array of shape {X.shape}: expected numbers, rows "
            "(m, n_x) or images (m, n_H, n_W, n_C), one example per row"
        )
    if Y.ndim not in (1, 2) or Y.shape[0] != X.shape[0]:
        raise DataError(
            f"{labels} has shape {Y.shape} but {data} holds m = {X.shape[0]} examples: "
            "expected labels (m,) or (m, n_y), one example per row"
        )
    return X, to_numeric(Y, str(labels)).reshape(X.shape[0], -1).T


def _npy(path, *, mmap: bool) -> np.ndarray:
    p = _existing_file(path)
    if p.suffix.lower() != ".npy":
        raise DataError(f"{path} is not an .npy file: on-disk data and labels are .npy arrays")
    with open(p, "rb") as fh:
        if fh.read(6) != b"\x93NUMPY":
            raise DataError(f"{path} is not an .npy file (no NumPy header)")
    try:
        return np.load(p, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        text = " ".join(str(exc).split())[:200]
        if "pickle" in text or "objects" in text:
            text = "it holds pickled objects, which layerwise never loads (unsafe)"
        raise DataError(f"{path} is not a readable .npy array of numbers: {text}") from None


def _parse_float(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def load_csv(path, *, delimiter: str = ",") -> tuple[np.ndarray, np.ndarray]:
    """One example per row, the label in the last column -> X (n_x, m), Y (1, m).

    A first row that is not all numbers is taken as a header and skipped; blank lines
    are skipped. X and Y are float64.
    """
    p = _existing_file(path)
    try:
        with open(p, newline="", encoding="utf-8-sig") as fh:
            rows = [(i, r) for i, r in enumerate(csv.reader(fh, delimiter=delimiter), start=1)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"could not read {path} as a text CSV file: {exc}") from None
    rows = [(i, r) for i, r in rows if any(c.strip() for c in r)]
    if rows and any(_parse_float(c) is None for c in rows[0][1]):
        rows = rows[1:]  # header
    if not rows:
        raise DataError(f"{path} holds no data rows: expected one example per row, label last")
    width = len(rows[0][1])
    if width < 2:
        raise DataError(
            f"{path} has {width} column: expected at least one feature column and a label "
            "column (label last)"
        )
    data = np.empty((len(rows), width))
    for r, (line, cells) in enumerate(rows):
        if len(cells) != width:
            raise DataError(
                f"{path}: row {line} has {len(cells)} columns but the first data row has {width}"
            )
        for c, cell in enumerate(cells):
            value = _parse_float(cell)
            if value is None:
                raise DataError(
                    f"{path}: row {line}, column {c + 1} holds {cell.strip()!r}, not a number"
                )
            data[r, c] = value
    return check_XY(np.asfortranarray(data[:, :-1].T), data[:, -1].reshape(1, -1))


def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits  # noqa: PLC0415 - optional sklearn extra
    except ImportError:
        raise DataError(
            "the digits data set comes with scikit-learn: pip install 'layerwise[sklearn]'"
        ) from None
    digits = load_digits()
    return digits.data.T / 16.0, digits.target.reshape(1, -1)


def load_dataset(spec, *, seed: int | None = 1) -> tuple[np.ndarray, np.ndarray]:
    """A data set by name or file path -> X (n_x, m), Y (n_y, m).

    Names: "flower" (alias "planar"): :func:`make_flower` with ``seed``, X (2, 400);
    "digits": scikit-learn's 8x8 digits, X (64, 1797) in [0, 1] (/16), Y (1, 1797) class
    indices 0..9. Paths are read by extension: .npz (:func:`load_npz`), .csv
    (:func:`load_csv`), .h5/.hdf5 (:func:`layerwise.data.images.load_h5`).
    """
    name = str(spec).strip().lower()
    if name in ("flower", "planar"):
        X, Y = make_flower(seed=seed)
    elif name == "digits":
        X, Y = _load_digits()
    else:
        ext = Path(str(spec)).suffix.lower()
        if ext not in _EXTENSIONS:
            if Path(str(spec)).exists():
                raise DataError(
                    f"cannot read {spec}: data files must end in {', '.join(_EXTENSIONS)}"
                )
            raise DataError(
                f"unknown data set {spec!r}: expected one of {', '.join(BUILTIN_DATASETS)} "
                f"or a file ending in {', '.join(_EXTENSIONS)}"
            )
        _existing_file(spec)
        if ext == ".npz":
            return load_npz(spec)
        if ext == ".csv":
            return load_csv(spec)
        X, Y, _ = load_h5(spec)
    return check_XY(X, Y)


def save_npz(path, X, Y) -> None:
    """Write X (n_x, m) and Y (n_y, m) as arrays X and Y of an .npz (no pickles)."""
    X, Y = check_XY(X, Y)
    atomic_write(path, lambda fh: np.savez(fh, X=X, Y=Y))


def save_csv(path, X, Y=None, *, header: bool = True) -> None:
    """Write one example per row: the columns of X (n_x, m), then Y (n_y, m) if given.

    The header names the columns x1..x{n_x} and y (or y1..y{n_y}).
    """
    if Y is None:
        X = check_X(X)
        table, names = X.T, [f"x{i + 1}" for i in range(X.shape[0])]
    else:
        X, Y = check_XY(X, Y)
        ys = ["y"] if Y.shape[0] == 1 else [f"y{i + 1}" for i in range(Y.shape[0])]
        table = np.hstack([X.T, Y.T.astype(np.float64)])
        names = [f"x{i + 1}" for i in range(X.shape[0])] + ys

    def write(fh) -> None:
        head = ",".join(names) if header else ""
        np.savetxt(fh, table, delimiter=",", fmt="%.17g", header=head, comments="")

    atomic_write(path, write)
