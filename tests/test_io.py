"""Saving and loading: exact round trips, a plain .npz layout, atomic writes, and one
ModelFileError sentence for every kind of bad file (never running pickled code)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import layerwise as lw
from layerwise.data import make_flower
from layerwise.errors import ModelFileError


@pytest.fixture(scope="module")
def flower():
    return make_flower(m=80)


def trained(X, Y, layers, **kwargs):
    model = lw.Sequential(layers, seed=0, **kwargs)
    model.fit(X, Y, epochs=5, batch_size=32, optimizer="adam", learning_rate=0.01, verbose=0)
    return model


def plain_model(flower, dtype="float32"):
    X, Y = flower
    return trained(X, Y, [lw.Dense(4, "tanh"), lw.Dense(1, "sigmoid")], dtype=dtype)


def arrays_of(path):
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def assert_one_sentence(exc: pytest.ExceptionInfo, path) -> str:
    message = str(exc.value)
    assert "\n" not in message and message.strip() == message
    assert str(path) in message
    assert "Traceback" not in message
    return message


# --------------------------------------------------------------------------- round trips
ROUND_TRIPS = {
    "float32": (lambda: [lw.Dense(5, "relu"), lw.Dense(1, "sigmoid")], {}),
    "float64": (lambda: [lw.Dense(5, "tanh"), lw.Dense(1, "sigmoid")], {"dtype": "float64"}),
    "batchnorm": (
        lambda: [
            lw.Dense(5, "linear", use_bias=False),
            lw.BatchNorm(momentum=0.8),
            lw.Activation("relu"),
            lw.Dense(1, "sigmoid"),
        ],
        {},
    ),
    "dropout": (lambda: [lw.Dense(6, "relu"), lw.Dropout(0.7), lw.Dense(1, "sigmoid")], {}),
    "normalize": (
        lambda: [lw.Dense(4, "leaky_relu"), lw.Dense(1, "sigmoid")],
        {"normalize": True},
    ),
}


@pytest.mark.parametrize("case", list(ROUND_TRIPS))
def test_round_trip_gives_identical_predictions(tmp_path, flower, case):
    X, Y = flower
    layers, kwargs = ROUND_TRIPS[case]
    model = trained(X, Y, layers(), **kwargs)
    path = model.save(tmp_path / "model.npz")
    assert path == tmp_path / "model.npz"
    loaded = lw.load(path)
    assert loaded.dtype == model.dtype
    assert [type(a) for a in loaded.layers] == [type(b) for b in model.layers]
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    for name, value in model.parameters.items():
        assert loaded.parameters[name].dtype == value.dtype
        np.testing.assert_array_equal(loaded.parameters[name], value)
    for a, b in zip(loaded.layers, model.layers):
        for key, value in b.state.items():
            np.testing.assert_array_equal(a.state[key], value)
    if case == "batchnorm":
        bn = model.layers[1]
        assert not np.allclose(bn.state["running_mean"], 0)  # really trained statistics
        assert loaded.layers[1].momentum == 0.8
    if case == "normalize":
        np.testing.assert_array_equal(loaded.normalizer_.mu_, model.normalizer_.mu_)
        np.testing.assert_array_equal(loaded.normalizer_.sigma2_, model.normalizer_.sigma2_)
    assert loaded.evaluate(X, Y) == model.evaluate(X, Y)


def test_suffix_is_added_and_class_names_kept(tmp_path, flower):
    model = plain_model(flower)
    model.classes_ = ["blue", "red"]
    path = lw.load(model.save(tmp_path / "m")).classes_
    assert path == ["blue", "red"]
    assert (tmp_path / "m.npz").is_file()


def test_unbuilt_model_cannot_be_saved(tmp_path):
    with pytest.raises(lw.NotFittedError):
        lw.Sequential([lw.Dense(1, "sigmoid")]).save(tmp_path / "m.npz")
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- the file itself
def test_file_is_one_plain_npz_with_a_json_architecture(tmp_path, flower):
    model = plain_model(flower)
    path = model.save(tmp_path / "model.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    arrays = arrays_of(path)  # every entry loads without pickle
    assert all(a.dtype != object for a in arrays.values())
    for name in ["W1", "b1", "W2", "b2"]:
        np.testing.assert_array_equal(arrays[f"param/{name}"], model.parameters[name])
    assert "optimizer/t" in arrays and int(arrays["optimizer/t"]) == model.optimizer_.t
    assert any(k.startswith("optimizer/held/v/") for k in arrays)
    meta = json.loads(str(arrays["__layerwise__"]))
    assert meta["format"] == "layerwise-model"
    assert meta["model"]["input_dim"] == 2
    assert [spec["type"] for spec in meta["model"]["layers"]] == ["Dense", "Dense"]
    assert meta["state"]["optimizer"]["name"] == "adam"


def test_write_is_atomic_and_a_failed_write_keeps_the_old_file(tmp_path, flower, monkeypatch):
    model = plain_model(flower)
    path = model.save(tmp_path / "model.npz")
    before = path.read_bytes()
    X, _ = flower
    expected = model.predict_proba(X)
    model.parameters["W1"][...] += 1.0  # the next save would change the file

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]  # no temp file
    assert path.read_bytes() == before
    monkeypatch.undo()
    np.testing.assert_array_equal(lw.load(path).predict_proba(X), expected)


def test_a_failure_part_way_through_writing_leaves_no_partial_model(tmp_path, flower, monkeypatch):
    model = plain_model(flower)
    real = np.savez

    def half_then_fail(fh, **arrays):
        real(fh, **arrays)
        fh.truncate(100)
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        model.save(tmp_path / "new.npz")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- bad files
def test_missing_file(tmp_path):
    path = tmp_path / "nothing.npz"
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert "no such model file" in assert_one_sentence(exc, path)


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.99])
def test_truncated_file_says_truncated(tmp_path, flower, fraction):
    full = plain_model(flower).save(tmp_path / "full.npz").read_bytes()
    path = tmp_path / "cut.npz"
    path.write_bytes(full[: max(int(len(full) * fraction), 4)])
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert "truncated" in assert_one_sentence(exc, path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert "not a layerwise model" in assert_one_sentence(exc, path)


def test_text_file_renamed_npz(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("x1,x2,y\n1,2,0\n")
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert "not a layerwise model" in assert_one_sentence(exc, path)


def test_plain_npz_without_architecture(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, X=np.zeros((2, 3)), Y=np.zeros((1, 3)))
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert "__layerwise__" in assert_one_sentence(exc, path)


def _bad_metas(meta):
    model = meta["model"]
    return {
        "not json": ("{not json", "architecture"),
        "other format": (json.dumps({"format": "other"}), "architecture"),
        "a list": (json.dumps([1]), "architecture"),
        "model not a dict": (json.dumps({**meta, "model": 5}), "architecture"),
        "unknown layer": (
            json.dumps({**meta, "model": {**model, "layers": [{"type": "Conv9"}]}}),
            "architecture",
        ),
        "bad units": (
            json.dumps(
                {
                    **meta,
                    "model": {
                        **model,
                        "layers": [{"type": "Dense", "config": {"units": -1}}],
                    },
                }
            ),
            "architecture",
        ),
        "newer": (json.dumps({**meta, "version": 99}), "newer"),
        "no input_dim": (json.dumps({**meta, "model": {**model, "input_dim": None}}), "n[0]"),
        "bad optimizer": (
            json.dumps({**meta, "state": {**meta["state"], "optimizer": {"name": "lbfgs"}}}),
            "optimizer",
        ),
        "bad rng": (
            json.dumps({**meta, "state": {**meta["state"], "rng": {"bit_generator": "MT19937"}}}),
            "random",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "not json",
        "other format",
        "a list",
        "model not a dict",
        "unknown layer",
        "bad units",
        "newer",
        "no input_dim",
        "bad optimizer",
        "bad rng",
    ],
)
def test_unreadable_architecture_entry(tmp_path, flower, case):
    arrays = arrays_of(plain_model(flower).save(tmp_path / "ok.npz"))
    meta = json.loads(str(arrays["__layerwise__"]))
    text, word = _bad_metas(meta)[case]
    path = tmp_path / "bad.npz"
    np.savez(path, **{**arrays, "__layerwise__": np.array(text)})
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert word in assert_one_sentence(exc, path)


class _Trap:
    """Unpickling this object creates the file ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickled_object_array_is_refused_and_never_run(tmp_path, flower):
    arrays = arrays_of(plain_model(flower).save(tmp_path / "ok.npz"))
    # the trap works: loading it with pickle allowed does create its marker
    armed = tmp_path / "armed.npz"
    proof = tmp_path / "proof.txt"
    np.savez(armed, trap=np.array([_Trap(proof)], dtype=object), allow_pickle=True)
    with np.load(armed, allow_pickle=True) as data:
        data["trap"]
    assert proof.exists()

    marker = tmp_path / "marker.txt"
    path = tmp_path / "evil.npz"
    np.savez(
        path, **arrays, **{"param/W9": np.array([_Trap(marker)], dtype=object)}, allow_pickle=True
    )
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert "pickle" in assert_one_sentence(exc, path)
    assert not marker.exists()


def test_array_with_the_wrong_shape(tmp_path, flower):
    arrays = arrays_of(plain_model(flower).save(tmp_path / "ok.npz"))
    arrays["param/W2"] = np.zeros((1, 5), dtype=np.float32)
    path = tmp_path / "shape.npz"
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    message = assert_one_sentence(exc, path)
    assert "W2" in message and "(1, 5)" in message and "(1, 4)" in message


def test_missing_array(tmp_path, flower):
    arrays = arrays_of(plain_model(flower).save(tmp_path / "ok.npz"))
    del arrays["param/b2"]
    path = tmp_path / "missing.npz"
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert "param/b2" in assert_one_sentence(exc, path)


def test_extra_or_non_numeric_array(tmp_path, flower):
    arrays = arrays_of(plain_model(flower).save(tmp_path / "ok.npz"))
    path = tmp_path / "extra.npz"
    np.savez(path, **arrays, **{"param/W3": np.zeros((1, 1))})
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert "param/W3" in assert_one_sentence(exc, path)
    path = tmp_path / "text.npz"
    np.savez(path, **{**arrays, "param/b2": np.array([["a"]])})
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert "numeric" in assert_one_sentence(exc, path)


def test_model_file_error_is_a_value_error():
    assert issubclass(ModelFileError, ValueError)
    assert issubclass(ModelFileError, lw.LayerwiseError)


# --------------------------------------------------------------------------- checked before read
def test_a_checkpoint_with_early_stopping_snapshots_reads_back(tmp_path, flower):
    """checkpoint/best/<i>/... arrays (EarlyStopping's best state) pass the header checks."""
    from layerwise.io import read_model

    X, Y = flower
    model = lw.Sequential(
        [lw.Dense(4, "relu"), lw.BatchNorm(), lw.Dropout(0.9), lw.Dense(1, "sigmoid")],
        seed=0,
        normalize=True,
    )
    stopper = lw.EarlyStopping(monitor="loss", patience=50, restore_best_weights=True)
    path = tmp_path / "ckpt.npz"
    model.fit(X, Y, epochs=3, optimizer="adam", callbacks=[stopper], checkpoint=path, verbose=0)
    _, state = read_model(path)
    assert any(k.startswith("checkpoint/best/") for k in state)
    assert any(k.startswith("normalizer/") for k in state)


def test_a_frozen_dropout_mask_reads_back(tmp_path, flower):
    X, Y = flower
    model = trained(X, Y, [lw.Dense(3, "relu"), lw.Dropout(0.5), lw.Dense(1, "sigmoid")])
    model.layers[1].frozen = True
    model.forward(X[:, :7], training=True)  # draws the mask it then keeps
    loaded = lw.load(model.save(tmp_path / "frozen.npz"))
    np.testing.assert_array_equal(loaded.layers[1].state_dict()["mask"], model.layers[1]._D)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"state/0/running_mean": np.zeros((4, 1))}, "state/0/running_mean"),  # Dense has none
        ({"normalizer/mu": np.zeros((5000, 1))}, "more than its architecture can use (2)"),
        ({"extra": np.zeros(3)}, "holds an array extra that its architecture does not have"),
    ],
)
def test_arrays_the_architecture_cannot_use_are_refused_unread(tmp_path, flower, change, fragment):
    arrays = arrays_of(plain_model(flower).save(tmp_path / "ok.npz"))
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays, **change)
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert fragment in assert_one_sentence(exc, path)


@pytest.mark.parametrize(
    ("state", "fragment"),
    [
        ({"epochs_trained": 1e400}, "epochs_trained"),  # JSON Infinity: int() would overflow
        ({"alpha0": float("nan")}, "alpha0"),
        ({"rng": {"bit_generator": "PCG64", "state": {"state": 2**200, "inc": 1}}}, "random"),
    ],
)
def test_json_state_that_would_fail_outside_a_layerwise_error(tmp_path, flower, state, fragment):
    arrays = arrays_of(plain_model(flower).save(tmp_path / "ok.npz"))
    meta = json.loads(str(arrays["__layerwise__"]))
    meta["state"].update(state)
    path = tmp_path / "bad.npz"
    np.savez(path, **{**arrays, "__layerwise__": np.array(json.dumps(meta))})
    with pytest.raises(ModelFileError) as exc:
        lw.load(path)
    assert fragment in assert_one_sentence(exc, path)


def test_the_json_entry_is_read_before_any_array(tmp_path, flower, monkeypatch):
    from layerwise import npz

    arrays = arrays_of(plain_model(flower).save(tmp_path / "ok.npz"))
    path = tmp_path / "newer.npz"
    meta = json.loads(str(arrays["__layerwise__"]))
    np.savez(path, **{**arrays, "__layerwise__": np.array(json.dumps({**meta, "version": 99}))})
    read = []
    real = npz.NpzReader.read
    monkeypatch.setattr(npz.NpzReader, "read", lambda self, n: read.append(n) or real(self, n))
    with pytest.raises(ModelFileError, match="newer"):
        lw.load(path)
    assert read == ["__layerwise__"]
