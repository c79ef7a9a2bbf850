"""What the labels ask for: binary or multi-class classification, or regression.

The rules, in order, for labels Y (n_y, m) (see ``decide_task``):

1. Several rows: one-hot columns (0/1, one 1 each) are C classes; anything else is a
   regression with n_y targets.
2. One row with exactly two distinct values (any two: 0/1, -1/+1, 3/7, "yes"/"no" read as
   numbers) is binary classification; the smaller value is class 0, the larger class 1.
3. One row of whole numbers with 3 to ``MAX_CLASSES`` distinct values: that many classes,
   in increasing order (labels 1, 5, 9 are classes 0, 1, 2, named "1", "5", "9").
4. One row of whole numbers with more distinct values than ``MAX_CLASSES``: refused, as a
   column like a price must not become a 60 000-class softmax; ``task="regression"``
   (``--task regression``) trains it as numbers.
5. One row with fractional values: regression.

``task="classification"`` or ``"regression"`` overrides the guess (classification still
needs at most ``MAX_CLASSES`` distinct values). Class names are kept in the model, so
``predict`` answers in the user's own labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, DataError
from .validation import check_finite, to_numeric

#: The most distinct whole-number labels read as classes without ``task="classification"``.
MAX_CLASSES = 100

TASKS = ("classification", "regression")


@dataclass
class Task:
    """The decision: ``kind`` "binary", "multiclass" or "regression"; ``Y`` encoded for
    the engine (class indices (1, m), or the targets (n_y, m)); ``classes`` the names of
    classes 0, 1, ... (None for regression); ``description`` one line for the user."""

    kind: str
    Y: np.ndarray
    classes: list[str] | None
    description: str

    @property
    def output(self) -> tuple[int, str]:
        """(units, activation) of the output layer."""
        if self.kind == "binary":
            return 1, "sigmoid"
        if self.kind == "multiclass":
            return len(self.classes), "softmax"
        return self.Y.shape[0], "linear"


def label_name(value: float) -> str:
    """A label value as a class name: whole numbers without a decimal point."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _is_one_hot(Y: np.ndarray) -> bool:
    return bool(np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=0) == 1))


def decide_task(Y, task: str | None = None, names: list[str] | None = None) -> Task:
    """Decide the task from labels Y (n_y, m) (or (m,)), by the module's rules.

    ``names``: class names that come with the data (the course's HDF5 files), used when
    the labels are the class indices 0 ... C-1.
    """
    if task is not None and task not in TASKS:
        raise ConfigError(f"task must be 'classification' or 'regression', got {task!r}")
    Y = to_numeric(Y, "Y")
    Y = Y.reshape(1, -1) if Y.ndim == 1 else Y
    check_finite(Y, "Y")
    if Y.shape[0] > 1:
        if task != "regression" and _is_one_hot(Y):
            C = Y.shape[0]
            indices = np.argmax(Y, axis=0).reshape(1, -1)
            classes = names if names and len(names) == C else [str(k) for k in range(C)]
            return Task("multiclass", indices, classes, f"{C} classes (one-hot labels)")
        if task == "classification":
            raise DataError("labels with several rows must be one-hot (n_y, m) to be classes")
        return Task("regression", Y.astype(np.float64), None, f"regression: {Y.shape[0]} targets")
    values = np.unique(Y)
    if values.size < 2:
        raise DataError(f"every label is {label_name(values[0])}: there is nothing to learn")
    if task == "regression":
        return Task("regression", Y.astype(np.float64), None, _regression_line(values))
    whole = bool(np.all(values == np.round(values)))
    if values.size == 2 or (whole and values.size <= MAX_CLASSES) or task == "classification":
        if values.size > MAX_CLASSES:
            raise DataError(
                f"Y holds {values.size} distinct labels: more than {MAX_CLASSES} classes; "
                "pass --task regression to predict them as numbers"
            )
        return _classes(Y, values, names)
    if whole:
        raise DataError(
            f"Y holds {values.size} distinct whole numbers, too many to be classes (the "
            f"limit is {MAX_CLASSES}): pass --task regression to predict them as numbers, "
            "or --task classification with fewer distinct labels"
        )
    return Task("regression", Y.astype(np.float64), None, _regression_line(values))


def _regression_line(values: np.ndarray) -> str:
    return f"regression: {values.size} distinct real targets"


def _classes(Y: np.ndarray, values: np.ndarray, names: list[str] | None) -> Task:
    indices = np.searchsorted(values, Y[0]).reshape(1, -1)
    are_indices = bool(np.array_equal(values, np.arange(values.size)))
    if names and are_indices and len(names) == values.size:
        classes = list(names)
    else:
        classes = [label_name(v) for v in values]
    shown = (
        "{"
        + ", ".join(label_name(v) for v in values[:12])
        + (", ..." if values.size > 12 else "")
        + "}"
    )
    if values.size == 2:
        mapped = "" if are_indices else " → {0, 1}"
        return Task("binary", indices, classes, f"binary classification: labels {shown}{mapped}")
    return Task("multiclass", indices, classes, f"{values.size} classes: labels {shown}")


def encode_labels(Y, classes: list[str]) -> np.ndarray:
    """Labels Y (1, m) as the class indices of a model whose classes are ``classes``:
    by name when every label is one of the names, else as indices 0 ... C-1."""
    Y = to_numeric(Y, "Y")
    Y = Y.reshape(1, -1) if Y.ndim == 1 else Y
    if Y.shape[0] != 1:
        return Y
    check_finite(Y, "Y")
    lookup = {name: k for k, name in enumerate(classes)}
    found = [lookup.get(label_name(v)) for v in np.unique(Y)]
    if all(k is not None for k in found):
        return np.array([[lookup[label_name(v)] for v in Y[0]]])
    return Y
