"""Search-space dimensions: each hyper-parameter on the course's scale, as an Optuna
distribution ("Using an appropriate scale to pick hyperparameters", course 2, week 3).

A dimension never draws a value itself: Optuna's sampler does, through ``suggest``
(``trial.suggest_float(..., log=True)`` and friends). A dimension only says which Optuna
parameter stands for it (``key``: ``1-beta`` for a β, ``log2(batch_size)`` for a power
of two), how that parameter's value becomes the hyper-parameter (``decode``), and which
values a grid search tries (``grid_values``).

A space file (``layerwise tune --space space.toml``) is TOML with one ``[space]`` table::

    learning_rate = { log_uniform = [1e-4, 1e-1] }    # alpha = 10^r, r ~ U[-4, -1]
    beta = { one_minus_log_uniform = [0.9, 0.999] }   # 1 - beta = 10^r, r ~ U[-3, -1]
    hidden_units = { int_uniform = [32, 256] }
    batch_size = { power_of_two = [16, 256] }         # 2^k, k ~ U{4, ..., 8}
    keep_prob = { uniform = [0.5, 1.0] }
    optimizer = ["adam", "momentum"]                  # or { choice = [...] }
    epochs = 60                                       # a plain value: fixed, not searched
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError

#: the dev-set metrics a search may optimise, and in which direction
METRICS = {"val_accuracy": "max", "val_loss": "min"}

#: the values Optuna stores as categorical choices as they are
_PLAIN = (type(None), bool, int, float, str)


# ---------------------------------------------------------------------------- checks
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


def _whole(cls: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ConfigError(f"{cls} {name} must be a whole number, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------- dimensions
class Dimension:
    """One axis of a search space, as one Optuna parameter.

    ``key(name)`` the Optuna parameter's name; ``suggest(trial, name)`` asks the trial's
    sampler for it and returns the decoded value; ``decode(raw)`` turns a stored
    parameter value into the hyper-parameter; ``grid_values(k)`` lists the parameter
    values a grid search tries (k per continuous axis) and ``grid(k)`` the same decoded;
    ``extremes()`` the values a range check needs (the ends, or every choice).
    """

    def key(self, name: str) -> str:
        return name

    def suggest(self, trial, name: str) -> Any:
        raise NotImplementedError

    def decode(self, raw: Any) -> Any:
        return raw

    def grid_values(self, k: int) -> list:
        raise NotImplementedError

    def grid(self, k: int) -> list:
        return [self.decode(v) for v in self.grid_values(k)]

    def extremes(self) -> list:
        raise NotImplementedError


class Choice(Dimension):
    """One of ``values``, each equally likely for random search; the grid is every value
    (k is ignored). Plain values (str, int, float, bool, None) are stored as they are;
    anything else (a tuple of sizes, an object) is stored as its index."""

    def __init__(self, values: Sequence) -> None:
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ConfigError(f"Choice needs a non-empty list of values, got {values!r}")
        self.values = list(values)
        plain = all(type(v) in _PLAIN for v in self.values)
        self._by_index = not plain or len({(type(v), v) for v in self.values}) < len(self.values)

    def _choices(self) -> list:
        return list(range(len(self.values))) if self._by_index else list(self.values)

    def suggest(self, trial, name: str) -> Any:
        return self.decode(trial.suggest_categorical(name, self._choices()))

    def decode(self, raw: Any) -> Any:
        return self.values[int(raw)] if self._by_index else raw

    def grid_values(self, k: int) -> list:
        check_count("points_per_axis", k)
        return self._choices()

    def extremes(self) -> list:
        return list(self.values)

    def __repr__(self) -> str:
        return f"Choice({self.values!r})"


class Uniform(Dimension):
    """A float uniform on [low, high]; the grid is k evenly spaced points (k = 1: the middle)."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = _number("low", low), _number("high", high)
        if self.low >= self.high:
            raise ConfigError(f"{type(self).__name__} needs low < high, got [{low}, {high}]")

    def suggest(self, trial, name: str) -> float:
        return float(trial.suggest_float(name, self.low, self.high))

    def grid_values(self, k: int) -> list:
        k = check_count("points_per_axis", k)
        if k == 1:
            return [(self.low + self.high) / 2]
        return [float(v) for v in np.linspace(self.low, self.high, k)]

    def extremes(self) -> list:
        return [self.low, self.high]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.low!r}, {self.high!r})"


class IntUniform(Uniform):
    """A whole number in [low, high], each equally likely for random search; the grid is
    up to k evenly spaced whole numbers (fewer when the range holds fewer)."""

    def __init__(self, low: int, high: int) -> None:
        low, high = _whole("IntUniform", "low", low), _whole("IntUniform", "high", high)
        super().__init__(low, high)
        self.low, self.high = low, high

    def suggest(self, trial, name: str) -> int:
        return int(trial.suggest_int(name, self.low, self.high))

    def grid_values(self, k: int) -> list:
        points = [round(v) for v in super().grid_values(k)]
        return list(dict.fromkeys(int(v) for v in points))


class LogUniform(Uniform):
    """The course's log scale: r uniform on [log10 low, log10 high], value 10^r, so each
    decade (1e-4..1e-3, 1e-3..1e-2, ...) is equally likely (Optuna's ``log=True``).
    0 < low < high; the grid is k points evenly spaced in r."""

    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high)
        if self.low <= 0:
            raise ConfigError(f"LogUniform needs 0 < low < high (a log scale), got [{low}, {high}]")

    def suggest(self, trial, name: str) -> float:
        return float(trial.suggest_float(name, self.low, self.high, log=True))

    def grid_values(self, k: int) -> list:
        k = check_count("points_per_axis", k)
        r = (math.log10(self.low), math.log10(self.high))
        inside = [min(max(10.0**v, self.low), self.high) for v in np.linspace(*r, k)]
        if k == 1:
            return [min(max(10.0 ** (sum(r) / 2), self.low), self.high)]
        return [self.low, *inside[1:-1], self.high]


class OneMinusLogUniform(Uniform):
    """A β close to 1 (momentum, Adam, RMSprop): 1 − β on a log scale, as the course
    samples β in [0.9, 0.999]: r uniform on [log10(1 − high), log10(1 − low)],
    β = 1 − 10^r. Needs low < high < 1. The Optuna parameter is ``1-<name>`` (log-uniform
    on [1 − high, 1 − low]); the grid is k points evenly spaced in r."""

    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high)
        if self.high >= 1:
            raise ConfigError(
                f"OneMinusLogUniform needs low < high < 1 (1 - beta > 0 on a log scale), "
                f"got [{low}, {high}]"
            )
        self._gap = LogUniform(1.0 - self.high, 1.0 - self.low)

    def key(self, name: str) -> str:
        return f"1-{name}"

    def suggest(self, trial, name: str) -> float:
        return self.decode(self._gap.suggest(trial, self.key(name)))

    def decode(self, raw: Any) -> float:
        return min(max(1.0 - float(raw), self.low), self.high)

    def grid_values(self, k: int) -> list:
        return self._gap.grid_values(k)

    def grid(self, k: int) -> list:
        return sorted(super().grid(k))


class PowerOfTwo(Dimension):
    """A power of two in [low, high] (mini-batch sizes 16, 32, ..., 512): 2^k with k a
    whole number uniform on [log2 low, log2 high]. The Optuna parameter is
    ``log2(<name>)``, so samplers see the sizes in order, one step per doubling; the grid
    is up to k evenly spaced exponents."""

    def __init__(self, low: int, high: int) -> None:
        low, high = _whole("PowerOfTwo", "low", low), _whole("PowerOfTwo", "high", high)
        for what, v in (("low", low), ("high", high)):
            if v < 1 or v & (v - 1):
                raise ConfigError(
                    f"PowerOfTwo {what} must be a power of two (1, 2, 4, ...), got {v}"
                )
        if low >= high:
            raise ConfigError(f"PowerOfTwo needs low < high, got [{low}, {high}]")
        self.low, self.high = low, high
        self._k = IntUniform(low.bit_length() - 1, high.bit_length() - 1)

    def key(self, name: str) -> str:
        return f"log2({name})"

    def suggest(self, trial, name: str) -> int:
        return self.decode(self._k.suggest(trial, self.key(name)))

    def decode(self, raw: Any) -> int:
        return 2 ** int(raw)

    def grid_values(self, k: int) -> list:
        return self._k.grid_values(k)

    def extremes(self) -> list:
        return [self.low, self.high]

    def __repr__(self) -> str:
        return f"PowerOfTwo({self.low}, {self.high})"


def check_space(space: Mapping) -> dict[str, Dimension]:
    """``{name: Dimension}`` from a space dict (a list or tuple means ``Choice``)."""
    if not isinstance(space, Mapping) or not space:
        raise ConfigError(
            f"space must be a non-empty dict {{name: Choice/Uniform/LogUniform/...}}, got {space!r}"
        )
    out: dict[str, Dimension] = {}
    keys: dict[str, str] = {}
    for name, dim in space.items():
        if not isinstance(name, str):
            raise ConfigError(f"space names must be strings, got {name!r}")
        if isinstance(dim, (list, tuple)):
            dim = Choice(dim)
        if not isinstance(dim, Dimension):
            raise ConfigError(
                f"space[{name!r}] must be Choice, Uniform, IntUniform, LogUniform, "
                f"OneMinusLogUniform, PowerOfTwo or a list of values, got {dim!r}"
            )
        key = dim.key(name)
        if key in keys:
            raise ConfigError(f"space[{name!r}] and space[{keys[key]!r}] are both {key!r}")
        keys[key] = name
        out[name] = dim
    return out


def grid_size(dims: Mapping[str, Dimension], k: int) -> int:
    """How many points the grid of ``dims`` with k points per continuous axis has."""
    return math.prod(len(d.grid_values(k)) for d in dims.values())


# ---------------------------------------------------------------------------- space files
#: the dimension kinds a space file names, and the class each builds
KINDS = {
    "uniform": Uniform,
    "int_uniform": IntUniform,
    "log_uniform": LogUniform,
    "one_minus_log_uniform": OneMinusLogUniform,
    "power_of_two": PowerOfTwo,
    "choice": Choice,
}


def _dimension(name: str, value) -> Dimension | None:
    """The dimension of one ``[space]`` entry, or None for a fixed value."""
    if isinstance(value, list):
        return Choice(value)
    if not isinstance(value, Mapping):
        return None
    if len(value) != 1 or next(iter(value)) not in KINDS:
        raise ConfigError(
            f"expected one of {{ {' | '.join(KINDS)} = [...] }}, a list of choices or a "
            f"plain value, got {dict(value)!r}"
        )
    kind, args = next(iter(value.items()))
    if kind == "choice":
        return Choice(args)
    if not isinstance(args, list) or len(args) != 2:
        raise ConfigError(f"{kind} takes [low, high], got {args!r}")
    return KINDS[kind](*args)


def parse_space(table, where: str = "space") -> tuple[dict[str, Dimension], dict[str, Any]]:
    """(searched dimensions, fixed values) of a space file's ``[space]`` table; an error
    names the entry (``space.learning_rate: ...``)."""
    if not isinstance(table, Mapping) or not table:
        raise ConfigError(f"{where}: needs a [space] table with at least one entry")
    dims: dict[str, Dimension] = {}
    fixed: dict[str, Any] = {}
    for name, value in table.items():
        try:
            dim = _dimension(name, value)
        except ConfigError as exc:
            raise ConfigError(f"{where}.{name}: {exc}") from None
        if dim is None:
            fixed[name] = value
        else:
            dims[name] = dim
    return dims, fixed


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415 - the standard library's reader (3.11+)

        return tomllib
    try:
        import tomli  # noqa: PLC0415 - optional tune extra on Python 3.10
    except ImportError:
        raise ConfigError(
            "reading a space file needs tomli: pip install 'layerwise[tune]'"
        ) from None
    return tomli


def read_space_text(text: str, where: str) -> tuple[dict[str, Dimension], dict[str, Any]]:
    """``parse_space`` of TOML text (``where`` names it in errors)."""
    toml = _toml()
    try:
        doc = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from None
    extra = sorted(set(doc) - {"space"})
    if extra:
        raise ConfigError(
            f"{where}: unknown table or key {extra[0]!r}; put every entry under [space]"
        )
    return parse_space(doc.get("space"), f"{where}: space" if "space" in doc else where)


def load_space_file(path: str | Path) -> tuple[dict[str, Dimension], dict[str, Any]]:
    """(searched dimensions, fixed values) of a TOML space file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no space file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the space file {path}: {exc}") from None
    return read_space_text(text, str(path))
