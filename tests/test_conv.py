"""Conv2D, Pool2D and Flatten: shapes, a naive reference, finite differences, a whole
model (gradcheck, fit, save/load), and PyTorch when it is installed."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise
from layerwise import Sequential, kernel_dispatch, load
from layerwise.errors import ConfigError, ShapeError
from layerwise.layers import LAYERS, Conv2D, Dense, Flatten, Pool2D, build_layer
from layerwise.layers import conv as conv_module


@pytest.fixture(params=["direct", "windows"])
def image_path(request, monkeypatch):
    """Run a test through each way Conv2D and Pool2D compute: the compiled kernels
    (numba present; for Conv2D at stride 1) and the NumPy path (window products for
    Conv2D, gathered windows for Pool2D)."""
    if request.param == "windows":
        monkeypatch.setattr(kernel_dispatch, "image_kernels", lambda: None)
    elif kernel_dispatch.image_kernels() is None:
        pytest.skip("numba is not installed or LAYERWISE_ACCEL=0")
    else:  # the kernels for every shape, not only those they are faster for
        monkeypatch.setattr(conv_module, "DIRECT_MIN_RUN", 0)
        monkeypatch.setattr(conv_module, "DIRECT_MAX_WEIGHTS", 1 << 62)
    return request.param


def built(layer, input_shape, dtype="float64", seed=0):
    build_layer(layer, input_shape, np.random.default_rng(seed), np.dtype(dtype))
    return layer


# ----------------------------------------------------------------- naive references
def conv_single_step(a_slice_prev, W, b):
    """The course's one-window step: sum(a_slice_prev * W) + b."""
    return float(np.sum(a_slice_prev * W)) + float(np.squeeze(b))


def naive_conv(A_prev, W, b, s, p):
    m, n_H_prev, n_W_prev, _ = A_prev.shape
    f, _, _, n_C = W.shape
    n_H = (n_H_prev + 2 * p - f) // s + 1
    n_W = (n_W_prev + 2 * p - f) // s + 1
    A_pad = np.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))
    Z = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    window = A_pad[i, h * s : h * s + f, w * s : w * s + f, :]
                    Z[i, h, w, c] = conv_single_step(window, W[..., c], b[..., c])
    return Z


def naive_pool(A_prev, f, s, mode):
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    n_H, n_W = (n_H_prev - f) // s + 1, (n_W_prev - f) // s + 1
    A = np.zeros((m, n_H, n_W, n_C))
    reduce = np.max if mode == "max" else np.mean
    for h in range(n_H):
        for w in range(n_W):
            A[:, h, w, :] = reduce(A_prev[:, h * s : h * s + f, w * s : w * s + f, :], axis=(1, 2))
    return A


def numeric_grad(fn, x, eps=1e-6):
    """Two-sided differences of the scalar fn() with respect to every entry of x."""
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = fn()
        flat[i] = old - eps
        minus = fn()
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return g


def rel_diff(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b) + 1e-300)


# ----------------------------------------------------------------- shapes and errors
@pytest.mark.parametrize(
    "n, f, s, padding, expected",
    [(7, 3, 1, "valid", 5), (7, 3, 2, "valid", 3), (7, 3, 1, "same", 7), (7, 3, 2, 1, 4),
     (8, 5, 3, 2, 3), (5, 5, 1, 0, 1)],
)  # fmt: skip
def test_conv_output_shape_follows_the_formula(n, f, s, padding, expected):
    conv = built(Conv2D(6, f, stride=s, padding=padding), (n, n + 1, 2))
    p = conv.pad
    assert expected == (n + 2 * p - f) // s + 1
    assert conv.output_shape == (expected, (n + 1 + 2 * p - f) // s + 1, 6)
    assert conv.params["W"].shape == (f, f, 2, 6) and conv.params["b"].shape == (1, 1, 1, 6)
    A = conv.forward(np.zeros((3, n, n + 1, 2)))
    assert A.shape == (3, *conv.output_shape)


def test_pool_and_flatten_shapes():
    pool = built(Pool2D(3, stride=2), (9, 8, 5))
    assert pool.output_shape == (4, 3, 5)
    assert pool.forward(np.zeros((2, 9, 8, 5))).shape == (2, 4, 3, 5)
    assert built(Pool2D(2), (8, 8, 1)).output_shape == (4, 4, 1)
    flat = built(Flatten(), (4, 3, 5))
    assert flat.output_shape == (60,)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ConfigError, match="filters"):
        Conv2D(0, 3)
    with pytest.raises(ConfigError, match="kernel_size"):
        Conv2D(4, 2.5)
    with pytest.raises(ConfigError, match="padding"):
        Conv2D(4, 3, padding="full")
    with pytest.raises(ConfigError, match="odd"):
        Conv2D(4, 2, padding="same")
    with pytest.raises(ConfigError, match="softmax"):
        Conv2D(4, 3, activation="softmax")
    with pytest.raises(ConfigError, match="mode"):
        Pool2D(2, mode="min")
    with pytest.raises(ShapeError, match="bigger than the padded input"):
        built(Conv2D(4, 7, padding=1), (4, 4, 3))
    with pytest.raises(ShapeError, match="bigger than the input"):
        built(Pool2D(5), (4, 4, 3))
    with pytest.raises(ShapeError, match="images"):
        built(Conv2D(4, 3), (12,))
    conv = built(Conv2D(4, 3), (6, 6, 3))
    with pytest.raises(ShapeError, match=r"\(m, 6, 6, 3\)"):
        conv.forward(np.zeros((2, 6, 6, 2)))
    with pytest.raises(ShapeError, match="Flatten"):
        Sequential([Conv2D(2, 3), Dense(1, "sigmoid")], input_dim=(5, 5, 1))


# ----------------------------------------------------------------- forward references
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", [0, 1, "same"])
def test_conv_forward_matches_naive_loops(stride, padding, image_path):
    rng = np.random.default_rng(1)
    conv = built(Conv2D(3, 3, stride=stride, padding=padding, activation="linear"), (7, 6, 2))
    conv.params["b"][...] = rng.standard_normal((1, 1, 1, 3))
    A_prev = rng.standard_normal((2, 7, 6, 2))
    expected = naive_conv(A_prev, conv.params["W"], conv.params["b"], stride, conv.pad)
    np.testing.assert_allclose(conv.forward(A_prev), expected, rtol=1e-12, atol=1e-12)
    relu = built(Conv2D(3, 3, stride=stride, padding=padding), (7, 6, 2))
    relu.params["W"][...] = conv.params["W"]
    relu.params["b"][...] = conv.params["b"]
    np.testing.assert_allclose(relu.forward(A_prev), np.maximum(expected, 0), atol=1e-12)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("f, s", [(2, 2), (3, 1), (3, 2)])
def test_pool_forward_matches_naive_loops(mode, f, s, image_path):
    A_prev = np.random.default_rng(2).standard_normal((2, 7, 6, 3))
    pool = built(Pool2D(f, stride=s, mode=mode), (7, 6, 3))
    np.testing.assert_allclose(pool.forward(A_prev), naive_pool(A_prev, f, s, mode), atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtypes_are_preserved(dtype):
    X = np.random.default_rng(3).standard_normal((2, 6, 6, 2)).astype(dtype)
    layers = [Conv2D(3, 3, padding=1), Pool2D(2, mode="average"), Pool2D(3), Flatten()]
    A, shape = X, (6, 6, 2)
    for layer in layers:
        shape = built(layer, shape, dtype).output_shape
        A = layer.forward(A, training=True)
        assert A.dtype == np.dtype(dtype)
    dA = np.ones_like(A)
    for layer in reversed(layers):
        dA = layer.backward(dA)
        assert dA.dtype == np.dtype(dtype)
    assert layers[0].grads["W"].dtype == np.dtype(dtype)


# ----------------------------------------------------------------- backward vs differences
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (1, "same"), (2, 0)])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_conv_backward_matches_finite_differences(stride, padding, activation, image_path):
    rng = np.random.default_rng(4)
    conv = built(Conv2D(3, 3, stride=stride, padding=padding, activation=activation), (6, 5, 2))
    conv.params["b"][...] = 0.1 * rng.standard_normal((1, 1, 1, 3))
    A_prev = rng.standard_normal((2, 6, 5, 2))
    G = rng.standard_normal((2, *conv.output_shape))  # J = sum(G * A)

    def J():
        return float(np.sum(G * conv.forward(A_prev)))

    conv.forward(A_prev, training=True)
    dA_prev = conv.backward(G.copy())
    assert rel_diff(dA_prev, numeric_grad(J, A_prev)) < 1e-7
    for key in ("W", "b"):
        assert rel_diff(conv.grads[key], numeric_grad(J, conv.params[key])) < 1e-7


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("f, s", [(2, 2), (3, 1), (3, 2)])
def test_pool_backward_matches_finite_differences(mode, f, s, image_path):
    rng = np.random.default_rng(5)
    pool = built(Pool2D(f, stride=s, mode=mode), (7, 6, 2))
    A_prev = rng.standard_normal((2, 7, 6, 2))
    G = rng.standard_normal((2, *pool.output_shape))

    def J():
        return float(np.sum(G * pool.forward(A_prev)))

    pool.forward(A_prev, training=True)
    assert rel_diff(pool.backward(G), numeric_grad(J, A_prev)) < 1e-7


def test_max_pool_routes_a_tie_to_one_position(image_path):
    pool = built(Pool2D(2), (2, 2, 1))
    pool.forward(np.ones((1, 2, 2, 1)), training=True)
    dA_prev = pool.backward(np.full((1, 1, 1, 1), 3.0))
    assert dA_prev.sum() == 3.0 and np.count_nonzero(dA_prev) == 1


# ----------------------------------------------------------------- Flatten
def test_flatten_order_is_row_major_height_width_channel():
    X = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    flat = built(Flatten(), (3, 4, 5))
    A = flat.forward(X, training=True)
    np.testing.assert_array_equal(A, X.reshape(2, -1).T)
    assert A[5 * 4 + 5 * 1 + 2, 1] == X[1, 1, 1, 2]
    np.testing.assert_array_equal(flat.backward(A), X)


# ----------------------------------------------------------------- whole models
def small_cnn(seed=0, dtype="float64"):
    return Sequential(
        [Conv2D(4, 3, padding="same"), Pool2D(2), Flatten(), Dense(1, "sigmoid")],
        input_dim=(8, 8, 3),
        dtype=dtype,
        seed=seed,
    )


def bright_patch_task(m, seed):
    """Label 1 when the image's top-left quarter is brighter than its bottom-right one."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 8, 8, 3))
    Y = rng.integers(0, 2, (1, m))
    shift = np.where(Y[0] == 1, 1.0, -1.0)[:, None, None, None]
    X[:, :4, :4, :] += shift
    X[:, 4:, 4:, :] -= shift
    return X, Y


def test_sequential_cnn_passes_gradcheck():
    model = small_cnn()
    assert model.example_axis == 0
    assert list(model.parameters) == ["W1", "b1", "W2", "b2"]
    X, Y = bright_patch_task(6, 1)
    assert layerwise.gradcheck(model, X, Y) < 1e-7


def test_sequential_cnn_trains_with_mini_batches():
    X, Y = bright_patch_task(64, 2)
    model = small_cnn(seed=3, dtype="float32")
    before = model.evaluate(X, Y)["loss"]
    history = model.fit(X, Y, epochs=15, batch_size=16, optimizer="adam", learning_rate=0.01,
                        verbose=0)  # fmt: skip
    loss = history.history["loss"]
    assert loss[-1] < 0.5 * before and loss[-1] < loss[0]
    assert model.evaluate(X, Y)["accuracy"] >= 0.9
    assert model.predict(X).shape == (1, 64)


def test_save_load_round_trip_gives_identical_predictions(tmp_path):
    model = Sequential(
        [Conv2D(3, 3, stride=2, padding=1, activation="tanh"), Pool2D(2, mode="average"),
         Conv2D(2, 1), Pool2D(2, stride=1), Flatten(), Dense(3, "softmax")],
        input_dim=(9, 9, 2), seed=7,
    )  # fmt: skip
    assert {"Conv2D", "Pool2D", "Flatten"} <= set(LAYERS)
    X = np.random.default_rng(8).standard_normal((5, 9, 9, 2))
    model.fit(X, np.array([[0, 1, 2, 1, 0]]), epochs=2, batch_size=2, verbose=0)
    loaded = load(model.save(tmp_path / "cnn"))
    assert repr(loaded) == repr(model)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict_proba(X, batch_size=2), model.predict_proba(X))


# ----------------------------------------------------------------- the engine's fast paths
# Conv2D: pointwise (f = 1, no padding) without windows; stride 1 with "wide" windows
# (rows of the window grid run on into the next, the extra columns ignored); other strides
# with plain windows; all chunk by chunk of images. Pool2D: windows gathered into blocks,
# copied back in one pass when they do not overlap (s >= f). Each against naive loops.
def naive_conv_backward(dZ, A_prev, W, s, p):
    """dA_prev, dW, db of Z = conv(A_prev, W) + b for the upstream dZ, by loops."""
    m, n_H, n_W, n_C = dZ.shape
    f = W.shape[0]
    A_pad = np.pad(A_prev, ((0, 0), (p, p), (p, p), (0, 0)))
    dA_pad, dW = np.zeros_like(A_pad), np.zeros_like(W)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                window = (i, slice(h * s, h * s + f), slice(w * s, w * s + f))
                for c in range(n_C):
                    dA_pad[window] += W[..., c] * dZ[i, h, w, c]
                    dW[..., c] += A_pad[window] * dZ[i, h, w, c]
    H, Wd = A_prev.shape[1:3]
    return dA_pad[:, p : p + H, p : p + Wd], dW, dZ.sum(axis=(0, 1, 2)).reshape(1, 1, 1, n_C)


def naive_pool_backward(dA, A_prev, f, s, mode):
    """Max: dA to the first maximum of each window in row-major order; average: dA/f²."""
    dA_prev = np.zeros_like(A_prev)
    m, n_H, n_W, n_C = dA.shape
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    window = A_prev[i, h * s : h * s + f, w * s : w * s + f, c]
                    if mode == "max":
                        r, q = np.unravel_index(np.argmax(window), (f, f))
                        dA_prev[i, h * s + r, w * s + q, c] += dA[i, h, w, c]
                    else:
                        dA_prev[i, h * s : h * s + f, w * s : w * s + f, c] += dA[i, h, w, c] / f**2
    return dA_prev


CONV_PATHS = [(1, 1, 0), (1, 2, 0), (1, 1, 1), (3, 1, 0), (3, 1, "same"), (5, 1, "same"),
              (2, 1, 0), (3, 2, 1), (2, 3, 0), (4, 2, 2)]  # fmt: skip


@pytest.mark.parametrize("chunk", [None, 2])
@pytest.mark.parametrize("f, s, padding", CONV_PATHS)
def test_conv_paths_match_naive_loops(f, s, padding, chunk, image_path, monkeypatch):
    """Forward (training and inference) and backward, in chunks of ``chunk`` images (the
    last one partial) or the default."""
    if chunk is not None:
        monkeypatch.setattr("layerwise.layers.conv.chunk_images", lambda nbytes, m=0: chunk)
    rng = np.random.default_rng(11)
    conv = built(Conv2D(3, f, stride=s, padding=padding, activation="tanh"), (9, 7, 2))
    conv.params["b"][...] = rng.standard_normal((1, 1, 1, 3))
    A_prev = rng.standard_normal((5, 9, 7, 2))
    W, b, p = conv.params["W"], conv.params["b"], conv.pad
    Z = naive_conv(A_prev, W, b, s, p)
    np.testing.assert_allclose(conv.forward(A_prev), np.tanh(Z), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.forward(A_prev, training=True), np.tanh(Z), atol=1e-12)
    G = rng.standard_normal(Z.shape)
    dA_prev, dW, db = naive_conv_backward(G * (1 - np.tanh(Z) ** 2), A_prev, W, s, p)
    np.testing.assert_allclose(conv.backward(G.copy()), dA_prev, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.grads["W"], dW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.grads["b"], db, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f, s, padding", [(1, 1, 0), (3, 1, "same"), (3, 2, 1)])
def test_conv_work_arrays_follow_the_batch(f, s, padding, image_path, monkeypatch):
    """Batches of changing size through one layer, an inference pass between a training
    forward and its backward, read-only and strided gradients and inputs: every result
    equals that of a fresh layer on a fresh contiguous copy."""
    monkeypatch.setattr("layerwise.layers.conv.chunk_images", lambda nbytes, m=0: 2)
    rng = np.random.default_rng(12)
    layer = built(Conv2D(3, f, stride=s, padding=padding), (6, 5, 2))

    def fresh(X, G):
        ref = built(Conv2D(3, f, stride=s, padding=padding), (6, 5, 2))
        ref.params["W"][...] = layer.params["W"]
        A = ref.forward(np.ascontiguousarray(X), training=True).copy()
        return A, ref.backward(np.array(G)).copy(), ref.grads["W"].copy(), ref.grads["b"].copy()

    for m in (5, 2, 3, 5):
        X = rng.standard_normal((m, 5, 6, 2)).transpose(0, 2, 1, 3)  # a strided view
        A = layer.forward(X, training=True).copy()
        layer.forward(rng.standard_normal((7, 6, 5, 2)))  # inference in between
        G = np.broadcast_to(rng.standard_normal((1, *layer.output_shape)), (m, *A.shape[1:]))
        want = fresh(X, G)
        got = (A, layer.backward(G), layer.grads["W"], layer.grads["b"])
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize(
    "f, s, H, C", [(2, 2, 8, 3), (2, 2, 7, 8), (3, 3, 9, 1), (3, 3, 8, 2), (1, 1, 5, 3),
                   (1, 2, 5, 2), (2, 3, 8, 4), (3, 2, 9, 3), (3, 1, 6, 5)],
)  # fmt: skip
def test_pool_paths_match_naive_loops(f, s, H, C, mode, dtype, image_path):
    """Windows that tile the image (s = f), leave a strip (cropped), skip pixels (s > f)
    or overlap (s < f), one or several channels. The values are rounded so that windows
    hold ties, which max-pooling must route to the first maximum in row-major order."""
    rng = np.random.default_rng(13)
    A_prev = np.maximum(np.round(rng.standard_normal((3, H, 7, C)), 1), 0).astype(dtype)
    pool = built(Pool2D(f, stride=s, mode=mode), (H, 7, C), dtype)
    G = rng.standard_normal((3, *pool.output_shape)).astype(dtype)
    tol = 1e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(pool.forward(A_prev), naive_pool(A_prev, f, s, mode), atol=tol)
    A = pool.forward(A_prev, training=True)
    np.testing.assert_allclose(A, naive_pool(A_prev, f, s, mode), atol=tol)
    dA_prev = pool.backward(G)
    assert dA_prev.dtype == np.dtype(dtype) and dA_prev.shape == A_prev.shape
    want = naive_pool_backward(G.astype(float), A_prev.astype(float), f, s, mode)
    np.testing.assert_allclose(dA_prev, want, rtol=tol, atol=tol)
    # work arrays reused: a smaller batch, another gradient
    pool.forward(A_prev[1:], training=True)
    want = naive_pool_backward(-G[1:].astype(float), A_prev[1:].astype(float), f, s, mode)
    np.testing.assert_allclose(pool.backward(-G[1:]), want, rtol=tol, atol=tol)


def test_max_pool_tie_after_relu_goes_to_the_top_left(image_path):
    """All-zero windows (ReLU output) send their whole gradient to position (0, 0)."""
    pool = built(Pool2D(2), (4, 4, 3), "float32")
    pool.forward(np.zeros((2, 4, 4, 3), np.float32), training=True)
    dA_prev = pool.backward(np.ones((2, 2, 2, 3), np.float32))
    np.testing.assert_array_equal(dA_prev[:, ::2, ::2], 1)
    assert dA_prev.sum() == 2 * 2 * 2 * 3


# ----------------------------------------------------------------- PyTorch reference
@pytest.mark.parametrize(
    "f, stride, padding",
    [(3, 1, 0), (3, 2, 1), (3, 1, "same"), (5, 1, "same"), (1, 1, 0), (1, 2, 0), (2, 1, 1)],
)
def test_conv_matches_torch(f, stride, padding, image_path):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(9)
    conv = built(Conv2D(4, f, stride=stride, padding=padding, activation="linear"), (7, 8, 3))
    conv.params["b"][...] = rng.standard_normal((1, 1, 1, 4))
    A_prev = rng.standard_normal((2, 7, 8, 3))
    G = rng.standard_normal((2, *conv.output_shape))

    x = torch.tensor(A_prev.transpose(0, 3, 1, 2), requires_grad=True)
    w = torch.tensor(conv.params["W"].transpose(3, 2, 0, 1).copy(), requires_grad=True)
    b = torch.tensor(conv.params["b"].reshape(-1).copy(), requires_grad=True)
    z = F.conv2d(x, w, b, stride=stride, padding=conv.pad)
    z.backward(torch.tensor(G.transpose(0, 3, 1, 2)))

    A = conv.forward(A_prev, training=True)
    np.testing.assert_allclose(A, z.detach().numpy().transpose(0, 2, 3, 1), atol=1e-10)
    dA_prev = conv.backward(G.copy())
    np.testing.assert_allclose(dA_prev, x.grad.numpy().transpose(0, 2, 3, 1), atol=1e-10)
    np.testing.assert_allclose(conv.grads["W"], w.grad.numpy().transpose(2, 3, 1, 0), atol=1e-10)
    np.testing.assert_allclose(conv.grads["b"].reshape(-1), b.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("f, s, H", [(2, 2, 7), (3, 1, 7), (2, 2, 8), (3, 3, 9)])
def test_pool_matches_torch(mode, f, s, H, image_path):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(10)
    pool = built(Pool2D(f, stride=s, mode=mode), (H, 6, 3))
    A_prev = rng.standard_normal((2, H, 6, 3))
    G = rng.standard_normal((2, *pool.output_shape))

    x = torch.tensor(A_prev.transpose(0, 3, 1, 2), requires_grad=True)
    torch_pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    y = torch_pool(x, f, stride=s)
    y.backward(torch.tensor(G.transpose(0, 3, 1, 2)))

    A = pool.forward(A_prev, training=True)
    np.testing.assert_allclose(A, y.detach().numpy().transpose(0, 2, 3, 1), atol=1e-12)
    dA_prev = pool.backward(G)
    np.testing.assert_allclose(dA_prev, x.grad.numpy().transpose(0, 2, 3, 1), atol=1e-12)


def test_normalize_is_refused_for_image_models():
    """Input standardisation works on (n_x, m) columns; an image model says so."""
    rng = np.random.default_rng(0)
    X = rng.random((6, 8, 8, 3))
    Y = rng.integers(0, 2, (1, 6))
    model = Sequential(
        [Conv2D(2, 3), Flatten(), Dense(1, "sigmoid")], input_dim=(8, 8, 3), normalize=True
    )
    with pytest.raises(ConfigError, match="normalize=True"):
        model.fit(X, Y, epochs=1, verbose=0)
