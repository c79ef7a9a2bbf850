"""layerwise.course.optimization against COURSE.md §2.8 and the §4 headline results."""

# The course's functions use the legacy global generator; so do the references here.
# ruff: noqa: NPY002

from __future__ import annotations

import contextlib
import io
import math
import re

import numpy as np
import pytest

from layerwise.course import optimization as opt
from layerwise.errors import ConfigError

LOWER_KEYS = ["dz3", "dW3", "db3", "da2", "dz2", "dW2", "db2", "da1", "dz1", "dW1", "db1"]


def one_layer():
    params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.5]])}
    grads = {"dW1": np.array([[0.5, -1.0]]), "db1": np.array([[2.0]])}
    return params, grads


# --------------------------------------------------------------------------- updates
def test_gd_single_update():
    params, grads = one_layer()
    out = opt.update_parameters_with_gd(params, grads, 0.1)
    np.testing.assert_allclose(out["W1"], [[0.95, 2.1]], rtol=1e-15)
    np.testing.assert_allclose(out["b1"], [[0.3]], rtol=1e-15)


def test_momentum_single_update():
    params, grads = one_layer()
    v = opt.initialize_velocity(params)
    assert list(v) == ["dW1", "db1"] and not v["dW1"].any() and v["db1"].shape == (1, 1)
    params, v = opt.update_parameters_with_momentum(params, grads, v, 0.9, 0.1)
    # v = 0.1 g;  W = W - 0.1 v
    np.testing.assert_allclose(v["dW1"], [[0.05, -0.1]], rtol=1e-12)
    np.testing.assert_allclose(params["W1"], [[0.995, 2.01]], rtol=1e-12)
    np.testing.assert_allclose(params["b1"], [[0.48]], rtol=1e-12)
    # a second step with the same gradient: v = 0.9 * 0.1 g + 0.1 g = 0.19 g
    params, v = opt.update_parameters_with_momentum(params, grads, v, 0.9, 0.1)
    np.testing.assert_allclose(v["dW1"], [[0.095, -0.19]], rtol=1e-12)
    np.testing.assert_allclose(params["W1"], [[0.9855, 2.029]], rtol=1e-12)


def test_adam_two_updates_by_hand():
    params, grads = one_layer()
    v, s = opt.initialize_adam(params)
    assert list(v) == list(s) == ["dW1", "db1"]
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    result = opt.update_parameters_with_adam(params, grads, v, s, 1, lr, b1, b2, eps)
    assert len(result) == 5
    params, v, s, v_hat, s_hat = result
    g = 0.5  # dW1[0, 0]
    assert v["dW1"][0, 0] == pytest.approx(0.1 * g, rel=1e-14)
    assert s["dW1"][0, 0] == pytest.approx(0.001 * g * g, rel=1e-12)
    assert v_hat["dW1"][0, 0] == pytest.approx(g, rel=1e-12)
    assert s_hat["dW1"][0, 0] == pytest.approx(g * g, rel=1e-12)
    assert params["W1"][0, 0] == pytest.approx(1.0 - lr * g / (g + eps), rel=1e-14)
    # step 2 with another gradient g2
    g2 = -1.5
    grads2 = {"dW1": np.array([[g2, 0.0]]), "db1": np.array([[0.0]])}
    params, v, s, v_hat, s_hat = opt.update_parameters_with_adam(
        params, grads2, v, s, 2, lr, b1, b2, eps
    )
    v2 = 0.9 * 0.05 + 0.1 * g2
    s2 = 0.999 * 0.00025 + 0.001 * g2 * g2
    vh, sh = v2 / (1 - 0.9**2), s2 / (1 - 0.999**2)
    w1 = 1.0 - lr * g / (g + eps)
    assert params["W1"][0, 0] == pytest.approx(w1 - lr * vh / (math.sqrt(sh) + eps), rel=1e-13)


def test_adam_rejects_t_zero():
    params, grads = one_layer()
    v, s = opt.initialize_adam(params)
    with pytest.raises(ConfigError):
        opt.update_parameters_with_adam(params, grads, v, s, 0)


# --------------------------------------------------------------------------- mini-batches
@pytest.mark.parametrize("m, size, sizes", [(148, 64, [64, 64, 20]), (128, 64, [64, 64]),
                                            (5, 10, [5])])  # fmt: skip
def test_random_mini_batches(m, size, sizes):
    X = np.arange(3 * m, dtype=float).reshape(3, m)
    Y = (np.arange(m) % 2).reshape(1, m)
    batches = opt.random_mini_batches(X, Y, size, seed=7)
    assert [bx.shape[1] for bx, _ in batches] == sizes
    assert all(by.shape == (1, bx.shape[1]) for bx, by in batches)
    np.random.seed(7)
    perm = np.random.permutation(m)
    np.testing.assert_array_equal(np.concatenate([bx for bx, _ in batches], axis=1), X[:, perm])
    np.testing.assert_array_equal(np.concatenate([by for _, by in batches], axis=1), Y[:, perm])


def test_random_mini_batches_rejects_bad_size():
    with pytest.raises(ConfigError):
        opt.random_mini_batches(np.zeros((2, 4)), np.zeros((1, 4)), 0)


# --------------------------------------------------------------------------- decay
def test_update_lr():
    lr = opt.update_lr(0.5, 2, 1)
    assert type(lr) is float and lr == pytest.approx(0.5 / 3, rel=1e-15)
    assert opt.update_lr(0.1, 0, 1) == 0.1
    assert opt.update_lr(0.1, 999, 1) == pytest.approx(0.0001, rel=1e-12)


def test_schedule_lr_decay():
    values = [opt.schedule_lr_decay(0.5, e, 1) for e in (0, 999, 1000, 2999, 3000)]
    assert all(type(v) is float for v in values)
    assert values == pytest.approx([0.5, 0.5, 0.25, 0.5 / 3, 0.125], rel=1e-15)
    assert opt.schedule_lr_decay(0.5, 100, 0.3, time_interval=10) == pytest.approx(0.5 / 4)


# --------------------------------------------------------------------------- helpers
def small_case(m: int = 6):
    rng = np.random.default_rng(3)
    return rng.standard_normal((2, m)), (rng.random((1, m)) > 0.5).astype(np.int64)


def test_initialize_parameters_recomputed_from_seed_3():
    dims = [2, 5, 2, 1]
    p = opt.initialize_parameters(dims)
    np.random.seed(3)
    for l in range(1, 4):
        np.testing.assert_array_equal(
            p[f"W{l}"], np.random.randn(dims[l], dims[l - 1]) * np.sqrt(2 / dims[l - 1])
        )
        np.testing.assert_array_equal(p[f"b{l}"], np.zeros((dims[l], 1)))


def test_cost_is_a_sum_and_backward_matches_it_over_m(numerical_grads):
    X, Y = small_case()
    p = opt.initialize_parameters([2, 5, 2, 1])
    a3, cache = opt.forward_propagation(X, p)
    cost = opt.compute_cost(a3, Y)
    assert type(cost) is np.float64
    assert cost == pytest.approx(np.sum(-np.log(a3) * Y - np.log(1 - a3) * (1 - Y)), rel=1e-14)
    grads = opt.backward_propagation(X, Y, cache)
    assert list(grads) == LOWER_KEYS
    m = X.shape[1]
    num = numerical_grads(p, lambda q: opt.compute_cost(opt.forward_propagation(X, q)[0], Y))
    for key in ("W1", "b1", "W2", "b2", "W3", "b3"):  # the summed cost's gradient, over m
        np.testing.assert_allclose(grads["d" + key], num["d" + key] / m, rtol=1e-5, atol=1e-8)


def test_model_rejects_unknown_optimizer():
    X, Y = small_case()
    with pytest.raises(ConfigError, match="optimizer"):
        opt.model(X, Y, [2, 3, 2, 1], "rmsprop", num_epochs=1)


def test_model_cadence(capsys):
    X, Y = small_case()
    _, costs = opt.model(X, Y, [2, 3, 2, 1], "adam", num_epochs=1001, mini_batch_size=4,
                         decay=opt.schedule_lr_decay, return_costs=True)  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert len(costs) == 11
    assert out[0].startswith("Cost after epoch 0: ")
    assert out[1] == "learning rate after epoch 0: 0.000700"
    assert out[3] == "learning rate after epoch 1000: 0.000350"
    opt.model(X, Y, [2, 3, 2, 1], "gd", num_epochs=3, print_cost=False)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------- headline
@pytest.fixture(scope="module")
def moons():
    pytest.importorskip("sklearn", reason="the moons need scikit-learn (layerwise[sklearn])")
    return opt.load_dataset()


def test_moons_sanity(moons):
    X, Y = moons
    assert X.shape == (2, 300) and Y.shape == (1, 300) and Y.sum() == 150
    np.testing.assert_allclose(X[:, 0], [-0.21687013, 1.01544937], atol=1e-8)


DECAY_LRS = [0.1, 0.05, 0.033333, 0.025, 0.02]
HEADLINE = {
    "gd": (dict(optimizer="gd"), [0.702405, 0.668101, 0.635288, 0.600491, 0.573367],
           None, 0.7166666666666667),
    "momentum": (dict(optimizer="momentum", beta=0.9),
                 [0.702413, 0.668167, 0.635388, 0.600591, 0.573444], None, 0.7166666666666667),
    "adam": (dict(optimizer="adam"), [0.702166, 0.167845, 0.141316, 0.138788, 0.136066],
             None, 0.9433333333333334),
    "gd+update_lr": (dict(optimizer="gd", learning_rate=0.1, decay=opt.update_lr),
                     [0.701091, 0.661884, 0.658620, 0.656765, 0.655486],
                     [0.1, 0.0001, 0.00005, 0.000033, 0.000025], 0.6533333333333333),
    "gd+schedule": (dict(optimizer="gd", learning_rate=0.1, decay=opt.schedule_lr_decay),
                    [0.701091, 0.127161, 0.120304, 0.117033, 0.117512], DECAY_LRS,
                    0.9433333333333334),
    "momentum+schedule": (dict(optimizer="momentum", learning_rate=0.1,
                               decay=opt.schedule_lr_decay),
                          [0.702226, 0.128974, 0.125965, 0.123375, 0.123218], DECAY_LRS,
                          0.9533333333333334),
    "adam+schedule": (dict(optimizer="adam", learning_rate=0.01, decay=opt.schedule_lr_decay),
                      [0.699346, 0.130074, 0.129826, 0.129282, 0.128361],
                      [0.01, 0.005, 0.003333, 0.0025, 0.002], 0.94),
}  # fmt: skip


@pytest.fixture(scope="module")
def headline(moons):
    """All seven 5000-epoch runs of COURSE.md §4 (about 25 s together), with their output."""
    X, Y = moons
    results = {}
    for name, (kwargs, *_) in HEADLINE.items():
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            params, costs = opt.model(X, Y, [2, 5, 2, 1], return_costs=True, **kwargs)
        accuracy = np.mean(opt.predict_dec(params, X) == Y)
        results[name] = (costs, buf.getvalue(), accuracy)
    return results


@pytest.mark.slow
@pytest.mark.parametrize("name", list(HEADLINE))
def test_headline_exact(headline, name):
    _, published_costs, published_lrs, published_acc = HEADLINE[name]
    costs, printed, accuracy = headline[name]
    assert len(costs) == 50
    np.testing.assert_allclose(costs[::10], published_costs, atol=1e-6, rtol=0)
    printed_costs = [float(c) for c in re.findall(r"Cost after epoch \d+: (\S+)", printed)]
    np.testing.assert_allclose(printed_costs, published_costs, atol=1e-6, rtol=0)
    printed_lrs = [float(v) for v in re.findall(r"learning rate after epoch \d+: (\S+)", printed)]
    if published_lrs is None:
        assert printed_lrs == []
    else:
        np.testing.assert_allclose(printed_lrs, published_lrs, atol=1e-6, rtol=0)
    assert accuracy == pytest.approx(published_acc, abs=1e-12)
