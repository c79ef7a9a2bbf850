"""The state boundary: user layers through the registry, parameter views that cannot be
rebound, state_dict round trips, best-weight restoring and version-1 model files."""

from __future__ import annotations

import json

import numpy as np
import pytest

import layerwise as lw
from layerwise import BatchNorm, ConfigError, Dense, Dropout, Layer, Sequential, ShapeError


@lw.register_layer(name="TestSquare")
class Square(Layer):
    """A = A_prev ** 2, no parameters."""

    def forward(self, A_prev, training=False):
        if training:
            self._A_prev = A_prev
        return A_prev**2

    def backward(self, dA):
        return 2 * self._A_prev * dA


@lw.register_layer(name="TestScale")
class Scale(Layer):
    """A = w * A_prev with w (n, 1) learnt; dw = sum over examples of dA * A_prev."""

    regularized = ("w",)

    def __init__(self, init: str = "random") -> None:
        super().__init__()
        self.init = init

    def build(self, input_shape):
        self.add_param("w", (input_shape[0], 1))
        return input_shape

    def initialize(self, rng):
        shape = self.params["w"].shape
        self.params["w"][...] = 1.0 if self.init == "ones" else 1 + 0.1 * rng.standard_normal(shape)

    def forward(self, A_prev, training=False):
        if training:
            self._A_prev = A_prev
        return self.params["w"] * A_prev

    def backward(self, dA):
        np.sum(dA * self._A_prev, axis=1, keepdims=True, out=self.grads["w"])
        return self.params["w"] * dA

    def config(self):
        return {"init": self.init}


def data(m=64, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((3, m))
    return X, (X[0:1] * X[1:2] + 0.3 * X[2:3] > 0).astype(float)


def custom_model():
    layers = [Dense(4, "tanh"), Scale(), Square(), Dense(1, "sigmoid")]
    return Sequential(layers, input_dim=3, seed=0)


def bn_dropout_model(seed=0):
    layers = [Dense(16, "linear", use_bias=False), BatchNorm(), lw.Activation("relu"), Dropout(0.8)]
    return Sequential([*layers, Dense(1, "sigmoid")], input_dim=3, seed=seed)


def test_user_layers_train_gradcheck_save_and_summarise(tmp_path):
    """A model of registered user layers trains, gradchecks and survives save/load."""
    X, Y = data()
    model = custom_model()
    for l2 in (0.0, 0.5):
        assert lw.gradcheck(model, X[:, :16], Y[:, :16], l2=l2) < 1e-7
    cost = model.fit(X, Y, epochs=60, optimizer="adam", learning_rate=0.05, verbose=0)
    assert cost.history["loss"][-1] < 0.8 * cost.history["loss"][0]
    types = [spec["type"] for spec in model.get_config()["layers"]]
    assert types == ["Dense", "TestScale", "TestSquare", "Dense"]
    loaded = lw.load(model.save(tmp_path / "custom"))
    assert loaded.get_config() == model.get_config()
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    text = model.summary(print_fn=None)
    assert "Scale" in text and "w2 (4, 1)" in text and "W3 (1, 4)" in text


def test_unregistered_layer_cannot_be_saved_and_names_are_unique(tmp_path):
    """Saving an unregistered layer says to register it; a taken name is refused."""

    class Unregistered(Square):
        pass

    model = Sequential([Dense(2, "tanh"), Unregistered(), Dense(1, "sigmoid")], input_dim=3)
    with pytest.raises(ConfigError, match="register_layer"):
        model.save(tmp_path / "m")
    assert not list(tmp_path.iterdir())
    with pytest.raises(ConfigError, match="already registered"):
        lw.register_layer(Unregistered, name="TestSquare")
    assert lw.layers.registry.LAYERS["TestSquare"] is Square


def test_parameters_cannot_be_rebound_but_can_be_written_in_place():
    """Rebinding raises; in-place writes reach theta and training keeps updating it."""
    X, Y = data()
    model = Sequential([Dense(4, "tanh"), Dense(1, "sigmoid")], input_dim=3, seed=0)
    layer = model.layers[0]
    for views in (layer.params, layer.grads):
        with pytest.raises(ConfigError, match="write into"):
            views["W"] = np.zeros((4, 3))
        with pytest.raises(ConfigError):
            del views["W"]
    for attr in ("params", "grads"):
        with pytest.raises(ConfigError, match="in place"):
            setattr(layer, attr, {})
    layer.params["W"][...] = 0.5
    layer.params["W"] *= 2
    assert np.all(model.parameter_vector.theta[:12] == 1.0)
    assert np.all(model.parameters["W1"] == 1.0)
    model.fit(X, Y, epochs=3, optimizer="adam", verbose=0)
    assert not np.all(layer.params["W"] == 1.0)
    assert np.array_equal(model.parameter_vector.theta[:12], layer.params["W"].ravel())


def test_every_parameter_is_a_view_of_theta():
    """params and grads of Dense, BatchNorm and Conv2D layers share the vectors' memory."""
    layers = [lw.Conv2D(2, 3), lw.Flatten(), Dense(8, "linear"), BatchNorm(), Dense(1, "sigmoid")]
    conv = Sequential(layers, input_dim=(5, 5, 1), seed=0)
    for model in (bn_dropout_model(), conv):
        vec, n = model.parameter_vector, 0
        for layer in model.layers:
            for key in layer.params:
                assert np.shares_memory(layer.params[key], vec.theta)
                assert np.shares_memory(layer.grads[key], vec.dtheta)
                n += layer.params[key].size
        assert n == vec.theta.size > 0


def trained_bn_dropout_model(seed=0):
    X, Y = data()
    model = bn_dropout_model(seed)
    kwargs = dict(optimizer="adam", learning_rate=0.01, batch_size=16, verbose=0)
    model.fit(X, Y, epochs=4, decay="inverse_time", **kwargs)
    return model, X, Y


def generator_states(model):
    states = {k: v for k, v in model.state_dict().items() if k.endswith("rng")}
    assert "rng" in states and "state/3/rng" in states
    return states


def test_state_dict_round_trip_and_copies():
    """A copy from config + state_dict predicts alike and has the same optimiser and
    generators; state_dict returns copies."""
    model, X, _ = trained_bn_dropout_model()
    copy = Sequential.from_config(model.get_config())
    copy.load_state_dict(model.state_dict())
    assert np.array_equal(copy.predict_proba(X), model.predict_proba(X))
    assert copy.optimizer_.config() == model.optimizer_.config()
    ours, theirs = model.optimizer_.get_state(), copy.optimizer_.get_state()
    assert ours.keys() == theirs.keys()
    assert all(np.array_equal(ours[k], theirs[k]) for k in ours)
    assert generator_states(copy) == generator_states(model)
    state = copy.state_dict()
    assert state["schedule"]["name"] == "inverse_time" and state["alpha0"] == 0.01
    assert state["epochs_trained"] == model.epochs_trained_ == 4

    before = model.state_dict()
    snapshot = model.state_dict()
    for value in snapshot.values():
        if isinstance(value, np.ndarray):
            value[...] = 0
    snapshot["rng"]["state"]["state"] = 0
    after = model.state_dict()
    assert after["rng"] == before["rng"]
    assert all(np.array_equal(before[k], after[k]) for k in before if k.startswith(("param", "st")))
    assert np.array_equal(model.optimizer_.get_state()["v/theta"], ours["v/theta"])


def test_training_resumes_bit_identically_from_a_state_dict():
    """Both the model and its restored copy continue from the same state."""
    for seed in range(3):
        model, X, Y = trained_bn_dropout_model(seed)
        copy = Sequential.from_config(model.get_config())
        copy.load_state_dict(model.state_dict())
        for net in (model, copy):
            net.fit(X, Y, epochs=3, optimizer=None, batch_size=16, verbose=0)
        assert np.array_equal(copy.parameter_vector.theta, model.parameter_vector.theta)


def test_bad_states_raise_and_leave_the_parameters_alone():
    """Unknown keys, wrong shapes, NaN and complex parameters raise ShapeError."""
    model, _, _ = trained_bn_dropout_model()
    theta = model.parameter_vector.theta.copy()
    W = model.parameters["W1"]
    bad = {"unknown": 1, "param/W9": W, "param/W1": np.zeros((2, 2))}
    bad |= {"nan": np.where(W > 0, np.nan, W), "complex": W + 1j}
    for key, value in bad.items():
        state = model.state_dict()
        state["param/W2"] = state["param/W2"] + 1  # would be written first if not checked
        state["param/W1" if key in ("nan", "complex") else key] = value
        with pytest.raises(ShapeError):
            model.load_state_dict(state)
        assert np.array_equal(model.parameter_vector.theta, theta), key


def test_a_bad_layer_state_leaves_the_parameters_alone():
    model, _, _ = trained_bn_dropout_model()
    theta = model.parameter_vector.theta.copy()
    state = model.state_dict()
    state["param/W2"] = state["param/W2"] + 1
    state["state/1/running_mean"] = np.zeros((3, 1))
    with pytest.raises(ShapeError):
        model.load_state_dict(state)
    assert np.array_equal(model.parameter_vector.theta, theta)


def test_strict_and_partial_loading():
    """strict needs every parameter; strict=False loads the ones given."""
    model, _, _ = trained_bn_dropout_model()
    fresh = bn_dropout_model(seed=5)
    partial = {"param/W2": model.parameters["W2"]}
    with pytest.raises(ShapeError, match="lacks"):
        fresh.load_state_dict(partial)
    W1 = fresh.parameters["W1"].copy()
    fresh.load_state_dict(partial, strict=False)
    assert np.array_equal(fresh.parameters["W2"], model.parameters["W2"])
    assert np.array_equal(fresh.parameters["W1"], W1)


class Recorder(lw.Callback):
    """Keeps the inference state at the end of every epoch."""

    def on_train_begin(self, logs=None):
        self.states = []

    def on_epoch_end(self, epoch, logs):
        self.states.append(self.model.state_dict(training=False))


def test_early_stopping_restores_the_best_epoch(tmp_path):
    """restore_best_weights puts back the best epoch's parameters and batch-norm state."""
    X, Y = data(m=40, seed=2)
    X_dev, Y_dev = data(m=200, seed=3)
    model = bn_dropout_model()
    stop = lw.EarlyStopping(patience=4, restore_best_weights=True)
    best = lw.ModelCheckpoint(tmp_path / "best", save_best_only=True)
    record = Recorder()
    history = model.fit(
        X, Y, epochs=200, optimizer="adam", learning_rate=0.05, batch_size=8, verbose=0,
        validation_data=(X_dev, Y_dev), callbacks=[stop, best, record],
    )  # fmt: skip
    assert 0 < stop.best_epoch < len(history.epoch) - 1
    wanted = record.states[stop.best_epoch]
    final = model.state_dict(training=False)
    assert wanted.keys() == final.keys()
    assert all(np.array_equal(wanted[k], final[k]) for k in wanted)
    saved = lw.load(tmp_path / "best.npz")
    assert np.array_equal(saved.parameter_vector.theta, model.parameter_vector.theta)


def test_version_1_file_still_loads(tmp_path):
    """A file rewritten in format version 1 loads with identical predictions."""
    model, X, _ = trained_bn_dropout_model()
    path = model.save(tmp_path / "v2.npz")
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(str(arrays["__layerwise__"]))
    state = meta.pop("state")
    meta |= {"version": 1, "optimizer": state["optimizer"], "loss": state["loss"]}
    meta["rng"] = {"model": state["rng"], "layers": {"3": state["state/3/rng"]}}
    arrays["__layerwise__"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "v1.npz", **arrays)
    old = lw.load(tmp_path / "v1.npz")
    assert np.array_equal(old.predict_proba(X), model.predict_proba(X))
    assert old.optimizer_.config() == model.optimizer_.config()
    assert generator_states(old) == generator_states(model)
