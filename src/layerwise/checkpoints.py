"""Checkpoints: the whole training state in one model file, so ``fit`` can resume.

A checkpoint is a model file (``io.write_model``) whose state is the model's
``state_dict()`` (parameters, layer state, every generator, the optimiser's state as
held and its step count, the schedule, its base rate and the epochs since the optimiser
was set) plus:

    checkpoint/epoch            epochs of this ``fit`` call completed (JSON)
    checkpoint/history          the History so far: {"epoch": [...], key: [...]} (JSON)
    checkpoint/callback/<i>     callback i's counters, from its ``state_dict()`` (JSON)
    checkpoint/best/<i>/<key>   callback i's ``best_state`` arrays (EarlyStopping)

A resumed ``fit`` loads all of it and runs the remaining epochs: it ends bit for bit where
an uninterrupted run would.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .callbacks import Callback, History
from .io import read_model, write_model

if TYPE_CHECKING:  # pragma: no cover
    from .network import Sequential

PREFIX = "checkpoint/"


def snapshot(model: Sequential, epoch: int, history: History, callbacks: list[Callback]) -> dict:
    """The training state after ``epoch`` completed epochs, as one flat state mapping
    (copies: later training does not change it)."""
    state = model.state_dict()
    state[PREFIX + "epoch"] = int(epoch)
    state[PREFIX + "history"] = {
        "epoch": list(history.epoch),
        **{k: list(v) for k, v in history.history.items()},
    }
    for i, cb in enumerate(callbacks):
        if hasattr(cb, "state_dict"):
            state[f"{PREFIX}callback/{i}"] = cb.state_dict()
        best = getattr(cb, "best_state", None)
        if isinstance(best, dict):
            state.update({f"{PREFIX}best/{i}/{k}": np.copy(v) for k, v in best.items()})
    return state


def write(path: str | os.PathLike, model: Sequential, state: dict) -> Path:
    """Write a ``snapshot`` to ``path`` atomically (the previous checkpoint stays whole
    until the new one is complete)."""
    return write_model(path, model.get_config(), state)


def load(path: str | os.PathLike, model: Sequential) -> dict:
    """Load the checkpoint at ``path`` into the model; return its own entries, for
    ``resume_callbacks`` once the callbacks have started."""
    _, state = read_model(path)
    ours = {k: state.pop(k) for k in list(state) if k.startswith(PREFIX)}
    model.load_state_dict(state)
    return ours


def resume_callbacks(entries: dict, history: History, callbacks: list[Callback]) -> int:
    """Put the saved history and callback counters back; return the epochs completed."""
    saved = dict(entries.get(PREFIX + "history") or {})
    history.epoch = [int(e) for e in saved.pop("epoch", [])]
    history.history = {k: [float(v) for v in values] for k, values in saved.items()}
    for i, cb in enumerate(callbacks):
        counters = entries.get(f"{PREFIX}callback/{i}")
        if counters is not None and hasattr(cb, "load_state_dict"):
            cb.load_state_dict(counters)
        best = {
            k[len(f"{PREFIX}best/{i}/") :]: v
            for k, v in entries.items()
            if k.startswith(f"{PREFIX}best/{i}/")
        }
        if best:
            cb.best_state = best
    return int(entries.get(PREFIX + "epoch", 0))
