"""Callbacks run by the training loop, Keras style: ``on_epoch_end(epoch, logs)``.

``logs`` holds the epoch's "loss" and "accuracy" (and "val_loss", "val_accuracy" with
validation data, and "lr"). A callback stops training by setting
``model.stop_training = True``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from .checks import in_range, non_negative_int
from .errors import ConfigError


class Callback:
    """Base class; every hook is optional."""

    def set_model(self, model) -> None:
        self.model = model

    def on_train_begin(self, logs: dict | None = None) -> None: ...

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...

    def on_batch_end(self, batch: int, logs: dict) -> None:
        """After each mini-batch step; ``logs``: {"size": m_t, "loss": J{t}}."""

    def on_epoch_end(self, epoch: int, logs: dict) -> None: ...

    def on_train_end(self, logs: dict | None = None) -> None: ...


class CallbackList(Callback):
    """Several callbacks run as one, in order."""

    def __init__(self, callbacks: list[Callback]) -> None:
        self.callbacks = list(callbacks)

    def set_model(self, model) -> None:
        for cb in self.callbacks:
            cb.set_model(model)

    def on_train_begin(self, logs: dict | None = None) -> None:
        for cb in self.callbacks:
            cb.on_train_begin(logs or {})

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs or {})

    def on_batch_end(self, batch: int, logs: dict) -> None:
        for cb in self.batch_callbacks:
            cb.on_batch_end(batch, logs)

    @property
    def batch_callbacks(self) -> list[Callback]:
        """The callbacks that override ``on_batch_end`` (the others cost nothing per batch)."""
        return [cb for cb in self.callbacks if type(cb).on_batch_end is not Callback.on_batch_end]

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_end(self, logs: dict | None = None) -> None:
        for cb in self.callbacks:
            cb.on_train_end(logs or {})


class History(Callback):
    """``history``: {"loss": [...], "accuracy": [...], "val_loss": [...], ...}, one entry per
    epoch (per iteration for full-batch gradient descent)."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


def _monitor_mode(monitor: str, mode: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ConfigError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        return "max" if "acc" in monitor else "min"
    return mode


class CSVLogger(Callback):
    """Append one row per epoch (epoch and every log) to a CSV file, flushed as it goes,
    so a long run can be watched (``tail -f``) and survives a crash up to its last epoch.
    ``append=False`` starts the file afresh."""

    def __init__(self, path: str | os.PathLike, append: bool = False) -> None:
        self.path = Path(path)
        self.append = bool(append)
        self._keys: list[str] | None = None

    def on_train_begin(self, logs=None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.append:
            self.path.write_text("")
        self._keys = None

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self._keys is None:
            self._keys = list(logs)
            if self.path.stat().st_size == 0:
                self._write(["epoch", *self._keys])
        self._write([str(epoch), *(repr(float(logs.get(k, math.nan))) for k in self._keys)])

    def _write(self, row: list[str]) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(",".join(row) + "\n")
            fh.flush()


class LearningRateScheduler(Callback):
    """Set alpha at the start of each epoch to ``schedule(epoch, alpha)`` (Keras's
    callback); for the course's decay formulas prefer ``fit(decay=...)``."""

    def __init__(self, schedule) -> None:
        if not callable(schedule):
            raise ConfigError("LearningRateScheduler takes a function (epoch, lr) -> lr")
        self.schedule = schedule

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        opt = self.model.optimizer_
        opt.learning_rate = in_range(self.schedule(epoch, opt.learning_rate), "the new rate", 0.0)


class ReduceLROnPlateau(Callback):
    """Multiply alpha by ``factor`` when ``monitor`` has not improved by ``min_delta``
    for ``patience`` epochs, waiting ``cooldown`` epochs after each reduction, never
    below ``min_lr``. With a decay schedule the schedule's base rate alpha0 is reduced."""

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        mode: str = "auto",
    ) -> None:
        self.monitor = monitor
        self.factor = in_range(factor, "ReduceLROnPlateau factor", 0.0, 1.0, low_open=True)
        self.patience = non_negative_int(patience, "ReduceLROnPlateau patience")
        self.min_delta = abs(float(min_delta))
        self.cooldown = non_negative_int(cooldown, "ReduceLROnPlateau cooldown")
        self.min_lr = in_range(min_lr, "ReduceLROnPlateau min_lr", 0.0)
        self.mode = _monitor_mode(monitor, mode)
        self.best, self.wait, self.cooling = None, 0, 0

    def on_train_begin(self, logs=None) -> None:
        if self.best is None:
            self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.monitor not in logs:
            raise ConfigError(
                f"ReduceLROnPlateau monitors {self.monitor!r} but the logs have "
                f"{sorted(logs)}; pass validation_data= to monitor val_ metrics"
            )
        value = float(logs[self.monitor])
        better = (
            value < self.best - self.min_delta
            if self.mode == "min"
            else value > self.best + self.min_delta
        )
        if better:
            self.best, self.wait = value, 0
        elif self.cooling > 0:
            self.cooling -= 1
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self._reduce()
                self.wait, self.cooling = 0, self.cooldown

    def _reduce(self) -> None:
        model = self.model
        opt = model.optimizer_
        opt.learning_rate = max(opt.learning_rate * self.factor, self.min_lr)
        if getattr(model, "alpha0_", None) is not None and model.schedule_ is not None:
            model.alpha0_ = max(model.alpha0_ * self.factor, self.min_lr)

    def state_dict(self) -> dict:
        best = None if self.best is None or math.isinf(self.best) else self.best
        return {"best": best, "wait": self.wait, "cooling": self.cooling}

    def load_state_dict(self, state: dict) -> None:
        best = state.get("best")
        self.best = (math.inf if self.mode == "min" else -math.inf) if best is None else best
        self.wait, self.cooling = int(state["wait"]), int(state["cooling"])


class TerminateOnNaN(Callback):
    """Stop training after an epoch whose cost is NaN or inf (Keras's callback). ``fit``'s
    own guard (``stop_on_nonfinite``, on by default) already stops and puts back the last
    finite weights; this is for composing your own behaviour with the guard off."""

    def __init__(self) -> None:
        self.stopped_epoch: int | None = None

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if not math.isfinite(float(logs.get("loss", 0.0))):
            self.stopped_epoch = epoch
            self.model.stop_training = True


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience``
    epochs in a row (the last epoch run is then b + patience, b the best epoch, as in
    Keras); with ``restore_best_weights`` put back the model's state (parameters,
    batch-norm running statistics; not the optimiser's) of the best epoch.

    After training, ``message`` says what happened when it stopped training (None when
    it did not), e.g. "stopped at epoch 133; restored the weights of epoch 112 (best
    val_loss 0.0912)". Epochs are numbered as ``on_epoch_end`` receives them, like the
    cost lines and history.csv: the first is epoch 0.
    ``state_dict()``/``load_state_dict()`` carry the counters (best, best_epoch, wait,
    stopped_epoch) as JSON; the best epoch's weights (``best_state``) are not in it.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 10,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        self.monitor = monitor
        self.patience = non_negative_int(patience, "EarlyStopping patience")
        self.min_delta = abs(float(min_delta))
        self.mode = _monitor_mode(monitor, mode)
        self.restore_best_weights = restore_best_weights
        self._reset()
        self._loaded = False

    def _reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = -1
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_state: dict | None = None
        self.message: str | None = None

    def on_train_begin(self, logs=None) -> None:
        if self._loaded:  # a resumed run goes on from the loaded counters
            self._loaded = False
            self.stopped_epoch = self.message = None
        else:
            self._reset()

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.monitor not in logs:
            raise ConfigError(
                f"EarlyStopping monitors {self.monitor!r} but the logs have {sorted(logs)}; "
                "pass validation_data= to monitor val_ metrics"
            )
        value = float(logs[self.monitor])
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_state = self.model.state_dict(training=False)
        else:
            self.wait += 1
            if self.wait >= self.patience:  # ``patience`` epochs in a row without improvement
                self.stopped_epoch = epoch
                self.model.stop_training = True

    def on_train_end(self, logs=None) -> None:
        self._loaded = False  # loaded counters serve one fit (loaded before or during it)
        restored = self.restore_best_weights and self.best_state is not None
        if restored:
            self.model.load_state_dict(self.best_state, strict=False)
        if self.stopped_epoch is not None:
            self.message = self._describe(restored)

    def _describe(self, restored: bool) -> str:
        stopped = f"stopped at epoch {self.stopped_epoch}"
        if self.best_epoch < 0:
            return f"{stopped}; {self.monitor} never improved"
        best = f"best {self.monitor} {self.best:.4g}"
        if restored:
            return f"{stopped}; restored the weights of epoch {self.best_epoch} ({best})"
        return f"{stopped}; {best} at epoch {self.best_epoch}"

    def state_dict(self) -> dict[str, object]:
        """The counters, JSON-able (an infinite ``best``, nothing seen yet, is None)."""
        return {
            **_monitor_state(self),
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
        }

    def load_state_dict(self, state: dict) -> None:
        """Put back counters from ``state_dict()``: before a ``fit`` (its start keeps
        them) or during one, after ``on_train_begin`` (as a resumed ``fit`` does)."""
        _load_monitor_state(self, state, ("wait", "stopped_epoch"))
        self.wait = _state_int(self, state, "wait", 0)
        stopped = state["stopped_epoch"]
        self.stopped_epoch = None if stopped is None else _state_int(self, state, "stopped_epoch")
        self.message = None
        self._loaded = True


class ModelCheckpoint(Callback):
    """Save the model to ``path`` after each epoch, or only when ``monitor`` improves
    (``save_best_only``). ``path`` may contain ``{epoch}``. ``state_dict()`` and
    ``load_state_dict()`` carry ``best`` and ``best_epoch`` (the epoch last saved as the
    best) as JSON, so a resumed run saves only what beats the best so far."""

    def __init__(
        self,
        path: str | os.PathLike,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
    ) -> None:
        self.path = str(path)
        self.monitor = monitor
        self.save_best_only = save_best_only
        self.mode = _monitor_mode(monitor, mode)
        self._reset()
        self._loaded = False

    def _reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = -1

    def on_train_begin(self, logs=None) -> None:
        if self._loaded:  # a resumed run goes on from the loaded counters
            self._loaded = False
        else:
            self._reset()

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.save_best_only:
            if self.monitor not in logs:
                raise ConfigError(
                    f"ModelCheckpoint monitors {self.monitor!r} but the logs have "
                    f"{sorted(logs)}; pass validation_data= to monitor val_ metrics"
                )
            value = logs[self.monitor]
            if not np.isfinite(value):
                return
            better = value < self.best if self.mode == "min" else value > self.best
            if not better:
                return
            self.best, self.best_epoch = float(value), epoch
        path = Path(self.path.format(epoch=epoch))
        self.model.save(path)

    def on_train_end(self, logs=None) -> None:
        self._loaded = False  # loaded counters serve one fit (loaded before or during it)

    def state_dict(self) -> dict[str, object]:
        """``best`` (None while infinite) and ``best_epoch``, JSON-able."""
        return _monitor_state(self)

    def load_state_dict(self, state: dict) -> None:
        """Put back ``state_dict()``'s counters, before a ``fit`` or during one."""
        _load_monitor_state(self, state)
        self._loaded = True


def _monitor_state(cb: EarlyStopping | ModelCheckpoint) -> dict[str, object]:
    return {
        "monitor": cb.monitor,
        "mode": cb.mode,
        "best": cb.best if math.isfinite(cb.best) else None,
        "best_epoch": cb.best_epoch,
    }


def _load_monitor_state(
    cb: EarlyStopping | ModelCheckpoint, state: dict, more: tuple[str, ...] = ()
) -> None:
    """Check ``state`` (the keys of ``_monitor_state`` and ``more``) and set best and
    best_epoch from it."""
    name = type(cb).__name__
    keys = {"monitor", "mode", "best", "best_epoch", *more}
    if not isinstance(state, dict) or set(state) != keys:
        got = sorted(state) if isinstance(state, dict) else type(state).__name__
        raise ConfigError(f"{name} state must have the keys {sorted(keys)}, got {got}")
    if (state["monitor"], state["mode"]) != (cb.monitor, cb.mode):
        raise ConfigError(
            f"{name} monitors {cb.monitor!r} ({cb.mode}) but the state is of "
            f"{state['monitor']!r} ({state['mode']})"
        )
    best = state["best"]
    if best is None:
        cb.best = math.inf if cb.mode == "min" else -math.inf
    else:
        try:
            cb.best = float(best)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} state: best must be a number, got {best!r}") from None
    cb.best_epoch = _state_int(cb, state, "best_epoch", -1)


def _state_int(cb: Callback, state: dict, key: str, low: int = 0) -> int:
    value = state[key]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ConfigError(
            f"{type(cb).__name__} state: {key} must be an integer >= {low}, got {value!r}"
        )
    return int(value)
