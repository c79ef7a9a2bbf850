"""Optimisers against the course's update rules written out literally, dtype keeping,
state round trips and argument validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from layerwise import Adam, ConfigError, GradientDescent, Momentum, RMSprop
from layerwise.optimizers import get_optimizer

STEPS = 7
SHAPES = {"W1": (3, 4), "b1": (3, 1), "W2": (1, 3)}


def _initial(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(s).astype(dtype) for k, s in SHAPES.items()}


def _grads(dtype=np.float64, seed=1, steps=STEPS):
    """A different gradient at every step, with varying scales."""
    rng = np.random.default_rng(seed)
    return [
        {k: (rng.standard_normal(s) * (0.1 + t)).astype(dtype) for k, s in SHAPES.items()}
        for t in range(steps)
    ]


def _run(opt, params, grads):
    for g in grads:
        opt.step([(k, params[k], g[k]) for k in params])
    return params


# ---------------------------------------------------------------------------- the rules
def test_gradient_descent():
    alpha = 0.05
    params = _run(GradientDescent(alpha), _initial(), _grads())
    ref = _initial()
    for g in _grads():
        for k in ref:
            ref[k] = ref[k] - alpha * g[k]
    for k in ref:
        np.testing.assert_allclose(params[k], ref[k], rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("beta", [0.9, 0.5, 0.0])
def test_momentum(beta):
    alpha = 0.1
    params = _run(Momentum(alpha, beta=beta), _initial(), _grads())
    ref = _initial()
    v = {k: np.zeros(s) for k, s in SHAPES.items()}
    for g in _grads():
        for k in ref:
            v[k] = beta * v[k] + (1 - beta) * g[k]
            ref[k] = ref[k] - alpha * v[k]
    for k in ref:
        np.testing.assert_allclose(params[k], ref[k], rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize(("beta", "eps"), [(0.999, 1e-8), (0.9, 1e-3)])
def test_rmsprop(beta, eps):
    alpha = 0.01
    params = _run(RMSprop(alpha, beta=beta, epsilon=eps), _initial(), _grads())
    ref = _initial()
    s = {k: np.zeros(sh) for k, sh in SHAPES.items()}
    for g in _grads():
        for k in ref:
            s[k] = beta * s[k] + (1 - beta) * g[k] ** 2
            ref[k] = ref[k] - alpha * g[k] / (np.sqrt(s[k]) + eps)
    for k in ref:
        np.testing.assert_allclose(params[k], ref[k], rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize(("b1", "b2", "eps"), [(0.9, 0.999, 1e-8), (0.5, 0.9, 1e-2)])
def test_adam(b1, b2, eps):
    alpha = 0.02
    opt = Adam(alpha, beta1=b1, beta2=b2, epsilon=eps)
    params = _run(opt, _initial(), _grads())
    assert opt.t == STEPS  # one count per step, not per parameter
    ref = _initial()
    v = {k: np.zeros(sh) for k, sh in SHAPES.items()}
    s = {k: np.zeros(sh) for k, sh in SHAPES.items()}
    for t, g in enumerate(_grads(), start=1):
        for k in ref:
            v[k] = b1 * v[k] + (1 - b1) * g[k]
            s[k] = b2 * s[k] + (1 - b2) * g[k] ** 2
            v_hat = v[k] / (1 - b1**t)
            s_hat = s[k] / (1 - b2**t)
            ref[k] = ref[k] - alpha * v_hat / (np.sqrt(s_hat) + eps)
    for k in ref:
        np.testing.assert_allclose(params[k], ref[k], rtol=1e-12, atol=1e-14)


def test_adam_first_step_is_about_alpha_times_sign():
    """With bias correction the first step is alpha g / (|g| + eps), whatever g's scale."""
    p = np.zeros((1, 3))
    Adam(0.1).step([("W1", p, np.array([[1e-3, -50.0, 2.0]]))])
    np.testing.assert_allclose(p, [[-0.1, 0.1, -0.1]], rtol=1e-4)


def test_learning_rate_can_change_between_steps():
    opt = GradientDescent(0.1)
    p = np.ones(2)
    opt.step([("W1", p, np.ones(2))])
    opt.learning_rate = 0.01
    opt.step([("W1", p, np.ones(2))])
    np.testing.assert_allclose(p, 1 - 0.1 - 0.01)


# ---------------------------------------------------------------------------- dtype
@pytest.mark.parametrize("cls", [GradientDescent, Momentum, RMSprop, Adam])
def test_float32_stays_float32(cls):
    opt = cls(0.01)
    params = _run(opt, _initial(np.float32), _grads(np.float32))
    for p in params.values():
        assert p.dtype == np.float32
    for key, arr in opt.get_state().items():
        if key != "t":
            assert arr.dtype == np.float32, key
    # and the float32 result tracks the float64 one
    params64 = _run(cls(0.01), _initial(), _grads())
    for k in params:
        np.testing.assert_allclose(params[k], params64[k], rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------- state
@pytest.mark.parametrize(
    "make",
    [
        lambda: GradientDescent(0.05),
        lambda: Momentum(0.05, beta=0.8),
        lambda: RMSprop(0.01, beta=0.9),
        lambda: Adam(0.01, beta1=0.8, beta2=0.95),
    ],
)
def test_state_round_trip_resumes_identically(make):
    grads = _grads(steps=8)
    straight = _run(make(), _initial(), grads)

    first = make()
    params = _run(first, _initial(), grads[:4])
    state = first.get_state()
    assert int(state["t"]) == 4
    # a snapshot: more steps of the original do not change it
    frozen = {k: np.array(v, copy=True) for k, v in state.items()}
    _run(first, {k: v.copy() for k, v in params.items()}, grads[4:])
    for k in state:
        np.testing.assert_array_equal(state[k], frozen[k])

    # through a file-like round trip: plain arrays with the same keys
    resumed = make()
    resumed.set_state({k: np.asarray(v) for k, v in state.items()})
    assert resumed.t == 4
    _run(resumed, params, grads[4:])
    for k in straight:
        np.testing.assert_array_equal(params[k], straight[k])


def test_state_keys_name_slots_and_parameters():
    opt = Adam(0.01)
    _run(opt, _initial(), _grads(steps=2))
    assert set(opt.get_state()) == {"t"} | {f"{s}/{k}" for s in ("v", "s") for k in SHAPES}


# ---------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "make",
    [
        lambda: GradientDescent(-0.1),
        lambda: GradientDescent(float("nan")),
        lambda: GradientDescent(float("inf")),
        lambda: Momentum(0.1, beta=1.0),
        lambda: Momentum(0.1, beta=-0.1),
        lambda: RMSprop(0.1, beta=1.5),
        lambda: RMSprop(0.1, epsilon=-1e-8),
        lambda: Adam(0.1, beta1=1.0),
        lambda: Adam(0.1, beta2=-0.5),
        lambda: Adam(0.1, beta1=float("nan")),
        lambda: Adam(0.1, epsilon=-1.0),
        lambda: Adam(-1.0),
    ],
)
def test_bad_hyper_parameters(make):
    with pytest.raises(ConfigError):
        make()


def test_get_optimizer():
    assert isinstance(get_optimizer("adam"), Adam)
    assert isinstance(get_optimizer("SGD"), GradientDescent)
    opt = get_optimizer({"name": "momentum", "beta": 0.7}, learning_rate=0.3)
    assert isinstance(opt, Momentum) and opt.beta == 0.7 and opt.learning_rate == 0.3
    rebuilt = get_optimizer(Adam(0.004, beta1=0.8).config())
    assert isinstance(rebuilt, Adam) and rebuilt.learning_rate == 0.004 and rebuilt.beta1 == 0.8
    with pytest.raises(ConfigError):
        get_optimizer("adagrad")
    assert math.isclose(Adam().learning_rate, 0.001)
    assert type(Adam(np.float32(0.5)).learning_rate) is float
