"""The catalogue of bad inputs, ``docs/errors.md``, one test per row.

Every row of the catalogue has an id (``csv-nan``); ``ROWS`` below has a case under the
same id, and ``test_doc_and_tests_list_the_same_rows`` keeps the two in step. Each case
checks the rules the catalogue opens with:

* a command-line case runs ``layerwise.cli.main(argv)`` in a folder holding the files it
  names (built once per session, copied into ``tmp_path``): the exit code, exactly one
  stderr line ``layerwise: error: ...`` holding the fragment, no traceback, and no file
  created or changed (a refused ``train --out run`` leaves no ``run``);
* an API case calls the library: the exception class and fragment, a message of one line,
  a ``LayerwiseError`` (file-system failures excepted: ``OSError``), no file changed;
* for every row that is not "(open)", what the user sees is exactly the line the
  catalogue shows ("…" in it stands for text that varies), and the exit code is its own.

A row marked "(open)" in the catalogue is not handled by the rules yet: its case says what
should happen and is an expected failure (``xfail(strict=True)``), so fixing it fails
the test until the catalogue is updated.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest

import layerwise as lw
import layerwise.augment as augment
from layerwise import data
from layerwise.cli import main
from layerwise.errors import ConfigError, DataError, LayerwiseError, ModelFileError, ShapeError

DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
ERROR = "layerwise: error: "


# --------------------------------------------------------------------------- the files
def _text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text)


def _bytes(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def _folder(path: Path) -> None:
    path.mkdir()


@cache
def flower() -> tuple[np.ndarray, np.ndarray]:
    return data.make_flower()


@cache
def images() -> tuple[np.ndarray, np.ndarray]:
    """Ten 5x5 RGB images in [0, 1) and their 0/1 labels."""
    X = np.random.default_rng(0).random((10, 5, 5, 3))
    return X, (np.arange(10) % 2).reshape(1, -1)


def _npz(**arrays) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        with open(path, "wb") as fh:  # np.savez(path) would add ".npz" to other names
            np.savez(fh, **{k: (v() if callable(v) else v) for k, v in arrays.items()})

    return build


def _npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buf.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def _huge_npz(with_y: bool) -> Callable[[Path], None]:
    """X declaring 10^7 x 10^7 float64 (800 TB) in a file of under a kilobyte."""

    def build(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("X.npy", _npy_header((10**7, 10**7)) + bytes(64))
            if with_y:
                zf.writestr("Y.npy", _npy(flower()[1]))

    return build


def _pm1_csv(path: Path) -> None:
    rows = [f"{np.sin(i):.3f},{np.cos(i):.3f},{1 if i % 2 else -1}" for i in range(60)]
    path.write_text("x1,x2,y\n" + "\n".join(rows) + "\n")


def _prices_csv(path: Path) -> None:
    path.write_text("size,price\n" + "".join(f"{i},{1000 + 7 * i}\n" for i in range(300)))


def _h5(**datasets) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        h5py = pytest.importorskip("h5py")
        with h5py.File(path, "w") as f:
            for key, value in datasets.items():
                if isinstance(value, dict):
                    f.create_dataset(key, **value)
                else:
                    f[key] = value

    return build


def _truncated(source: str, keep: float | int) -> Callable[[Path, Files], None]:
    def build(path: Path, files: Files) -> None:
        content = files.path(source).read_bytes()
        path.write_bytes(content[: keep if isinstance(keep, int) else int(len(content) * keep)])

    return build


def _model(path: Path) -> None:
    """A dense 2 -> 4 (tanh) -> 1 (sigmoid) model trained 5 epochs on the flower data."""
    model = lw.Sequential([lw.Dense(4, "tanh"), lw.Dense(1, "sigmoid")], seed=1)
    model.fit(*flower(), epochs=5, verbose=0)
    model.save(path)


def _picture_model(path: Path) -> None:
    """A dense model of n_x = 12 inputs: 2x2 RGB pictures."""
    lw.Sequential([lw.Dense(3, "relu"), lw.Dense(1, "sigmoid")], input_dim=12, seed=1).save(path)


def _conv_model(path: Path) -> None:
    layers = [lw.Conv2D(2, 3, padding="same"), lw.Flatten(), lw.Dense(1, "sigmoid")]
    lw.Sequential(layers, input_dim=(4, 4, 3), seed=1).save(path)


def _edited_model(edit: Callable[[dict], None]) -> Callable[[Path, Files], None]:
    """model.npz with its arrays changed by ``edit`` (read with np.load, written by np.savez)."""

    def build(path: Path, files: Files) -> None:
        with np.load(files.path("model.npz")) as f:
            arrays = {k: f[k] for k in f.files}
        edit(arrays)
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)

    return build


def _edit_meta(change: Callable[[dict], None]) -> Callable[[dict], None]:
    def edit(arrays: dict) -> None:
        meta = json.loads(str(arrays["__layerwise__"]))
        change(meta)
        arrays["__layerwise__"] = np.array(json.dumps(meta))

    return edit


def _nan_w1(arrays: dict) -> None:
    arrays["param/W1"] = arrays["param/W1"].copy()
    arrays["param/W1"][0, 0] = np.nan


def _huge_units(meta: dict) -> None:
    meta["model"]["layers"][0]["config"]["units"] = 10**6


def _huge_w1_header(path: Path, files: Files) -> None:
    """model.npz whose param/W1 member declares 10^6 x 10^6 float32 over 32 bytes."""
    with zipfile.ZipFile(files.path("model.npz")) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "param/W1.npy":
                content = _npy_header((10**6, 10**6), "<f4") + bytes(32)
            out.writestr(info, content)


def _picture(path: Path) -> None:
    Image = pytest.importorskip("PIL.Image")
    Image.new("RGB", (8, 8), (200, 10, 10)).save(path)


def _bomb(path: Path) -> None:
    """15000 x 15000 pixels (225 million) in a PNG of about 27 KB."""
    Image = pytest.importorskip("PIL.Image")
    Image.new("1", (15000, 15000)).save(path, format="PNG", optimize=True)


def _existing_run(path: Path, files: Files) -> None:
    path.mkdir()
    shutil.copy(files.path("model.npz"), path / "model.npz")
    (path / "metrics.json").write_text('{"train_accuracy": 0.9}\n')


FILES: dict[str, Callable] = {
    # data files
    "good.npz": _npz(X=lambda: flower()[0], Y=lambda: flower()[1]),
    "nan.csv": _text("x1,x2,y\n1,2,0\n3,nan,1\n4,5,0\n6,7,1\n"),
    "nan-label.csv": _text("x1,x2,y\n1,2,0\n3,4,nan\n5,6,1\n"),
    "ragged.csv": _text("x1,x2,y\n1,2,0\n3,4\n5,6,1\n"),
    "empty.csv": _text(""),
    "header.csv": _text("x1,x2,y\n"),
    "words.csv": _text("x1,x2,y\n1,2,0\n3,abc,1\n"),
    "one-column.csv": _text("y\n1\n0\n1\n"),
    "picture.csv": _bytes(b"\x89PNG\r\n\x1a\n" + bytes(100)),
    "prices.csv": _prices_csv,
    "pm1.csv": _pm1_csv,
    "constant.csv": _text("x1,y\n1,3\n2,3\n3,3\n"),
    "notes.txt": _text("some notes\n"),
    "folder": _folder,
    "folder.csv": _folder,
    "no-y.npz": _npz(X=lambda: flower()[0]),
    # on-disk training (--data X.npy --labels Y.npy): examples along the first axis
    "rows-x.npy": lambda path: np.save(path, flower()[0].T),
    "short-y.npy": lambda path: np.save(path, flower()[1].ravel()[:399]),
    "fake.npy": _bytes(b"not an npy file at all"),
    "x-rows.npz": _npz(X=lambda: flower()[0].T, Y=lambda: flower()[1]),
    "y-column.npz": _npz(X=lambda: flower()[0], Y=lambda: flower()[1].T),
    "array.npz": lambda path: path.write_bytes(_npy(flower()[0])),
    "pickled.npz": _npz(X=np.array([{"a": 1}], dtype=object), Y=lambda: flower()[1]),
    "truncated.npz": _truncated("good.npz", 0.5),
    "random.npz": _bytes(np.random.default_rng(0).bytes(600)),
    "huge.npz": _huge_npz(with_y=True),
    "images.npz": _npz(X=lambda: images()[0], Y=lambda: images()[1]),
    "not-hdf5.h5": _text("not an HDF5 file\n"),
    "other-keys.h5": _h5(weights=np.zeros(3)),
    "cats.h5": _h5(
        train_set_x=np.random.default_rng(0).integers(0, 255, (6, 4, 4, 3), dtype=np.uint8),
        train_set_y=np.array([0, 1, 0, 1, 0, 1]),
        list_classes=np.array([b"non-cat", b"cat"]),
    ),
    "truncated.h5": _truncated("cats.h5", 0.5),
    "huge.h5": _h5(
        train_set_x={"shape": (10**6, 64, 64, 3), "dtype": "u1", "chunks": (1, 64, 64, 3)},
        train_set_y=np.zeros(5, dtype=np.uint8),
        list_classes=np.array([b"non-cat", b"cat"]),
    ),
    # data for predict
    "x-nan.csv": _text("nan,0.2\n0.5,0.6\n"),
    "wide.csv": _text("0.1,0.2,0.3,0.4\n0.5,0.6,0.7,0.8\n"),
    "x-only-nan.npz": _npz(X=np.array([[np.nan, 1.0], [0.5, 0.2]])),
    "x-only-huge.npz": _huge_npz(with_y=False),
    # model files
    "model.npz": _model,
    "picture-model.npz": _picture_model,
    "conv-model.npz": _conv_model,
    "model-truncated.npz": _truncated("model.npz", 0.5),
    "model-random.npz": _bytes(np.random.default_rng(1).bytes(2000)),
    "model-pickle.npz": _bytes(pickle.dumps({"W1": [[1.0, 2.0]]}, protocol=4)),
    "model-object.npz": _edited_model(
        lambda a: a.__setitem__("param/W1", np.array([{"W": 1}], dtype=object))
    ),
    "model-nan.npz": _edited_model(_nan_w1),
    "model-complex.npz": _edited_model(
        lambda a: a.__setitem__("param/W1", a["param/W1"].astype(np.complex64))
    ),
    "model-shape.npz": _edited_model(
        lambda a: a.__setitem__("param/W1", np.zeros((5, 2), np.float32))
    ),
    "model-huge-units.npz": _edited_model(_edit_meta(_huge_units)),
    "model-huge-header.npz": _huge_w1_header,
    "model-newer.npz": _edited_model(_edit_meta(lambda meta: meta.update(version=99))),
    "model-json.npz": _edited_model(lambda a: a.__setitem__("__layerwise__", np.array("{oops"))),
    "model-seed.npz": _edited_model(_edit_meta(lambda meta: meta["model"].update(seed=2**40))),
    # pictures
    "picture.png": _picture,
    "not-a-picture.png": _text("this is not a picture\n"),
    "truncated.png": _truncated("picture.png", 40),
    "bomb.png": _bomb,
    # run folders
    "run": _existing_run,
}


class Files:
    """The catalogue's files, each built once (on first use) into ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        path = self.root / name
        if not path.exists():
            build = FILES[name]
            try:
                if build.__code__.co_argcount == 2:
                    build(path, self)
                else:
                    build(path)
            except BaseException:  # never keep half a file for the next test
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
                raise
        return path

    def place(self, names: tuple[str, ...], folder: Path) -> None:
        for name in names:
            source = self.path(name)
            if source.is_dir():
                shutil.copytree(source, folder / name)
            else:
                shutil.copy2(source, folder / name)


@pytest.fixture(scope="session")
def files(tmp_path_factory) -> Files:
    return Files(tmp_path_factory.mktemp("catalogue-files"))


@contextmanager
def capped_address_space(extra: int = 2 << 30) -> Iterator[None]:
    """Limit this process's address space to what it uses now plus ``extra`` bytes, so a
    reader that believes a file declaring terabytes (or 12 GB of zeros) fails with a
    MemoryError instead of exhausting the machine. Without /proc or ``resource``: no limit."""
    try:
        import resource

        used = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError, IndexError):
        resource = None
    if resource is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = used + extra if soft == resource.RLIM_INFINITY else min(used + extra, soft)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry below ``folder`` (hidden ones too) -> "dir" or its content's hash."""
    return {
        p.relative_to(folder).as_posix(): (
            "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(folder.rglob("*"))
    }


# --------------------------------------------------------------------------- the cases
@dataclass(frozen=True)
class Cli:
    """``layerwise ARGV`` run in a folder holding ``files``: exit ``code`` and one stderr
    line holding ``fragment`` (``code`` 0: a stdout line holding it). ``huge``: a file
    declares more than the machine has; run under ``capped_address_space``."""

    argv: tuple[str, ...]
    fragment: str
    files: tuple[str, ...] = ()
    code: int = 2
    open: str | None = None
    huge: bool = False


@dataclass(frozen=True)
class Api:
    """``call()`` (in a folder holding ``files``) raises ``error`` holding ``fragment``."""

    call: Callable[[], object]
    error: type[BaseException]
    fragment: str
    files: tuple[str, ...] = ()
    needs: str | None = None
    open: str | None = None


def train(*flags: str) -> tuple[str, ...]:
    return ("train", *flags, "--out", "run")


def dense(**kwargs) -> lw.Sequential:
    return lw.Sequential([lw.Dense(3, "tanh"), lw.Dense(1, "sigmoid")], seed=1, **kwargs)


def built() -> lw.Sequential:
    return dense(input_dim=2)


def regressor() -> lw.Sequential:
    return lw.Sequential([lw.Dense(3, "relu"), lw.Dense(1, "linear")], seed=1, input_dim=2)


def conv() -> lw.Sequential:
    return lw.Sequential([lw.Conv2D(2, 3), lw.Flatten(), lw.Dense(1, "sigmoid")], seed=1)


def fit(model: lw.Sequential, X=None, Y=None, **kwargs):
    X = flower()[0] if X is None else X
    Y = flower()[1] if Y is None else Y
    return model.fit(X, Y, **{"epochs": 1, "verbose": 0, **kwargs})


def with_nan(A: np.ndarray, where: tuple[int, ...]) -> np.ndarray:
    A = np.array(A, dtype=np.float64)
    A[where] = np.nan
    return A


def state_with(**entries) -> dict:
    return {**built().state_dict(), **{k.replace("__", "/"): v for k, v in entries.items()}}


@cache
def rows_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn layout: X (30, 3), class labels y (30,), targets (30,)."""
    X = np.random.default_rng(0).standard_normal((30, 3))
    return X, (X[:, 0] > 0).astype(int), 2.0 * X[:, 0]


def sk(name: str, **params):
    from layerwise import sklearn as lw_sklearn

    return getattr(lw_sklearn, name)(**{"epochs": 2, "random_state": 0, **params})


def sk_fit(name: str, X=None, y=None, **params):
    X_rows, labels, targets = rows_data()
    X = X_rows if X is None else X
    y = (labels if name == "DenseClassifier" else targets) if y is None else y
    return sk(name, **params).fit(X, y)


ROWS: dict[str, Cli | Api] = {
    # ------------------------------------------------------------------ data files
    "csv-nan": Cli(train("--data", "nan.csv"), "X contains NaN or inf", ("nan.csv",)),
    "csv-nan-label": Cli(
        train("--data", "nan-label.csv"), "Y contains NaN or inf", ("nan-label.csv",)
    ),
    "csv-ragged": Cli(train("--data", "ragged.csv"), "row 3 has 2 columns", ("ragged.csv",)),
    "csv-empty": Cli(train("--data", "empty.csv"), "holds no data rows", ("empty.csv",)),
    "csv-header-only": Cli(train("--data", "header.csv"), "holds no data rows", ("header.csv",)),
    "csv-words": Cli(train("--data", "words.csv"), "holds 'abc', not a number", ("words.csv",)),
    "csv-one-column": Cli(train("--data", "one-column.csv"), "has 1 column", ("one-column.csv",)),
    "csv-binary": Cli(train("--data", "picture.csv"), "as a text CSV file", ("picture.csv",)),
    "csv-price-labels": Cli(
        train("--data", "prices.csv"), "pass --task regression", ("prices.csv",)
    ),
    "csv-price-as-classes": Cli(
        train("--data", "prices.csv", "--task", "classification"),
        "more than 100 classes",
        ("prices.csv",),
    ),
    "csv-one-label": Cli(
        train("--data", "constant.csv"), "there is nothing to learn", ("constant.csv",)
    ),
    "csv-pm1-labels": Cli(
        train("--data", "pm1.csv", "--iterations", "3"),
        "binary classification: labels {-1, 1} → {0, 1}",
        ("pm1.csv",),
        code=0,
    ),
    "data-missing": Cli(train("--data", "missing.csv"), "no such data file"),
    "data-folder": Cli(train("--data", "folder"), "data files must end in", ("folder",)),
    "data-folder-csv": Cli(train("--data", "folder.csv"), "no such data file", ("folder.csv",)),
    "data-suffix": Cli(train("--data", "notes.txt"), "data files must end in", ("notes.txt",)),
    "data-unknown-name": Cli(train("--data", "cifar"), "unknown data set 'cifar'"),
    "npz-no-y": Cli(train("--data", "no-y.npz"), "lacks array(s) Y", ("no-y.npz",)),
    "npz-x-rows": Cli(train("--data", "x-rows.npz"), "which looks like (m, n_x)", ("x-rows.npz",)),
    "npy-no-labels": Cli(
        train("--data", "rows-x.npy"), "holds only X: give its labels", ("rows-x.npy",)
    ),
    "npy-labels-length": Cli(
        train("--data", "rows-x.npy", "--labels", "short-y.npy"),
        "has shape (399,) but rows-x.npy holds m = 400",
        ("rows-x.npy", "short-y.npy"),
    ),
    "npy-labels-not-npy": Cli(
        train("--data", "rows-x.npy", "--labels", "notes.txt"),
        "notes.txt is not an .npy file",
        ("rows-x.npy", "notes.txt"),
    ),
    "npy-labels-no-header": Cli(
        train("--data", "rows-x.npy", "--labels", "fake.npy"),
        "no NumPy header",
        ("rows-x.npy", "fake.npy"),
    ),
    "npz-y-column": Cli(train("--data", "y-column.npz"), "pass Y.T", ("y-column.npz",)),
    "npz-single-array": Cli(train("--data", "array.npz"), "holds a single array", ("array.npz",)),
    "npz-pickled": Cli(train("--data", "pickled.npz"), "holds pickled objects", ("pickled.npz",)),
    "npz-truncated": Cli(
        train("--data", "truncated.npz"), "is not a readable .npz file", ("truncated.npz",)
    ),
    "npz-random-bytes": Cli(train("--data", "random.npz"), "is not an .npz file", ("random.npz",)),
    "npz-huge-x": Cli(
        train("--data", "huge.npz"), "declares 10000000×10000000 float64", ("huge.npz",), huge=True
    ),
    "npz-images": Cli(train("--data", "images.npz"), "must be 2-D (n_x, m)", ("images.npz",)),
    "h5-not-hdf5": Cli(train("--data", "not-hdf5.h5"), "is not an HDF5 file", ("not-hdf5.h5",)),
    "h5-other-keys": Cli(
        train("--data", "other-keys.h5"), "lacks the image key", ("other-keys.h5",)
    ),
    "h5-truncated": Cli(
        train("--data", "truncated.h5"), "is not a readable HDF5 file", ("truncated.h5",)
    ),
    "h5-huge": Cli(
        train("--data", "huge.h5"),
        "declares train_set_x of 1000000×64×64×3 uint8",
        ("huge.h5",),
        huge=True,
    ),
    # ------------------------------------------------------------------ model files
    "model-missing": Cli(("evaluate", "missing.npz", "good.npz"), "no such model file"),
    "model-folder": Cli(
        ("evaluate", "folder", "good.npz"), "no such model file", ("folder", "good.npz")
    ),
    "model-data-file": Cli(
        ("evaluate", "good.npz", "good.npz"), "not a layerwise model", ("good.npz",)
    ),
    "model-truncated": Cli(
        ("evaluate", "model-truncated.npz", "good.npz"),
        "is not a readable .npz file",
        ("model-truncated.npz", "good.npz"),
    ),
    "model-random-bytes": Cli(
        ("evaluate", "model-random.npz", "good.npz"),
        "is not a layerwise model",
        ("model-random.npz", "good.npz"),
    ),
    "model-pickle": Cli(
        ("evaluate", "model-pickle.npz", "good.npz"),
        "is not a layerwise model",
        ("model-pickle.npz", "good.npz"),
    ),
    "model-pickled-array": Cli(
        ("evaluate", "model-object.npz", "good.npz"),
        "holds pickled objects",
        ("model-object.npz", "good.npz"),
    ),
    "model-nan": Cli(
        ("evaluate", "model-nan.npz", "good.npz"),
        "param/W1 holds NaN or inf",
        ("model-nan.npz", "good.npz"),
    ),
    "model-complex": Cli(
        ("evaluate", "model-complex.npz", "good.npz"),
        "param/W1 holds complex numbers",
        ("model-complex.npz", "good.npz"),
    ),
    "model-wrong-shape": Cli(
        ("evaluate", "model-shape.npz", "good.npz"),
        "has shape (5, 2)",
        ("model-shape.npz", "good.npz"),
    ),
    "model-huge-units": Cli(
        ("evaluate", "model-huge-units.npz", "good.npz"),
        "W1 is (1000000, 2)",
        ("model-huge-units.npz", "good.npz"),
    ),
    "model-huge-header": Cli(
        ("evaluate", "model-huge-header.npz", "good.npz"),
        "declares 1000000×1000000 float32",
        ("model-huge-header.npz", "good.npz"),
        huge=True,
    ),
    "model-newer": Cli(
        ("evaluate", "model-newer.npz", "good.npz"),
        "written by a newer layerwise",
        ("model-newer.npz", "good.npz"),
    ),
    "model-bad-json": Cli(
        ("evaluate", "model-json.npz", "good.npz"),
        "unreadable architecture entry",
        ("model-json.npz", "good.npz"),
    ),
    "model-seed-too-big": Cli(
        ("evaluate", "model-seed.npz", "flower"),
        "seed",
        ("model-seed.npz",),
    ),
    "evaluate-images-on-dense": Cli(
        ("evaluate", "model.npz", "images.npz"),
        "must be 2-D (n_x, m)",
        ("model.npz", "images.npz"),
    ),
    "evaluate-columns-on-images": Cli(
        ("evaluate", "conv-model.npz", "good.npz"),
        "needs square pictures",
        ("conv-model.npz", "good.npz"),
    ),
    "evaluate-wrong-features": Cli(
        ("evaluate", "model.npz", "prices.csv"),
        "layer 1 expects n[0] = 2",
        ("model.npz", "prices.csv"),
    ),
    # ------------------------------------------------------------------ predict: data, pictures
    "predict-nan": Cli(
        ("predict", "model.npz", "x-nan.csv"), "X contains NaN or inf", ("model.npz", "x-nan.csv")
    ),
    "predict-x-only-nan": Cli(
        ("predict", "model.npz", "x-only-nan.npz"),
        "X contains NaN or inf",
        ("model.npz", "x-only-nan.npz"),
    ),
    "predict-x-only-huge": Cli(
        ("predict", "model.npz", "x-only-huge.npz"),
        "declares 10000000×10000000 float64",
        ("model.npz", "x-only-huge.npz"),
        huge=True,
    ),
    "predict-csv-columns": Cli(
        ("predict", "model.npz", "wide.csv"), "has 4 columns", ("model.npz", "wide.csv")
    ),
    "predict-out-folder": Cli(
        ("predict", "model.npz", "good.npz", "--out", "folder"),
        "Is a directory",
        ("model.npz", "good.npz", "folder"),
    ),
    "picture-not-image": Cli(
        ("predict", "picture-model.npz", "not-a-picture.png"),
        "is not a readable image",
        ("picture-model.npz", "not-a-picture.png"),
    ),
    "picture-truncated": Cli(
        ("predict", "picture-model.npz", "truncated.png"),
        "is not a readable image",
        ("picture-model.npz", "truncated.png"),
    ),
    "picture-bomb": Cli(
        ("predict", "picture-model.npz", "bomb.png"),
        "declares 15000×15000 pixels",
        ("picture-model.npz", "bomb.png"),
    ),
    "picture-missing": Cli(
        ("predict", "picture-model.npz", "missing.png"),
        "no such image file",
        ("picture-model.npz",),
    ),
    "picture-for-a-2-input-model": Cli(
        ("predict", "model.npz", "picture.png"),
        "not a square RGB picture",
        ("model.npz", "picture.png"),
    ),
    # ------------------------------------------------------------------ flags
    "flag-activation": Cli(train("--activation", "swish"), "unknown activation 'swish'"),
    "flag-optimizer": Cli(train("--optimizer", "adamw"), "unknown optimizer 'adamw'"),
    "flag-decay": Cli(train("--decay", "cosine"), "unknown decay 'cosine'"),
    "flag-init": Cli(train("--init", "glorot"), "unknown init 'glorot'"),
    "flag-keep-prob-0": Cli(train("--keep-prob", "0"), "--keep-prob must be in (0, 1]"),
    "flag-keep-prob-1.5": Cli(train("--keep-prob", "1.5"), "--keep-prob must be in (0, 1]"),
    "flag-l2-negative": Cli(train("--l2", "-0.1"), "--l2 must be in [0, inf)"),
    "flag-iterations-0": Cli(train("--iterations", "0"), "--iterations must be a positive"),
    "flag-iterations-fraction": Cli(train("--iterations", "2.5"), "expected a whole number"),
    "flag-batch-size-negative": Cli(train("--batch-size", "-1"), "--batch-size must be"),
    "flag-lr-negative": Cli(train("--lr", "-1"), "--lr must be in (0, inf)"),
    "flag-lr-nan": Cli(train("--lr", "nan"), "--lr must be in (0, inf), got nan"),
    "flag-seed-negative": Cli(train("--seed", "-1"), "--seed must be an integer in [0, 2**32)"),
    "flag-seed-too-big": Cli(train("--seed", str(2**40)), "--seed must be an integer"),
    "flag-seed-fraction": Cli(train("--seed", "1.5"), "expected a whole number, got '1.5'"),
    "flag-layers-0": Cli(train("--layers", "0"), "hidden sizes must be positive"),
    "flag-layers-words": Cli(train("--layers", "a,b"), "expected hidden sizes like"),
    "flag-decay-rate-alone": Cli(train("--decay-rate", "0.5"), "--decay-rate needs --decay"),
    "flag-print-every-0": Cli(train("--print-every", "0"), "--print-every must be a positive"),
    "flag-test-split-0.99": Cli(train("--test-split", "0.99"), "--test-split must be in [0, 0.5]"),
    "flag-early-stopping-no-dev": Cli(
        train("--early-stopping", "5"), "--early-stopping needs a dev set"
    ),
    "flag-augment-dense": Cli(train("--augment", "flip"), "transforms images"),
    "flag-augment-unknown": Cli(train("--augment", "zoom"), "unknown augmentation 'zoom'"),
    "flag-model-cnn-not-pictures": Cli(
        train("--model", "cnn"), "--model cnn needs square pictures"
    ),
    "flag-task-typo": Cli(train("--task", "regresion"), "invalid choice: 'regresion'"),
    "flag-dtype": Cli(train("--dtype", "float16"), "invalid choice: 'float16'"),
    "flag-unknown": Cli(train("--bogus"), "unrecognized arguments: --bogus"),
    "flag-missing-value": Cli(("train", "--iterations"), "expected one argument"),
    "command-unknown": Cli(("frobnicate",), "invalid choice: 'frobnicate'"),
    "command-missing": Cli((), "the following arguments are required: COMMAND"),
    "course-unknown": Cli(("course", "nosuch"), "invalid choice: 'nosuch'"),
    "flag-epsilon-0": Cli(("gradcheck", "--epsilon", "0"), "--epsilon must be in (0, inf)"),
    "resume-nothing": Cli(("train", "--resume", "run"), "nothing to resume in run"),
    "out-existing-run": Cli(train("--iterations", "3"), "already holds a run", ("run",)),
    "out-is-a-file": Cli(
        ("train", "--out", "notes.txt"), "it is a file, not a folder", ("notes.txt",)
    ),
    "train-diverges": Cli(
        train(*"--data prices.csv --task regression --optimizer gd --lr 1 --iterations 20".split()),
        "training diverged at epoch",
        ("prices.csv",),
        code=3,
    ),
    # ------------------------------------------------------------------ Sequential
    "seq-empty": Api(lambda: lw.Sequential([]), ConfigError, "non-empty list of layers"),
    "seq-not-layers": Api(lambda: lw.Sequential([3, 1]), ConfigError, "non-empty list of layers"),
    "seq-dtype": Api(lambda: dense(dtype="float16"), ConfigError, "dtype must be"),
    "seq-dtype-unknown": Api(
        lambda: dense(dtype="float99"),
        LayerwiseError,
        "dtype",
    ),
    "seq-seed-negative": Api(
        lambda: lw.Sequential([lw.Dense(1)], seed=-1),
        LayerwiseError,
        "seed",
    ),
    "seq-seed-too-big": Api(
        lambda: lw.Sequential([lw.Dense(1)], seed=2**40),
        LayerwiseError,
        "seed",
    ),
    "seq-seed-fraction": Api(
        lambda: lw.Sequential([lw.Dense(1)], seed=1.5),
        LayerwiseError,
        "seed",
    ),
    "seq-input-dim-0": Api(lambda: dense(input_dim=0), ShapeError, "input_dim must be positive"),
    # ------------------------------------------------------------------ layers
    "dense-units-0": Api(lambda: lw.Dense(0), ConfigError, "Dense units must be a positive"),
    "dense-units-fraction": Api(lambda: lw.Dense(2.5), ConfigError, "got 2.5"),
    "dense-activation": Api(lambda: lw.Dense(3, "swish"), ConfigError, "unknown activation"),
    "dense-init": Api(lambda: lw.Dense(3, init="glorot"), ConfigError, "unknown init"),
    "conv-padding": Api(lambda: lw.Conv2D(4, 3, padding="full"), ConfigError, "Conv2D padding"),
    "conv-same-even-kernel": Api(
        lambda: lw.Conv2D(4, 2, padding="same"), ConfigError, "needs an odd kernel_size"
    ),
    "conv-softmax": Api(
        lambda: lw.Conv2D(4, 3, activation="softmax"), ConfigError, "does not take a softmax"
    ),
    "pool-mode": Api(lambda: lw.Pool2D(2, mode="min"), ConfigError, "Pool2D mode"),
    "dropout-keep-0": Api(lambda: lw.Dropout(0), ConfigError, "keep_prob must be in (0, 1]"),
    "dropout-keep-1.5": Api(lambda: lw.Dropout(1.5), ConfigError, "keep_prob must be in (0, 1]"),
    "batchnorm-momentum": Api(lambda: lw.BatchNorm(momentum=2), ConfigError, "momentum"),
    "activation-layer": Api(lambda: lw.Activation("swish"), ConfigError, "unknown activation"),
    # ------------------------------------------------------------------ fit
    "fit-epochs-0": Api(lambda: fit(dense(), epochs=0), ConfigError, "epochs must be"),
    "fit-batch-size-0": Api(lambda: fit(dense(), batch_size=0), ConfigError, "batch_size"),
    "fit-lr-negative": Api(lambda: fit(dense(), learning_rate=-1), ConfigError, "learning_rate"),
    "fit-lr-nan": Api(
        lambda: fit(dense(), learning_rate=float("nan")), ConfigError, "learning_rate"
    ),
    "fit-l2-negative": Api(lambda: fit(dense(), l2=-1), ConfigError, "l2 (lambda) must be"),
    "fit-optimizer": Api(lambda: fit(dense(), optimizer="adamw"), ConfigError, "unknown optimizer"),
    "fit-loss": Api(lambda: fit(dense(), loss="hinge"), ConfigError, "unknown loss"),
    "fit-decay": Api(lambda: fit(dense(), decay="cosine"), ConfigError, "unknown decay"),
    "fit-x-1d": Api(lambda: fit(dense(), flower()[0][0]), ShapeError, "must be 2-D (n_x, m)"),
    "fit-x-transposed": Api(lambda: fit(dense(), flower()[0].T), ShapeError, "but Y has 400"),
    "fit-y-column": Api(lambda: fit(dense(), Y=flower()[1].T), ShapeError, "pass Y.T"),
    "fit-y-not-binary": Api(
        lambda: fit(dense(), Y=flower()[1] * 2), DataError, "binary labels must be 0 or 1"
    ),
    "fit-x-nan": Api(
        lambda: fit(dense(), with_nan(flower()[0], (1, 7))), DataError, "X contains NaN or inf"
    ),
    "fit-x-words": Api(
        lambda: fit(dense(), np.array([["a", "b"]]), np.array([[0, 1]])), DataError, "numeric"
    ),
    "fit-x-empty": Api(
        lambda: fit(dense(), np.zeros((2, 0)), np.zeros((1, 0))), DataError, "X is empty"
    ),
    "fit-images-to-dense": Api(lambda: fit(dense(), *images()), ShapeError, "X has 4 dimension"),
    "fit-columns-to-conv": Api(lambda: fit(conv()), ShapeError, "X must be images"),
    "fit-image-nan": Api(
        lambda: fit(conv(), with_nan(images()[0], (2, 1, 3, 0)), images()[1]),
        DataError,
        "X contains NaN or inf",
    ),
    "fit-augment-dense": Api(lambda: fit(dense(), augment="flip"), ConfigError, "augment="),
    "fit-resume-no-checkpoint": Api(
        lambda: fit(dense(), resume=True), ConfigError, "resume=True needs checkpoint"
    ),
    "fit-normalize-images": Api(
        lambda: fit(
            lw.Sequential([lw.Conv2D(2, 3), lw.Flatten(), lw.Dense(1, "sigmoid")], normalize=True),
            *images(),
        ),
        ConfigError,
        "normalize=True",
    ),
    "fit-validation-shape": Api(
        lambda: fit(dense(), validation_data=(flower()[0].T, flower()[1])),
        ShapeError,
        "validation data:",
    ),
    "fit-diverges": Api(
        lambda: fit(
            lw.Sequential([lw.Dense(1, "linear")], seed=1),
            flower()[0] * 1e3,
            flower()[1] * 1e3,
            epochs=50,
            learning_rate=10,
        ),
        lw.TrainingDivergedError,
        "training diverged at epoch",
    ),
    # ------------------------------------------------------------------ predict, evaluate
    "predict-api-nan": Api(
        lambda: built().predict(np.array([[np.nan], [1.0]])), DataError, "X contains NaN"
    ),
    "predict-beyond-float32": Api(
        lambda: regressor().predict(np.full((2, 1), 1e300)), DataError, "beyond float32's range"
    ),
    "predict-overflow": Api(
        lambda: regressor().predict(np.full((2, 1), 3e38, dtype=np.float32)),
        lw.NonFiniteOutputError,
        "the forward pass overflowed float32",
    ),
    "predict-wrong-n-x": Api(
        lambda: built().predict(np.zeros((3, 5))), ShapeError, "expects n[0] = 2"
    ),
    "predict-unbuilt": Api(
        lambda: dense().predict_proba(flower()[0]), lw.NotFittedError, "no parameters yet"
    ),
    "predict-images-to-dense": Api(
        lambda: built().predict(images()[0]), ShapeError, "X must be 2-D (n_x, m)"
    ),
    "evaluate-y-length": Api(
        lambda: built().evaluate(flower()[0], flower()[1][:, :3]), ShapeError, "Y has 3 examples"
    ),
    "evaluate-y-not-binary": Api(
        lambda: built().evaluate(flower()[0], flower()[1] * 3), DataError, "binary labels"
    ),
    # ------------------------------------------------------------------ save, load, state
    "save-unbuilt": Api(lambda: dense().save("m.npz"), lw.NotFittedError, "no parameters yet"),
    "save-under-a-file": Api(
        lambda: built().save("notes.txt/m.npz"), FileExistsError, "File exists", ("notes.txt",)
    ),
    "load-missing": Api(lambda: lw.load("missing.npz"), ModelFileError, "no such model file"),
    "load-nan": Api(
        lambda: lw.load("model-nan.npz"), ModelFileError, "holds NaN or inf", ("model-nan.npz",)
    ),
    "set-parameters-unknown": Api(
        lambda: built().set_parameters({"W9": np.zeros((3, 2))}),
        ShapeError,
        "unknown parameter names W9",
    ),
    "set-parameters-shape": Api(
        lambda: built().set_parameters({"W1": np.zeros((2, 3))}), ShapeError, "has shape (2, 3)"
    ),
    "set-parameters-complex": Api(
        lambda: built().set_parameters({"W1": np.zeros((3, 2), complex)}),
        ShapeError,
        "must be real numbers",
    ),
    "set-parameters-nan": Api(
        lambda: built().set_parameters({"W1": np.full((3, 2), np.nan)}),
        LayerwiseError,
        "NaN",
    ),
    "set-parameters-list": Api(
        lambda: built().set_parameters([("W1", np.zeros((3, 2)))]),
        LayerwiseError,
        "",
    ),
    "load-state-dict-unknown": Api(
        lambda: built().load_state_dict(state_with(param__W9=np.zeros(1))),
        ShapeError,
        "which this model lacks",
    ),
    "load-state-dict-shape": Api(
        lambda: built().load_state_dict(state_with(param__W1=np.zeros((2, 3)))),
        ShapeError,
        "has shape (2, 3)",
    ),
    "load-state-dict-missing": Api(
        lambda: built().load_state_dict({"param/W1": np.zeros((3, 2))}),
        ShapeError,
        "the state lacks param/b1",
    ),
    "load-state-dict-nan": Api(
        lambda: built().load_state_dict(state_with(param__W1=np.full((3, 2), np.nan))),
        ShapeError,
        "holds NaN or inf",
    ),
    "load-state-dict-complex": Api(
        lambda: built().load_state_dict(state_with(param__W1=np.zeros((3, 2), complex))),
        ShapeError,
        "must hold real numbers",
    ),
    "load-state-dict-list": Api(
        lambda: built().load_state_dict([("param/W1", np.zeros((3, 2)))]),
        LayerwiseError,
        "",
    ),
    "from-config-unknown-layer": Api(
        lambda: lw.Sequential.from_config({"layers": [{"type": "Nope"}]}),
        ConfigError,
        "unknown layer type 'Nope'",
    ),
    # ------------------------------------------------------------------ layerwise.augment
    "augment-unknown": Api(
        lambda: augment.get_augment("zoom"), ConfigError, "unknown augmentation"
    ),
    "augment-empty": Api(lambda: augment.get_augment(""), ConfigError, "unknown augmentation ''"),
    "augment-flip-p": Api(lambda: augment.Flip(p=2), ConfigError, "Flip p must be in [0, 1]"),
    "augment-crop-negative": Api(lambda: augment.RandomCrop(-1), ConfigError, "RandomCrop padding"),
    "augment-color-range": Api(
        lambda: augment.ColorShift(low=1, high=0), ConfigError, "needs low < high"
    ),
    "augment-columns": Api(
        lambda: augment.Flip()(flower()[0], np.random.default_rng(0)),
        ShapeError,
        "augmentation takes images",
    ),
    "augment-pca-unfitted": Api(
        lambda: augment.PCAColor()(images()[0], np.random.default_rng(0)),
        ConfigError,
        "must be fitted",
    ),
    # ------------------------------------------------------------------ layerwise.data
    "split-test-size-negative": Api(
        lambda: data.train_test_split(*flower(), -0.1), ConfigError, "test_size must be"
    ),
    "split-sizes": Api(
        lambda: data.train_dev_test_split(*flower(), (0.5, 0.5)), ConfigError, "three numbers"
    ),
    "split-seed-negative": Api(
        lambda: data.train_test_split(*flower(), 0.2, seed=-1),
        ConfigError,
        "seed must be an integer in [0, 2**32)",
    ),
    "one-hot-out-of-range": Api(
        lambda: data.one_hot(np.array([[0, 3]]), 3), DataError, "out of range for C = 3"
    ),
    "one-hot-negative": Api(
        lambda: data.one_hot(np.array([[0, -1]]), 3), DataError, "must be >= 0"
    ),
    "load-csv-missing": Api(lambda: data.load_csv("missing.csv"), DataError, "no such data file"),
    "load-dataset-unknown": Api(lambda: data.load_dataset("cifar"), DataError, "unknown data set"),
    "load-cat-files-no-folder": Api(
        lambda: data.load_cat_files("nowhere"), DataError, "no such folder"
    ),
    "load-picture-num-px-0": Api(
        lambda: data.load_picture("picture.png", num_px=0),
        ConfigError,
        "num_px must be a positive",
        ("picture.png",),
    ),
    "load-picture-bomb": Api(
        lambda: data.load_picture("bomb.png"), DataError, "declares 15000×15000", ("bomb.png",)
    ),
    "unflatten-shape": Api(
        lambda: data.unflatten(np.zeros((5, 2)), 2), ShapeError, "num_px = 2 needs"
    ),
    "check-xy-y-column": Api(
        lambda: data.check_XY(flower()[0], flower()[1].T), ShapeError, "pass Y.T"
    ),
    "make-flower-m": Api(lambda: data.make_flower(m=-1), ConfigError, "m must be an integer"),
    "make-flower-seed-negative": Api(
        lambda: data.make_flower(seed=-1),
        ConfigError,
        "seed must be an integer in [0, 2**32)",
    ),
    "standardizer-unfitted": Api(
        lambda: data.Standardizer().transform(flower()[0]), lw.NotFittedError, "not fitted"
    ),
    # ------------------------------------------------------------------ gradcheck, optimisers
    "gradcheck-epsilon-0": Api(
        lambda: lw.gradcheck(built(), flower()[0][:, :5], flower()[1][:, :5], epsilon=0),
        ConfigError,
        "gradcheck epsilon must be in (0, inf)",
    ),
    "gradcheck-epsilon-nan": Api(
        lambda: lw.gradcheck(built(), flower()[0][:, :5], flower()[1][:, :5], epsilon=np.nan),
        ConfigError,
        "got nan",
    ),
    "gradcheck-wrong-x": Api(
        lambda: lw.gradcheck(built(), flower()[0].T[:5], flower()[1][:, :5]),
        ShapeError,
        "expects n[0] = 2",
    ),
    "gradcheck-nan": Api(
        lambda: lw.gradcheck(built(), np.full((2, 5), np.nan), flower()[1][:, :5]),
        DataError,
        "X contains NaN",
    ),
    "adam-beta1": Api(lambda: lw.Adam(beta1=1.5), ConfigError, "beta1 must be in [0, 1)"),
    "optimizer-lr-negative": Api(
        lambda: lw.GradientDescent(-1), ConfigError, "learning_rate must be"
    ),
    # ------------------------------------------------------------------ scikit-learn front end
    "sk-fit-nan": Api(
        lambda: sk_fit("DenseClassifier", with_nan(rows_data()[0], (3, 1))),
        DataError,
        "Input X contains NaN",
        needs="sklearn",
    ),
    "sk-regressor-string-labels": Api(
        lambda: sk_fit("DenseRegressor", y=np.array(["a", "b", "c"] * 10)),
        DataError,
        "needs numeric targets y",
        needs="sklearn",
    ),
    "sk-predict-n-features": Api(
        lambda: sk_fit("DenseClassifier").predict(rows_data()[0][:, :2]),
        DataError,
        "X has 2 features",
        needs="sklearn",
    ),
    "sk-predict-unfitted": Api(
        lambda: sk("DenseClassifier").predict(rows_data()[0]),
        lw.NotFittedError,
        "not fitted",
        needs="sklearn",
    ),
    "sk-one-class": Api(
        lambda: sk_fit("DenseClassifier", y=np.zeros(30)),
        DataError,
        "at least 2 classes",
        needs="sklearn",
    ),
    "sk-classifier-real-labels": Api(
        lambda: sk_fit("DenseClassifier", y=rows_data()[2]),
        DataError,
        "Unknown label type: continuous",
        needs="sklearn",
    ),
    "sk-epochs-0": Api(
        lambda: sk_fit("DenseRegressor", epochs=0), ConfigError, "epochs must be", needs="sklearn"
    ),
    "sk-hidden-0": Api(
        lambda: sk_fit("DenseClassifier", hidden_layer_sizes=(0,)),
        ConfigError,
        "hidden_layer_sizes",
        needs="sklearn",
    ),
    "sk-learning-rate-nan": Api(
        lambda: sk_fit("DenseClassifier", learning_rate=float("nan")),
        ConfigError,
        "learning_rate",
        needs="sklearn",
    ),
    "sk-random-state-negative": Api(
        lambda: sk_fit("DenseClassifier", random_state=-1),
        ConfigError,
        "random_state must be an integer",
        needs="sklearn",
    ),
    "sk-activation": Api(
        lambda: sk_fit("DenseClassifier", activation="swish"),
        ConfigError,
        "unknown activation 'swish'",
        needs="sklearn",
    ),
    "sk-optimizer": Api(
        lambda: sk_fit("DenseRegressor", optimizer="adamw"),
        ConfigError,
        "unknown optimizer 'adamw'",
        needs="sklearn",
    ),
}


# --------------------------------------------------------------------------- the catalogue
_ROW = re.compile(r"^\|\s*`([a-z0-9.-]+)`\s*\|")
_CELL = re.compile(r"(?<!\\)\|")


@cache
def doc_rows() -> dict[str, list[str]]:
    """id -> the cells of its row in docs/errors.md (id, input, what the user sees, exit),
    from the tables whose header is ``| id | input | what the user sees | exit |``."""
    rows: dict[str, list[str]] = {}
    in_table = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            in_table = False
        elif re.match(r"^\|\s*id\s*\|", line):
            in_table = True
        found = _ROW.match(line) if in_table else None
        if not found:
            continue
        cells = [c.strip().replace("\\|", "|") for c in _CELL.split(line.strip())[1:-1]]
        assert found.group(1) not in rows, f"{found.group(1)} appears twice in {DOC.name}"
        assert len(cells) == 4, f"{found.group(1)}: a row has 4 cells, got {cells}"
        rows[found.group(1)] = cells
    return rows


def doc_line(row_id: str) -> str:
    """The first `code` span of the row's "what the user sees" cell."""
    if row_id not in doc_rows():
        pytest.fail(f"{row_id} is not in {DOC.name}")
    spans = re.findall(r"`([^`]+)`", doc_rows()[row_id][2])
    assert spans, f"{row_id}: no `line` in its 'what the user sees' cell"
    return spans[0]


def assert_as_documented(row_id: str, seen: str) -> None:
    """``seen`` is the catalogue's line, where "…" stands for any text."""
    shown = doc_line(row_id)
    pattern = ".*".join(re.escape(part) for part in shown.split("…"))
    assert re.fullmatch(pattern, seen, flags=re.DOTALL), (
        f"{row_id}: the catalogue shows\n  {shown}\nbut the user sees\n  {seen}"
    )


def test_doc_and_tests_list_the_same_rows():
    documented, tested = set(doc_rows()), set(ROWS)
    assert not documented - tested, f"rows without a test: {sorted(documented - tested)}"
    assert not tested - documented, f"tests without a row: {sorted(tested - documented)}"


@pytest.mark.parametrize("row_id", list(ROWS))
def test_row_cells_match_the_case(row_id):
    """The exit column is the case's exit code ("–" for the API) and "(open)" marks
    exactly the open cases."""
    if row_id not in doc_rows():
        pytest.skip("not in the catalogue (test_doc_and_tests_list_the_same_rows fails)")
    case = ROWS[row_id]
    _, _, seen, code = doc_rows()[row_id]
    assert code == (str(case.code) if isinstance(case, Cli) else "–")
    assert ("(open)" in seen) == (case.open is not None)


def _marks(case: Cli | Api):
    return [pytest.mark.xfail(strict=True, reason=case.open)] if case.open else []


def _params(kind: type) -> list:
    return [
        pytest.param(row_id, case, id=row_id, marks=_marks(case))
        for row_id, case in ROWS.items()
        if isinstance(case, kind)
    ]


# --------------------------------------------------------------------------- the rows
@pytest.mark.parametrize(("row_id", "case"), _params(Cli))
def test_command_line_row(row_id, case, files, tmp_path, monkeypatch, capsys):
    files.place(case.files, tmp_path)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    capsys.readouterr()
    try:
        with capped_address_space() if case.huge else nullcontext():
            code = main(list(case.argv))
    except Exception as exc:  # noqa: BLE001 - what the user would see as a traceback
        pytest.fail(f"a traceback: {type(exc).__name__}: {exc}")
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code == case.code, err
    if case.code == 0:
        assert all(line.startswith("layerwise: hint: ") for line in err.splitlines()), err
        lines = [line for line in out.splitlines() if case.fragment in line]
        assert lines, out
        assert_as_documented(row_id, lines[0])
        after = snapshot(tmp_path)
        assert {k: v for k, v in after.items() if k in before} == before
        assert all(k.split("/")[0] == "run" for k in set(after) - set(before))
        assert (tmp_path / "run" / "model.npz").is_file()
        return
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(ERROR), lines[0]
    assert case.fragment in lines[0]
    assert snapshot(tmp_path) == before, "a file was created or changed"
    if case.open is None:
        assert_as_documented(row_id, lines[0])


@pytest.mark.parametrize(("row_id", "case"), _params(Api))
def test_api_row(row_id, case, files, tmp_path, monkeypatch):
    if case.needs:
        pytest.importorskip(case.needs)
    files.place(case.files, tmp_path)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(case.error, match=re.escape(case.fragment) or None) as info:
        case.call()
    exc = info.value
    assert "\n" not in str(exc), str(exc)
    if not isinstance(exc, OSError):
        assert isinstance(exc, LayerwiseError)
    assert snapshot(tmp_path) == before, "a file was created or changed"
    if case.open is None:
        assert_as_documented(row_id, f"{type(exc).__name__}: {exc}")
