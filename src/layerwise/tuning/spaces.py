"""Search-space dimensions: how each hyper-parameter is drawn, on the right scale."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import ConfigError

Array = np.ndarray

METRICS = {"val_accuracy": "max", "val_loss": "min"}


# ---------------------------------------------------------------------------- dimensions
def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be finite, got {value}")
    return value


def check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _check_k(k) -> int:
    return check_count("points_per_axis", k)


class Dimension:
    """One axis of a search space: ``sample(rng)`` draws a value, ``grid(k)`` lists k of them."""

    def sample(self, rng: np.random.Generator) -> Any:
        raise NotImplementedError

    def grid(self, k: int) -> list:
        raise NotImplementedError

    def suggest(self, trial, name: str) -> Any:
        """The value an Optuna ``trial`` suggests for this axis."""
        raise NotImplementedError


class Choice(Dimension):
    """One of ``values``, each equally likely; the grid is every value (k is ignored)."""

    def __init__(self, values: Sequence) -> None:
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ConfigError(f"Choice needs a non-empty list of values, got {values!r}")
        self.values = list(values)

    def sample(self, rng: np.random.Generator) -> Any:
        return self.values[int(rng.integers(len(self.values)))]

    def grid(self, k: int) -> list:
        _check_k(k)
        return list(self.values)

    def suggest(self, trial, name: str) -> Any:
        return self.values[trial.suggest_categorical(name, list(range(len(self.values))))]

    def __repr__(self) -> str:
        return f"Choice({self.values!r})"


class Uniform(Dimension):
    """A float uniform on [low, high]; the grid is k evenly spaced points (k = 1: the middle)."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = _number("low", low), _number("high", high)
        if self.low >= self.high:
            raise ConfigError(f"{type(self).__name__} needs low < high, got [{low}, {high}]")

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def grid(self, k: int) -> list:
        k = _check_k(k)
        if k == 1:
            return [(self.low + self.high) / 2]
        return [float(v) for v in np.linspace(self.low, self.high, k)]

    def suggest(self, trial, name: str) -> float:
        return float(trial.suggest_float(name, self.low, self.high))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.low!r}, {self.high!r})"


class IntUniform(Uniform):
    """A whole number in [low, high], each equally likely; the grid is up to k evenly
    spaced whole numbers (fewer when the range holds fewer)."""

    def __init__(self, low: int, high: int) -> None:
        for name, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise ConfigError(f"IntUniform {name} must be a whole number, got {v!r}")
        super().__init__(low, high)
        self.low, self.high = int(low), int(high)

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.low, self.high + 1))

    def grid(self, k: int) -> list:
        points = [round(v) for v in super().grid(k)]
        return list(dict.fromkeys(int(v) for v in points))

    def suggest(self, trial, name: str) -> int:
        return int(trial.suggest_int(name, self.low, self.high))


class LogUniform(Uniform):
    """The course's log scale: r uniform on [log10 low, log10 high], value 10^r, so each
    decade (1e-4..1e-3, 1e-3..1e-2, ...) is equally likely. 0 < low < high; the grid is
    k points evenly spaced in r."""

    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high)
        if self.low <= 0:
            raise ConfigError(f"LogUniform needs 0 < low < high (a log scale), got [{low}, {high}]")
        self._r = (math.log10(self.low), math.log10(self.high))

    def _value(self, r: float) -> float:
        return min(max(10.0**r, self.low), self.high)

    def sample(self, rng: np.random.Generator) -> float:
        return self._value(float(rng.uniform(*self._r)))

    def grid(self, k: int) -> list:
        k = _check_k(k)
        if k == 1:
            return [self._value(sum(self._r) / 2)]
        return [self.low, *(self._value(r) for r in np.linspace(*self._r, k)[1:-1]), self.high]

    def suggest(self, trial, name: str) -> float:
        return float(trial.suggest_float(name, self.low, self.high, log=True))


class OneMinusLogUniform(Uniform):
    """A β close to 1 (momentum, Adam, RMSprop): 1 − β on a log scale, as the course
    samples β in [0.9, 0.999]: r uniform on [log10(1 − high), log10(1 − low)],
    β = 1 − 10^r. Needs low < high < 1. The grid is k points evenly spaced in r."""

    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high)
        if self.high >= 1:
            raise ConfigError(
                f"OneMinusLogUniform needs low < high < 1 (1 - beta > 0 on a log scale), "
                f"got [{low}, {high}]"
            )
        self._gap = LogUniform(1.0 - self.high, 1.0 - self.low)

    def _beta(self, gap: float) -> float:
        return min(max(1.0 - gap, self.low), self.high)

    def sample(self, rng: np.random.Generator) -> float:
        return self._beta(self._gap.sample(rng))

    def grid(self, k: int) -> list:
        return sorted(self._beta(g) for g in self._gap.grid(k))

    def suggest(self, trial, name: str) -> float:
        gap = trial.suggest_float(f"1-{name}", self._gap.low, self._gap.high, log=True)
        return self._beta(float(gap))


def check_space(space: Mapping) -> dict[str, Dimension]:
    if not isinstance(space, Mapping) or not space:
        raise ConfigError(
            f"space must be a non-empty dict {{name: Choice/Uniform/LogUniform/...}}, got {space!r}"
        )
    out: dict[str, Dimension] = {}
    for name, dim in space.items():
        if not isinstance(name, str):
            raise ConfigError(f"space names must be strings, got {name!r}")
        if isinstance(dim, (list, tuple)):
            dim = Choice(dim)
        if not isinstance(dim, Dimension):
            raise ConfigError(
                f"space[{name!r}] must be Choice, Uniform, IntUniform, LogUniform, "
                f"OneMinusLogUniform or a list of values, got {dim!r}"
            )
        out[name] = dim
    return out
