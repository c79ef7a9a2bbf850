"""Resuming training bit for bit: 10 epochs + save/load + 10 epochs == 20 epochs for every
architecture x optimiser x batching x decay x dtype; a process killed with SIGKILL and
run again with ``resume=True``; Ctrl-C writing a checkpoint; the non-finite guard
(TrainingDivergedError with the last finite state put back); the decay schedule
continuing across ``fit`` calls."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import layerwise as lw
from layerwise.errors import TrainingDivergedError
from layerwise.io import read_model
from layerwise.schedules import InverseTimeDecay

# ------------------------------------------------------------------ shared set-up
_rng = np.random.default_rng(2024)
X = _rng.standard_normal((4, 64))
Y = (X[:1] * X[1:2] + 0.5 * X[2:3] > 0).astype(float)  # 2 classes, (1, 64)

ARCHITECTURES = ("plain", "dropout", "batchnorm")
OPTIMIZERS = {"gd": 0.1, "momentum": 0.1, "rmsprop": 0.005, "adam": 0.01}  # name: alpha
BATCHINGS = {"fullbatch": None, "minibatch": 16}
DECAYS = (None, "inverse_time", "sqrt_step")
DTYPES = ("float32", "float64")


def layers(arch: str) -> list[lw.Layer]:
    if arch == "plain":
        return [lw.Dense(8, "relu"), lw.Dense(6, "tanh"), lw.Dense(1, "sigmoid")]
    if arch == "dropout":
        return [lw.Dense(8, "relu"), lw.Dropout(0.8), lw.Dense(6, "relu"), lw.Dense(1, "sigmoid")]
    assert arch == "batchnorm"
    return [
        lw.Dense(8, "linear", use_bias=False),
        lw.BatchNorm(),
        lw.Activation("relu"),
        lw.Dense(6, "relu"),
        lw.Dense(1, "sigmoid"),
    ]


def make_model(arch: str, dtype: str) -> lw.Sequential:
    return lw.Sequential(layers(arch), seed=3, dtype=dtype)


def first_fit_kwargs(opt: str, batching: str, decay: str | None) -> dict:
    """A fresh optimiser: name, alpha, batching (shuffled mini-batches) and decay."""
    return dict(
        optimizer=opt,
        learning_rate=OPTIMIZERS[opt],
        batch_size=BATCHINGS[batching],
        shuffle=True,
        decay=decay,
        verbose=0,
    )


def params_of(model: lw.Sequential) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in model.parameters.items()}


def assert_arrays_equal(a: dict, b: dict, what: str) -> None:
    """Same keys, and every array bit-identical with the same dtype."""
    assert sorted(a) == sorted(b), what
    for key in a:
        x, y = np.asarray(a[key]), np.asarray(b[key])
        assert x.dtype == y.dtype, f"{what}: {key} {x.dtype} != {y.dtype}"
        assert np.array_equal(x, y), f"{what}: {key} differs"


def assert_same_state(a: dict, b: dict, what: str) -> None:
    """Two flat states (``state_dict()`` or a model file's state): arrays bit-identical,
    JSON-able entries (generator states, configs, counters) equal."""
    assert sorted(a) == sorted(b), what
    arrays = [k for k in a if isinstance(a[k], np.ndarray)]
    assert_arrays_equal({k: a[k] for k in arrays}, {k: b[k] for k in arrays}, what)
    for key in set(a) - set(arrays):
        assert a[key] == b[key], f"{what}: {key} differs"


def assert_same_training(a: lw.Sequential, b: lw.Sequential) -> None:
    assert_arrays_equal(a.parameters, b.parameters, "parameters")
    assert_arrays_equal(a.optimizer_.state_dict(), b.optimizer_.state_dict(), "optimizer")
    assert a.optimizer_.learning_rate == b.optimizer_.learning_rate
    assert a.epochs_trained_ == b.epochs_trained_
    assert_same_state(a.state_dict(), b.state_dict(), "state_dict")


def assert_same_history(full: dict, part: dict, start: int) -> None:
    """``part`` is ``full`` from epoch ``start`` on, bit for bit, every key."""
    assert sorted(full) == sorted(part)
    for key in full:
        assert np.array_equal(full[key][start:], part[key]), key


# ------------------------------------------------------------------ 1. 10 + 10 == 20
COMBINATIONS = list(itertools.product(ARCHITECTURES, OPTIMIZERS, BATCHINGS, DECAYS, DTYPES))


def combo_id(combo) -> str:
    arch, opt, batching, decay, dtype = combo
    return f"{arch}-{opt}-{batching}-{decay or 'nodecay'}-{dtype}"


@pytest.fixture(scope="module")
def straight_runs() -> dict:
    """combination -> (model after 20 straight epochs, its History); each built once."""
    return {}


def straight(cache: dict, combo) -> tuple[lw.Sequential, lw.History]:
    if combo not in cache:
        arch, opt, batching, decay, dtype = combo
        model = make_model(arch, dtype)
        history = model.fit(X, Y, epochs=20, **first_fit_kwargs(opt, batching, decay))
        cache[combo] = (model, history)
    return cache[combo]


@pytest.mark.parametrize("combo", COMBINATIONS, ids=[combo_id(c) for c in COMBINATIONS])
def test_ten_save_load_ten_equals_twenty(combo, straight_runs, tmp_path):
    arch, opt, batching, decay, dtype = combo
    a, history_a = straight(straight_runs, combo)

    b = make_model(arch, dtype)
    b.fit(X, Y, epochs=10, **first_fit_kwargs(opt, batching, decay))
    halfway = params_of(b)
    b.save(tmp_path / "half.npz")
    c = lw.load(tmp_path / "half.npz")
    assert c.epochs_trained_ == 10
    history_c = c.fit(
        X, Y, epochs=10, optimizer=None, decay=decay, batch_size=BATCHINGS[batching], verbose=0
    )

    assert_same_training(a, c)
    assert_same_history(history_a.history, history_c.history, 10)
    assert c.epochs_trained_ == 20
    assert any(not np.array_equal(halfway[k], c.parameters[k]) for k in halfway)  # it trained


IN_MEMORY = [
    ("plain", "momentum", "fullbatch", "inverse_time", "float32"),
    ("dropout", "adam", "minibatch", "inverse_time", "float32"),
    ("batchnorm", "rmsprop", "minibatch", "sqrt_step", "float64"),
    ("batchnorm", "adam", "minibatch", None, "float64"),
    ("dropout", "gd", "minibatch", "sqrt_step", "float64"),
]


@pytest.mark.parametrize("decay_again", [True, False], ids=["decay-again", "decay-omitted"])
@pytest.mark.parametrize("combo", IN_MEMORY, ids=[combo_id(c) for c in IN_MEMORY])
def test_ten_then_ten_in_memory_equals_twenty(combo, decay_again, straight_runs):
    """A second ``fit`` on the same model with optimizer=None continues the optimiser and
    the schedule; the schedule need not be named again."""
    arch, opt, batching, decay, dtype = combo
    a, history_a = straight(straight_runs, combo)

    b = make_model(arch, dtype)
    b.fit(X, Y, epochs=10, **first_fit_kwargs(opt, batching, decay))
    again = {"decay": decay} if decay_again else {}
    history_b = b.fit(
        X, Y, epochs=10, optimizer=None, batch_size=BATCHINGS[batching], verbose=0, **again
    )

    assert_same_training(a, b)
    assert_same_history(history_a.history, history_b.history, 10)


@pytest.mark.parametrize(
    "combo",
    [("dropout", "adam", "minibatch", "inverse_time", "float32")],
    ids=combo_id,
)
def test_loaded_model_continues_schedule_without_naming_it(combo, straight_runs, tmp_path):
    arch, opt, batching, decay, dtype = combo
    a, _ = straight(straight_runs, combo)
    b = make_model(arch, dtype)
    b.fit(X, Y, epochs=10, **first_fit_kwargs(opt, batching, decay))
    b.save(tmp_path / "half.npz")
    c = lw.load(tmp_path / "half.npz")
    c.fit(X, Y, epochs=10, optimizer=None, batch_size=BATCHINGS[batching], verbose=0)
    assert_same_training(a, c)


# ------------------------------------------------------------------ 2. SIGKILL and resume
EPOCHS, SLEEP = 40, 0.025

SCRIPT = f"""
import sys
import time
from pathlib import Path

import numpy as np

import layerwise as lw

dtype, case, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
rng = np.random.default_rng(12)
X = rng.standard_normal((4, 64))
Y = (X[:1] * X[1:2] + 0.5 * X[2:3] > 0).astype(float)
if case == "adam-inverse_time-dropout-batchnorm-shuffled":
    layers = [
        lw.Dense(8, "linear", use_bias=False), lw.BatchNorm(), lw.Activation("relu"),
        lw.Dropout(0.8), lw.Dense(6, "relu"), lw.Dense(1, "sigmoid"),
    ]
    kwargs = dict(optimizer="adam", learning_rate=0.01, decay="inverse_time",
                  batch_size=16, shuffle=True)
elif case == "momentum-nodecay-plain-fullbatch":
    layers = [lw.Dense(8, "relu"), lw.Dense(6, "tanh"), lw.Dense(1, "sigmoid")]
    kwargs = dict(optimizer="momentum", learning_rate=0.1, batch_size=None)
else:
    raise SystemExit("unknown case " + case)


class Slow(lw.Callback):
    first = None

    def on_epoch_end(self, epoch, logs):
        if self.first is None:
            self.first = epoch
            print("first epoch", epoch, flush=True)
        time.sleep({SLEEP})


model = lw.Sequential(layers, seed=7, dtype=dtype)
model.fit(X, Y, epochs={EPOCHS}, checkpoint=folder / "ckpt.npz", checkpoint_every=1,
          resume=True, callbacks=[Slow()], verbose=0, **kwargs)
model.save(folder / "final.npz")
"""

SUBPROCESS_ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
ADAM_FULL = "adam-inverse_time-dropout-batchnorm-shuffled"
MOMENTUM_PLAIN = "momentum-nodecay-plain-fullbatch"
KILL_CASES = [  # (dtype, case, kill once the checkpoint holds at least this many epochs)
    ("float32", ADAM_FULL, 2),
    ("float64", ADAM_FULL, 10),
    ("float32", ADAM_FULL, 25),
    ("float64", MOMENTUM_PLAIN, 2),
    ("float32", MOMENTUM_PLAIN, 10),
    ("float64", MOMENTUM_PLAIN, 25),
]


def start_script(script: Path, dtype: str, case: str, folder: Path) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-c", script.read_text(), dtype, case, str(folder)],
        env=SUBPROCESS_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen, timeout: float = 120) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"training script failed ({proc.returncode}):\n{err}"
    return out


def checkpoint_epoch(path: Path) -> int:
    """Epochs recorded in the checkpoint at ``path``; -1 before it exists."""
    if not path.exists():
        return -1
    return int(read_model(path)[1]["checkpoint/epoch"])


class References:
    """Uninterrupted runs, one per (dtype, case), started in the background on first use
    (they run while the interrupted run does) and shared between kill points."""

    def __init__(self, base: Path) -> None:
        self.base, self.procs, self.done = base, {}, {}

    def start(self, script: Path, dtype: str, case: str) -> None:
        key = (dtype, case)
        if key not in self.procs:
            folder = self.base / f"{dtype}-{case}"
            self.procs[key] = (start_script(script, dtype, case, folder), folder)

    def folder(self, dtype: str, case: str) -> Path:
        proc, folder = self.procs[(dtype, case)]
        if (dtype, case) not in self.done:
            out = finish(proc)
            assert "first epoch 0" in out
            self.done[(dtype, case)] = True
        return folder

    def close(self) -> None:
        for proc, _ in self.procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


@pytest.fixture(scope="module")
def script_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("script") / "train.py"
    path.write_text(SCRIPT)
    return path


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    refs = References(tmp_path_factory.mktemp("uninterrupted"))
    yield refs
    refs.close()


@pytest.mark.parametrize(
    ("dtype", "case", "kill_after"),
    KILL_CASES,
    ids=[f"{d}-{c}-kill-after-{k}" for d, c, k in KILL_CASES],
)
def test_sigkill_then_resume_equals_uninterrupted(
    dtype, case, kill_after, script_file, references, tmp_path
):
    references.start(script_file, dtype, case)
    ckpt = tmp_path / "ckpt.npz"
    proc = start_script(script_file, dtype, case, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while checkpoint_epoch(ckpt) < kill_after:
            assert proc.poll() is None, f"the script ended early:\n{proc.communicate()[1]}"
            assert time.monotonic() < deadline, "no checkpoint progress within 60 s"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the script finished before it was killed"
    assert not (tmp_path / "final.npz").exists()
    killed_at = checkpoint_epoch(ckpt)
    assert kill_after <= killed_at < EPOCHS

    out = finish(start_script(script_file, dtype, case, tmp_path))
    assert f"first epoch {killed_at}" in out  # it resumed rather than started afresh

    reference = references.folder(dtype, case)
    _, ours = read_model(tmp_path / "final.npz")
    _, theirs = read_model(reference / "final.npz")
    assert_arrays_equal(
        {k: v for k, v in ours.items() if k.startswith("param/")},
        {k: v for k, v in theirs.items() if k.startswith("param/")},
        "parameters",
    )
    assert_arrays_equal(
        {k: v for k, v in ours.items() if k.startswith("optimizer/")},
        {k: v for k, v in theirs.items() if k.startswith("optimizer/")},
        "optimizer state",
    )
    assert_same_state(ours, theirs, "final model file")
    _, ckpt_ours = read_model(ckpt)
    _, ckpt_theirs = read_model(reference / "ckpt.npz")
    assert ckpt_ours["checkpoint/epoch"] == ckpt_theirs["checkpoint/epoch"] == EPOCHS
    assert ckpt_ours["checkpoint/history"] == ckpt_theirs["checkpoint/history"]


# ------------------------------------------------------------------ 3. Ctrl-C
class InterruptAt(lw.Callback):
    """Raises KeyboardInterrupt at the end of epoch ``at``; records the parameters after
    every epoch before it."""

    def __init__(self, at: int) -> None:
        self.at, self.after = at, {}

    def on_epoch_end(self, epoch, logs):
        if epoch == self.at:
            raise KeyboardInterrupt
        self.after[epoch] = params_of(self.model)


CTRL_C_KWARGS = first_fit_kwargs("adam", "minibatch", "inverse_time")
CTRL_C_EPOCHS = 12


def interrupted_run(path: Path) -> tuple[lw.Sequential, InterruptAt]:
    """A run interrupted at epoch 5; the checkpoint is written only by the Ctrl-C handler
    (checkpoint_every is beyond the run)."""
    model = make_model("dropout", "float32")
    stop = InterruptAt(5)
    with pytest.raises(KeyboardInterrupt):
        model.fit(
            X,
            Y,
            epochs=CTRL_C_EPOCHS,
            checkpoint=path,
            checkpoint_every=1000,
            resume=True,
            callbacks=[stop],
            **CTRL_C_KWARGS,
        )
    return model, stop


@pytest.mark.parametrize("resume_on", ["fresh-model", "interrupted-model"])
def test_ctrl_c_writes_checkpoint_and_resume_matches(resume_on, tmp_path):
    uninterrupted = make_model("dropout", "float32")
    uninterrupted.fit(X, Y, epochs=CTRL_C_EPOCHS, **CTRL_C_KWARGS)

    path = tmp_path / "ckpt.npz"
    model, stop = interrupted_run(path)
    assert path.exists()
    _, state = read_model(path)
    assert state["checkpoint/epoch"] == 5  # epochs 0-4 completed; epoch 5 was interrupted
    assert state["epochs_trained"] == 5
    assert state["checkpoint/history"]["epoch"] == [0, 1, 2, 3, 4]
    assert int(state["optimizer/t"]) == 5 * (64 // 16)
    assert_arrays_equal(
        {k[len("param/") :]: v for k, v in state.items() if k.startswith("param/")},
        stop.after[4],
        "checkpoint parameters vs after epoch 4",
    )

    resumed = make_model("dropout", "float32") if resume_on == "fresh-model" else model
    resumed.fit(X, Y, epochs=CTRL_C_EPOCHS, checkpoint=path, resume=True, **CTRL_C_KWARGS)
    assert_same_training(uninterrupted, resumed)
    assert read_model(path)[1]["checkpoint/epoch"] == CTRL_C_EPOCHS


def test_ctrl_c_checkpoint_history_matches_its_epochs(tmp_path):
    uninterrupted = make_model("dropout", "float32")
    history = uninterrupted.fit(X, Y, epochs=CTRL_C_EPOCHS, **CTRL_C_KWARGS)

    path = tmp_path / "ckpt.npz"
    interrupted_run(path)
    saved = read_model(path)[1]["checkpoint/history"]
    resumed = make_model("dropout", "float32")
    resumed_history = resumed.fit(
        X, Y, epochs=CTRL_C_EPOCHS, checkpoint=path, resume=True, **CTRL_C_KWARGS
    )
    assert {k: len(v) for k, v in saved.items()} == {k: 5 for k in saved}
    assert resumed_history.epoch == history.epoch
    assert_same_history(history.history, resumed_history.history, 0)


# ------------------------------------------------------------------ 4. the non-finite guard
class Recorder(lw.Callback):
    """after[e]: the model's whole state (``state_dict()``: parameters, generator, optimiser
    and its t, epoch count) after epoch e; after[-1]: as training began."""

    def on_train_begin(self, logs=None):
        self.after = {-1: self.model.state_dict()}

    def on_epoch_end(self, epoch, logs):
        self.after[epoch] = self.model.state_dict()


def all_finite(params: dict) -> bool:
    return all(np.isfinite(v).all() for v in params.values())


def assert_restored(model: lw.Sequential, recorder: Recorder, err: TrainingDivergedError):
    """The model holds exactly the state before the diverging epoch, and it is finite."""
    assert sorted(recorder.after) == list(range(-1, err.epoch))
    assert all_finite(model.parameters)
    assert_same_state(model.state_dict(), recorder.after[err.epoch - 1], "restored state")
    assert model.epochs_trained_ == err.epoch
    assert err.history.epoch == list(range(err.epoch))
    assert np.isfinite(err.history.history.get("loss", [])).all()
    assert f"epoch {err.epoch}" in str(err)


REGRESSION_CASES = [  # (dtype, batching, alpha)
    ("float32", "fullbatch", 1e6),
    ("float64", "fullbatch", 1e6),
    ("float32", "minibatch", 1e3),  # diverges after some steps of epoch 0
    ("float64", "minibatch", 1e3),  # diverges after some steps of epoch 1
]


@pytest.mark.parametrize(
    ("dtype", "batching", "alpha"),
    REGRESSION_CASES,
    ids=[f"{d}-{b}-lr{a:g}" for d, b, a in REGRESSION_CASES],
)
def test_huge_learning_rate_diverges_to_last_finite_state(dtype, batching, alpha, tmp_path):
    Y_reg = 1e4 * (1.0 + X[:1])  # targets ~1e4, linear output
    model = lw.Sequential(
        [lw.Dense(8, "relu"), lw.Dense(1, "linear")], input_dim=4, seed=1, dtype=dtype
    )
    recorder = Recorder()
    ckpt = tmp_path / "ckpt.npz"
    with pytest.raises(TrainingDivergedError) as info:
        model.fit(
            X,
            Y_reg,
            epochs=200,
            optimizer="gd",
            learning_rate=alpha,
            batch_size=BATCHINGS[batching],
            callbacks=[recorder],
            checkpoint=ckpt,
            verbose=0,
        )
    err = info.value
    if batching == "fullbatch":
        assert err.epoch >= 1  # some finite epochs first, so "before" is not just the start
    assert_restored(model, recorder, err)
    assert "smaller learning rate" in str(err)
    assert f"{alpha:g}" in str(err)
    # the last checkpoint is the last finite state (none before the first epoch ends)
    assert checkpoint_epoch(ckpt) == (err.epoch if err.epoch > 0 else -1)

    model.save(tmp_path / "model.npz")
    loaded = lw.load(tmp_path / "model.npz")
    before = recorder.after[err.epoch - 1]
    assert_arrays_equal(
        {f"param/{k}": v for k, v in loaded.parameters.items()},
        {k: v for k, v in before.items() if k.startswith("param/")},
        "saved",
    )


OVERFLOW_CASES = [  # (output activation, alpha, what becomes non-finite first)
    ("sigmoid", 0.01, "the cost"),
    ("linear", 0.01, "a parameter"),  # MSE is summed in float64: 1e60 is finite there
    ("sigmoid", 1e9, "a parameter"),  # the cost is finite (clipped); the step overflows
]


@pytest.mark.parametrize(
    ("output", "alpha", "what"),
    OVERFLOW_CASES,
    ids=[f"{o}-lr{a:g}" for o, a, _ in OVERFLOW_CASES],
)
def test_float32_overflowing_inputs_diverge_with_finite_model(output, alpha, what, tmp_path):
    X_huge = np.full((4, 64), 1e30)  # representable in float32; its products are not
    X_huge[:, ::2] *= -1
    model = lw.Sequential([lw.Dense(8, "relu"), lw.Dense(1, output)], input_dim=4, seed=1)
    recorder = Recorder()
    with pytest.raises(TrainingDivergedError) as info:
        model.fit(X_huge, Y, epochs=50, learning_rate=alpha, callbacks=[recorder], verbose=0)
    err = info.value
    assert model.dtype == np.float32
    assert_restored(model, recorder, err)
    assert f"{what} became" in str(err)
    model.save(tmp_path / "model.npz")
    assert all_finite(lw.load(tmp_path / "model.npz").parameters)


@pytest.mark.parametrize("dtype", DTYPES)
def test_stop_on_nonfinite_false_trains_to_nan(dtype):
    Y_reg = 1e4 * (1.0 + X[:1])
    model = lw.Sequential(
        [lw.Dense(8, "relu"), lw.Dense(1, "linear")], input_dim=4, seed=1, dtype=dtype
    )
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = model.fit(
            X,
            Y_reg,
            epochs=30,
            optimizer="gd",
            learning_rate=1e6,
            stop_on_nonfinite=False,
            verbose=0,
        )
    assert history.epoch == list(range(30))
    assert model.epochs_trained_ == 30
    assert np.isnan(history.history["loss"][-1])
    assert not all_finite(model.parameters)


# ------------------------------------------------------------------ 5. the schedule continues
@pytest.mark.parametrize(
    "splits",
    [(20,), (10, 10), (5, 5, 10), (1,) * 20],
    ids=["20", "10+10", "5+5+10", "20x1"],
)
@pytest.mark.parametrize("decay_again", [True, False], ids=["decay-again", "decay-omitted"])
def test_inverse_time_decay_continues_across_fit_calls(splits, decay_again):
    alpha0 = 0.01
    model = make_model("plain", "float64")
    model.fit(
        X,
        Y,
        epochs=splits[0],
        optimizer="gd",
        learning_rate=alpha0,
        decay=InverseTimeDecay(0.5),
        verbose=0,
    )
    for epochs in splits[1:]:
        again = {"decay": InverseTimeDecay(0.5)} if decay_again else {}
        model.fit(X, Y, epochs=epochs, optimizer=None, verbose=0, **again)

    straight_model = make_model("plain", "float64")
    straight_model.fit(
        X,
        Y,
        epochs=20,
        optimizer="gd",
        learning_rate=alpha0,
        decay=InverseTimeDecay(0.5),
        verbose=0,
    )
    # the 20th epoch (index 19) trains at alpha0 / (1 + 0.5 * 19) ~ 0.00095
    assert straight_model.optimizer_.learning_rate == alpha0 / (1 + 0.5 * 19)
    assert model.optimizer_.learning_rate == straight_model.optimizer_.learning_rate
    assert model.alpha0_ == alpha0
    assert model.epochs_trained_ == 20
    assert_same_training(straight_model, model)
