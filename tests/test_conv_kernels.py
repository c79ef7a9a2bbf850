"""Conv2D's compiled kernels.

The ReLU passes of the window path give the bits of its NumPy version: the NumPy path is
the reference (``test_conv`` checks both paths against PyTorch and a four-loop
convolution); with the compiled passes loaded, a layer's A, dW, db and dA_prev must be
the same arrays exactly, special values included. The direct kernels give the same bits
whatever the number of threads.
"""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as lw
from layerwise import kernel_dispatch
from layerwise.layers import conv as conv_module


def _need(name: str):
    kernel = kernel_dispatch.fused_kernel(name)
    if kernel is None:
        pytest.skip("numba is not installed or LAYERWISE_ACCEL=0")
    return kernel


def _special(shape, dtype, seed):
    """Normal values with zeros of both signs, NaN and infinities mixed in."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal(shape).astype(dtype)
    flat = X.reshape(-1)
    specials = np.array([0.0, -0.0, np.nan, np.inf, -np.inf], dtype)
    flat[rng.choice(flat.size, 40, replace=False)] = np.resize(specials, 40)
    return X


def _same_bits(got, expected):
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got.view(np.uint8), expected.view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_forward_wide_is_numpy_maximum(dtype):
    fused = _need("relu_forward_wide")
    Z = _special((3, 5, 9, 4), dtype, 0)
    expected = np.maximum(Z[:, :, :7], np.zeros((3, 5, 7, 4), dtype))
    got = np.full((3, 5, 7, 4), 7, dtype)
    fused(Z, got)
    _same_bits(got, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_backward_wide_is_the_masked_product_with_zero_columns(dtype):
    fused = _need("relu_backward_wide")
    dA, A = _special((3, 5, 7, 4), dtype, 1), _special((3, 5, 7, 4), dtype, 2)
    expected = np.zeros((3, 5, 9, 4), dtype)
    with np.errstate(invalid="ignore"):  # inf · 0 is NaN in both
        expected[:, :, :7] = dA * (A > 0)
    got = np.full((3, 5, 9, 4), 7, dtype)
    fused(dA, A, got)
    _same_bits(got, expected)


def _step(layer, X, dA, compiled: bool, monkeypatch):
    monkeypatch.setattr(kernel_dispatch, "image_kernels", lambda: None)  # the window path
    monkeypatch.setattr(kernel_dispatch, "_numpy_seconds", 0.0)
    if compiled:
        kernel_dispatch.load_fused()
    A = layer.forward(X, training=True).copy()
    dA_prev = layer.backward(dA.copy()).copy()
    return A, dA_prev, layer.grads["W"].copy(), layer.grads["b"].copy()


@pytest.mark.parametrize("padding", ["same", 0, 2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_layer_is_the_same_with_and_without_compiled_kernels(padding, dtype, monkeypatch):
    _need("relu_forward_wide")
    model = lw.Sequential(
        [lw.Conv2D(3, 3, padding=0), lw.Conv2D(5, 3, padding=padding)],
        input_dim=(9, 8, 2),
        dtype=dtype,
        seed=3,
    )
    layer = model.layers[1]
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 7, 6, 3)).astype(dtype)
    dA = rng.standard_normal((6, *layer.output_shape)).astype(dtype)
    numpy_run = _step(layer, X, dA, False, monkeypatch)
    compiled_run = _step(layer, X, dA, True, monkeypatch)
    assert (numpy_run[0] == 0).any() and (numpy_run[0] > 0).any()  # ReLU cut some
    for got, expected in zip(compiled_run, numpy_run):
        _same_bits(got, expected)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("f, activation", [(3, "relu"), (5, "relu"), (2, "tanh"), (4, "relu")])
@pytest.mark.parametrize("pool", ["max", "average"])
def test_image_kernels_do_not_depend_on_the_thread_count(f, activation, pool, dtype, monkeypatch):
    """A, dW, db and dA_prev of the compiled conv and pool layers on one, two and three
    threads: the same bits."""
    if kernel_dispatch.image_kernels() is None:
        pytest.skip("numba is not installed or LAYERWISE_ACCEL=0")
    monkeypatch.setattr(conv_module, "DIRECT_MIN_RUN", 0)  # the kernels for these shapes
    model = lw.Sequential(
        [
            lw.Conv2D(2, 3, padding=1),
            lw.Conv2D(5, f, padding=f // 2, activation=activation),
            lw.Pool2D(2, mode=pool),
        ],
        input_dim=(11, 9, 3),
        dtype=dtype,
        seed=5,
    )
    rng = np.random.default_rng(6)
    X = rng.standard_normal((7, 11, 9, 3)).astype(dtype)
    model.forward(X)  # builds the work arrays
    runs = []
    for threads in (1, 2, 3):
        monkeypatch.setattr(kernel_dispatch, "IMAGE_THREADS", threads)
        A = model.forward(X, training=True).copy()
        dA = np.random.default_rng(7).standard_normal(A.shape).astype(dtype)
        dX = model.layers[2].backward(dA)
        dX = model.layers[1].backward(dX.copy())
        dX = model.layers[0].backward(dX.copy()).copy()
        runs.append((A, dX, *(g.copy() for layer in model.layers for g in layer.grads.values())))
    for other in runs[1:]:
        for got, expected in zip(other, runs[0]):
            _same_bits(got, expected)


def test_a_forked_child_runs_the_image_kernels(tmp_path, monkeypatch):
    """After the kernels ran on several threads, a forked child (multiprocessing's default
    on Linux) still runs them, and gets the parent's result."""
    if kernel_dispatch.image_kernels() is None:
        pytest.skip("numba is not installed or LAYERWISE_ACCEL=0")
    monkeypatch.setattr(conv_module, "DIRECT_MIN_RUN", 0)
    import os  # noqa: PLC0415

    model = lw.Sequential(
        [lw.Conv2D(4, 3, padding="same"), lw.Pool2D(2), lw.Flatten(), lw.Dense(1, "sigmoid")],
        input_dim=(16, 16, 3),
        dtype="float32",
        seed=0,
    )
    X = np.random.default_rng(0).random((8, 16, 16, 3), dtype=np.float32)
    parent = model.predict_proba(X)
    out = tmp_path / "child.npy"
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            np.save(out, model.predict_proba(X))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    np.testing.assert_array_equal(np.load(out), parent)
