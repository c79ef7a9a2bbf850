"""Course-2 bridge: the engine's L2, dropout, Momentum, Adam and decay schedules give the
numbers of ``layerwise.course.regularization`` and ``.optimization``, in float64, on the
course's own test inputs (its test cases draw them after ``np.random.seed(1)``).
"""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as lw
from layerwise.course import optimization as opt
from layerwise.course import regularization as reg
from layerwise.gradcheck import gradients
from layerwise.losses import BinaryCrossEntropy
from layerwise.schedules import InverseTimeDecay, Schedule, StepDecay

NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
THREE = list(zip(NAMES, [(2, 3), (2, 1), (3, 2), (3, 1), (1, 3), (1, 1)]))  # n = 3, 2, 3, 1
TWO = list(zip(NAMES, [(2, 3), (2, 1), (3, 3), (3, 1)]))  # n = 3, 2, 3
Y5 = np.array([[1, 1, 0, 1, 0]])
TIGHT = {"rtol": 1e-12, "atol": 1e-15}


def draw(shapes) -> dict:
    """randn arrays from the legacy global stream, in the course's order."""
    return {k: np.random.randn(*s) for k, s in shapes}


def course_case():
    """The regularisation/dropout test cases: seed 1, X = randn(3, 5), then W1 ... b3."""
    np.random.seed(1)
    X = np.random.randn(3, 5)
    return X, draw(THREE)


def engine_net(params: dict, keep_prob: float | None = None) -> lw.Sequential:
    """Dense(n1, relu) [Dropout] Dense(n2, relu) [Dropout] Dense(1, sigmoid), set to params."""
    n1, n2 = params["W1"].shape[0], params["W2"].shape[0]

    def drop() -> list:
        return [lw.Dropout(keep_prob)] if keep_prob else []

    layers = [lw.Dense(n1, "relu"), *drop(), lw.Dense(n2, "relu"), *drop(), lw.Dense(1, "sigmoid")]
    net = lw.Sequential(layers, input_dim=params["W1"].shape[1], seed=3, dtype="float64")
    return net.set_parameters(params)


# --------------------------------------------------------------------------- L2
def test_l2_cost_matches_the_course():
    # compute_cost_with_regularization_test_case (seed 1, no X; a3 given): published 1.78648594516
    np.random.seed(1)
    a3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    published = reg.compute_cost_with_regularization(a3, Y5, draw(THREE), 0.1)
    assert published == pytest.approx(1.78648594516, abs=1e-10)
    assert BinaryCrossEntropy().cost(a3, Y5) == pytest.approx(reg.compute_cost(a3, Y5), rel=1e-12)
    # the engine's regularised training cost, one epoch at alpha = 0 (nothing moves)
    X, p = course_case()
    a3, _ = reg.forward_propagation(X, p)
    for lambd in (0.1, 0.7):
        model = engine_net(p)
        np.testing.assert_array_equal(model.forward(X), a3)
        h = model.fit(X, Y5, epochs=1, learning_rate=0.0, optimizer="gd", l2=lambd, verbose=0)
        expected = reg.compute_cost_with_regularization(a3, Y5, p, lambd)
        assert h.history["loss"][0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("lambd", [0.7, 0.1])
def test_l2_gradients_match_the_course(lambd):
    X, p = course_case()
    _, cache = reg.forward_propagation(X, p)
    course = reg.backward_propagation_with_regularization(X, Y5, cache, lambd)
    engine = gradients(engine_net(p), X, Y5, l2=lambd)
    assert sorted(engine) == sorted(f"d{k}" for k in p)
    for key, value in engine.items():
        np.testing.assert_allclose(value, course[key], **TIGHT)
    if lambd == 0.7:  # the course's expected output for this case
        np.testing.assert_allclose(
            engine["dW3"], [[-1.77691347, -0.11832879, -0.09397446]], atol=1e-8
        )


def test_l2_training_on_the_football_matches_the_course(football_path):
    pytest.importorskip("scipy", reason="data.mat needs SciPy (layerwise[sklearn])")
    X, Y, _, _ = reg.load_2D_dataset(football_path)
    params, costs = reg.model(
        X, Y, num_iterations=2001, print_cost=False, lambd=0.7, return_costs=True
    )
    model = engine_net(reg.initialize_parameters([2, 20, 3, 1]))
    h = model.fit(X, Y, epochs=2001, learning_rate=0.3, optimizer="gd", l2=0.7, verbose=0)
    np.testing.assert_allclose(h.history["loss"][::1000], costs, rtol=1e-12)
    for key, value in params.items():
        np.testing.assert_allclose(model.parameters[key], value, rtol=1e-12, atol=1e-13)


# --------------------------------------------------------------------------- dropout
def test_dropout_with_the_engine_masks_matches_the_course(monkeypatch):
    """The engine draws its own masks; the course's functions are fed the same masks
    (through np.random.rand) and must give the engine's activations and gradients."""
    X, p = course_case()
    kp = 0.7
    # forward_propagation_with_dropout_test_case: published A3
    np.testing.assert_allclose(
        reg.forward_propagation_with_dropout(X, p, kp)[0],
        [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]],
        atol=1e-8,
    )
    model = engine_net(p, kp)
    drops = [layer for layer in model.layers if isinstance(layer, lw.Dropout)]
    for layer in drops:
        layer.frozen = True  # reuse one mask per layer
    outputs, A = [], X
    for layer in model.layers:
        A = layer.forward(A, training=True).copy()
        outputs.append(A)
    a3 = outputs[-1]
    # the frozen mask applied to ones is D / keep_prob: exactly 0 or 1/keep_prob
    scaled = [
        d.forward(np.ones_like(outputs[i]), training=True).copy() for d, i in zip(drops, (0, 2))
    ]
    masks = [s != 0 for s in scaled]
    for s, mask in zip(scaled, masks):
        np.testing.assert_array_equal(s, mask * (1.0 / kp))
    assert 0 < np.concatenate([m.ravel() for m in masks]).mean() < 1

    draws = iter([np.where(mask, 0.0, 1.0) for mask in masks])  # rand < kp <=> mask
    monkeypatch.setattr(np.random, "rand", lambda *shape: next(draws))
    course_a3, cache = reg.forward_propagation_with_dropout(X, p, kp)
    np.testing.assert_array_equal(cache[1].astype(bool), masks[0])
    np.testing.assert_array_equal(cache[6].astype(bool), masks[1])
    np.testing.assert_allclose(outputs[1], cache[2], rtol=1e-15)  # A1 * D1 / kp
    np.testing.assert_allclose(outputs[3], cache[7], rtol=1e-15)  # A2 * D2 / kp
    np.testing.assert_allclose(a3, course_a3, rtol=1e-14)

    course = reg.backward_propagation_with_dropout(X, Y5, cache, kp)
    engine = gradients(model, X, Y5)  # a fresh forward, same frozen masks
    for key, value in engine.items():
        np.testing.assert_allclose(value, course[key], **TIGHT)
    # the layer's backward is the course's dA <- dA * D / keep_prob
    dA2 = drops[1].backward(p["W3"].T @ course["dZ3"])
    np.testing.assert_allclose(dA2, course["dA2"], rtol=1e-15)
    dA1 = drops[0].backward(p["W2"].T @ course["dZ2"])
    np.testing.assert_allclose(dA1, course["dA1"], rtol=1e-15)


def test_dropout_keeps_the_course_fraction():
    """Different generators, same law: both keep about keep_prob of the units."""
    kp = 0.86
    _, cache = reg.forward_propagation_with_dropout(
        np.ones((2, 500)), reg.initialize_parameters([2, 200, 3, 1]), kp
    )
    model = lw.Sequential(
        [lw.Dense(400, "relu"), lw.Dropout(kp)], input_dim=2, seed=0, dtype="float64"
    )
    out = model.layers[1].forward(np.ones((400, 500)), training=True)
    assert set(np.unique(out)) == {0.0, 1.0 / kp}
    assert abs(np.mean(cache[1]) - kp) < 0.01 and abs(np.mean(out != 0) - kp) < 0.01
    ones = np.ones((400, 500))
    assert model.layers[1].forward(ones, training=False) is ones  # identity at inference


# --------------------------------------------------------------------------- optimisers
def optimizer_case(steps: int):
    """update_parameters_with_{momentum,adam}_test_case (seed 1: W1 ... b2, then dW1 ... db2),
    followed by ``steps - 1`` more gradients from the same stream."""
    np.random.seed(1)
    params = draw(TWO)
    grads = [{f"d{k}": v for k, v in draw(TWO).items()} for _ in range(steps)]
    return params, grads


def engine_step(optimizer, params: dict, grads: dict) -> None:
    optimizer.step([(k, params[k], grads[f"d{k}"]) for k in params])


def test_gradient_descent_bit_for_bit():
    params, [grads] = optimizer_case(1)
    mine = {k: v.copy() for k, v in params.items()}
    engine_step(lw.GradientDescent(0.01), mine, grads)
    for key, value in opt.update_parameters_with_gd(params, grads, 0.01).items():
        np.testing.assert_array_equal(mine[key], value)


def test_momentum_matches_the_course_over_several_steps():
    params, grads = optimizer_case(6)
    mine = {k: v.copy() for k, v in params.items()}
    v = opt.initialize_velocity(params)
    momentum = lw.Momentum(learning_rate=0.01, beta=0.9)  # the course's test-case values
    for g in grads:
        params, v = opt.update_parameters_with_momentum(params, g, v, 0.9, 0.01)
        engine_step(momentum, mine, g)
        state = momentum.get_state()
        for key in params:
            np.testing.assert_allclose(mine[key], params[key], **TIGHT)
            np.testing.assert_allclose(state[f"v/{key}"], v[f"d{key}"], **TIGHT)


@pytest.mark.parametrize("first_t, steps", [(2, 1), (1, 6)])  # the course's test case uses t=2
# the course's defaults, and a large epsilon (the engine folds it into its step constants)
@pytest.mark.parametrize("hyper", [(0.01, 0.9, 0.999, 1e-8), (0.02, 0.8, 0.888, 1e-2)])
def test_adam_matches_the_course(first_t, steps, hyper):
    params, grads = optimizer_case(steps)
    mine = {k: v.copy() for k, v in params.items()}
    v, s = opt.initialize_adam(params)
    adam = lw.Adam(*hyper)
    adam.set_state({"t": np.array(first_t - 1)})  # zero v and s, next step is t = first_t
    for t, g in enumerate(grads, start=first_t):
        params, v, s, _, _ = opt.update_parameters_with_adam(params, g, v, s, t, *hyper)
        engine_step(adam, mine, g)
        state = adam.get_state()
        assert int(state["t"]) == t
        for key in params:
            np.testing.assert_allclose(mine[key], params[key], **TIGHT)
            np.testing.assert_allclose(state[f"v/{key}"], v[f"d{key}"], **TIGHT)
            np.testing.assert_allclose(state[f"s/{key}"], s[f"d{key}"], **TIGHT)


# --------------------------------------------------------------------------- decay
EPOCHS = sorted({*range(0, 5001, 7), 1, 2, 10, 99, 100, 999, 1000, 1001, 2999, 3000})


@pytest.mark.parametrize("lr0, rate", [(0.5, 1), (0.1, 1), (0.0007, 0.3), (0.01, 0.05)])
def test_update_lr_is_inverse_time_decay(lr0, rate):
    schedule = InverseTimeDecay(rate)
    for epoch in EPOCHS:
        value = schedule(lr0, epoch)
        assert type(value) is float and value == opt.update_lr(lr0, epoch, rate)


@pytest.mark.parametrize("interval", [1000, 100, 10, 1])
@pytest.mark.parametrize("lr0, rate", [(0.5, 0.3), (0.1, 1), (0.01, 1)])
def test_schedule_lr_decay_is_step_decay(lr0, rate, interval):
    schedule = StepDecay(rate, interval)
    for epoch in EPOCHS:
        value = schedule(lr0, epoch)
        assert type(value) is float and value == opt.schedule_lr_decay(lr0, epoch, rate, interval)


class CourseLag(Schedule):
    """The course's model sets alpha = decay(alpha0, i) after epoch i, so epoch i trains at
    decay(alpha0, i - 1) and epoch 0 at alpha0; the engine asks at the start of epoch i."""

    def __init__(self, inner: Schedule) -> None:
        self.inner = inner

    def __call__(self, alpha0: float, epoch: int, t: int = 0) -> float:
        return self.inner(alpha0, epoch - 1) if epoch else float(alpha0)


RUNS = {
    "gd+update_lr": ("gd", lw.GradientDescent, 0.1, opt.update_lr, InverseTimeDecay()),
    "momentum+schedule": ("momentum", lw.Momentum, 0.1, opt.schedule_lr_decay, StepDecay()),
    "adam+schedule": ("adam", lw.Adam, 0.01, opt.schedule_lr_decay, StepDecay()),
}


@pytest.mark.parametrize("name", list(RUNS))
def test_full_batch_training_with_decay_on_the_moons(name):
    """The course's model on one batch of all 300 moons vs fit with the same start."""
    pytest.importorskip("sklearn", reason="the moons need scikit-learn (layerwise[sklearn])")
    optimizer, cls, lr, decay, schedule = RUNS[name]
    X, Y = opt.load_dataset()
    epochs = 1201  # past the first StepDecay drop at epoch 1000
    run = dict(learning_rate=lr, mini_batch_size=300, num_epochs=epochs, decay=decay)
    params, costs = opt.model(
        X, Y, [2, 5, 2, 1], optimizer, print_cost=False, return_costs=True, **run
    )
    model = engine_net(opt.initialize_parameters([2, 5, 2, 1]))
    h = model.fit(
        X, Y, epochs=epochs, optimizer=cls(lr), decay=CourseLag(schedule), shuffle=False, verbose=0
    )
    assert h.history["lr"][-1] == decay(lr, epochs - 2, 1)
    np.testing.assert_allclose(h.history["loss"][::100], costs, rtol=1e-12)
    for key, value in params.items():  # without the one-epoch lag they differ by ~1e-3
        np.testing.assert_allclose(model.parameters[key], value, rtol=1e-12, atol=1e-13)
