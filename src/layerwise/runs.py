"""A training run's folder: model.npz, history.csv, metrics.json and the PNG plots."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np

from . import plots
from .atomic import atomic_write_text
from .callbacks import History
from .network import Sequential


def write_history_csv(history: History, path: Path) -> Path:
    """One row per epoch: epoch, loss, accuracy, val_loss, ... ."""
    keys = list(history.history)
    rows = [["epoch", *keys]]
    for i, epoch in enumerate(history.epoch):
        rows.append([str(epoch), *(repr(history.history[k][i]) for k in keys)])
    text = "\n".join(",".join(r) for r in rows) + "\n"
    atomic_write_text(path, text)
    return path


def write_json(obj: dict, path: Path) -> Path:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")
    return path


def write_run(
    out: str | os.PathLike,
    model: Sequential,
    history: History,
    metrics: dict,
    *,
    X: np.ndarray | None = None,
    Y: np.ndarray | None = None,
    cost_label: str = "iteration",
) -> list[Path]:
    """Write the run folder; a decision boundary is drawn when X is 2-D data (2, m)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [
        model.save(out / "model.npz"),
        write_history_csv(history, out / "history.csv"),
        write_json(metrics, out / "metrics.json"),
    ]
    curves = {"train": history.history["loss"]}
    if "val_loss" in history.history:
        curves["dev"] = history.history["val_loss"]
    written.append(
        plots.learning_curves(
            curves, out / "learning_curve.png", xlabel=cost_label, title="Learning curve (cost J)"
        )
    )
    if X is not None and Y is not None and X.shape[0] == 2 and model.example_axis == -1:
        acc = metrics.get("train_accuracy")
        title = "Decision boundary" + (f" (train accuracy {acc:.2%})" if acc is not None else "")
        written.append(
            plots.decision_boundary(
                lambda G: model.predict(G), X, Y, out / "decision_boundary.png", title=title
            )
        )
    return written


def read_history_csv(path: str | os.PathLike) -> dict[str, list[float]]:
    """The columns of a history.csv written by ``write_history_csv``."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    keys = rows[0]
    return {k: [float(r[i]) for r in rows[1:]] for i, k in enumerate(keys)}
