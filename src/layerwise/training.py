"""The fit loop: epochs of (shuffled) mini-batches, forward, cost, backward, update.

for each epoch:
    (shuffle the m columns with the model's seeded generator)
    for each mini-batch (X{t}, Y{t}) of m_t columns:
        A[L] = forward(X{t});   J{t} = loss(A[L], Y{t}) + lambda/(2 m) sum ||W||^2
        dZ[L] = (A[L] - Y{t}) / m_t   (fused pairs; else dJ/dA[L] through g')
        backward;  dW += (lambda / m) W  (m: the whole training set);  optimizer step
    epoch cost = sum_t (m_t / m) J{t}, the average over all m examples
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .callbacks import Callback, History
from .data.labels import as_targets
from .data.validation import check_finite, check_XY, to_numeric
from .errors import ConfigError, ShapeError
from .losses import Loss
from .network import Sequential, accuracy_of
from .optimizers import GradientDescent, Optimizer, get_optimizer
from .progress import ProgressReporter
from .schedules import Schedule, get_schedule

Array = np.ndarray


def prepare_targets(model: Sequential, Y: Array, m: int) -> Array:
    """Y as the output layer needs it: for a sigmoid/softmax output, (1, m) 0/1 for one
    unit, one-hot (C, m) for C units (class indices (1, m) are accepted and expanded);
    for any other output (regression), the real-valued targets (n_y, m) as given."""
    n_y = model.layers[-1].output_shape[0]
    if model.output_activation in ("sigmoid", "softmax"):
        Y = as_targets(np.asarray(Y), n_y)
    else:
        Y = to_numeric(Y, "Y")
        if Y.ndim == 1:
            Y = Y.reshape(1, -1)
        if Y.ndim != 2 or Y.shape[0] != n_y:
            raise ShapeError(
                f"Y has shape {Y.shape} but the output A[L] is (n_y, m) = ({n_y}, {m})"
            )
        check_finite(Y, "Y")
    if Y.shape[-1] != m:
        raise ShapeError(f"Y has {Y.shape[-1]} examples (columns) but X has {m}")
    return Y


def _batches(m: int, batch_size: int | None, perm: Array | None):
    if batch_size is None or batch_size >= m:
        yield None if perm is None else perm
        return
    for start in range(0, m, batch_size):
        yield slice(start, start + batch_size) if perm is None else perm[start : start + batch_size]


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
    """Train ``model`` on X (n_x, m), Y (n_y, m) (or class indices (1, m) for softmax).

    ``optimizer``: an Optimizer, a name ("gd", "momentum", "rmsprop", "adam") or None
    (keep the model's current optimiser, so a loaded model resumes; else gradient
    descent). ``learning_rate`` sets alpha (default 0.01 for a new optimiser).
    ``batch_size``: None for full batch, 1 for stochastic gradient descent.
    ``l2``: lambda. ``decay``: a ``layerwise.schedules`` schedule. ``validation_data``:
    (X_dev, Y_dev), adding "val_loss"/"val_accuracy" to the history. Returns the History
    whose ``history["loss"]`` has one cost per epoch.
    """
    if int(epochs) < 1:
        raise ConfigError(f"epochs must be >= 1, got {epochs}")
    if batch_size is not None and (int(batch_size) < 1):
        raise ConfigError(f"batch_size must be a positive integer or None, got {batch_size}")
    if float(l2) < 0:
        raise ConfigError(f"l2 (lambda) must be >= 0, got {l2}")
    epochs, l2 = int(epochs), float(l2)

    X, Y = _checked(model, X, Y, "")
    m = X.shape[model.example_axis]
    if model.normalize and model.normalizer_ is None:
        from .data.scaling import Standardizer

        if model.example_axis != -1:
            raise ConfigError(
                "normalize=True standardises (n_x, m) columns; scale images yourself "
                "(e.g. divide by 255) and build the model with normalize=False"
            )

        model.normalizer_ = Standardizer().fit(X)
    Xm = model.check_input(X)
    Y = prepare_targets(model, Y, m).astype(model.dtype)
    if batch_size is not None and shuffle and batch_size < m and model.example_axis == -1:
        Xm = np.asfortranarray(Xm)  # a shuffled column gather is then a contiguous copy
        Y = np.asfortranarray(Y)
    val = None
    if validation_data is not None:
        X_dev, Y_dev = _checked(model, *validation_data, "validation ")
        X_dev = model.check_input(X_dev)
        val = (
            X_dev,
            prepare_targets(model, Y_dev, X_dev.shape[model.example_axis]).astype(model.dtype),
        )

    loss_obj = model.resolve_loss(loss)
    fused = model.fused_output(loss_obj)
    opt = _resolve_optimizer(model, optimizer, learning_rate)
    schedule = get_schedule(decay)
    alpha0 = opt.learning_rate
    model.loss_, model.optimizer_ = loss_obj, opt

    history = History()
    reporter = ProgressReporter(
        epochs, verbose, print_every, "iteration" if batch_size is None else "epoch"
    )
    cbs = [history, reporter, *(callbacks or [])]
    for cb in cbs:
        cb.set_model(model)
    model.stop_training = False
    for cb in cbs:
        cb.on_train_begin({})

    weights = model.weights()
    params = model.optimizer_triples()
    act = model.output_activation
    try:
        for epoch in range(epochs):
            if schedule is not None and not schedule.per_step:
                opt.learning_rate = schedule(alpha0, epoch, opt.t)
            perm = model.rng.permutation(m) if shuffle and batch_size and batch_size < m else None
            total, correct = 0.0, 0.0
            for idx in _batches(m, batch_size, perm):
                if idx is None:
                    Xb, Yb = Xm, Y
                elif isinstance(idx, slice):
                    Xb, Yb = (Xm[..., idx] if model.example_axis == -1 else Xm[idx]), Y[:, idx]
                else:
                    Xb = Xm[:, idx] if model.example_axis == -1 else Xm[idx]
                    Yb = Y[:, idx]
                mt = Yb.shape[-1]
                AL = model.forward(Xb, training=True)
                cost = loss_obj.cost(AL, Yb)
                if l2:
                    cost += l2 / (2 * m) * sum(float(np.sum(W * W)) for W in weights)
                total += cost * mt
                acc = accuracy_of(AL, Yb, act)
                if acc is not None:
                    correct += acc * mt
                if fused:
                    model.backward(loss_obj.output_delta(AL, Yb, out=AL), dZ_given=True)
                else:
                    model.backward(loss_obj.gradient(AL, Yb))
                if l2:
                    for lay in model.layers:
                        if "W" in lay.params:
                            lay.grads["W"] += (l2 / m) * lay.params["W"]
                if schedule is not None and schedule.per_step:
                    opt.learning_rate = schedule(alpha0, epoch, opt.t + 1)
                opt.step(params)
            logs = {"loss": total / m}
            if acc is not None:
                logs["accuracy"] = correct / m
            if val is not None:
                A_dev = model.forward(val[0])
                logs["val_loss"] = loss_obj.cost(A_dev, val[1])
                val_acc = accuracy_of(A_dev, val[1], act)
                if val_acc is not None:
                    logs["val_accuracy"] = val_acc
            if schedule is not None:
                logs["lr"] = opt.learning_rate
            for cb in cbs:
                cb.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
    finally:
        for cb in cbs:
            cb.on_train_end({})
    model.history_ = history
    return history


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
        if learning_rate is not None:
            opt.learning_rate = float(learning_rate)
        return opt
    if optimizer is None:
        return GradientDescent(0.01 if learning_rate is None else learning_rate)
    if isinstance(optimizer, Optimizer):
        if learning_rate is not None:
            opt = optimizer
            opt.learning_rate = float(learning_rate)
        return optimizer
    return get_optimizer(optimizer, learning_rate)
