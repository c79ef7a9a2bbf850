"""Activations: forward against closed forms, backward against finite differences,
in-place kernels, and extreme inputs in float32 and float64."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from layerwise import ConfigError, Dense
from layerwise import activations as act
from layerwise.activations import LeakyReLU, get_activation

ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
ALL = ELEMENTWISE + ["softmax"]
EXTREMES = [-1e4, -1000.0, -710.0, -88.8, -30.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 30.0, 88.8, 710.0,
            1000.0, 1e4]  # fmt: skip


def _sigmoid_ref(z):
    """sigma(z) one scalar at a time with Python floats, in the form that cannot overflow."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _closed_form(name, Z, slope=0.01):
    if name == "sigmoid":
        return np.vectorize(_sigmoid_ref)(Z)
    if name == "tanh":
        return np.vectorize(math.tanh)(Z)
    if name == "relu":
        return np.where(Z > 0, Z, 0.0)
    if name == "leaky_relu":
        return np.where(Z > 0, Z, slope * Z)
    if name == "linear":
        return Z.copy()
    if name == "softmax":
        E = np.vectorize(math.exp)(Z - Z.max(axis=0))
        return E / E.sum(axis=0)
    raise AssertionError(name)


@pytest.fixture
def Z():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((4, 7)) * 3
    # keep away from the kink of relu/leaky_relu so finite differences are meaningful
    Z[np.abs(Z) < 1e-2] = 0.5
    return Z


# ---------------------------------------------------------------------------- forward
@pytest.mark.parametrize("name", ALL)
def test_forward_matches_closed_form(name, Z):
    A = get_activation(name).forward(Z)
    np.testing.assert_allclose(A, _closed_form(name, Z), rtol=1e-13, atol=1e-15)
    assert A.shape == Z.shape


def test_known_values():
    z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(act.sigmoid(z), [[1 / (1 + math.e**2), 0.5, 1 / (1 + math.e**-3)]])
    np.testing.assert_allclose(act.tanh(z), [[math.tanh(-2), 0.0, math.tanh(3)]])
    np.testing.assert_array_equal(act.relu(z), [[0.0, 0.0, 3.0]])
    np.testing.assert_allclose(act.leaky_relu(z), [[-0.02, 0.0, 3.0]])
    np.testing.assert_allclose(act.leaky_relu(z, slope=0.2), [[-0.4, 0.0, 3.0]])
    np.testing.assert_array_equal(act.linear(z), z)
    col = np.array([[1.0], [2.0], [3.0]])
    e = [math.exp(1), math.exp(2), math.exp(3)]
    np.testing.assert_allclose(act.softmax(col), np.array(e).reshape(3, 1) / sum(e))


def test_leaky_relu_configured_slope(Z):
    for spec in (LeakyReLU(0.2), get_activation("leaky_relu", slope=0.2),
                 get_activation({"name": "leaky_relu", "slope": 0.2})):  # fmt: skip
        assert spec.slope == 0.2
        np.testing.assert_allclose(spec.forward(Z), np.where(Z > 0, Z, 0.2 * Z), rtol=1e-15)
        dA = np.ones_like(Z)
        np.testing.assert_allclose(spec.backward(dA, spec.forward(Z)), np.where(Z > 0, 1.0, 0.2))
    assert get_activation("leaky_relu").slope == 0.01


@pytest.mark.parametrize("slope", [-0.1, 1.0, 1.5, float("nan")])
def test_leaky_relu_bad_slope(slope):
    with pytest.raises(ConfigError):
        LeakyReLU(slope)


def test_softmax_columns_sum_to_one_and_shift_invariance(Z):
    A = act.softmax(Z)
    np.testing.assert_allclose(A.sum(axis=0), np.ones(Z.shape[1]), rtol=1e-14)
    assert np.all(A > 0)
    shift = np.array([[1000.0, -500.0, 3.0, 0.0, 7e3, -7e3, 12.5]])
    np.testing.assert_allclose(act.softmax(Z + shift), A, rtol=1e-12)
    # columns are independent: softmax of one column alone is the same
    np.testing.assert_allclose(act.softmax(Z[:, 2:3]), A[:, 2:3], rtol=1e-14)


# ---------------------------------------------------------------------------- backward
def _numerical_derivative(g, Z, h=1e-6):
    return (g(Z + h) - g(Z - h)) / (2 * h)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_backward_matches_finite_differences(name, Z):
    a = get_activation(name)
    rng = np.random.default_rng(1)
    dA = rng.standard_normal(Z.shape)
    A = a.forward(Z)
    dZ = a.backward(dA, A)
    g = lambda z: _closed_form(name, z)  # noqa: E731
    np.testing.assert_allclose(dZ, dA * _numerical_derivative(g, Z), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(a.derivative(A), _numerical_derivative(g, Z), rtol=1e-7, atol=1e-9)


def test_leaky_relu_configured_slope_backward_finite_differences(Z):
    a = LeakyReLU(0.3)
    dA = np.random.default_rng(2).standard_normal(Z.shape)
    num = _numerical_derivative(lambda z: np.where(z > 0, z, 0.3 * z), Z)
    np.testing.assert_allclose(a.backward(dA, a.forward(Z)), dA * num, rtol=1e-7, atol=1e-9)


def test_softmax_backward_is_the_jacobian_vector_product(Z):
    a = get_activation("softmax")
    dA = np.random.default_rng(3).standard_normal(Z.shape)
    dZ = a.backward(dA, a.forward(Z))
    # dZ[i, j] = d/dZ[i, j] of sum(dA * softmax(Z)), two-sided differences
    f = lambda z: float(np.sum(dA * _closed_form("softmax", z)))  # noqa: E731
    num = np.zeros_like(Z)
    h = 1e-6
    for idx in np.ndindex(Z.shape):
        Zp, Zm = Z.copy(), Z.copy()
        Zp[idx] += h
        Zm[idx] -= h
        num[idx] = (f(Zp) - f(Zm)) / (2 * h)
    np.testing.assert_allclose(dZ, num, rtol=1e-6, atol=1e-9)
    # the explicit Jacobian diag(a) - a aᵀ per column gives the same
    A = _closed_form("softmax", Z)
    for j in range(Z.shape[1]):
        J = np.diag(A[:, j]) - np.outer(A[:, j], A[:, j])
        np.testing.assert_allclose(dZ[:, j], J.T @ dA[:, j], rtol=1e-12, atol=1e-15)


def test_softmax_has_no_elementwise_derivative():
    with pytest.raises(ConfigError):
        get_activation("softmax").derivative(np.ones((2, 2)))


# ---------------------------------------------------------------------------- in place
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ALL)
def test_out_in_place_equals_out_of_place(name, dtype, Z):
    a = get_activation(name)
    Zt = Z.astype(dtype)
    expected = a.forward(Zt.copy())
    buf = Zt.copy()
    A = a.forward(buf, out=buf)
    assert A is buf
    np.testing.assert_array_equal(A, expected)
    other = np.empty_like(Zt)
    assert a.forward(Zt, out=other) is other
    np.testing.assert_array_equal(other, expected)

    dA = np.random.default_rng(4).standard_normal(Z.shape).astype(dtype)
    expected_dZ = a.backward(dA.copy(), expected)
    d = dA.copy()
    dZ = a.backward(d, expected, out=d)
    assert dZ is d
    np.testing.assert_array_equal(dZ, expected_dZ)


@pytest.mark.parametrize("fn", [act.sigmoid, act.tanh, act.relu, act.leaky_relu, act.linear,
                                act.softmax])  # fmt: skip
def test_module_kernels_accept_out_equal_to_input(fn, Z):
    expected = fn(Z.copy())
    buf = Z.copy()
    assert fn(buf, out=buf) is buf
    np.testing.assert_array_equal(buf, expected)


def test_linear_out_of_place_returns_a_copy(Z):
    A = act.linear(Z)
    assert A is not Z
    A[0, 0] = 123.0
    assert Z[0, 0] != 123.0


# ---------------------------------------------------------------------------- extremes
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ALL)
def test_extreme_inputs_no_warning_no_nan(name, dtype):
    z = np.array(EXTREMES, dtype=dtype)
    # rows x columns: every value as its own column (elementwise), and as one class
    # column for softmax, plus a random arrangement
    Zs = [z.reshape(1, -1), z.reshape(-1, 1), np.random.default_rng(5).permutation(z).reshape(3, 5)]
    a = get_activation(name)
    for Z in Zs:
        # underflow to 0 (e.g. e^-1e4) is exact and harmless: numpy's default ignores it
        with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
            warnings.simplefilter("error")
            A = a.forward(Z.copy())
            dZ = a.backward(np.ones_like(Z), A)
            A_inplace = Z.copy()
            a.forward(A_inplace, out=A_inplace)
        assert A.dtype == dtype and dZ.dtype == dtype and A_inplace.dtype == dtype
        assert np.all(np.isfinite(A)) and np.all(np.isfinite(dZ))
        np.testing.assert_array_equal(A_inplace, A)
        if name in ("sigmoid", "softmax"):
            assert np.all((A >= 0) & (A <= 1))
        if name == "softmax":
            np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=1e-6)
        if name == "tanh":
            assert np.all(np.abs(A) <= 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_extreme_values(dtype):
    z = np.array(EXTREMES, dtype=dtype)
    A = act.sigmoid(z.copy())
    ref = np.array([_sigmoid_ref(float(v)) for v in z])
    tol = 1e-6 if dtype == np.float32 else 1e-14
    # below the smallest normal number the value may flush to 0
    np.testing.assert_allclose(A, ref, rtol=tol, atol=float(np.finfo(dtype).tiny))
    assert A[0] == 0.0 and A[-1] == 1.0  # sigma(-1e4) = 0, sigma(1e4) = 1
    assert np.all(np.diff(A) >= 0)  # monotone


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_extreme_column(dtype):
    Z = np.array([[1e4], [-1e4], [1e4 - 1.0], [0.0]], dtype=dtype)
    A = act.softmax(Z)
    e = math.exp(-1.0)
    ref = np.array([[1 / (1 + e)], [0.0], [e / (1 + e)], [0.0]])
    np.testing.assert_allclose(A, ref, rtol=1e-6, atol=1e-30)
    assert A.dtype == dtype


@pytest.mark.parametrize("name", ["swish", "", "Relu6", 3, None])
def test_unknown_activation_raises(name):
    with pytest.raises(ConfigError):
        get_activation(name)


def test_unknown_activation_in_dense_raises():
    with pytest.raises(ConfigError):
        Dense(3, "gelu")
    with pytest.raises(ConfigError):
        get_activation({"name": "nope"})


def test_names_are_case_insensitive_and_config_round_trips():
    assert get_activation("ReLU").name == "relu"
    a = LeakyReLU(0.25)
    b = get_activation(a.config())
    assert b.slope == 0.25 and b.name == "leaky_relu"
    assert get_activation(a) is a
