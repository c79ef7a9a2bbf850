"""Learning-rate decay: each schedule maps (alpha0, epoch) to alpha, a Python float.

| schedule           | alpha                                   |
|--------------------|-----------------------------------------|
| InverseTimeDecay   | alpha0 / (1 + rate * epoch)             |
| ExponentialDecay   | alpha0 * base ** epoch   (base 0.95)    |
| SqrtEpochDecay     | alpha0 * k / sqrt(epoch)                |
| SqrtStepDecay      | alpha0 * k / sqrt(t), t = mini-batch step |
| StepDecay          | alpha0 / (1 + rate * floor(epoch / interval)) |

The training loop calls ``schedule(alpha0, epoch, t)`` at the start of every epoch
(epoch counted from 0, t the number of steps taken so far), or, for schedules whose
``per_step`` is True, before every mini-batch step (t counted from 1).
"""

from __future__ import annotations

import math

from .checks import in_range
from .errors import ConfigError


class Schedule:
    """Base class. ``per_step`` schedules are applied before every mini-batch step."""

    per_step = False
    name = ""

    def __call__(self, alpha0: float, epoch: int, t: int = 0) -> float:
        raise NotImplementedError

    def config(self) -> dict:
        return {"name": self.name, **vars(self)}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def _positive(name: str, value: float, allow_zero: bool = True) -> float:
    return in_range(value, name, 0.0, low_open=not allow_zero)


class InverseTimeDecay(Schedule):
    """alpha = alpha0 / (1 + decay_rate * epoch)."""

    name = "inverse_time"

    def __init__(self, decay_rate: float = 1.0) -> None:
        self.decay_rate = _positive("decay_rate", decay_rate)

    def __call__(self, alpha0: float, epoch: int, t: int = 0) -> float:
        return float(alpha0 / (1 + self.decay_rate * epoch))


class ExponentialDecay(Schedule):
    """alpha = alpha0 * base ** epoch."""

    name = "exponential"

    def __init__(self, base: float = 0.95) -> None:
        self.base = _positive("base", base, allow_zero=False)

    def __call__(self, alpha0: float, epoch: int, t: int = 0) -> float:
        return float(alpha0 * self.base**epoch)


class SqrtEpochDecay(Schedule):
    """alpha = alpha0 * k / sqrt(epoch); epoch 0 is treated as 1 (alpha = alpha0 * k)."""

    name = "sqrt_epoch"

    def __init__(self, k: float = 1.0) -> None:
        self.k = _positive("k", k, allow_zero=False)

    def __call__(self, alpha0: float, epoch: int, t: int = 0) -> float:
        return float(alpha0 * self.k / math.sqrt(max(epoch, 1)))


class SqrtStepDecay(Schedule):
    """alpha = alpha0 * k / sqrt(t), t the mini-batch step counted from 1."""

    name = "sqrt_step"
    per_step = True

    def __init__(self, k: float = 1.0) -> None:
        self.k = _positive("k", k, allow_zero=False)

    def __call__(self, alpha0: float, epoch: int, t: int = 1) -> float:
        return float(alpha0 * self.k / math.sqrt(max(t, 1)))


class StepDecay(Schedule):
    """alpha = alpha0 / (1 + decay_rate * floor(epoch / time_interval)): the course's
    fixed-interval scheduling."""

    name = "step"

    def __init__(self, decay_rate: float = 1.0, time_interval: int = 1000) -> None:
        self.decay_rate = _positive("decay_rate", decay_rate)
        if int(time_interval) < 1:
            raise ConfigError(f"time_interval must be >= 1, got {time_interval}")
        self.time_interval = int(time_interval)

    def __call__(self, alpha0: float, epoch: int, t: int = 0) -> float:
        return float(alpha0 / (1 + self.decay_rate * (epoch // self.time_interval)))


SCHEDULES = {
    cls.name: cls
    for cls in (InverseTimeDecay, ExponentialDecay, SqrtEpochDecay, SqrtStepDecay, StepDecay)
}


def get_schedule(spec: str | dict | Schedule | None) -> Schedule | None:
    """A Schedule from a name, a config dict, a Schedule, or None (constant rate)."""
    if spec is None or isinstance(spec, Schedule):
        return spec
    kwargs: dict = {}
    if isinstance(spec, dict):
        kwargs = {k: v for k, v in spec.items() if k != "name"}
        spec = spec.get("name", "")
    if not isinstance(spec, str) or spec not in SCHEDULES:
        raise ConfigError(f"unknown decay {spec!r}; expected one of {', '.join(SCHEDULES)}")
    return SCHEDULES[spec](**kwargs)
