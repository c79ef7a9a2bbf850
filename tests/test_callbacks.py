"""Callbacks: EarlyStopping (patience, restore_best_weights, the message saying where
it stopped), ModelCheckpoint (save_best_only), both callbacks' counters as JSON state,
and a custom callback's hooks and stop_training."""

from __future__ import annotations

import json

import numpy as np
import pytest

import layerwise as lw
from layerwise.errors import ConfigError


def blobs(m=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((2, m))
    Y = (X[0] + X[1] > 0).astype(float).reshape(1, -1)
    return X, Y


class Recorder(lw.Callback):
    """Keeps every epoch's logs and a copy of the parameters and layer state at its end."""

    def __init__(self):
        self.calls = []
        self.logs = []
        self.params = []
        self.states = []

    def on_train_begin(self, logs=None):
        self.calls.append("begin")

    def on_epoch_end(self, epoch, logs):
        self.calls.append(epoch)
        self.logs.append(dict(logs))
        self.params.append({k: v.copy() for k, v in self.model.parameters.items()})
        self.states.append(
            [{k: v.copy() for k, v in lay.state.items()} for lay in self.model.layers]
        )

    def on_train_end(self, logs=None):
        self.calls.append("end")


class BumpLearningRate(lw.Callback):
    """Sets a huge learning rate after ``at`` epochs, so the dev loss then rises."""

    def __init__(self, at, rate):
        self.at, self.rate = at, rate

    def on_epoch_end(self, epoch, logs):
        if epoch == self.at:
            self.model.optimizer_.learning_rate = self.rate


def bumped_run(callbacks, epochs=30, layers=None):
    X, Y = blobs()
    X_dev, Y_dev = blobs(m=30, seed=1)
    model = lw.Sequential(layers or [lw.Dense(4, "tanh"), lw.Dense(1, "sigmoid")], seed=0)
    recorder = Recorder()
    history = model.fit(
        X,
        Y,
        epochs=epochs,
        learning_rate=0.5,
        optimizer="gd",
        validation_data=(X_dev, Y_dev),
        callbacks=[recorder, BumpLearningRate(5, 300.0), *callbacks],
        verbose=0,
    )
    return model, history, recorder


def test_the_constructed_dev_loss_rises_after_epoch_5():
    _, history, _ = bumped_run([])
    val = history.history["val_loss"]
    assert all(b < a for a, b in zip(val[:6], val[1:6]))  # improving up to epoch 5
    assert min(val[6:]) > val[5]  # never as good again


@pytest.mark.parametrize("patience", [1, 3])
def test_early_stopping_stops_after_patience_epochs_without_improvement(patience):
    stop = lw.EarlyStopping("val_loss", patience=patience)
    model, history, recorder = bumped_run([stop])
    assert stop.best_epoch == 5
    assert history.epoch == list(range(5 + patience + 1))
    assert stop.stopped_epoch == 5 + patience
    assert recorder.calls[-1] == "end"
    # without restore_best_weights the final parameters are those of the last epoch
    for name, value in model.parameters.items():
        np.testing.assert_array_equal(value, recorder.params[-1][name])


def test_restore_best_weights_puts_back_the_best_epoch():
    stop = lw.EarlyStopping("val_loss", patience=4, restore_best_weights=True)
    model, history, recorder = bumped_run([stop])
    best = int(np.argmin(history.history["val_loss"]))
    assert best == stop.best_epoch == 5
    assert len(history.epoch) == 10
    for name, value in model.parameters.items():
        np.testing.assert_array_equal(value, recorder.params[best][name])
        assert not np.array_equal(value, recorder.params[-1][name])
    X_dev, Y_dev = blobs(m=30, seed=1)
    assert model.evaluate(X_dev, Y_dev)["loss"] == pytest.approx(
        history.history["val_loss"][best], rel=1e-5
    )


def test_restore_best_weights_restores_batchnorm_running_statistics():
    layers = [
        lw.Dense(4, "linear", use_bias=False),
        lw.BatchNorm(),
        lw.Activation("tanh"),
        lw.Dense(1, "sigmoid"),
    ]
    stop = lw.EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    model, history, recorder = bumped_run([stop], layers=layers)
    best = stop.best_epoch
    assert best < len(history.epoch) - 1
    for layer, saved in zip(model.layers, recorder.states[best]):
        for key, value in layer.state.items():
            np.testing.assert_array_equal(value, saved[key])
    for name, value in model.parameters.items():
        np.testing.assert_array_equal(value, recorder.params[best][name])


def test_early_stopping_on_a_diverging_training_loss():
    """Gradient descent with alpha far above 2 / L on least squares diverges: the
    training loss is best at the first epoch."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1, 20)) * 3
    Y = 2 * X + 1
    model = lw.Sequential([lw.Dense(1, "linear")], input_dim=1, seed=0, dtype="float64")
    stop = lw.EarlyStopping("loss", patience=2)
    history = model.fit(
        X, Y, epochs=50, learning_rate=5.0, optimizer="gd", callbacks=[stop], verbose=0
    )
    loss = history.history["loss"]
    assert all(b > a for a, b in zip(loss, loss[1:]))
    assert stop.best_epoch == 0
    assert len(loss) == 3


def test_early_stopping_min_delta_and_max_mode():
    stop = lw.EarlyStopping("val_accuracy", patience=2, min_delta=0.1)
    assert stop.mode == "max"
    model = lw.Sequential([lw.Dense(1, "sigmoid")], input_dim=1)
    stop.set_model(model)
    stop.on_train_begin({})
    for epoch, acc in enumerate([0.5, 0.65, 0.55, 0.7]):  # +0.15, then two below +0.1
        stop.on_epoch_end(epoch, {"val_accuracy": acc})
    assert stop.best == 0.65 and stop.best_epoch == 1
    assert model.stop_training is True and stop.stopped_epoch == 3


def test_early_stopping_without_the_monitored_key_raises():
    X, Y = blobs()
    model = lw.Sequential([lw.Dense(1, "sigmoid")], seed=0)
    with pytest.raises(ConfigError, match="val_loss"):
        model.fit(X, Y, epochs=3, callbacks=[lw.EarlyStopping()], verbose=0)
    with pytest.raises(ConfigError):
        lw.EarlyStopping(patience=-1)
    with pytest.raises(ConfigError):
        lw.EarlyStopping(mode="up")


def test_model_checkpoint_save_best_only_writes_on_improvement(tmp_path):
    every = lw.ModelCheckpoint(tmp_path / "best-{epoch}.npz", save_best_only=True)
    last = lw.ModelCheckpoint(tmp_path / "best.npz", save_best_only=True)
    _, history, recorder = bumped_run([every, last], epochs=15)
    val = history.history["val_loss"]
    improved = [e for e in range(len(val)) if val[e] < min(val[:e], default=np.inf)]
    assert improved == list(range(6))
    written = sorted(int(p.stem.split("-")[1]) for p in tmp_path.glob("best-*.npz"))
    assert written == improved
    best = lw.load(tmp_path / "best.npz")
    for name, value in best.parameters.items():
        np.testing.assert_array_equal(value, recorder.params[5][name])
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_model_checkpoint_every_epoch(tmp_path):
    X, Y = blobs()
    model = lw.Sequential([lw.Dense(3, "tanh"), lw.Dense(1, "sigmoid")], seed=0)
    cb = lw.ModelCheckpoint(tmp_path / "e{epoch}.npz", monitor="loss")
    model.fit(X, Y, epochs=4, callbacks=[cb], verbose=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"e{i}.npz" for i in range(4)]
    final = lw.load(tmp_path / "e3.npz")
    np.testing.assert_array_equal(final.predict_proba(X), model.predict_proba(X))


def test_model_checkpoint_save_best_only_without_the_key_raises(tmp_path):
    X, Y = blobs()
    model = lw.Sequential([lw.Dense(1, "sigmoid")], seed=0)
    cb = lw.ModelCheckpoint(tmp_path / "m.npz", save_best_only=True)  # monitors val_loss
    with pytest.raises(ConfigError, match="val_loss"):
        model.fit(X, Y, epochs=2, callbacks=[cb], verbose=0)


def test_custom_callback_gets_the_documented_logs_and_can_stop():
    X, Y = blobs()
    X_dev, Y_dev = blobs(m=20, seed=3)

    class StopAtTwo(Recorder):
        def on_epoch_end(self, epoch, logs):
            super().on_epoch_end(epoch, logs)
            if epoch == 2:
                self.model.stop_training = True

    cb = StopAtTwo()
    model = lw.Sequential([lw.Dense(3, "tanh"), lw.Dense(1, "sigmoid")], seed=0)
    history = model.fit(
        X,
        Y,
        epochs=100,
        validation_data=(X_dev, Y_dev),
        callbacks=[cb],
        decay="inverse_time",
        verbose=0,
    )
    assert cb.model is model
    assert cb.calls == ["begin", 0, 1, 2, "end"]
    assert all(
        set(logs) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} for logs in cb.logs
    )
    assert history.epoch == [0, 1, 2]
    assert [logs["loss"] for logs in cb.logs] == history.history["loss"]


# --------------------------------------------------------------------------- messages
def test_early_stopping_says_where_it_stopped_and_what_it_restored():
    stop = lw.EarlyStopping("val_loss", patience=4, restore_best_weights=True)
    _, history, _ = bumped_run([stop])
    best = history.history["val_loss"][5]
    # epochs numbered as history.epoch, the cost lines and history.csv: from 0
    assert history.epoch[-1] == 9
    assert stop.message == (
        f"stopped at epoch 9; restored the weights of epoch 5 (best val_loss {best:.4g})"
    )


def test_early_stopping_message_without_restore():
    stop = lw.EarlyStopping("val_loss", patience=3)
    _, history, _ = bumped_run([stop])
    best = history.history["val_loss"][5]
    assert stop.message == f"stopped at epoch 8; best val_loss {best:.4g} at epoch 5"


def test_early_stopping_message_is_none_when_it_did_not_stop():
    stop = lw.EarlyStopping("val_loss", patience=50, restore_best_weights=True)
    assert stop.message is None
    _, history, _ = bumped_run([stop], epochs=12)
    assert len(history.epoch) == 12 and stop.stopped_epoch is None
    assert stop.message is None


def test_early_stopping_message_when_the_monitor_never_improved():
    stop = lw.EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    model = lw.Sequential([lw.Dense(1, "sigmoid")], input_dim=1)
    stop.set_model(model)
    stop.on_train_begin({})
    for epoch in range(2):
        stop.on_epoch_end(epoch, {"val_loss": float("nan")})
    stop.on_train_end({})
    assert stop.message == "stopped at epoch 1; val_loss never improved"


# --------------------------------------------------------------------------- state
def test_early_stopping_state_round_trips_through_json():
    stop = lw.EarlyStopping("val_loss", patience=3, restore_best_weights=True)
    assert stop.state_dict() == {
        "monitor": "val_loss",
        "mode": "min",
        "best": None,  # +inf before any epoch, kept JSON-able
        "best_epoch": -1,
        "wait": 0,
        "stopped_epoch": None,
    }
    _, history, _ = bumped_run([stop])
    state = stop.state_dict()
    assert state["best"] == history.history["val_loss"][5]
    assert (state["best_epoch"], state["wait"], state["stopped_epoch"]) == (5, 3, 8)
    assert "best_state" not in state
    text = json.dumps(state, allow_nan=False)
    again = lw.EarlyStopping("val_loss", patience=3, restore_best_weights=True)
    again.load_state_dict(json.loads(text))
    assert again.state_dict() == state
    assert (again.best, again.best_epoch, again.wait) == (state["best"], 5, 3)


def test_loaded_early_stopping_counters_carry_on_into_the_next_fit():
    """A resumed run keeps counting: with wait = patience - 1 and a best no epoch beats,
    the first epoch stops training; a fit without loading starts afresh."""
    X, Y = blobs()
    X_dev, Y_dev = blobs(m=30, seed=1)
    stop = lw.EarlyStopping("val_loss", patience=3)
    stop.load_state_dict(
        {
            "monitor": "val_loss",
            "mode": "min",
            "best": 0.0,
            "best_epoch": 41,
            "wait": 2,
            "stopped_epoch": None,
        }
    )
    model = lw.Sequential([lw.Dense(3, "tanh"), lw.Dense(1, "sigmoid")], seed=0)
    fit = dict(epochs=20, validation_data=(X_dev, Y_dev), callbacks=[stop], verbose=0)
    history = model.fit(X, Y, **fit)
    assert history.epoch == [0]
    assert stop.message == "stopped at epoch 0; best val_loss 0 at epoch 41"
    history = model.fit(X, Y, **fit)  # nothing loaded: fresh counters, the dev loss improves
    assert len(history.epoch) == 20 and stop.message is None
    assert stop.best_epoch == 19


def test_counters_loaded_during_a_fit_do_not_leak_into_the_next():
    """A resumed fit loads the counters after on_train_begin; the fit after it starts
    afresh."""
    X, Y = blobs()
    X_dev, Y_dev = blobs(m=30, seed=1)
    stop = lw.EarlyStopping("val_loss", patience=3)
    saved = {
        "monitor": "val_loss",
        "mode": "min",
        "best": 0.0,
        "best_epoch": 41,
        "wait": 2,
        "stopped_epoch": None,
    }

    class LoadAtStart(lw.Callback):
        def on_train_begin(self, logs=None):
            stop.load_state_dict(saved)

    model = lw.Sequential([lw.Dense(3, "tanh"), lw.Dense(1, "sigmoid")], seed=0)
    fit = dict(epochs=20, validation_data=(X_dev, Y_dev), verbose=0)
    history = model.fit(X, Y, callbacks=[stop, LoadAtStart()], **fit)
    assert history.epoch == [0] and stop.best_epoch == 41
    history = model.fit(X, Y, callbacks=[stop], **fit)
    assert len(history.epoch) == 20 and stop.best_epoch == 19


def test_early_stopping_refuses_a_state_of_another_monitor_or_shape():
    state = lw.EarlyStopping("val_loss").state_dict()
    with pytest.raises(ConfigError, match="monitors 'val_accuracy'"):
        lw.EarlyStopping("val_accuracy").load_state_dict(state)
    with pytest.raises(ConfigError, match="keys"):
        lw.EarlyStopping().load_state_dict({k: v for k, v in state.items() if k != "wait"})
    with pytest.raises(ConfigError, match="wait must be an integer"):
        lw.EarlyStopping().load_state_dict({**state, "wait": 1.5})
    with pytest.raises(ConfigError, match="best must be a number"):
        lw.EarlyStopping().load_state_dict({**state, "best": "low"})


def test_model_checkpoint_state_round_trips_and_a_resumed_run_saves_only_better(tmp_path):
    first = lw.ModelCheckpoint(tmp_path / "a-{epoch}.npz", save_best_only=True)
    assert first.state_dict() == {
        "monitor": "val_loss",
        "mode": "min",
        "best": None,
        "best_epoch": -1,
    }
    _, history, _ = bumped_run([first], epochs=15)
    state = json.loads(json.dumps(first.state_dict(), allow_nan=False))
    assert state == {
        "monitor": "val_loss",
        "mode": "min",
        "best": history.history["val_loss"][5],
        "best_epoch": 5,
    }
    # The same run again, resumed from that state: no epoch beats the best, nothing saved.
    resumed = lw.ModelCheckpoint(tmp_path / "b-{epoch}.npz", save_best_only=True)
    resumed.load_state_dict(state)
    bumped_run([resumed], epochs=15)
    assert not list(tmp_path.glob("b-*.npz"))
    assert resumed.state_dict() == state
    with pytest.raises(ConfigError, match="monitors 'loss'"):
        lw.ModelCheckpoint(tmp_path / "c.npz", monitor="loss").load_state_dict(state)
