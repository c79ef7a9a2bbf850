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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .callbacks import Callback, CallbackList, History
from .checks import in_range, positive_int
from .data.batches import batches
from .data.labels import prepare_targets
from .data.scaling import Standardizer
from .data.validation import check_XY
from .errors import ConfigError
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
) -> History:
    """Train on X (n_x, m) (images: (m, n_H, n_W, n_C)) and Y (n_y, m) (class indices
    (1, m) are accepted for a softmax output). Returns the History.

    - ``epochs``: passes over the training set (iterations for full-batch descent).
    - ``learning_rate``: alpha; default 0.01 for a new optimiser, else the optimiser's.
    - ``loss``: "bce", "cce", "mse" or a Loss; None pairs it with the output activation.
    - ``optimizer``: "gd", "momentum", "rmsprop", "adam" or an Optimizer; None keeps the
      model's current one (a loaded model resumes), else gradient descent.
    - ``batch_size``: None for full batch, 1 for stochastic gradient descent.
    - ``shuffle``: reshuffle the examples every epoch (with mini-batches).
    - ``l2``: lambda, J += lambda/(2m) sum ||W||^2 with m the training-set size.
    - ``decay``: a ``layerwise.schedules`` schedule (name or object) for alpha.
    - ``validation_data``: (X_dev, Y_dev), adding "val_loss"/"val_accuracy" to the logs.
    - ``callbacks``: more ``Callback`` objects (EarlyStopping, ModelCheckpoint, ...).
    - ``verbose``: 0 silent, 1 progress bar and cost lines, 2 cost lines only;
      ``print_every``: epochs between cost lines. ``history.history["loss"]``: J per epoch.
    """
    epochs = positive_int(epochs, "epochs")
    if batch_size is not None:
        batch_size = positive_int(batch_size, "batch_size (or None for full batch)")
    l2 = in_range(l2, "l2 (lambda)", 0.0)
    X, Y, val = _prepare_data(model, X, Y, validation_data, batch_size, shuffle)
    m = X.shape[model.example_axis]

    loss_obj = model.resolve_loss(loss)
    run = _Run(
        model=model,
        objective=Objective.of(model, loss_obj, l2, m),
        optimizer=_resolve_optimizer(model, optimizer, learning_rate),
        schedule=get_schedule(decay),
        batch_size=batch_size,
        shuffle=bool(shuffle),
    )
    model.loss_, model.optimizer_ = loss_obj, run.optimizer
    model.schedule_, model.alpha0_ = run.schedule, run.alpha0

    history, unit = History(), "iteration" if batch_size is None else "epoch"
    reporter = ProgressReporter(epochs, verbose, print_every, unit)
    run.loop(X, Y, val, epochs, CallbackList([history, reporter, *(callbacks or [])]))
    model.history_ = history
    return history


@dataclass
class _Run:
    """What one ``fit`` call trains with."""

    model: Sequential
    objective: Objective
    optimizer: Optimizer
    schedule: Schedule | None
    batch_size: int | None
    shuffle: bool

    def __post_init__(self) -> None:
        self.alpha0 = self.optimizer.learning_rate

    def loop(
        self, X: Array, Y: Array, val: tuple[Array, Array] | None, epochs: int, cbs: CallbackList
    ) -> None:
        """Up to ``epochs`` epochs with the callbacks, until one sets stop_training."""
        model = self.model
        cbs.set_model(model)
        model.stop_training = False
        cbs.on_train_begin({})
        try:
            for epoch in range(epochs):
                logs = self.epoch(X, Y, epoch)
                model.epochs_trained_ += 1
                if val is not None:
                    logs.update(_validation_logs(model, *val, self.objective.loss))
                if self.schedule is not None:
                    logs["lr"] = self.optimizer.learning_rate
                cbs.on_epoch_end(epoch, logs)
                if model.stop_training:
                    break
        finally:
            cbs.on_train_end({})

    def epoch(self, X: Array, Y: Array, epoch: int) -> dict[str, float]:
        """One pass over (X, Y); returns {"loss": J, "accuracy": ...} averaged over m."""
        model, opt, schedule, m = self.model, self.optimizer, self.schedule, self.objective.m
        if schedule is not None and not schedule.per_step:
            opt.learning_rate = schedule(self.alpha0, epoch, opt.t)
        shuffled = self.shuffle and self.batch_size and self.batch_size < m
        perm = model.rng.permutation(m) if shuffled else None
        params = model.parameter_vector.as_triple()
        total, correct, acc = 0.0, 0.0, None
        for Xb, Yb in batches(X, Y, self.batch_size, perm, model.example_axis):
            J, acc = forward_backward(model, Xb, Yb, self.objective)
            m_t = Yb.shape[-1]
            total += J * m_t
            if acc is not None:
                correct += acc * m_t
            if schedule is not None and schedule.per_step:
                opt.learning_rate = schedule(self.alpha0, epoch, opt.t + 1)
            opt.step(params)
        logs = {"loss": total / m}
        if acc is not None:
            logs["accuracy"] = correct / m
        return logs


def _validation_logs(model: Sequential, X_dev: Array, Y_dev: Array, loss: Loss) -> dict:
    A_dev = model.forward(X_dev)
    logs = {"val_loss": loss.cost(A_dev, Y_dev)}
    val_acc = accuracy_of(A_dev, Y_dev, model.output_activation)
    if val_acc is not None:
        logs["val_accuracy"] = val_acc
    return logs


def _prepare_data(model, X, Y, validation_data, batch_size, shuffle):
    """X in the model's dtype (standardised when the model normalises; column-major
    for shuffled column batches), Y as the output needs it, and the dev set likewise."""
    X, Y = _checked(model, X, Y, "")
    m = X.shape[model.example_axis]
    if model.normalize and model.normalizer_ is None:
        if model.example_axis != -1:
            raise ConfigError(
                "normalize=True standardises (n_x, m) columns; scale images yourself "
                "(e.g. divide by 255) and build the model with normalize=False"
            )
        model.normalizer_ = Standardizer().fit(X)
    X = model.check_input(X)
    Y = _targets(model, Y, m)
    if batch_size is not None and shuffle and batch_size < m and model.example_axis == -1:
        X = np.asfortranarray(X)  # a shuffled column gather is then a contiguous copy
        Y = np.asfortranarray(Y)
    val = None
    if validation_data is not None:
        X_dev, Y_dev = _checked(model, *validation_data, "validation ")
        X_dev = model.check_input(X_dev)
        val = (X_dev, _targets(model, Y_dev, X_dev.shape[model.example_axis]))
    return X, Y, val


def _targets(model: Sequential, Y: Array, m: int) -> Array:
    n_y = model.layers[-1].output_shape[0]
    return prepare_targets(Y, n_y, model.output_activation, m).astype(model.dtype)


def _checked(model: Sequential, X: Array, Y: Array, what: str) -> tuple[Array, Array]:
    if model.example_axis != -1:
        return np.asarray(X), np.asarray(Y)
    binary = model.output_activation == "sigmoid" and (
        not model.built or model.layers[-1].output_shape[0] == 1
    )
    try:
        return check_XY(X, Y, binary=binary)
    except ValueError as exc:
        if what:
            raise type(exc)(f"{what}data: {exc}") from None
        raise


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
