"""Sequential: parameter names and shapes, forward and backward against hand NumPy,
shape errors, predict / predict_proba / evaluate, summary and dtype."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as lw
from layerwise.errors import ConfigError, NotFittedError, ShapeError


def sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


def two_layer(n_x=3, n_h=4, dtype="float64", seed=0):
    return lw.Sequential(
        [lw.Dense(n_h, "tanh"), lw.Dense(1, "sigmoid")], input_dim=n_x, seed=seed, dtype=dtype
    )


def data(n_x=3, m=7, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    Y[0, :2] = [0, 1]
    return X, Y


def hand_forward(p, X):
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.tanh(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = sigmoid(Z2)
    return A1, A2


def hand_backward(p, X, Y):
    """The course's formulas for a tanh / sigmoid network."""
    m = X.shape[1]
    A1, A2 = hand_forward(p, X)
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (p["W2"].T @ dZ2) * (1 - A1**2)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def randomise(model, seed=5):
    """Give every parameter (biases too) random non-zero values."""
    rng = np.random.default_rng(seed)
    for p in model.parameters.values():
        p[...] = rng.standard_normal(p.shape)


# --------------------------------------------------------------------------- names, shapes
def test_parameter_names_and_shapes():
    model = lw.Sequential(
        [lw.Dense(5, "relu"), lw.Dense(3, "tanh"), lw.Dense(1, "sigmoid")], input_dim=4
    )
    shapes = {k: v.shape for k, v in model.parameters.items()}
    assert shapes == {
        "W1": (5, 4),
        "b1": (5, 1),
        "W2": (3, 5),
        "b2": (3, 1),
        "W3": (1, 3),
        "b3": (1, 1),
    }
    grads = model.gradients
    assert list(grads) == ["dW1", "db1", "dW2", "db2", "dW3", "db3"]
    for name, g in grads.items():
        assert g.shape == model.parameters[name[1:]].shape


def test_parameters_are_live_arrays():
    model = two_layer()
    model.parameters["W1"][...] = 0.0
    assert np.all(model.layers[0].params["W"] == 0.0)


def test_batchnorm_gamma_beta_take_the_number_of_the_dense_before():
    model = lw.Sequential(
        [
            lw.Dense(4, "linear", use_bias=False),
            lw.BatchNorm(),
            lw.Activation("relu"),
            lw.Dropout(0.8),
            lw.Dense(3, "linear", use_bias=False),
            lw.BatchNorm(),
            lw.Activation("tanh"),
            lw.Dense(1, "sigmoid"),
        ],
        input_dim=2,
    )
    shapes = {k: v.shape for k, v in model.parameters.items()}
    assert shapes == {
        "W1": (4, 2),
        "gamma1": (4, 1),
        "beta1": (4, 1),
        "W2": (3, 4),
        "gamma2": (3, 1),
        "beta2": (3, 1),
        "W3": (1, 3),
        "b3": (1, 1),
    }
    assert set(model.gradients) == {"d" + k for k in shapes}


def test_input_dim_is_taken_from_the_first_data():
    model = lw.Sequential([lw.Dense(4, "tanh"), lw.Dense(1, "sigmoid")], seed=0)
    assert not model.built
    with pytest.raises(NotFittedError):
        model.parameters  # noqa: B018
    X, Y = data(n_x=6, m=9)
    model.fit(X, Y, epochs=2, verbose=0)
    assert model.built and model.input_dim == 6
    assert model.parameters["W1"].shape == (4, 6)
    assert model.parameters["W2"].shape == (1, 4)


def test_shape_error_names_the_rows_and_n0():
    model = lw.Sequential([lw.Dense(1, "sigmoid")], input_dim=12288)
    X = np.zeros((12287, 3))
    with pytest.raises(ShapeError) as info:
        model.predict(X)
    assert str(info.value) == (
        "X has 12287 rows but layer 1 expects n[0] = 12288 (X must be (n_x, m))"
    )
    with pytest.raises(ShapeError):
        model.fit(X, np.zeros((1, 3)), epochs=1, verbose=0)


def test_one_dimensional_x_is_refused():
    model = two_layer()
    with pytest.raises(ShapeError):
        model.predict_proba(np.zeros(3))


def test_bad_constructor_arguments():
    with pytest.raises(ConfigError):
        lw.Sequential([])
    with pytest.raises(ConfigError):
        lw.Sequential([lw.Dense(2)], dtype="int32")


# --------------------------------------------------------------------------- passes
@pytest.mark.parametrize("training", [False, True])
def test_forward_equals_hand_forward(training):
    model = two_layer(n_x=3, n_h=4)
    randomise(model)
    X, _ = data()
    _, A2 = hand_forward({k: v.copy() for k, v in model.parameters.items()}, X)
    np.testing.assert_allclose(model.forward(X, training=training), A2, rtol=1e-12)
    np.testing.assert_allclose(model.predict_proba(X), A2, rtol=1e-12)


def test_deep_relu_softmax_forward_equals_hand_forward():
    model = lw.Sequential(
        [lw.Dense(5, "relu"), lw.Dense(4, "leaky_relu"), lw.Dense(3, "softmax")],
        input_dim=2,
        dtype="float64",
    )
    randomise(model, seed=11)
    p = model.parameters
    X, _ = data(n_x=2, m=6)
    A1 = np.maximum(0, p["W1"] @ X + p["b1"])
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = np.where(Z2 > 0, Z2, 0.01 * Z2)
    Z3 = p["W3"] @ A2 + p["b3"]
    E = np.exp(Z3 - Z3.max(axis=0))
    A3 = E / E.sum(axis=0)
    np.testing.assert_allclose(model.predict_proba(X), A3, rtol=1e-12)


def test_backward_fused_equals_course_backprop():
    model = two_layer(n_x=3, n_h=4)
    randomise(model)
    X, Y = data(m=7)
    p = {k: v.copy() for k, v in model.parameters.items()}
    expected = hand_backward(p, X, Y)
    AL = model.forward(X, training=True)
    model.backward((AL - Y) / X.shape[1], dZ_given=True)
    grads = model.gradients
    assert set(grads) == set(expected)
    for name, value in expected.items():
        np.testing.assert_allclose(grads[name], value, rtol=1e-10, atol=1e-14, err_msg=name)


def test_backward_through_dA_equals_course_backprop():
    """Passing dJ/dA[L] for the cross-entropy cost (not the fused dZ) gives the same."""
    model = two_layer(n_x=3, n_h=4)
    randomise(model, seed=2)
    X, Y = data(m=5, seed=3)
    m = X.shape[1]
    p = {k: v.copy() for k, v in model.parameters.items()}
    expected = hand_backward(p, X, Y)
    AL = model.forward(X, training=True)
    dAL = -(Y / AL - (1 - Y) / (1 - AL)) / m
    model.backward(dAL.copy())
    for name, value in expected.items():
        np.testing.assert_allclose(model.gradients[name], value, rtol=1e-8, err_msg=name)


# --------------------------------------------------------------------------- predictions
def test_predict_threshold_for_sigmoid():
    model = lw.Sequential([lw.Dense(1, "sigmoid")], input_dim=1, dtype="float64")
    model.parameters["W1"][...] = 1.0
    model.parameters["b1"][...] = 0.0
    X = np.array([[-3.0, -0.01, 0.0, 0.01, 3.0]])
    np.testing.assert_allclose(model.predict_proba(X), sigmoid(X), rtol=1e-12)
    pred = model.predict(X)
    assert pred.shape == (1, 5)
    np.testing.assert_array_equal(pred, [[0, 0, 0, 1, 1]])  # 0.5 exactly is not > 0.5


def test_predict_argmax_for_softmax():
    model = lw.Sequential([lw.Dense(3, "softmax")], input_dim=2, dtype="float64")
    model.parameters["W1"][...] = [[1, 0], [0, 1], [-1, -1]]
    model.parameters["b1"][...] = 0
    X = np.array([[5.0, 0.0, -4.0, 1.0], [0.0, 5.0, -4.0, 2.0]])
    A = model.predict_proba(X)
    np.testing.assert_allclose(A.sum(axis=0), 1.0)
    np.testing.assert_array_equal(model.predict(X), [[0, 1, 2, 1]])


def test_predict_values_for_linear_output():
    model = lw.Sequential([lw.Dense(1, "linear")], input_dim=2, dtype="float64")
    model.parameters["W1"][...] = [[2.0, -1.0]]
    model.parameters["b1"][...] = 0.5
    X = np.array([[1.0, 0.0, 3.0], [1.0, 2.0, -1.0]])
    np.testing.assert_allclose(model.predict(X), [[1.5, -1.5, 7.5]])


def test_predict_proba_in_chunks_equals_one_pass():
    model = two_layer()
    randomise(model)
    X, _ = data(m=23)
    np.testing.assert_allclose(
        model.predict_proba(X, batch_size=5), model.predict_proba(X), rtol=1e-12
    )


def test_evaluate_against_hand_cost_and_accuracy():
    model = two_layer()
    randomise(model, seed=7)
    X, Y = data(m=40, seed=4)
    _, A2 = hand_forward(model.parameters, X)
    J = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    acc = np.mean((A2 > 0.5) == (Y == 1))
    result = model.evaluate(X, Y)
    assert result["loss"] == pytest.approx(J, rel=1e-10)
    assert result["accuracy"] == pytest.approx(acc)


def test_evaluate_softmax_accepts_indices_and_one_hot():
    model = lw.Sequential([lw.Dense(3, "softmax")], input_dim=2, dtype="float64", seed=0)
    randomise(model, seed=1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 12))
    y = rng.integers(0, 3, (1, 12))
    Y = np.eye(3)[y[0]].T
    A = model.predict_proba(X)
    J = -np.sum(Y * np.log(A)) / 12
    acc = np.mean(np.argmax(A, axis=0) == y[0])
    for target in (y, Y):
        result = model.evaluate(X, target)
        assert result["loss"] == pytest.approx(J, rel=1e-10)
        assert result["accuracy"] == pytest.approx(acc)


def test_evaluate_regression_has_no_accuracy():
    model = lw.Sequential([lw.Dense(1, "linear")], input_dim=1, dtype="float64")
    model.parameters["W1"][...] = 2.0
    model.parameters["b1"][...] = 0.0
    X = np.array([[1.0, 2.0]])
    Y = np.array([[1.0, 1.0]])
    result = model.evaluate(X, Y)
    assert "accuracy" not in result
    assert result["loss"] == pytest.approx(((2 - 1) ** 2 + (4 - 1) ** 2) / (2 * 2))


# --------------------------------------------------------------------------- summary, dtype
def test_summary_lists_layers_shapes_and_total():
    model = lw.Sequential(
        [lw.Dense(20, "relu"), lw.Dense(7, "relu"), lw.Dense(5, "relu"), lw.Dense(1, "sigmoid")],
        input_dim=12288,
    )
    lines = []
    text = model.summary(print_fn=lines.append)
    assert lines == [text]
    total = 12288 * 20 + 20 + 20 * 7 + 7 + 7 * 5 + 5 + 5 * 1 + 1
    assert f"Total parameters: {total:,}" in text
    for shape in ["W1 (20, 12288)", "b1 (20, 1)", "W2 (7, 20)", "W3 (5, 7)", "W4 (1, 5)"]:
        assert shape in text
    rows = [line for line in text.splitlines() if line.split()[:1] in (["1"], ["4"])]
    assert len(rows) == 2
    assert "Dense" in rows[0] and "relu" in rows[0] and f"{12288 * 20 + 20:,}" in rows[0]
    assert "sigmoid" in rows[1] and rows[1].rstrip().endswith("6")


def test_summary_with_batchnorm_and_dropout():
    model = lw.Sequential(
        [
            lw.Dense(4, "linear", use_bias=False),
            lw.BatchNorm(),
            lw.Activation("relu"),
            lw.Dropout(0.5),
            lw.Dense(1, "sigmoid"),
        ],
        input_dim=3,
    )
    text = model.summary(print_fn=None)
    for word in ["BatchNorm", "gamma1 (4, 1)", "beta1 (4, 1)", "Dropout", "Activation"]:
        assert word in text
    assert f"Total parameters: {12 + 4 + 4 + 4 + 1}" in text


def test_summary_before_build_raises():
    with pytest.raises(NotFittedError):
        lw.Sequential([lw.Dense(1, "sigmoid")]).summary(print_fn=None)


def test_float32_is_the_default_and_float64_is_available():
    X, Y = data()
    m32 = lw.Sequential([lw.Dense(4, "tanh"), lw.Dense(1, "sigmoid")], input_dim=3)
    assert m32.dtype == np.float32
    assert all(p.dtype == np.float32 for p in m32.parameters.values())
    assert m32.predict_proba(X).dtype == np.float32
    m64 = two_layer(dtype="float64")
    assert all(p.dtype == np.float64 for p in m64.parameters.values())
    assert m64.predict_proba(X).dtype == np.float64
    m64.fit(X, Y, epochs=3, verbose=0)
    assert all(g.dtype == np.float64 for g in m64.gradients.values())
