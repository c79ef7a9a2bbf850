"""Hostile files: each one is refused with one line of the project's own error, before
anything it declares is allocated ("Every bad input gets one clear line", item 2).

Every case is built by a function of this module, so the same files are loaded three ways:
through the Python API (error class and a message fragment), through ``layerwise
evaluate``/``predict`` (exit code 2, one stderr line), and in a subprocess whose address
space is limited to 2 GB (one line, not a MemoryError and not killed).
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from numpy.lib import format as npy

import layerwise as lw
from layerwise import npz
from layerwise.cli import main
from layerwise.data import load_dataset, load_h5, load_npz, load_picture, make_flower, save_npz
from layerwise.errors import DataError, LayerwiseError, ModelFileError

PIL = pytest.importorskip("PIL.Image", reason="the picture cases need Pillow")
h5py = pytest.importorskip("h5py", reason="the HDF5 cases need h5py")

AS_LIMIT = 2 << 30  # 2 GB of address space for the subprocess runs


# --------------------------------------------------------------------------- building blocks
def npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    """A version-1.0 .npy header declaring ``shape`` of ``descr``."""
    buf = io.BytesIO()
    npy.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def zeros_member(zf: zipfile.ZipFile, name: str, nbytes: int) -> None:
    """Add ``name`` as a float32 array of ``nbytes`` zero bytes, deflated (about 1000:1)."""
    with zf.open(name, "w", force_zip64=True) as fp:
        fp.write(npy_header((nbytes // 4,), "<f4"))
        chunk = bytes(16 << 20)
        for start in range(0, nbytes, len(chunk)):
            fp.write(chunk[: min(len(chunk), nbytes - start)])


def arrays_of(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def with_meta(arrays: dict, change) -> dict:
    meta = json.loads(str(arrays["__layerwise__"]))
    change(meta)
    return {**arrays, "__layerwise__": np.array(json.dumps(meta))}


def flower_model(folder: Path) -> Path:
    """A small trained model (2 inputs, Adam state) saved in ``folder``."""
    X, Y = make_flower(m=40)
    model = lw.Sequential([lw.Dense(4, "tanh"), lw.Dense(1, "sigmoid")], seed=0)
    model.fit(X, Y, epochs=2, optimizer="adam", learning_rate=0.01, verbose=0)
    return model.save(folder / "flower_model.npz")


def picture_model(folder: Path) -> Path:
    """A model taking 4x4 RGB pictures (n_x = 48), for ``layerwise predict PICTURE``."""
    return lw.Sequential([lw.Dense(1, "sigmoid")], input_dim=48, seed=0).save(
        folder / "picture_model.npz"
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")


# --------------------------------------------------------------------------- the cases
# Each maker writes its file into the folder and returns its path.
def npz_declaring_huge_x(folder: Path) -> Path:
    """546 bytes whose X declares 10^7 x 10^7 float64 (800 TB); np.load would try to
    allocate it (MemoryError)."""
    path = folder / "huge_x.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("X.npy", npy_header((10**7, 10**7)) + bytes(72))
        zf.writestr("Y.npy", npy_bytes(np.zeros((1, 3))))
    assert path.stat().st_size == 546
    return path


def npz_truncated(folder: Path) -> Path:
    path = folder / "truncated.npz"
    save_npz(path, np.ones((2, 50)), np.zeros((1, 50)))
    path.write_bytes(path.read_bytes()[:600])
    return path


def npz_flipped_byte(folder: Path) -> Path:
    path = folder / "flipped.npz"
    save_npz(path, np.ones((2, 50)), np.zeros((1, 50)))
    data = bytearray(path.read_bytes())
    data[300] ^= 0xFF  # inside X's values: the zip's CRC no longer matches
    path.write_bytes(bytes(data))
    return path


def npz_bad_header(folder: Path) -> Path:
    path = folder / "bad_header.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("X.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': <f8 }\n" + bytes(16))
        zf.writestr("Y.npy", npy_bytes(np.zeros((1, 2))))
    return path


def npz_pickled_objects(folder: Path) -> Path:
    path = folder / "objects.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("X.npy", npy_bytes(np.array([[{"a": 1}]], dtype=object)))
        zf.writestr("Y.npy", npy_bytes(np.zeros((1, 1))))
    return path


def npz_expanding(folder: Path) -> Path:
    """X of 1.2 GB of zeros, deflated to about 1.2 MB: consistent, but more than half of a
    2 GB address space (it loads without such a limit)."""
    path = folder / "expanding.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zeros_member(zf, "X.npy", 1200 << 20)
        zf.writestr("Y.npy", npy_bytes(np.zeros(1)))
    return path


def model_with_extra_400mb(folder: Path) -> Path:
    """A good model file plus an unknown 400 MB array, deflated to about 2 MB."""
    path = flower_model(folder).rename(folder / "extra_400mb.npz")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zeros_member(zf, "junk.npy", 400 << 20)
    return path


def model_claiming_wide_layers(folder: Path) -> Path:
    """The JSON says Dense(10^6) over the file's (4, 2) W1: building it would allocate
    10^6 x 2 parameters (and Adam's state) before load_state_dict noticed."""
    arrays = arrays_of(flower_model(folder))

    def widen(meta):
        meta["model"]["layers"][0]["config"]["units"] = 10**6

    path = folder / "wide.npz"
    np.savez(path, **with_meta(arrays, widen))
    return path


def model_claiming_huge_input(folder: Path) -> Path:
    """The JSON says the input is 10^6 x 10^6 x 3 pixels (pooled, flattened) over small arrays."""
    arrays = arrays_of(flower_model(folder))

    def huge(meta):
        meta["model"]["input_dim"] = [10**6, 10**6, 3]
        meta["model"]["layers"][:0] = [{"type": "Pool2D"}, {"type": "Flatten"}]

    path = folder / "huge_input.npz"
    np.savez(path, **with_meta(arrays, huge))
    return path


def model_with_weights(folder: Path, name: str, W1) -> Path:
    arrays = arrays_of(flower_model(folder))
    path = folder / name
    np.savez(path, **{**arrays, "param/W1": W1(arrays["param/W1"])})
    return path


def model_with_nan_weight(folder: Path) -> Path:
    def nan(W):
        W = W.copy()
        W[1, 0] = np.nan
        return W

    return model_with_weights(folder, "nan.npz", nan)


def model_with_complex_weights(folder: Path) -> Path:
    return model_with_weights(folder, "complex.npz", lambda W: W.astype(np.complex64))


def model_overflowing_float32(folder: Path) -> Path:
    """float64 weights of 1e300 for a float32 model: finite in the file, inf once cast."""
    return model_with_weights(folder, "overflow.npz", lambda W: np.full(W.shape, 1e300))


def model_oversized_optimizer_state(folder: Path) -> Path:
    arrays = arrays_of(flower_model(folder))
    path = folder / "optimizer.npz"
    np.savez(path, **{**arrays, "optimizer/held/v/theta": np.zeros(1000, np.float32)})
    return path


def model_truncated(folder: Path) -> Path:
    path = flower_model(folder).rename(folder / "cut_model.npz")
    path.write_bytes(path.read_bytes()[:-300])
    return path


def model_with_pickled_object(folder: Path) -> Path:
    arrays = arrays_of(flower_model(folder))
    path = folder / "pickle_model.npz"
    np.savez(path, **{**arrays, "param/W1": np.array([None], dtype=object)}, allow_pickle=True)
    return path


def png_declaring(folder: Path, name: str, width: int, height: int) -> Path:
    """A PNG header declaring width x height bilevel pixels, over a few bytes of data."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    path = folder / name
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(bytes(64)))
        + png_chunk(b"IEND", b"")
    )
    return path


def png_bomb(folder: Path) -> Path:
    """A real 27 KB PNG of 15000 x 15000 white pixels (225 M pixels: Pillow's error)."""
    path = folder / "bomb.png"
    PIL.new("1", (15000, 15000)).save(path, optimize=True)
    return path


def png_over_the_warning(folder: Path) -> Path:
    """10000 x 10000 (100 M pixels: above MAX_IMAGE_PIXELS, below twice it: Pillow warns)."""
    return png_declaring(folder, "warning.png", 10000, 10000)


def png_truncated(folder: Path) -> Path:
    path = folder / "cut.png"
    rng = np.random.default_rng(0)
    PIL.fromarray(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)).save(path)
    path.write_bytes(path.read_bytes()[:1500])
    return path


def png_garbage(folder: Path) -> Path:
    path = folder / "garbage.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    return path


def h5_declaring_huge_x(folder: Path) -> Path:
    """A 4 KB HDF5 file whose train_set_x declares 10^7 x 10^7 float64 (never written)."""
    path = folder / "huge_x.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("train_set_x", shape=(10**7, 10**7), dtype="f8", chunks=(64, 64))
        f["train_set_y"] = np.zeros(3)
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    return path


def h5_truncated(folder: Path) -> Path:
    path = folder / "cut.h5"
    with h5py.File(path, "w") as f:
        f["train_set_x"] = np.zeros((4, 2, 2, 3), dtype=np.uint8)
        f["train_set_y"] = np.zeros(4)
        f["list_classes"] = np.array([b"non-cat", b"cat"])
    path.write_bytes(path.read_bytes()[:1200])
    return path


def h5_contiguous_past_the_end(folder: Path) -> Path:
    """train_set_x's storage runs past the end of the file (cut after its header)."""
    path = folder / "short.h5"
    with h5py.File(path, "w") as f:
        f["list_classes"] = np.array([b"non-cat", b"cat"])
        f["train_set_y"] = np.zeros(100)
        f["train_set_x"] = np.ones((100, 16, 16, 3), dtype=np.uint8)
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[: size - 20000])
    return path


# name: (maker, how it is loaded, error class, message fragment)
CASES = {
    "npz_declaring_huge_x": (
        npz_declaring_huge_x,
        "data",
        DataError,
        "is not a readable .npz file (truncated or corrupt): array X declares "
        "10000000×10000000 float64 (800.0 TB) but its entry holds 72 bytes",
    ),
    "npz_truncated": (
        npz_truncated,
        "data",
        DataError,
        "is not a readable .npz file (truncated or corrupt)",
    ),
    "npz_flipped_byte": (
        npz_flipped_byte,
        "data",
        DataError,
        "is not a readable .npz file (truncated or corrupt): array X: Bad CRC-32",
    ),
    "npz_bad_header": (
        npz_bad_header,
        "data",
        DataError,
        "is not a readable .npz file (truncated or corrupt): array X:",
    ),
    "npz_pickled_objects": (
        npz_pickled_objects,
        "data",
        DataError,
        "holds pickled objects (array X), which layerwise never loads (unsafe)",
    ),
    "model_with_extra_400mb": (
        model_with_extra_400mb,
        "model",
        ModelFileError,
        "holds an array junk that its architecture does not have (refused without reading it)",
    ),
    "model_claiming_wide_layers": (
        model_claiming_wide_layers,
        "model",
        ModelFileError,
        "param/W1 has shape (4, 2) but its architecture's W1 is (1000000, 2)",
    ),
    "model_claiming_huge_input": (
        model_claiming_huge_input,
        "model",
        ModelFileError,
        "declares examples of 1000000×1000000×3 values for the input of layer 1 (Pool2D), "
        "more than the limit of 16,777,216 values per example",
    ),
    "model_with_nan_weight": (
        model_with_nan_weight,
        "model",
        ModelFileError,
        "param/W1 holds NaN or inf",
    ),
    "model_with_complex_weights": (
        model_with_complex_weights,
        "model",
        ModelFileError,
        "param/W1 holds complex numbers; a model's arrays hold real numeric values",
    ),
    "model_overflowing_float32": (
        model_overflowing_float32,
        "model",
        ModelFileError,
        "parameter W1 holds NaN or inf (in float32)",
    ),
    "model_oversized_optimizer_state": (
        model_oversized_optimizer_state,
        "model",
        ModelFileError,
        "optimizer/held/v/theta declares 1,000 values, more than its architecture can use (17)",
    ),
    "model_truncated": (
        model_truncated,
        "model",
        ModelFileError,
        "is not a readable .npz file (truncated or corrupt)",
    ),
    "model_with_pickled_object": (
        model_with_pickled_object,
        "model",
        ModelFileError,
        "holds pickled objects (array param/W1), which layerwise never loads (unsafe)",
    ),
    "png_bomb": (
        png_bomb,
        "picture",
        DataError,
        "declares 15000×15000 pixels, more than the limit of 89,478,485",
    ),
    "png_over_the_warning": (
        png_over_the_warning,
        "picture",
        DataError,
        "declares 10000×10000 pixels, more than the limit of 89,478,485",
    ),
    "png_truncated": (png_truncated, "picture", DataError, "is not a readable image"),
    "png_garbage": (png_garbage, "picture", DataError, "is not a readable image"),
    "h5_declaring_huge_x": (
        h5_declaring_huge_x,
        "data",
        DataError,
        "declares train_set_x of 10000000×10000000 float64 (800.0 TB), more than the limit",
    ),
    "h5_truncated": (
        h5_truncated,
        "data",
        DataError,
        "is not a readable HDF5 file (truncated or corrupt)",
    ),
    "h5_contiguous_past_the_end": (
        h5_contiguous_past_the_end,
        "data",
        DataError,
        "is not a readable HDF5 file (truncated or corrupt)",
    ),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def hostile(folder):
    """name -> path, each case's file built once for the module."""
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            sub = folder / name
            sub.mkdir(exist_ok=True)
            built[name] = CASES[name][0](sub)
        return built[name]

    return get


def load(kind: str, path: Path):
    if kind == "model":
        return lw.load(path)
    if kind == "picture":
        return load_picture(path, num_px=4)
    return load_dataset(path)


def assert_one_line(message: str, path: Path) -> None:
    assert "\n" not in message and message == message.strip()
    assert "Traceback" not in message and "allow_pickle" not in message
    assert message.startswith(str(path))


# --------------------------------------------------------------------------- the API
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_is_one_line_of_the_projects_error(hostile, name):
    _, kind, error, fragment = CASES[name]
    path = hostile(name)
    with pytest.raises(error) as exc:
        load(kind, path)
    assert fragment in str(exc.value)
    assert_one_line(str(exc.value), path)


def test_the_extra_400mb_array_is_refused_from_its_header(hostile, monkeypatch):
    path = hostile("model_with_extra_400mb")
    assert path.stat().st_size < 4 << 20
    read = []
    real = npz.NpzReader.read
    monkeypatch.setattr(
        npz.NpzReader, "read", lambda self, name: read.append(name) or real(self, name)
    )
    with pytest.raises(ModelFileError, match="junk"):
        lw.load(path)
    assert read == ["__layerwise__"]  # the JSON entry only, no array at all


def test_a_model_claiming_wide_layers_allocates_nothing(hostile, monkeypatch):
    import layerwise.layers.parameters as parameters

    def no_vector(*args, **kwargs):
        raise AssertionError("a parameter vector was allocated")

    monkeypatch.setattr(parameters.ParameterVector, "__init__", no_vector)
    with pytest.raises(ModelFileError, match=r"\(1000000, 2\)"):
        lw.load(hostile("model_claiming_wide_layers"))


def test_a_consistent_but_too_big_array_is_refused_by_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(npz, "MAX_BYTES", 1 << 20)
    path = tmp_path / "big.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zeros_member(zf, "X.npy", 2 << 20)
        zf.writestr("Y.npy", npy_bytes(np.zeros(1)))
    with pytest.raises(DataError) as exc:
        load_npz(path)
    assert "declares array X of 524288 float32 (2.1 MB), more than the limit of 1.0 MB" in str(
        exc.value
    )


def test_the_limit_is_half_the_address_space_limit(monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda what: (2 << 30, 2 << 30))
    assert npz.max_bytes() == 1 << 30
    monkeypatch.setattr(resource, "getrlimit", lambda what: (1 << 40, 1 << 40))
    assert npz.max_bytes() == npz.MAX_BYTES


def test_a_file_without_y_is_read_through_the_same_checks(hostile, tmp_path):
    path = tmp_path / "x_only.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("X.npy", npy_header((10**7, 10**7)) + bytes(72))
    with pytest.raises(DataError, match="800.0 TB"):
        load_npz(path, require_y=False)
    np.savez(path, X=np.ones((2, 3)))
    X, Y = load_npz(path, require_y=False)
    assert X.shape == (2, 3) and Y is None


def test_h5_loaders_share_the_checks(hostile):
    with pytest.raises(DataError, match="800.0 TB"):
        load_h5(hostile("h5_declaring_huge_x"))


# --------------------------------------------------------------------------- the command
@pytest.fixture(scope="module")
def good_models(folder):
    sub = folder / "good"
    sub.mkdir()
    return {"data": flower_model(sub), "picture": picture_model(sub)}


def cli_argv(kind: str, path: Path, good_models: dict) -> list[list[str]]:
    if kind == "model":
        return [["evaluate", str(path), "flower"], ["predict", str(path), "flower"]]
    if kind == "picture":
        return [["predict", str(good_models["picture"]), str(path)]]
    return [
        ["evaluate", str(good_models["data"]), str(path)],
        ["predict", str(good_models["data"]), str(path)],
    ]


def assert_cli_one_line(capsys, code: int, path: Path) -> str:
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("layerwise: error: "), captured.err
    assert "Traceback" not in captured.err and str(path) in lines[0]
    return lines[0]


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_on_the_command_line(hostile, good_models, capsys, name):
    _, kind, _, fragment = CASES[name]
    path = hostile(name)
    for argv in cli_argv(kind, path, good_models):
        line = assert_cli_one_line(capsys, main(argv), path)
        assert fragment in line


def test_predict_on_a_hostile_file_without_y(tmp_path, good_models, capsys):
    path = tmp_path / "x_only.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("X.npy", npy_header((10**7, 10**7)) + bytes(72))
    try:
        code = main(["predict", str(good_models["data"]), str(path)])
    except MemoryError:
        pytest.fail("MemoryError")
    assert_cli_one_line(capsys, code, path)


# --------------------------------------------------------------------------- 2 GB of memory
RUN_CLI = "import sys\nfrom layerwise.cli import main\nsys.exit(main(sys.argv[1:]))"


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


@pytest.fixture(scope="module")
def expanding(folder):
    sub = folder / "expanding"
    sub.mkdir()
    return npz_expanding(sub)


LIMITED = [
    "npz_declaring_huge_x",
    "model_with_extra_400mb",
    "model_claiming_wide_layers",
    "model_claiming_huge_input",
    "png_bomb",
    "h5_declaring_huge_x",
    "npz_expanding",
]


@pytest.mark.parametrize("name", LIMITED)
def test_hostile_file_under_a_2gb_address_space(hostile, good_models, expanding, name):
    path = expanding if name == "npz_expanding" else hostile(name)
    kind = CASES[name][1] if name in CASES else "data"
    argv = cli_argv(kind, path, good_models)[0]
    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, *argv],
        preexec_fn=_limit_address_space,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("layerwise: error: "), done.stderr[-2000:]
    assert "MemoryError" not in done.stderr and str(path) in lines[0]
    if name == "npz_expanding":
        assert "more than the limit of 1.1 GB for one file" in lines[0]
    else:
        assert CASES[name][3] in lines[0]


def test_the_expanding_file_is_consistent_and_only_the_limit_refuses_it(expanding):
    """The same 1.2 GB X is a legitimate (if large) file: refused only for want of memory."""
    if npz.max_bytes() < 1300 << 20:
        pytest.skip("this process has less address space than the file needs")
    with npz.open_npz(expanding, DataError) as f:
        assert f.header("X").nbytes == 1200 << 20


def test_every_case_raises_a_layerwise_error():
    assert all(issubclass(error, LayerwiseError) for _, _, error, _ in CASES.values())
