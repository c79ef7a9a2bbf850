"""Gradient checking: back-propagation agrees with two-sided differences for every
hidden activation, output/loss pairing and depth, with L2, dropout and batch norm; a
deliberately broken backward is caught; dropout that is not frozen is frozen in the
checked copy."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise import Activation, BatchNorm, Dense, Dropout, Sequential, gradcheck
from layerwise.errors import ConfigError
from layerwise.gradcheck import gradients

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
N_X, M, UNITS = 4, 8, 3

# (output activation, loss, n_y, kind of Y)
PAIRS = {
    "sigmoid+bce": ("sigmoid", "bce", 1, "binary"),
    "softmax+cce/indices": ("softmax", "cce", 3, "indices"),
    "softmax+cce/one-hot": ("softmax", "cce", 3, "one_hot"),
    "linear+mse": ("linear", "mse", 2, "real"),
    "sigmoid+mse": ("sigmoid", "mse", 1, "binary"),
    "tanh+mse": ("tanh", "mse", 2, "real"),
    "softmax+mse": ("softmax", "mse", 3, "one_hot"),
}


def _data(n_y, kind, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_X, M))
    if kind == "binary":
        Y = (rng.random((1, M)) < 0.5).astype(float)
    elif kind == "indices":
        Y = rng.integers(0, n_y, (1, M))
    elif kind == "one_hot":
        Y = np.eye(n_y)[:, rng.integers(0, n_y, M)]
    else:
        Y = rng.standard_normal((n_y, M)) * 0.5
    return X, Y


def _model(depth, hidden, output, n_y, seed=1, dtype="float64"):
    layers = [Dense(UNITS, hidden) for _ in range(depth - 1)] + [Dense(n_y, output)]
    model = Sequential(layers, input_dim=N_X, seed=seed, dtype=dtype)
    # Non-zero biases: with b = 0, a layer whose ReLU units are all off for an example
    # hands the next layer Z = b = 0 exactly, on the kink, where the two-sided
    # difference sees slope 1/2 and back-propagation (rightly) 0.
    rng = np.random.default_rng(seed + 1000)
    for name, p in model.parameters.items():
        if name.startswith("b"):
            p[...] = rng.choice([-1.0, 1.0], p.shape) * rng.uniform(0.2, 0.6, p.shape)
    return model


def _cases():
    for depth in (1, 2, 3, 4):
        for pair in PAIRS:
            # a depth-1 model has no hidden layer, so one hidden activation suffices
            for hidden in HIDDEN if depth > 1 else HIDDEN[:1]:
                yield pytest.param(depth, hidden, pair, id=f"L{depth}-{hidden}-{pair}")


@pytest.mark.parametrize(("depth", "hidden", "pair"), list(_cases()))
def test_gradcheck_every_activation_loss_and_depth(depth, hidden, pair):
    output, loss, n_y, kind = PAIRS[pair]
    X, Y = _data(n_y, kind, seed=depth)
    model = _model(depth, hidden, output, n_y, seed=depth + 10)
    diff = gradcheck(model, X, Y, epsilon=1e-7, loss=loss)
    assert diff < 1e-7


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("pair", ["sigmoid+bce", "softmax+cce/indices", "linear+mse"])
def test_gradcheck_with_l2(hidden, pair):
    output, loss, n_y, kind = PAIRS[pair]
    X, Y = _data(n_y, kind, seed=3)
    model = _model(3, hidden, output, n_y, seed=4)
    assert gradcheck(model, X, Y, l2=0.7, loss=loss) < 1e-7


def test_l2_gradient_term_is_lambda_over_m_times_W():
    X, Y = _data(1, "binary", seed=5)
    model = _model(2, "tanh", "sigmoid", 1, seed=6)
    plain = gradients(model, X, Y)
    lam = 0.3
    reg = gradients(model, X, Y, l2=lam)
    for name, W in model.parameters.items():
        extra = lam / M * W if name.startswith("W") else 0.0
        np.testing.assert_allclose(reg["d" + name], plain["d" + name] + extra, rtol=1e-12)


@pytest.mark.parametrize("hidden", HIDDEN)
def test_gradcheck_with_frozen_dropout(hidden):
    X, Y = _data(1, "binary", seed=7)
    model = Sequential(
        [Dense(5, hidden), Dropout(0.7), Dense(UNITS, hidden), Dropout(0.5), Dense(1, "sigmoid")],
        input_dim=N_X,
        seed=8,
        dtype="float64",
    )
    model.forward(model.check_input(X), training=True)
    for layer in model.layers:
        if isinstance(layer, Dropout):
            assert (layer._D == 0).any()  # the mask really drops something
            layer.frozen = True
    assert gradcheck(model, X, Y, l2=0.1) < 1e-7


def _dropout_model(dtype="float64"):
    return Sequential(
        [Dense(5, "relu"), Dropout(0.5), Dense(UNITS, "tanh"), Dropout(0.8), Dense(1, "sigmoid")],
        input_dim=N_X,
        seed=8,
        dtype=dtype,
    )


def _same_state(a, b):
    assert a.keys() == b.keys()
    for key, value in a.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, b[key])
        else:
            assert value == b[key], key


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_unfrozen_dropout_is_frozen_in_the_copy(dtype):
    """Dropout that is not frozen would draw a new mask for every cost, making the
    numerical gradient noise (a relative difference near 1); gradcheck freezes the
    float64 copy's layers on one mask and leaves the model itself as it was."""
    X, Y = _data(1, "binary", seed=7)
    model = _dropout_model(dtype)
    before = model.state_dict()
    assert gradcheck(model, X, Y, l2=0.1) < 1e-7
    dropouts = [layer for layer in model.layers if isinstance(layer, Dropout)]
    assert [layer.frozen for layer in dropouts] == [False, False]
    assert all(layer._D is None for layer in dropouts)  # no mask drawn on the model
    _same_state(before, model.state_dict())  # parameters and the masks' generators


def test_the_frozen_copy_still_checks_dropout_backward(monkeypatch):
    """The frozen masks really act in the check: a Dropout backward that forgets its
    mask is caught."""
    X, Y = _data(1, "binary", seed=7)
    monkeypatch.setattr(Dropout, "backward", lambda self, dA: dA)
    assert gradcheck(_dropout_model(), X, Y) > 1e-3


@pytest.mark.parametrize("epsilon", [0.0, -1e-7, float("nan"), float("inf")])
def test_gradcheck_refuses_an_epsilon_that_is_not_positive(epsilon):
    X, Y = _data(1, "binary", seed=7)
    with pytest.raises(ConfigError, match=r"gradcheck epsilon must be in \(0, inf\)"):
        gradcheck(_model(2, "tanh", "sigmoid", 1), X, Y, epsilon=epsilon)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("pair", ["sigmoid+bce", "softmax+cce/one-hot", "tanh+mse"])
def test_gradcheck_with_batchnorm(hidden, pair):
    output, loss, n_y, kind = PAIRS[pair]
    X, Y = _data(n_y, kind, seed=9)
    model = Sequential(
        [
            Dense(5, "linear", use_bias=False),
            BatchNorm(),
            Activation(hidden),
            Dense(UNITS, "linear", use_bias=False),
            BatchNorm(),
            Activation(hidden),
            Dense(n_y, output),
        ],
        input_dim=N_X,
        seed=10,
        dtype="float64",
    )
    # move gamma and beta away from 1 and 0 so their gradients are exercised generally
    rng = np.random.default_rng(11)
    for name, p in model.parameters.items():
        if name.startswith("gamma"):
            p[...] = rng.uniform(0.5, 1.5, p.shape)
        elif name.startswith("beta"):
            p[...] = rng.normal(0, 0.3, p.shape)
    assert {"gamma1", "beta1", "gamma2", "beta2"} <= set(model.parameters)
    assert gradcheck(model, X, Y, loss=loss, l2=0.2) < 1e-7


def test_batchnorm_before_output_activation_layer():
    X, Y = _data(3, "indices", seed=12)
    model = Sequential(
        [Dense(4, "tanh"), Dense(3, "linear", use_bias=False), BatchNorm(), Activation("softmax")],
        input_dim=N_X,
        seed=13,
        dtype="float64",
    )
    assert gradcheck(model, X, Y, loss="cce") < 1e-7


def test_float32_model_is_checked_in_float64_and_left_unchanged():
    X, Y = _data(1, "binary", seed=14)
    model = _model(3, "tanh", "sigmoid", 1, seed=15, dtype="float32")
    before = {k: v.copy() for k, v in model.parameters.items()}
    assert gradcheck(model, X, Y) < 1e-7
    for k, v in model.parameters.items():
        assert v.dtype == np.float32
        np.testing.assert_array_equal(v, before[k])


def test_gradients_against_an_explicit_numerical_gradient():
    """Independent of gradcheck's own loop: perturb each W entry here."""
    X, Y = _data(1, "binary", seed=16)
    model = _model(2, "relu", "sigmoid", 1, seed=17)
    g = gradients(model, X, Y)
    W = model.parameters["W1"]

    def J():
        A = model.forward(X, training=False)
        return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))

    h = 1e-6
    for idx in np.ndindex(W.shape):
        old = W[idx]
        W[idx] = old + h
        Jp = J()
        W[idx] = old - h
        Jm = J()
        W[idx] = old
        assert g["dW1"][idx] == pytest.approx((Jp - Jm) / (2 * h), rel=1e-5, abs=1e-10)


# ---------------------------------------------------------------------------- negative control
def test_broken_backward_is_caught(monkeypatch):
    X, Y = _data(1, "binary", seed=18)
    model = _model(3, "tanh", "sigmoid", 1, seed=19)
    assert gradcheck(model, X, Y) < 1e-7

    original = Dense.backward

    def doubled(self, dA, **kwargs):
        out = original(self, dA, **kwargs)
        self.grads["W"] *= 2
        return out

    monkeypatch.setattr(Dense, "backward", doubled)
    assert gradcheck(model, X, Y) > 1e-3


def test_broken_batchnorm_backward_is_caught(monkeypatch):
    X, Y = _data(1, "binary", seed=20)
    model = Sequential(
        [Dense(4, "linear", use_bias=False), BatchNorm(), Activation("relu"), Dense(1, "sigmoid")],
        input_dim=N_X,
        seed=21,
        dtype="float64",
    )
    original = BatchNorm.backward

    def no_mean_term(self, dA):
        # forget the coupling through the batch statistics: dZ = gamma inv_std dA
        dZ = dA * self.params["gamma"] * self._cache[1]
        original(self, dA.copy())
        return dZ

    monkeypatch.setattr(BatchNorm, "backward", no_mean_term)
    assert gradcheck(model, X, Y) > 1e-3
