"""Fuzzing ("Every bad input gets one clear line", item 6).

(a) Random networks on random data: any mix of Dense, Dropout, BatchNorm and Activation
    layers (and Conv2D, Pool2D, Flatten on images), both dtypes, values up to ±1e4: fit,
    predict and evaluate give finite results or raise a ``LayerwiseError`` (a diverged fit
    raises ``TrainingDivergedError``, one of them).
(b) Damaged files: data files (.npz, .csv, .h5), pictures (.png) and model files
    (``model.save``) with flipped, truncated, extended or spliced bytes, damaged zip
    members re-zipped with good checksums, and model files whose JSON entry has a value
    replaced: they load, or raise a ``LayerwiseError``.

Anything else (a foreign exception, or a NumPy RuntimeWarning, turned into an error here)
fails the test. ``LAYERWISE_FUZZ_EXAMPLES`` sets the
number of examples per test (default 200, for CI); ``pytest
--hypothesis-show-statistics`` shows how they ended.
"""

from __future__ import annotations

import io
import json
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import layerwise as lw
from layerwise.data import (
    load_dataset,
    load_npz,
    load_picture,
    make_flower,
    save_csv,
    save_npz,
)
from layerwise.errors import LayerwiseError

EXAMPLES = int(os.environ.get("LAYERWISE_FUZZ_EXAMPLES", 200))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None)

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"]
HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]


def ends_as(outcome: BaseException | None) -> None:
    """Record how an example ended, for --hypothesis-show-statistics."""
    event("finite results" if outcome is None else f"raised {type(outcome).__name__}")


# --------------------------------------------------------------------------- (a) networks
def dense_specs(max_layers: int = 4):
    dense = st.tuples(
        st.just("Dense"),
        st.integers(1, 6),
        st.sampled_from(HIDDEN) | st.sampled_from(ACTIVATIONS),
        st.booleans(),
    )
    dropout = st.tuples(st.just("Dropout"), st.floats(0.05, 1.0))
    batchnorm = st.tuples(st.just("BatchNorm"), st.floats(0.0, 1.0), st.floats(1e-8, 0.1))
    activation = st.tuples(st.just("Activation"), st.sampled_from(ACTIVATIONS))
    return st.lists(st.one_of(dense, dense, dropout, batchnorm, activation), max_size=max_layers)


def image_specs():
    conv = st.tuples(
        st.just("Conv2D"),
        st.integers(1, 3),  # filters
        st.integers(1, 3),  # kernel_size
        st.integers(1, 2),  # stride
        st.sampled_from(["valid", "same", 0, 1]),
        st.sampled_from(HIDDEN),
    )
    pool = st.tuples(
        st.just("Pool2D"),
        st.integers(1, 3),
        st.one_of(st.none(), st.integers(1, 2)),
        st.sampled_from(["max", "average"]),
    )
    dropout = st.tuples(st.just("Dropout"), st.floats(0.05, 1.0))
    activation = st.tuples(st.just("Activation"), st.sampled_from(HIDDEN))
    return st.lists(st.one_of(conv, pool, dropout, activation), max_size=3)


def build_layer(spec: tuple):
    kind, *args = spec
    if kind == "Dense":
        units, act, bias = args
        return lw.Dense(units, act, use_bias=bias)
    if kind == "Dropout":
        return lw.Dropout(args[0])
    if kind == "BatchNorm":
        return lw.BatchNorm(momentum=args[0], epsilon=args[1])
    if kind == "Activation":
        return lw.Activation(args[0])
    if kind == "Conv2D":
        filters, f, s, pad, act = args
        return lw.Conv2D(filters, f, stride=s, padding=pad, activation=act)
    if kind == "Pool2D":
        f, s, mode = args
        return lw.Pool2D(f, stride=s, mode=mode)
    if kind == "Flatten":
        return lw.Flatten()
    raise AssertionError(kind)


def output_for(Y: np.ndarray):
    """Mostly the output layer Y calls for (so most networks train), sometimes any."""
    if Y.dtype.kind == "f":
        fitting = st.tuples(st.just(Y.shape[0]), st.just("linear"))
    elif Y.shape[0] > 1 or Y.max() > 1:
        fitting = st.tuples(st.just(max(Y.shape[0], int(Y.max()) + 1)), st.just("softmax"))
    else:
        fitting = st.tuples(st.just(1), st.just("sigmoid"))
    anything = st.tuples(st.integers(1, 4), st.sampled_from(ACTIVATIONS))
    return st.one_of(
        st.none(),  # no output layer of its own: the last hidden one is the output
        fitting.map(lambda t: ("Dense", *t, True)),
        fitting.map(lambda t: ("Dense", *t, True)),
        fitting.map(lambda t: ("Dense", *t, True)),
        anything.map(lambda t: ("Dense", *t, True)),
    )


fit_options = st.fixed_dictionaries(
    {
        "epochs": st.integers(1, 3),
        "batch_size": st.one_of(st.none(), st.integers(1, 8)),
        "optimizer": st.sampled_from(["gd", "momentum", "rmsprop", "adam"]),
        "learning_rate": st.floats(1e-4, 1.0),
        "l2": st.sampled_from([0.0, 0.0, 0.1, 1.0]),
    }
)


def values(dtype: str, shape):
    """Arrays of ``shape`` with finite values up to ±1e4."""
    width = 32 if dtype == "float32" else 64
    return hnp.arrays(
        np.dtype(dtype), shape, elements=st.floats(-1e4, 1e4, allow_nan=False, width=width)
    )


@st.composite
def labels(draw, m: int, dtype: str):
    """Y (n_y, m): binary 0/1, class indices, one-hot, or real values up to ±1e4."""
    kind = draw(st.sampled_from(["binary", "classes", "onehot", "real"]))
    if kind == "binary":
        return draw(hnp.arrays(np.int64, (1, m), elements=st.integers(0, 1)))
    C = draw(st.integers(2, 4))
    if kind == "classes":
        return draw(hnp.arrays(np.int64, (1, m), elements=st.integers(0, C - 1)))
    if kind == "onehot":
        k = draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, C - 1)))
        return np.eye(C)[k].T
    return draw(values(dtype, (draw(st.integers(1, 3)), m)))


def train_and_use(model: lw.Sequential, X, Y, options: dict) -> None:
    """fit, predict_proba, predict, evaluate: finite results, or a LayerwiseError.
    RuntimeWarnings (overflow, invalid value, ...) are errors, as in the suite's config."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            history = model.fit(X, Y, verbose=0, **options)
            for key, costs in history.history.items():
                assert np.all(np.isfinite(costs)), f"fit recorded a non-finite {key}: {costs}"
            A = model.predict_proba(X)
            assert np.all(np.isfinite(A)), "predict_proba gave NaN or inf"
            model.predict(X)
            result = model.evaluate(X, Y)
            assert all(np.isfinite(v) for v in result.values()), f"evaluate gave {result}"
        except LayerwiseError as exc:
            ends_as(exc)
            return
    ends_as(None)


@FUZZ
@given(data=st.data())
def test_random_dense_networks_give_finite_results_or_a_layerwise_error(data):
    dtype = data.draw(st.sampled_from(["float32", "float64"]), label="dtype")
    n_x = data.draw(st.integers(1, 5), label="n_x")
    m = data.draw(st.integers(1, 12), label="m")
    X = data.draw(values(dtype, (n_x, m)), label="X")
    Y = data.draw(labels(m, dtype), label="Y")
    specs = data.draw(dense_specs(), label="layers")
    output = data.draw(output_for(Y), label="output")
    specs += [output] if output is not None else []
    options = data.draw(fit_options, label="fit")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    normalize = data.draw(st.booleans(), label="normalize")
    try:
        layers = [build_layer(s) for s in specs]
        model = lw.Sequential(layers, seed=seed, dtype=dtype, normalize=normalize)
    except LayerwiseError as exc:
        ends_as(exc)
        return
    train_and_use(model, X, Y, options)


@FUZZ
@given(data=st.data())
def test_random_image_networks_give_finite_results_or_a_layerwise_error(data):
    dtype = data.draw(st.sampled_from(["float32", "float64"]), label="dtype")
    m = data.draw(st.integers(1, 6), label="m")
    shape = data.draw(st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3)))
    X = data.draw(values(dtype, (m, *shape)), label="X")
    Y = data.draw(labels(m, dtype), label="Y")
    specs = data.draw(image_specs(), label="image layers")
    if data.draw(st.floats(0, 1)) < 0.9:
        specs.append(("Flatten",))
    specs += data.draw(dense_specs(2), label="dense layers")
    output = data.draw(output_for(Y), label="output")
    specs += [output] if output is not None else []
    options = data.draw(fit_options, label="fit")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    try:
        model = lw.Sequential([build_layer(s) for s in specs], seed=seed, dtype=dtype)
    except LayerwiseError as exc:
        ends_as(exc)
        return
    train_and_use(model, X, Y, options)


# --------------------------------------------------------------------------- (b) files
def trained_models() -> dict[str, lw.Sequential]:
    X, Y = make_flower(m=40)
    dense = lw.Sequential(
        [
            lw.Dense(5, "linear", use_bias=False),
            lw.BatchNorm(),
            lw.Activation("relu"),
            lw.Dropout(0.8),
            lw.Dense(1, "sigmoid"),
        ],
        seed=0,
        normalize=True,
    )
    dense.fit(X, Y, epochs=2, batch_size=16, optimizer="adam", decay="inverse_time", verbose=0)
    images = np.random.default_rng(0).random((6, 5, 5, 2))
    conv = lw.Sequential(
        [lw.Conv2D(2, 3, padding="same"), lw.Pool2D(2), lw.Flatten(), lw.Dense(3, "softmax")],
        seed=0,
        dtype="float64",
    )
    conv.fit(images, np.array([[0, 1, 2, 0, 1, 2]]), epochs=2, optimizer="momentum", verbose=0)
    return {"dense": dense, "conv": conv}


@pytest.fixture(scope="module")
def base_files(tmp_path_factory) -> dict[str, bytes]:
    """name -> bytes of a good file of each kind (the name's suffix says how it is read)."""
    folder = tmp_path_factory.mktemp("fuzz_base")
    X, Y = make_flower(m=12)
    save_npz(folder / "data.npz", X, Y)
    np.savez_compressed(folder / "compressed.npz", X=X, Y=Y)
    save_csv(folder / "data.csv", X, Y)
    for name, model in trained_models().items():
        model.save(folder / f"{name}.model.npz")
    try:
        from PIL import Image
    except ImportError:
        pass
    else:
        pixels = np.random.default_rng(0).integers(0, 255, (6, 5, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / "picture.png")
    try:
        import h5py
    except ImportError:
        pass
    else:
        with h5py.File(folder / "data.h5", "w") as f:
            f["train_set_x"] = np.random.default_rng(0).integers(0, 255, (6, 3, 3, 3), np.uint8)
            f["train_set_y"] = np.array([0, 1, 1, 0, 1, 0])
            f["list_classes"] = np.array([b"non-cat", b"cat"])
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz_scratch")


def load_any(path: Path) -> None:
    """Load ``path`` as its name says; a LayerwiseError is a fine ending."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            if path.name.endswith(".model.npz"):
                lw.load(path)
            elif path.suffix == ".png":
                load_picture(path, num_px=4)
            elif path.suffix == ".npz":
                load_npz(path, require_y=False)
                load_dataset(path)
            else:
                load_dataset(path)
        except LayerwiseError as exc:
            ends_as(exc)
            return
    event("loaded")


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """``data`` with bytes flipped, cut short, extended, or spliced in or out."""
    n = len(data)
    how = draw(st.sampled_from(["flip", "truncate", "extend", "insert", "delete"]))
    event(f"bytes: {how}")
    out = bytearray(data)
    if how == "flip":
        for _ in range(draw(st.integers(1, 8))):
            out[draw(st.integers(0, n - 1))] ^= draw(st.integers(1, 255))
    elif how == "truncate":
        del out[draw(st.integers(0, n - 1)) :]
    elif how == "extend":
        out += draw(st.binary(min_size=1, max_size=64))
    elif how == "insert":
        at = draw(st.integers(0, n))
        out[at:at] = draw(st.binary(min_size=1, max_size=16))
    else:
        at = draw(st.integers(0, n - 1))
        del out[at : at + draw(st.integers(1, 16))]
    return bytes(out)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def zipped(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


FILE_NAMES = ["data.npz", "compressed.npz", "data.csv", "data.h5", "picture.png"]
FILE_NAMES += ["dense.model.npz", "conv.model.npz"]


@FUZZ
@given(data=st.data())
def test_damaged_files_load_or_raise_a_layerwise_error(base_files, scratch, data):
    name = data.draw(st.sampled_from([n for n in FILE_NAMES if n in base_files]), label="file")
    content = data.draw(damaged(base_files[name]), label="damage")
    path = scratch / name
    path.write_bytes(content)
    load_any(path)


@FUZZ
@given(data=st.data())
def test_damaged_npz_members_with_good_checksums_load_or_raise_a_layerwise_error(
    base_files, scratch, data
):
    name = data.draw(
        st.sampled_from(["data.npz", "dense.model.npz", "conv.model.npz"]), label="file"
    )
    entries = members(base_files[name])
    member = data.draw(st.sampled_from(sorted(entries)), label="member")
    entries[member] = data.draw(damaged(entries[member]), label="damage")
    path = scratch / name
    path.write_bytes(zipped(entries))
    load_any(path)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.sampled_from([0, 1, -1, 2**31, 2**63, 10**6, 10**12])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["Dense", "Conv2D", "float64", "relu", "softmax", "adam", "PCG64"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def json_paths(node, prefix=()):
    """Every path (tuple of keys and indexes) into a parsed JSON value."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from json_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from json_paths(value, (*prefix, i))


@FUZZ
@given(data=st.data())
def test_model_files_with_a_changed_json_value_load_or_raise_a_layerwise_error(
    base_files, scratch, data
):
    name = data.draw(st.sampled_from(["dense.model.npz", "conv.model.npz"]), label="file")
    entries = members(base_files[name])
    meta = json.loads(str(np.load(io.BytesIO(entries["__layerwise__.npy"]))))
    paths = list(json_paths(meta))[1:]
    where = data.draw(st.sampled_from(paths), label="where")
    value = data.draw(JSON_VALUES, label="value")
    node = meta
    for key in where[:-1]:
        node = node[key]
    if data.draw(st.booleans(), label="delete instead"):
        del node[where[-1]]
    else:
        node[where[-1]] = value
    buf = io.BytesIO()
    np.save(buf, np.array(json.dumps(meta)))
    entries["__layerwise__.npy"] = buf.getvalue()
    path = scratch / name
    path.write_bytes(zipped(entries))
    load_any(path)
