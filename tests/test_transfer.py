"""Transfer learning: frozen layers (trainable=False) are never changed by fit, whatever
the optimiser's state, are skipped by gradcheck, shown by summary and kept by save/load;
with_head reuses a trained base under a new head."""

import numpy as np
import pytest

import layerwise as lw


def _data(seed: int = 0, classes: int = 3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4, 60))
    return X, (np.abs(X[0] * 2).astype(int) % classes).reshape(1, -1)


def _trained(seed: int = 0) -> lw.Sequential:
    X, Y = _data()
    model = lw.Sequential(
        [
            lw.Dense(8, "linear", use_bias=False),
            lw.BatchNorm(),
            lw.Activation("relu"),
            lw.Dense(6, "tanh"),
            lw.Dense(3, "softmax"),
        ],
        seed=seed,
        dtype="float64",
    )
    model.fit(X, Y, epochs=15, optimizer="adam", learning_rate=0.01, batch_size=20, verbose=0)
    return model


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "rmsprop", "adam"])
def test_frozen_layers_never_move_even_with_momentum_in_the_optimiser(optimizer):
    """The model is trained first (the optimiser holds velocity for every parameter),
    then its first layers are frozen and training continues with the same optimiser."""
    X, Y = _data()
    model = _trained()
    model.fit(X, Y, epochs=3, optimizer=optimizer, learning_rate=0.01, verbose=0)
    for layer in model.layers[:3]:
        layer.trainable = False
    before = {k: v.copy() for k, v in model.parameters.items()}
    model.fit(X, Y, epochs=5, optimizer=None, verbose=0)
    for name in ("W1", "gamma1", "beta1"):
        np.testing.assert_array_equal(model.parameters[name], before[name])
    assert not np.array_equal(model.parameters["W2"], before["W2"])


def test_with_head_copies_the_base_and_freezes_it():
    base = _trained()
    new = base.with_head([lw.Dense(2, "softmax")], keep=4)
    assert [layer.trainable for layer in new.layers] == [False] * 4 + [True]
    for name in ("W1", "gamma1", "beta1", "W2", "b2"):
        np.testing.assert_array_equal(new.parameters[name], base.parameters[name])
    for key in ("running_mean", "running_var"):
        np.testing.assert_array_equal(new.layers[1].state[key], base.layers[1].state[key])
    X, _ = _data(1)
    A_base = base.layers[3].forward(
        base.layers[2].forward(base.layers[1].forward(base.layers[0].forward(X)))
    )
    A_new = new.layers[3].forward(
        new.layers[2].forward(new.layers[1].forward(new.layers[0].forward(X)))
    )
    np.testing.assert_array_equal(A_base, A_new)  # the same features under the new head


def test_summary_gradcheck_and_files_know_what_is_frozen(tmp_path):
    base = _trained()
    new = base.with_head([lw.Dense(2, "softmax")], keep=4)
    text = new.summary(print_fn=None)
    assert "(frozen)" in text and "Trainable: 14   frozen:" in text
    X, _ = _data(2)
    Y = (X[1] > 0).astype(int).reshape(1, -1)
    assert lw.gradcheck(new, X[:, :8], Y[:, :8]) < 1e-7
    new.save(tmp_path / "t.npz")
    again = lw.load(tmp_path / "t.npz")
    assert [layer.trainable for layer in again.layers] == [False] * 4 + [True]


def test_gradcheck_checks_only_trainable_parameters(monkeypatch):
    """Freezing a layer whose backward is wrong hides it from the check (it is not
    trained), while the same broken layer trainable is caught."""
    X, _ = _data(3)
    Y = (X[0] > 0).astype(int).reshape(1, -1)
    model = lw.Sequential([lw.Dense(5, "tanh"), lw.Dense(1, "sigmoid")], input_dim=4, seed=1)
    real = lw.Dense.backward

    def broken(self, dA, **kw):
        out = real(self, dA, **kw)
        if self.index == 1:
            self.grads["W"] *= 3
        return out

    monkeypatch.setattr(lw.Dense, "backward", broken)
    assert lw.gradcheck(model, X[:, :10], Y[:, :10]) > 1e-3
    model.layers[0].trainable = False
    assert lw.gradcheck(model, X[:, :10], Y[:, :10]) < 1e-7


def test_with_head_refuses_a_bad_keep():
    with pytest.raises(lw.ConfigError, match="keep"):
        _trained().with_head([lw.Dense(2, "softmax")], keep=9)


def test_backpropagation_stops_at_the_lowest_trainable_layer(monkeypatch):
    """Frozen layers below every trainable one are not back-propagated through, the
    lowest trainable layer skips dA_prev, and the trainable gradients are unchanged."""
    X, Y = _data()
    reference, frozen = _trained(), _trained()
    for layer in frozen.layers[:3]:
        layer.trainable = False
    called = []
    for i, layer in enumerate(frozen.layers[:3]):
        original = layer.backward
        monkeypatch.setattr(layer, "backward", lambda d, i=i, f=original: called.append(i) or f(d))
    AL_ref, AL = reference.forward(X, training=True), frozen.forward(X, training=True)
    Yt = reference.targets(Y, AL.shape[-1])
    reference.backward((AL_ref - Yt) / X.shape[1], dZ_given=True)
    frozen.backward((AL - Yt) / X.shape[1], dZ_given=True)
    assert called == []
    assert frozen.layers[3].need_input_grad is False
    for k in ("W", "b"):
        for l in (3, 4):
            np.testing.assert_array_equal(frozen.layers[l].grads[k], reference.layers[l].grads[k])


def test_a_parameter_free_first_layer_gets_no_input_gradient():
    """Rescale before the first conv: the conv skips dA_prev, and gradcheck still holds."""
    rng = np.random.default_rng(0)
    X = rng.random((6, 5, 5, 1))
    Y = (np.arange(6) % 2).reshape(1, -1)
    model = lw.Sequential(
        [lw.Rescale(2.0), lw.Conv2D(2, 3), lw.Flatten(), lw.Dense(1, "sigmoid")],
        seed=1,
        dtype="float64",
    )
    model.fit(X, Y, epochs=1, verbose=0)
    assert model.layers[1].need_input_grad is False and model.layers[2].need_input_grad
    assert lw.gradcheck(model, X, Y) < 1e-7
