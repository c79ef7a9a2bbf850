"""Metrics on predictions, and the course's bias/variance diagnosis.

Labels are (1, m) rows (class indices or 0/1) unless stated otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ConfigError, ShapeError


def accuracy(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """Fraction of the m examples where the predicted label equals the true one."""
    Y_hat, Y = np.asarray(Y_hat).reshape(-1), np.asarray(Y).reshape(-1)
    if Y_hat.shape != Y.shape:
        raise ShapeError(f"predictions have {Y_hat.size} labels but Y has {Y.size}")
    return float(np.mean(Y_hat == Y))


def accuracy_of(A: np.ndarray, Y: np.ndarray, output_activation: str) -> float | None:
    """Fraction of the m examples an output A classifies correctly, or None for a
    regression output. A: (n_y, m); Y: (n_y, m) targets (0/1 for one unit, one-hot for
    several)."""
    if output_activation not in ("sigmoid", "softmax"):
        return None
    if A.shape[0] > 1 and output_activation == "softmax":
        return float(np.mean(np.argmax(A, axis=0) == np.argmax(Y, axis=0)))
    return float(np.mean((A > 0.5) == (Y > 0.5)))


def confusion_matrix(Y_hat: np.ndarray, Y: np.ndarray, C: int | None = None) -> np.ndarray:
    """(C, C) counts: row = true class, column = predicted class."""
    Y_hat = np.asarray(Y_hat).reshape(-1).astype(np.int64)
    Y = np.asarray(Y).reshape(-1).astype(np.int64)
    if Y_hat.shape != Y.shape:
        raise ShapeError(f"predictions have {Y_hat.size} labels but Y has {Y.size}")
    C = int(max(Y.max(initial=0), Y_hat.max(initial=0)) + 1) if C is None else int(C)
    out = np.zeros((C, C), dtype=np.int64)
    np.add.at(out, (Y, Y_hat), 1)
    return out


@dataclass(frozen=True)
class BiasVariance:
    """Train and dev error against the base (Bayes, human-level) error, and the verdict."""

    train_error: float
    dev_error: float
    base_error: float
    avoidable_bias: float
    variance: float
    verdict: str

    def __str__(self) -> str:
        return (
            f"base error {self.base_error:.2%}, train error {self.train_error:.2%}, "
            f"dev error {self.dev_error:.2%}\n"
            f"avoidable bias {self.avoidable_bias:.2%}, variance {self.variance:.2%}: "
            f"{self.verdict}"
        )


def bias_variance(
    train_error: float, dev_error: float, base_error: float = 0.0, tolerance: float = 0.02
) -> BiasVariance:
    """The course's diagnosis: avoidable bias = train - base, variance = dev - train.

    Each is "high" when it exceeds ``tolerance`` (2 points by default). The verdict is
    "high bias", "high variance", "high bias and high variance" or "fine". High bias:
    try a bigger network or training longer; high variance: more data or regularisation.
    """
    for name, value in (
        ("train_error", train_error),
        ("dev_error", dev_error),
        ("base_error", base_error),
    ):
        if not 0.0 <= float(value) <= 1.0:
            raise ConfigError(f"{name} must be a fraction in [0, 1], got {value}")
    if tolerance < 0:
        raise ConfigError(f"tolerance must be >= 0, got {tolerance}")
    bias = float(train_error) - float(base_error)
    variance = float(dev_error) - float(train_error)
    high_bias, high_var = bias > tolerance, variance > tolerance
    verdict = (
        "high bias and high variance"
        if high_bias and high_var
        else "high bias"
        if high_bias
        else "high variance"
        if high_var
        else "fine"
    )
    return BiasVariance(
        float(train_error), float(dev_error), float(base_error), bias, variance, verdict
    )
