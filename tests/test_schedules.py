"""Learning-rate schedules against their formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from layerwise import ConfigError
from layerwise.schedules import (
    ExponentialDecay,
    InverseTimeDecay,
    SqrtEpochDecay,
    SqrtStepDecay,
    StepDecay,
    get_schedule,
)

EPOCHS = [0, 1, 2, 5, 10, 99, 1000, 2500]


@pytest.mark.parametrize("rate", [1.0, 0.3, 0.0])
def test_inverse_time(rate):
    s = InverseTimeDecay(rate)
    for epoch in EPOCHS:
        assert s(0.5, epoch) == pytest.approx(0.5 / (1 + rate * epoch), rel=1e-15)
    assert s(0.5, 0) == 0.5
    assert s(0.5, 3) == pytest.approx({1.0: 0.125, 0.3: 0.5 / 1.9, 0.0: 0.5}[rate], rel=1e-15)


@pytest.mark.parametrize("base", [0.95, 0.5])
def test_exponential(base):
    s = ExponentialDecay(base)
    for epoch in EPOCHS:
        assert s(0.1, epoch) == pytest.approx(0.1 * base**epoch, rel=1e-13)
    assert ExponentialDecay()(1.0, 2) == pytest.approx(0.9025, rel=1e-15)


@pytest.mark.parametrize("k", [1.0, 0.5])
def test_sqrt_epoch(k):
    s = SqrtEpochDecay(k)
    for epoch in EPOCHS[1:]:
        assert s(0.2, epoch) == pytest.approx(0.2 * k / math.sqrt(epoch), rel=1e-15)
    assert s(0.2, 4) == pytest.approx(0.1 * k, rel=1e-15)
    assert s(0.2, 0) == pytest.approx(0.2 * k, rel=1e-15)  # epoch 0 is taken as 1


@pytest.mark.parametrize("k", [1.0, 2.0])
def test_sqrt_step(k):
    s = SqrtStepDecay(k)
    assert s.per_step
    for t in [1, 2, 9, 100, 12345]:
        assert s(0.3, 7, t) == pytest.approx(0.3 * k / math.sqrt(t), rel=1e-15)
    assert s(0.3, 7, 16) == pytest.approx(0.075 * k, rel=1e-15)
    assert s(0.3, 0) == pytest.approx(0.3 * k, rel=1e-15)  # t defaults to 1


@pytest.mark.parametrize(("rate", "interval"), [(1.0, 1000), (0.5, 10), (2.0, 1)])
def test_step_decay(rate, interval):
    s = StepDecay(rate, time_interval=interval)
    for epoch in EPOCHS:
        expected = 0.4 / (1 + rate * math.floor(epoch / interval))
        assert s(0.4, epoch) == pytest.approx(expected, rel=1e-15)


def test_step_decay_is_piecewise_constant():
    s = StepDecay(1.0, time_interval=10)
    assert s(1.0, 0) == s(1.0, 9) == 1.0
    assert s(1.0, 10) == s(1.0, 19) == 0.5
    assert s(1.0, 20) == pytest.approx(1 / 3)


def test_only_sqrt_step_is_per_step():
    assert [c.per_step for c in (InverseTimeDecay(), ExponentialDecay(), SqrtEpochDecay(),
                                 StepDecay())] == [False] * 4  # fmt: skip


@pytest.mark.parametrize(
    "schedule",
    [InverseTimeDecay(1.0), ExponentialDecay(), SqrtEpochDecay(), SqrtStepDecay(), StepDecay()],
)
@pytest.mark.parametrize("alpha0", [0.01, np.float32(0.01), np.float64(0.01), 1])
def test_returns_python_float(schedule, alpha0):
    for epoch in (0, 3, np.int64(4)):
        assert type(schedule(alpha0, epoch, 5)) is float


@pytest.mark.parametrize(
    "make",
    [
        lambda: InverseTimeDecay(-1.0),
        lambda: InverseTimeDecay(float("nan")),
        lambda: ExponentialDecay(0.0),
        lambda: ExponentialDecay(-0.5),
        lambda: SqrtEpochDecay(0.0),
        lambda: SqrtEpochDecay(-2.0),
        lambda: SqrtStepDecay(0.0),
        lambda: StepDecay(-1.0),
        lambda: StepDecay(1.0, time_interval=0),
        lambda: StepDecay(1.0, time_interval=-5),
        lambda: get_schedule("cosine"),
        lambda: get_schedule({"name": "warmup"}),
        lambda: get_schedule(3),
    ],
)
def test_bad_arguments(make):
    with pytest.raises(ConfigError):
        make()


def test_get_schedule():
    assert get_schedule(None) is None
    s = InverseTimeDecay(0.5)
    assert get_schedule(s) is s
    assert isinstance(get_schedule("exponential"), ExponentialDecay)
    built = get_schedule({"name": "step", "decay_rate": 0.5, "time_interval": 10})
    assert isinstance(built, StepDecay) and built(1.0, 25) == pytest.approx(0.5)
    again = get_schedule(StepDecay(0.25, 7).config())
    assert again(1.0, 14) == pytest.approx(1 / 1.5)
