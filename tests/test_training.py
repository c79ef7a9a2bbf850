"""The fit loop: the course's flower result, gradient-descent and L2 updates by hand,
mini-batches, seeded shuffling, History, float32 throughout, resuming, bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as lw
from layerwise.data import make_flower
from layerwise.errors import ConfigError, ShapeError


def sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def blobs(n_x=3, m=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (X[:1] + 0.3 * rng.standard_normal((1, m)) > 0).astype(float)
    return X, Y


def tanh_sigmoid(n_x=3, n_h=4, seed=0, dtype="float64"):
    return lw.Sequential(
        [lw.Dense(n_h, "tanh"), lw.Dense(1, "sigmoid")], input_dim=n_x, seed=seed, dtype=dtype
    )


def randomise(model, seed=5, scale=0.5):
    rng = np.random.default_rng(seed)
    for p in model.parameters.values():
        p[...] = scale * rng.standard_normal(p.shape)


def hand_grads(p, X, Y, lambd=0.0):
    m = X.shape[1]
    A1 = np.tanh(p["W1"] @ X + p["b1"])
    A2 = sigmoid(p["W2"] @ A1 + p["b2"])
    dZ2 = A2 - Y
    dZ1 = (p["W2"].T @ dZ2) * (1 - A1**2)
    grads = {
        "W1": dZ1 @ X.T / m + lambd / m * p["W1"],
        "b1": dZ1.sum(axis=1, keepdims=True) / m,
        "W2": dZ2 @ A1.T / m + lambd / m * p["W2"],
        "b2": dZ2.sum(axis=1, keepdims=True) / m,
    }
    cost = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    cost += lambd / (2 * m) * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
    return grads, cost


def spy_batches(model, monkeypatch):
    """Record the X of every training forward pass."""
    seen = []
    forward = model.forward

    def spy(X, training=False):
        if training:
            seen.append(np.array(X))
        return forward(X, training)

    monkeypatch.setattr(model, "forward", spy)
    return seen


# --------------------------------------------------------------------------- the course result
def test_flower_one_hidden_layer_reaches_course_accuracy():
    """Course 1 week 3: 4 tanh units, alpha = 1.2, 10000 iterations -> about 90 %."""
    X, Y = make_flower()
    model = lw.Sequential([lw.Dense(4, "tanh", init="random"), lw.Dense(1, "sigmoid")], seed=1)
    history = model.fit(X, Y, epochs=10000, learning_rate=1.2, optimizer="gd", verbose=0)
    assert model.evaluate(X, Y)["accuracy"] >= 0.90
    assert len(history.history["loss"]) == 10000
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["loss"][0] == pytest.approx(np.log(2), abs=1e-3)


# --------------------------------------------------------------------------- updates by hand
def test_one_full_batch_step_is_theta_minus_alpha_dtheta():
    X, Y = blobs(m=9)
    model = tanh_sigmoid()
    randomise(model)
    before = {k: v.copy() for k, v in model.parameters.items()}
    grads, cost = hand_grads(before, X, Y)
    history = model.fit(X, Y, epochs=1, learning_rate=0.3, optimizer="gd", verbose=0)
    assert history.history["loss"][0] == pytest.approx(cost, rel=1e-12)
    for name, value in model.parameters.items():
        np.testing.assert_allclose(value, before[name] - 0.3 * grads[name], rtol=1e-12)


def test_l2_adds_lambda_over_2m_to_cost_and_lambda_over_m_w_to_dw():
    X, Y = blobs(m=8, seed=2)
    lambd, alpha = 0.7, 0.1
    model = tanh_sigmoid(seed=1)
    randomise(model, seed=3)
    before = {k: v.copy() for k, v in model.parameters.items()}
    grads, cost = hand_grads(before, X, Y, lambd)
    _, plain = hand_grads(before, X, Y)
    history = model.fit(X, Y, epochs=1, learning_rate=alpha, optimizer="gd", l2=lambd, verbose=0)
    assert history.history["loss"][0] == pytest.approx(cost, rel=1e-12)
    assert cost - plain == pytest.approx(
        lambd / (2 * 8) * (np.sum(before["W1"] ** 2) + np.sum(before["W2"] ** 2))
    )
    for name, value in model.parameters.items():
        np.testing.assert_allclose(value, before[name] - alpha * grads[name], rtol=1e-12)


def test_several_gd_steps_follow_the_hand_loop():
    X, Y = blobs(m=12, seed=4)
    model = tanh_sigmoid(seed=2)
    randomise(model, seed=1)
    p = {k: v.copy() for k, v in model.parameters.items()}
    costs = []
    for _ in range(5):
        grads, cost = hand_grads(p, X, Y)
        costs.append(cost)
        p = {k: p[k] - 0.5 * grads[k] for k in p}
    history = model.fit(X, Y, epochs=5, learning_rate=0.5, optimizer="gd", verbose=0)
    np.testing.assert_allclose(history.history["loss"], costs, rtol=1e-12)
    for name, value in model.parameters.items():
        np.testing.assert_allclose(value, p[name], rtol=1e-10)


# --------------------------------------------------------------------------- mini-batches
@pytest.mark.parametrize("shuffle", [True, False])
def test_mini_batches_cover_m_with_a_smaller_last_batch(monkeypatch, shuffle):
    X, Y = blobs(m=10)
    model = tanh_sigmoid()
    seen = spy_batches(model, monkeypatch)
    model.fit(X, Y, epochs=2, batch_size=4, shuffle=shuffle, optimizer="gd", verbose=0)
    assert [b.shape[1] for b in seen] == [4, 4, 2, 4, 4, 2]
    assert model.optimizer_.t == 6
    for epoch in range(2):
        cols = np.concatenate(seen[3 * epoch : 3 * epoch + 3], axis=1)
        # every example exactly once per epoch
        order = [int(np.argmin(np.abs(X - c[:, None]).sum(axis=0))) for c in cols.T]
        assert sorted(order) == list(range(10))
        np.testing.assert_allclose(cols, X[:, order])
        if not shuffle:
            assert order == list(range(10))


def test_batch_size_one_is_sgd_with_m_steps_per_epoch(monkeypatch):
    X, Y = blobs(m=7)
    model = tanh_sigmoid()
    seen = spy_batches(model, monkeypatch)
    model.fit(X, Y, epochs=3, batch_size=1, optimizer="gd", verbose=0)
    assert model.optimizer_.t == 21
    assert [b.shape for b in seen] == [(3, 1)] * 21


def test_batch_size_at_least_m_is_full_batch(monkeypatch):
    X, Y = blobs(m=6)
    model = tanh_sigmoid()
    seen = spy_batches(model, monkeypatch)
    model.fit(X, Y, epochs=2, batch_size=100, optimizer="gd", verbose=0)
    assert [b.shape[1] for b in seen] == [6, 6]
    np.testing.assert_allclose(seen[0], X)  # full batch is never shuffled


def test_epoch_cost_is_the_cost_over_all_m_examples():
    """With alpha = 0 the parameters stay put, so the batch-size-weighted mean of the
    mini-batch costs must equal the cost on the whole training set."""
    X, Y = blobs(m=10, seed=6)
    model = tanh_sigmoid(seed=4)
    randomise(model, seed=2)
    full = model.evaluate(X, Y)
    history = model.fit(X, Y, epochs=3, batch_size=4, learning_rate=0.0, optimizer="gd", verbose=0)
    np.testing.assert_allclose(history.history["loss"], [full["loss"]] * 3, rtol=1e-12)
    np.testing.assert_allclose(history.history["accuracy"], [full["accuracy"]] * 3)


def test_shuffling_is_seeded():
    X, Y = blobs(m=20, seed=1)

    def run(seed, params=None):
        model = tanh_sigmoid(seed=seed)
        if params is not None:
            for name, value in model.parameters.items():
                value[...] = params[name]
        model.fit(X, Y, epochs=5, batch_size=3, learning_rate=0.1, optimizer="momentum", verbose=0)
        return model

    a = run(0)
    start = tanh_sigmoid(seed=0).parameters
    b = run(0)
    c = run(1, params=start)  # same starting point, another shuffling order
    assert a.history_.history == b.history_.history
    for name in a.parameters:
        np.testing.assert_array_equal(a.parameters[name], b.parameters[name])
    assert not np.allclose(a.parameters["W1"], c.parameters["W1"])
    assert not np.allclose(a.history_.history["loss"], c.history_.history["loss"])


# --------------------------------------------------------------------------- history, targets
def test_history_keys_and_validation_metrics():
    X, Y = make_flower(m=200)
    X_dev, Y_dev = make_flower(m=60, seed=5)
    model = lw.Sequential([lw.Dense(4, "tanh"), lw.Dense(1, "sigmoid")], seed=0)
    history = model.fit(
        X,
        Y,
        epochs=7,
        learning_rate=0.05,
        optimizer="adam",
        validation_data=(X_dev, Y_dev),
        verbose=0,
    )
    assert isinstance(history, lw.History)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 7 for v in history.history.values())
    assert history.epoch == list(range(7))
    assert model.history_ is history
    # the last epoch's dev metrics are those of the trained model
    dev = model.evaluate(X_dev, Y_dev)
    assert history.history["val_loss"][-1] == pytest.approx(dev["loss"], rel=1e-5)
    assert history.history["val_accuracy"][-1] == pytest.approx(dev["accuracy"])


def test_decay_logs_the_learning_rate():
    X, Y = blobs(m=8)
    model = tanh_sigmoid()
    history = model.fit(X, Y, epochs=3, learning_rate=0.1, decay="inverse_time", verbose=0)
    assert "lr" in history.history and len(history.history["lr"]) == 3
    assert history.history["lr"][0] == pytest.approx(0.1)
    assert history.history["lr"][2] < history.history["lr"][0]


def test_softmax_class_indices_and_one_hot_train_identically():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2, 30))
    y = np.argmax(np.vstack([X[0], X[1], -X[0] - X[1]]), axis=0).reshape(1, -1)
    Y = np.eye(3)[y[0]].T
    models = []
    for target in (y, Y):
        model = lw.Sequential([lw.Dense(5, "relu"), lw.Dense(3, "softmax")], seed=2)
        model.fit(
            X, target, epochs=20, batch_size=8, learning_rate=0.05, optimizer="adam", verbose=0
        )
        models.append(model)
    a, b = models
    assert a.history_.history == b.history_.history
    for name in a.parameters:
        np.testing.assert_array_equal(a.parameters[name], b.parameters[name])
    assert a.history_.history["loss"][-1] < a.history_.history["loss"][0]


def test_float32_end_to_end_with_adam(monkeypatch):
    X, Y = make_flower(m=64)  # float64 inputs
    model = lw.Sequential(
        [
            lw.Dense(6, "linear", use_bias=False),
            lw.BatchNorm(),
            lw.Activation("relu"),
            lw.Dropout(0.8),
            lw.Dense(4, "tanh"),
            lw.Dense(1, "sigmoid"),
        ],
        seed=0,
        normalize=True,
    )
    dtypes = []
    for layer in model.layers:
        fwd, bwd = layer.forward, layer.backward

        def spy_f(A, training=False, _f=fwd):
            out = _f(A, training)
            dtypes.append(("forward", out.dtype))
            return out

        def spy_b(dA, *args, _b=bwd, **kwargs):
            out = _b(dA, *args, **kwargs)
            if out is not None:
                dtypes.append(("backward", out.dtype))
            return out

        monkeypatch.setattr(layer, "forward", spy_f)
        monkeypatch.setattr(layer, "backward", spy_b)
    model.fit(
        X,
        Y,
        epochs=3,
        batch_size=16,
        optimizer="adam",
        l2=0.1,
        decay="exponential",
        validation_data=(X, Y),
        verbose=0,
    )
    assert dtypes and {d for _, d in dtypes} == {np.dtype(np.float32)}
    assert {kind for kind, _ in dtypes} == {"forward", "backward"}
    for name, value in model.parameters.items():
        assert value.dtype == np.float32, name
    for name, value in model.gradients.items():
        assert value.dtype == np.float32, name
    state = model.optimizer_.get_state()
    # v and s over the model's flat parameter vector theta (W1, b1, ... are views of it), and t
    assert set(state) == {"t", "v/theta", "s/theta"}
    assert state["v/theta"].size == sum(p.size for p in model.parameters.values())
    for name, value in state.items():
        if name != "t":
            assert value.dtype == np.float32, name
    for layer in model.layers:
        for name, value in layer.state.items():
            assert value.dtype == np.float32, name
    assert model.predict_proba(X).dtype == np.float32


def test_resume_after_save_and_load_equals_one_run(tmp_path):
    """10 epochs, save, load, 10 more == 20 at once: Adam's v, s and t, the shuffling
    generator and the dropout masks are all restored."""
    X, Y = make_flower(m=120)

    def new():
        return lw.Sequential([lw.Dense(6, "tanh"), lw.Dropout(0.9), lw.Dense(1, "sigmoid")], seed=7)

    kwargs = dict(batch_size=32, verbose=0)
    once = new()
    once.fit(X, Y, epochs=20, optimizer="adam", learning_rate=0.01, **kwargs)
    first = new()
    h1 = first.fit(X, Y, epochs=10, optimizer="adam", learning_rate=0.01, **kwargs)
    path = first.save(tmp_path / "half.npz")
    resumed = lw.load(path)
    assert isinstance(resumed.optimizer_, lw.Adam) and resumed.optimizer_.t == 40
    h2 = resumed.fit(X, Y, epochs=10, **kwargs)  # optimizer=None: keep the loaded one
    assert resumed.optimizer_.t == 80
    for name, value in once.parameters.items():
        np.testing.assert_allclose(resumed.parameters[name], value, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        h1.history["loss"] + h2.history["loss"], once.history_.history["loss"], rtol=1e-6
    )


# --------------------------------------------------------------------------- bad arguments
@pytest.mark.parametrize(
    "kwargs",
    [
        {"epochs": 0},
        {"epochs": -3},
        {"l2": -0.1},
        {"batch_size": 0},
        {"batch_size": -4},
        {"optimizer": "nesterov"},
        {"learning_rate": -1.0},
        {"loss": "hinge"},
        {"decay": "cosine"},
    ],
)
def test_bad_arguments_raise_config_error(kwargs):
    X, Y = blobs()
    with pytest.raises(ConfigError):
        tanh_sigmoid().fit(X, Y, verbose=0, **{"epochs": 1, **kwargs})


def test_validation_data_with_wrong_n_x_raises_shape_error():
    X, Y = blobs(n_x=3)
    X_dev, Y_dev = blobs(n_x=4)
    with pytest.raises(ShapeError, match="4 rows"):
        tanh_sigmoid().fit(X, Y, epochs=1, validation_data=(X_dev, Y_dev), verbose=0)


def test_y_with_wrong_m_raises_shape_error():
    X, _ = blobs(m=10)
    with pytest.raises(ShapeError):
        tanh_sigmoid().fit(X, np.zeros((1, 9)), epochs=1, verbose=0)


def test_verbose_prints_the_course_cost_lines(capsys):
    X, Y = blobs()
    tanh_sigmoid().fit(X, Y, epochs=5, learning_rate=0.1, verbose=2, print_every=2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"Cost after iteration {i}" for i in (0, 2, 4)
    ]
    tanh_sigmoid().fit(X, Y, epochs=5, verbose=0)
    assert capsys.readouterr().out == ""


def test_regression_with_real_valued_targets_reaches_least_squares():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 50))
    Y = 3.0 * X[:1] - 2.0 * X[1:] + 0.5 + 0.1 * rng.standard_normal((1, 50))
    A = np.vstack([X, np.ones((1, 50))]).T
    w, *_ = np.linalg.lstsq(A, Y.ravel(), rcond=None)
    model = lw.Sequential([lw.Dense(1, "linear")], seed=0, dtype="float64")
    history = model.fit(X, Y, epochs=2000, learning_rate=0.1, optimizer="gd", verbose=0)
    np.testing.assert_allclose(model.parameters["W1"].ravel(), w[:2], rtol=1e-6)
    np.testing.assert_allclose(model.parameters["b1"].ravel(), w[2:], rtol=1e-6)
    residual = A @ w - Y.ravel()
    assert history.history["loss"][-1] == pytest.approx(np.sum(residual**2) / 100, rel=1e-6)
    assert "accuracy" not in history.history
    with pytest.raises(ShapeError):
        model.fit(X, np.zeros((2, 50)), epochs=1, verbose=0)
