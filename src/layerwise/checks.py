"""Argument checks shared by every module: one clear ConfigError sentence each.

``what`` names the argument as the user wrote it ("Dense units", "--keep-prob").
"""

from __future__ import annotations

import math

import numpy as np

from .errors import ConfigError


def positive_int(value: object, what: str) -> int:
    """``value`` as an int >= 1 (bools and floats refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def non_negative_int(value: object, what: str) -> int:
    """``value`` as an int >= 0 (bools and floats refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ConfigError(f"{what} must be an integer >= 0, got {value!r}")
    return int(value)


def in_range(
    value: object,
    what: str,
    low: float = 0.0,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = True,
) -> float:
    """``value`` as a finite-or-inf Python float in the interval [low, high) (or with the
    ends open/closed as asked); NaN, strings and out-of-range values are refused."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    above = number > low if low_open else number >= low
    below = number < high if high_open else number <= high
    if math.isnan(number) or not (above and below):
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ConfigError(f"{what} must be in {interval}, got {value!r}")
    return number


def probability(value: object, what: str) -> float:
    """A keep probability in (0, 1]."""
    return in_range(value, what, 0.0, 1.0, low_open=True, high_open=False)


def fraction(value: object, what: str) -> float:
    """A share of the data in [0, 1)."""
    return in_range(value, what, 0.0, 1.0)


def seed(value: object, what: str) -> int:
    """A seed for ``np.random.default_rng``: an integer in [0, 2**32)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not (0 <= value < 2**32)
    ):
        raise ConfigError(f"{what} must be an integer in [0, 2**32), got {value!r}")
    return int(value)
