"""The fit loop: epochs of (shuffled) mini-batches, each one ``step.forward_backward``
and an optimiser step.

for each epoch:
    (the learning rate from the decay schedule)
    (shuffle the m examples with the model's seeded generator)
    for each mini-batch (X{t}, Y{t}) of m_t examples:
        J{t} = forward_backward(X{t}, Y{t});  optimizer step
    epoch cost = sum_t (m_t / m) J{t}, the average over all m examples
    (the dev set's cost and accuracy);  callbacks

This module uses a model only through its interface; ``Sequential.fit`` is ``fit``.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import checkpoints
from .augment import Transform, get_augment
from .callbacks import Callback, CallbackList, History
from .checks import in_range, positive_int
from .data.batches import batches
from .data.blocks import Blocks, as_blocks
from .data.scaling import Standardizer
from .data.validation import check_images, check_XY, looks_like_raw_pixels
from .errors import ConfigError, DataWarning, TrainingDivergedError
from .losses import Loss
from .metrics import accuracy_of
from .optimizers import GradientDescent, Optimizer, get_optimizer
from .progress import ProgressReporter
from .schedules import Schedule, get_schedule
from .step import Objective, forward_backward

if TYPE_CHECKING:  # pragma: no cover
    from .network import Sequential

Array = np.ndarray


def fit(
    model: Sequential,
    X: Array,
    Y: Array,
    *,
    epochs: int = 1000,
    learning_rate: float | None = None,
    loss: str | Loss | None = None,
    optimizer: str | Optimizer | None = None,
    batch_size: int | None = None,
    shuffle: bool = True,
    l2: float = 0.0,
    decay: str | Schedule | None = None,
    validation_data: tuple[Array, Array] | None = None,
    callbacks: Sequence[Callback] | None = None,
    verbose: int = 1,
    print_every: int = 100,
    checkpoint: str | os.PathLike | None = None,
    checkpoint_every: int | None = 1,
    checkpoint_seconds: float | None = None,
    resume: bool = False,
    stop_on_nonfinite: bool = True,
    augment: str | Transform | Sequence | None = None,
) -> History:
    """Train on X (n_x, m) (images: (m, n_H, n_W, n_C)) and Y (n_y, m) (class indices
    (1, m) are accepted for a softmax output). Returns the History.

    Data bigger than memory: X a memory map (``np.load(path, mmap_mode="r")``), an
    h5py or zarr array, or ``layerwise.data.Blocks``, with examples along the first
    axis (rows (m, n_x), labels (m,) or (m, n_y)), is read one shuffled block of
    mini-batches at a time (``layerwise.data.blocks``; needs ``batch_size``).

    - ``epochs``: passes over the training set (iterations for full-batch descent);
      ``batch_size``: None for full batch, 1 for stochastic gradient descent;
      ``shuffle``: reshuffle the examples every epoch (with mini-batches).
    - ``learning_rate``: alpha; default 0.01 for a new optimiser, else the optimiser's.
    - ``loss``: "bce", "cce", "mse" or a Loss; None pairs it with the output activation.
    - ``optimizer``: "gd", "momentum", "rmsprop", "adam" or an Optimizer; None keeps the
      model's current one and continues its schedule (a loaded model resumes).
    - ``l2``: lambda, J += lambda/(2m) sum ||W||^2 with m the training-set size;
      ``decay``: a ``layerwise.schedules`` schedule (name or object) for alpha.
    - ``validation_data``: (X_dev, Y_dev), adding "val_loss"/"val_accuracy" to the logs;
      ``callbacks``: more ``Callback`` objects (EarlyStopping, ModelCheckpoint, ...).
    - ``verbose``: 0 silent, 1 progress bar and cost lines, 2 cost lines only, every
      ``print_every`` epochs.
    - ``checkpoint``: a file for the whole training state, written every
      ``checkpoint_every`` epochs and/or ``checkpoint_seconds`` seconds, at the end and on
      Ctrl-C; ``resume=True`` continues from it bit for bit when it exists.
    - ``stop_on_nonfinite``: on a NaN/inf cost or parameter, put back the last finite
      state and raise TrainingDivergedError saying what to try.
    - ``augment``: image models: ``layerwise.augment`` transforms ("flip,crop,color" or
      objects) applied to each training batch with the model's generator.
    """
    epochs = positive_int(epochs, "epochs")
    source = as_blocks(X, Y)
    if source is None:
        X, Y = _checked(model, X, Y, "")
        saved = _resume(model, X, checkpoint) if resume else None
        X, Y, val = _prepare_data(model, X, Y, validation_data, batch_size, shuffle)
    else:
        saved = _resume(model, source.read(0, 1), checkpoint) if resume else None
        X, Y, val = _prepare_blocks(model, source, validation_data, batch_size)
    fresh = (optimizer, learning_rate, decay) if saved is None else (None, None, None)
    run = _Run.start(model, *fresh)  # a resumed run takes the checkpoint's optimiser
    run.configure(loss, l2, X.shape[model.example_axis], batch_size, shuffle)
    run.plan_checkpoints(checkpoint, checkpoint_every, checkpoint_seconds)
    run.guard, run.augment = bool(stop_on_nonfinite), _augmenter(model, augment, X)
    unit = "iteration" if batch_size is None else "epoch"
    reporter = ProgressReporter(epochs, verbose, print_every, unit)
    return run.loop(X, Y, val, epochs, [reporter, *(callbacks or [])], saved)


def _augmenter(model: Sequential, spec, X: Array) -> Transform | None:
    augment = get_augment(spec)
    if augment is not None and model.example_axis != 0:
        raise ConfigError(
            "augment= transforms images (m, n_H, n_W, n_C): this model takes (n_x, m)"
        )
    if augment is not None and isinstance(X, Blocks):  # learns from the first block
        X = X.read(0, X.block_size(1))
    return None if augment is None else augment.fit(X)


def _resume(model: Sequential, X: Array, checkpoint) -> dict | None:
    """The checkpoint's own entries after loading it into the model, or None."""
    if checkpoint is None:
        raise ConfigError("resume=True needs checkpoint=PATH (the file to continue from)")
    if not Path(checkpoint).exists():
        return None
    if not model.built:
        model.check_input(X)
    return checkpoints.load(checkpoint, model)


class _DivergedError(Exception):
    def __init__(self, what: str, value: float) -> None:
        self.what, self.value = what, value


@dataclass
class _Run:
    """What one ``fit`` call trains with, and its epoch loop."""

    model: Sequential
    optimizer: Optimizer
    schedule: Schedule | None
    alpha0: float
    objective: Objective | None = None
    batch_size: int | None = None
    shuffle: bool = True
    checkpoint: str | os.PathLike | None = None
    every: int | None = 1
    seconds: float | None = None
    guard: bool = True
    augment: Transform | None = None

    @classmethod
    def start(cls, model: Sequential, optimizer, learning_rate, decay) -> _Run:
        """A fresh optimiser starts its schedule at epoch 0 from its own rate; None
        continues the model's (optimiser, schedule, base rate, epoch count)."""
        continuing = optimizer is None and model.optimizer_ is not None
        opt = _resolve_optimizer(model, optimizer, learning_rate)
        schedule = get_schedule(decay)
        if continuing:
            schedule = schedule if decay is not None else model.schedule_
            alpha0 = model.alpha0_ if model.alpha0_ is not None else opt.learning_rate
            alpha0 = alpha0 if learning_rate is None else opt.learning_rate
        else:
            alpha0 = opt.learning_rate
            model.epochs_trained_ = 0
        model.optimizer_, model.schedule_, model.alpha0_ = opt, schedule, alpha0
        return cls(model=model, optimizer=opt, schedule=schedule, alpha0=alpha0)

    def configure(self, loss, l2: float, m: int, batch_size: int | None, shuffle: bool) -> None:
        """The cost (loss + L2 over m examples) and the batching."""
        l2 = in_range(l2, "l2 (lambda)", 0.0)
        self.objective = Objective.of(self.model, self.model.resolve_loss(loss), l2, m)
        self.batch_size, self.shuffle = batch_size, bool(shuffle)

    def loop(self, X, Y, val, epochs: int, callbacks: list, saved: dict | None) -> History:
        """Epochs until ``epochs`` or a callback's stop_training, with checkpoints and the
        non-finite guard; returns the History (also ``model.history_``)."""
        model, history = self.model, History()
        model.history_ = history
        cbs = CallbackList([history, *callbacks])
        model.loss_ = self.objective.loss
        cbs.set_model(model)
        model.stop_training = False
        cbs.on_train_begin({})
        done = 0 if saved is None else checkpoints.resume_callbacks(saved, history, cbs.callbacks)
        last = checkpoints.snapshot(model, done, history, cbs.callbacks)
        written = time.monotonic()
        try:
            for epoch in range(done, epochs):
                cbs.on_epoch_begin(epoch)
                logs = self._guarded_epoch(X, Y, epoch, last, cbs)
                if val is not None:
                    logs.update(_validation_logs(model, *val, self.objective.loss))
                if self.schedule is not None:
                    logs["lr"] = self.optimizer.learning_rate
                cbs.on_epoch_end(epoch, logs)
                last = checkpoints.snapshot(model, epoch + 1, history, cbs.callbacks)
                if self._checkpoint_due(epoch + 1 - done, written):
                    checkpoints.write(self.checkpoint, model, last)
                    written = time.monotonic()
                if model.stop_training:
                    break
        except KeyboardInterrupt:
            if self.checkpoint is not None:
                checkpoints.write(self.checkpoint, model, last)
            raise
        finally:
            cbs.on_train_end({})
        if self.checkpoint is not None:
            checkpoints.write(self.checkpoint, model, last)
        return history

    def plan_checkpoints(self, path, every: int | None, seconds: float | None) -> None:
        """Write the training state to ``path`` every ``every`` epochs and/or after
        ``seconds`` seconds (checked at the end of each epoch)."""
        self.checkpoint = path
        self.every = None if every is None else positive_int(every, "checkpoint_every")
        if seconds is not None:
            seconds = in_range(seconds, "checkpoint_seconds", 0.0, low_open=True)
        self.seconds = seconds

    def _checkpoint_due(self, epochs_run: int, written: float) -> bool:
        if self.checkpoint is None:
            return False
        if self.every is not None and epochs_run % self.every == 0:
            return True
        return self.seconds is not None and time.monotonic() - written >= self.seconds

    def _guarded_epoch(self, X, Y, epoch: int, last: dict, cbs: CallbackList) -> dict:
        if not self.guard:
            return self.epoch(X, Y, epoch, cbs)
        try:  # overflow on the way to NaN/inf is what the guard reports: no warnings
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return self.epoch(X, Y, epoch, cbs)
        except _DivergedError as bad:
            message = _diverged_message(self, epoch, bad)
            self.model.load_state_dict(
                {k: v for k, v in last.items() if not k.startswith(checkpoints.PREFIX)}
            )
            raise TrainingDivergedError(message, epoch, cbs.callbacks[0]) from None

    def epoch(self, X: Array, Y: Array, epoch: int, cbs: CallbackList | None = None) -> dict:
        """One pass over (X, Y); returns {"loss": J, "accuracy": ...} averaged over m."""
        model, opt, schedule, m = self.model, self.optimizer, self.schedule, self.objective.m
        if schedule is not None and not schedule.per_step:
            opt.learning_rate = schedule(model.alpha0_, model.epochs_trained_, opt.t)
        params = model.parameter_vector.trainable_triples()
        total, correct, acc = 0.0, 0.0, None
        y_axis, hooks = model.output_axis, ([] if cbs is None else cbs.batch_callbacks)
        for t, (Xb, Yb) in enumerate(self.batches(X, Y)):
            if self.augment is not None:
                Xb = self.augment(Xb, model.rng)
            J, acc = forward_backward(model, Xb, Yb, self.objective)
            if self.guard and not math.isfinite(J):
                raise _DivergedError("cost", J)
            m_t = Yb.shape[y_axis]
            total += J * m_t
            if acc is not None:
                correct += acc * m_t
            if schedule is not None and schedule.per_step:
                opt.learning_rate = schedule(model.alpha0_, model.epochs_trained_, opt.t + 1)
            opt.step(params)
            for cb in hooks:
                cb.on_batch_end(t, {"size": m_t, "loss": J})
        if self.guard and not np.isfinite(model.parameter_vector.theta).all():
            raise _DivergedError("parameters", math.nan)
        model.epochs_trained_ += 1
        logs = {"loss": total / m}
        if acc is not None:
            logs["accuracy"] = correct / m
        return logs

    def batches(self, X: Array | Blocks, Y: Array):
        """The epoch's mini-batches, shuffled with the model's generator: a permutation
        of the m examples in memory, block-wise for ``Blocks``."""
        model, m = self.model, self.objective.m
        shuffled = self.shuffle and self.batch_size and self.batch_size < m
        rng = model.rng if shuffled else None
        if isinstance(X, Blocks):
            return X.batches(Y, self.batch_size, rng, model.check_input, model.output_axis)
        perm = None if rng is None else rng.permutation(m)
        return batches(X, Y, self.batch_size, perm, model.example_axis, model.output_axis)


def _diverged_message(run: _Run, epoch: int, bad: _DivergedError) -> str:
    what = "the cost" if bad.what == "cost" else "a parameter"
    value = "inf" if bad.what == "cost" and math.isinf(bad.value) else "NaN or inf"
    back = f"the weights after epoch {epoch - 1}" if epoch > 0 else "the initial weights"
    return (
        f"training diverged at epoch {epoch}: {what} became {value}; {back} are restored. "
        f"Try a smaller learning rate (it was {run.optimizer.learning_rate:g}) or "
        "standardise the inputs (normalize=True, --normalize)"
    )


def _validation_logs(model: Sequential, X_dev: Array, Y_dev: Array, loss: Loss) -> dict:
    A_dev = model.forward(X_dev)
    logs = {"val_loss": model.cost(A_dev, Y_dev, loss, model.output_logits())}
    val_acc = (
        accuracy_of(A_dev, Y_dev, model.output_activation) if model.output_axis == -1 else None
    )
    if val_acc is not None:
        logs["val_accuracy"] = val_acc
    return logs


def _prepare_data(model, X, Y, validation_data, batch_size, shuffle):
    """From checked X, Y: X in the model's dtype (standardised when the model
    normalises; column-major for shuffled column batches), Y as the output needs it,
    and the dev set likewise."""
    if batch_size is not None:
        positive_int(batch_size, "batch_size (or None for full batch)")
    m = X.shape[model.example_axis]
    if model.normalize and model.normalizer_ is None:
        if model.example_axis != -1:
            raise ConfigError(
                "normalize=True standardises (n_x, m) columns; scale images yourself "
                "(e.g. divide by 255) and build the model with normalize=False"
            )
        model.normalizer_ = Standardizer().fit(X)
    X = model.check_input(X, finite_checked=True)
    Y = model.targets(Y, m)
    if batch_size is not None and shuffle and batch_size < m and model.example_axis == -1:
        X = np.asfortranarray(X)  # a shuffled column gather is then a contiguous copy
        Y = np.asfortranarray(Y)
    return X, Y, _validation(model, validation_data)


def _prepare_blocks(model, source: Blocks, validation_data, batch_size):
    """On-disk data: the model built from one example, the normaliser fitted in one
    streaming pass, the labels (read whole) as the output needs them."""
    if batch_size is None:
        raise ConfigError(
            "data read from disk is trained in mini-batches: give batch_size (e.g. 256)"
        )
    positive_int(batch_size, "batch_size")
    model.check_input(source.read(0, 1))
    if model.normalize and model.normalizer_ is None:
        model.normalizer_ = source.standardizer()
    return source, model.targets(source.Y, source.m), _validation(model, validation_data)


def _validation(model, validation_data) -> tuple[Array, Array] | None:
    if validation_data is None:
        return None
    X_dev, Y_dev = _checked(model, *validation_data, "validation ")
    X_dev = model.check_input(X_dev, finite_checked=True)
    return X_dev, model.targets(Y_dev, X_dev.shape[model.example_axis])


def _checked(model: Sequential, X: Array, Y: Array, what: str) -> tuple[Array, Array]:
    images = model.example_axis != -1
    if model.output_axis == 0:  # targets shaped like the output: checked by model.targets
        X = check_images(X, "X")
        if looks_like_raw_pixels(X):
            warnings.warn(_PIXEL_HINT.format(top=float(np.max(X))), DataWarning, stacklevel=3)
        return X, np.asarray(Y)
    binary = model.output_activation == "sigmoid" and (
        not model.built or model.layers[-1].output_shape[0] == 1
    )
    try:
        X, Y = check_XY(X, Y, binary=binary, images=images)
    except ValueError as exc:
        if what:
            raise type(exc)(f"{what}data: {exc}") from None
        raise
    if images and looks_like_raw_pixels(X):
        warnings.warn(_PIXEL_HINT.format(top=float(np.max(X))), DataWarning, stacklevel=3)
    return X, Y


_PIXEL_HINT = (
    "X holds pixel values up to {top:g}: divide by 255 (layerwise.data.scale_pixels) "
    "so the network sees values in [0, 1], or it may not learn"
)


def _resolve_optimizer(model: Sequential, optimizer, learning_rate) -> Optimizer:
    if optimizer is None and model.optimizer_ is not None:
        opt = model.optimizer_
    elif optimizer is None:
        return GradientDescent(0.01 if learning_rate is None else learning_rate)
    else:
        opt = get_optimizer(optimizer)
    if learning_rate is not None:
        opt.learning_rate = in_range(learning_rate, "learning_rate")
    return opt
