"""The Keras-style callbacks people expect: CSVLogger, LearningRateScheduler,
ReduceLROnPlateau, per-batch hooks, and progress lines that never wrap when piped."""

import csv

import numpy as np
import pytest

import layerwise as lw
from layerwise.callbacks import CSVLogger, LearningRateScheduler, ReduceLROnPlateau


def _data(seed=0, m=64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(3, m))
    return X, (X[0] + 0.5 * X[1] > 0).astype(int).reshape(1, -1)


def _model(seed=0):
    return lw.Sequential([lw.Dense(6, "tanh"), lw.Dense(1, "sigmoid")], seed=seed)


def test_csv_logger_writes_one_row_per_epoch_as_history(tmp_path):
    X, Y = _data()
    path = tmp_path / "log.csv"
    history = _model().fit(
        X, Y, epochs=7, validation_data=_data(1, 20), callbacks=[CSVLogger(path)], verbose=0
    )
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert [int(r[0]) for r in rows[1:]] == list(range(7))
    np.testing.assert_array_equal([float(r[1]) for r in rows[1:]], history.history["loss"])


def test_learning_rate_scheduler_sets_alpha_each_epoch():
    X, Y = _data()
    seen = []

    class Watch(lw.Callback):
        def on_epoch_end(self, epoch, logs):
            seen.append(self.model.optimizer_.learning_rate)

    schedule = LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    _model().fit(X, Y, epochs=4, optimizer="gd", callbacks=[schedule, Watch()], verbose=0)
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3, 0.025])


def test_reduce_lr_on_plateau_divides_alpha_after_patience_epochs():
    """A monitor that never improves after epoch 0: alpha is cut every 2 epochs."""
    X, Y = _data()
    seen = []

    class Flat(lw.Callback):
        def on_epoch_end(self, epoch, logs):
            logs["val_loss"] = 1.0  # runs before the reducer: a plateau from the start
            seen.append(self.model.optimizer_.learning_rate)

    reducer = ReduceLROnPlateau(factor=0.5, patience=2, min_lr=0.01)
    _model().fit(
        X, Y, epochs=9, optimizer="gd", learning_rate=0.1, callbacks=[Flat(), reducer], verbose=0
    )
    # seen[e] is alpha during epoch e; cuts after epochs 2, 4, 6 (then the floor 0.01)
    assert seen == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125])
    assert reducer.state_dict() == {"best": 1.0, "wait": 0, "cooling": 0}


def test_batch_hooks_see_every_step():
    X, Y = _data(m=50)
    steps = []

    class Batches(lw.Callback):
        def on_batch_end(self, batch, logs):
            steps.append((batch, logs["size"], np.isfinite(logs["loss"])))

    _model().fit(X, Y, epochs=2, batch_size=16, callbacks=[Batches()], verbose=0)
    assert steps == [(0, 16, True), (1, 16, True), (2, 16, True), (3, 2, True)] * 2


def test_piped_cost_lines_are_whole(capfd):
    """With stdout/stderr not a terminal, each cost line is one physical line, however
    long the logs are."""
    X, Y = _data()
    _model().fit(
        X,
        Y,
        epochs=3,
        validation_data=_data(1, 20),
        verbose=1,
        print_every=1,
        callbacks=[CSVLogger("/dev/null")],
    )
    out = capfd.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == [f"Cost after iteration {e}" for e in range(3)]
    assert all("val_accuracy" in line for line in out)
