"""layerwise.course.convolution against COURSE.md §2.9: the published values with the
course's seeds, an independent loop reference, finite differences, the engine's Conv2D and
Pool2D on 40 random cases, and `layerwise course convolution`.

Ties in max pooling: the course's mask ``x == max(x)`` sends a window's gradient to every
tied maximum, the engine's Pool2D to the first one only. The random cases use continuous
data, where ties do not occur; ``test_max_pool_ties_*`` pins the difference down.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import layerwise as lw
from layerwise.cli import main as cli_main
from layerwise.course import convolution as course
from layerwise.course.experiments import EXPERIMENTS, get_main
from layerwise.errors import ConfigError, ShapeError


def close(actual, expected, tol=1e-12):
    """Equal up to rounding, relative to the size of the expected values."""
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=tol * scale)


# ================================================================= the course's own checks
def test_zero_pad_published():
    np.random.seed(1)
    x = np.random.randn(4, 3, 3, 2)
    x_pad = course.zero_pad(x, 3)
    assert x.shape == (4, 3, 3, 2) and x_pad.shape == (4, 9, 9, 2)
    close(x[1, 1], [[0.90085595, -0.68372786], [-0.12289023, -0.93576943],
                    [-0.26788808, 0.53035547]], tol=1e-8)  # fmt: skip
    np.testing.assert_array_equal(x_pad[1, 1], np.zeros((9, 2)))
    np.testing.assert_array_equal(x_pad[:, 3:6, 3:6, :], x)
    assert x_pad.sum() == pytest.approx(x.sum(), abs=1e-12)  # zeros everywhere else


def test_zero_pad_only_height_and_width_and_float64():
    x = np.arange(2 * 2 * 3 * 4).reshape(2, 2, 3, 4)
    x_pad = course.zero_pad(x, 1)
    assert x_pad.shape == (2, 4, 5, 4) and x_pad.dtype == np.float64
    np.testing.assert_array_equal(x_pad[:, 1:-1, 1:-1, :], x)
    np.testing.assert_array_equal(course.zero_pad(x, 0), x)


def test_conv_single_step_published():
    np.random.seed(1)
    a_slice_prev = np.random.randn(4, 4, 3)
    W = np.random.randn(4, 4, 3)
    b = np.random.randn(1, 1, 1)
    Z = course.conv_single_step(a_slice_prev, W, b)
    assert type(Z) is np.float64  # a scalar, not a (1, 1, 1) array
    assert Z == pytest.approx(-6.999089450680221, abs=1e-13)


def test_conv_forward_published():
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 7, 4)
    W = np.random.randn(3, 3, 4, 8)
    b = np.random.randn(1, 1, 1, 8)
    hparameters = {"pad": 1, "stride": 2}
    Z, cache_conv = course.conv_forward(A_prev, W, b, hparameters)
    assert Z.shape == (2, 3, 4, 8) and Z.dtype == np.float64
    assert np.mean(Z) == pytest.approx(0.5511276474566768, abs=1e-14)
    # the assignment's other printed values
    close(Z[0, 2, 1], [-2.17796037, 8.07171329, -0.5772704, 3.36286738, 4.48113645,
                       -2.89198428, 10.99288867, 3.03171932], tol=1e-8)  # fmt: skip
    close(cache_conv[0][1][2][3], [-1.1191154, 1.9560789, -0.3264995, -1.34267579], tol=1e-8)
    # the cache is exactly (A_prev, W, b, hparameters)
    assert type(cache_conv) is tuple and len(cache_conv) == 4
    assert cache_conv[0] is A_prev and cache_conv[1] is W and cache_conv[2] is b
    assert cache_conv[3] is hparameters


def test_pool_forward_published():
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 5, 3)
    hparameters = {"stride": 1, "f": 3}
    A, cache = course.pool_forward(A_prev, hparameters, mode="max")
    assert A.shape == (2, 3, 3, 3)
    np.testing.assert_array_equal(np.round(A[1, 1, 0], 8), [1.96710175, 0.84616065, 1.27375593])
    close(A[1, 1], [[1.96710175, 0.84616065, 1.27375593], [1.96710175, 0.84616065, 1.23616403],
                    [1.62765075, 1.12141771, 1.2245077]], tol=1e-8)  # fmt: skip
    assert type(cache) is tuple and len(cache) == 2
    assert cache[0] is A_prev and cache[1] is hparameters
    A, _ = course.pool_forward(A_prev, hparameters, mode="average")
    assert A.shape == (2, 3, 3, 3)
    close(A[1, 1], [[0.44497696, -0.00261695, -0.31040307], [0.50811474, -0.23493734, -0.23961183],
                    [0.11872677, 0.17255229, -0.22112197]], tol=1e-8)  # fmt: skip


def test_pool_forward_published_stride_two():
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 5, 3)
    hparameters = {"stride": 2, "f": 3}
    A, _ = course.pool_forward(A_prev, hparameters)  # max is the default mode
    assert A.shape == (2, 2, 2, 3)
    close(A[0], [[[1.74481176, 0.90159072, 1.65980218], [1.74481176, 1.6924546, 1.65980218]],
                 [[1.13162939, 1.51981682, 2.18557541], [1.13162939, 1.6924546, 2.18557541]]],
          tol=1e-8)  # fmt: skip
    A, _ = course.pool_forward(A_prev, hparameters, mode="average")
    close(A[1], [[[-0.17313416, 0.32377198, -0.34317572], [0.02030094, 0.14141479, -0.01231585]],
                 [[0.42944926, 0.08446996, -0.27290905], [0.15077452, 0.28911175, 0.00123239]]],
          tol=1e-8)  # fmt: skip


def test_conv_backward_published():
    np.random.seed(1)
    A_prev = np.random.randn(10, 4, 4, 3)
    W = np.random.randn(2, 2, 3, 8)
    b = np.random.randn(1, 1, 1, 8)
    Z, cache_conv = course.conv_forward(A_prev, W, b, {"pad": 2, "stride": 2})
    dA, dW, db = course.conv_backward(Z, cache_conv)
    assert dA.shape == A_prev.shape and dW.shape == W.shape and db.shape == b.shape
    assert np.mean(dA) == pytest.approx(1.4524377775388075, rel=1e-12)
    assert np.mean(dW) == pytest.approx(1.7269914583139097, rel=1e-12)
    assert np.mean(db) == pytest.approx(7.839232564616838, rel=1e-12)


def test_create_mask_from_window_published():
    np.random.seed(1)
    x = np.random.randn(2, 3)
    mask = course.create_mask_from_window(x)
    close(x, [[1.62434536, -0.61175641, -0.52817175], [-1.07296862, 0.86540763, -2.3015387]], 1e-8)
    assert mask.dtype == np.bool_
    np.testing.assert_array_equal(mask, [[True, False, False], [False, False, False]])


def test_distribute_value_published():
    a = course.distribute_value(2, (2, 2))
    np.testing.assert_array_equal(a, [[0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_array_equal(course.distribute_value(3.0, (2, 3)), np.full((2, 3), 0.5))


def test_pool_backward_published():
    np.random.seed(1)
    A_prev = np.random.randn(5, 5, 3, 2)
    hparameters = {"stride": 1, "f": 2}
    A, cache = course.pool_forward(A_prev, hparameters)
    assert A.shape == (5, 4, 2, 2) and cache[0].shape == (5, 5, 3, 2)
    dA = np.random.randn(5, 4, 2, 2)  # drawn after A_prev, from the same stream
    assert np.mean(dA) == pytest.approx(0.14571390272918056, rel=1e-12)
    dA_prev1 = course.pool_backward(dA, cache, mode="max")
    close(dA_prev1[1, 1], [[0.0, 0.0], [5.05844394, -1.68282702], [0.0, 0.0]], tol=1e-8)
    dA_prev2 = course.pool_backward(dA, cache, mode="average")
    close(dA_prev2[1, 1], [[0.08485462, 0.2787552], [1.26461098, -0.25749373],
                           [1.17975636, -0.53624893]], tol=1e-8)  # fmt: skip
    assert dA_prev1.shape == dA_prev2.shape == A_prev.shape


def test_no_function_draws_random_numbers():
    np.random.seed(5)
    before = np.random.get_state()
    A_prev, W, b = np.ones((1, 4, 4, 2)), np.ones((2, 2, 2, 3)), np.zeros((1, 1, 1, 3))
    Z, cache = course.conv_forward(A_prev, W, b, {"stride": 1, "pad": 1})
    course.conv_backward(Z, cache)
    A, pcache = course.pool_forward(A_prev, {"stride": 2, "f": 2}, mode="average")
    course.pool_backward(A, pcache, mode="average")
    after = np.random.get_state()
    assert before[0] == after[0] and before[2] == after[2]
    np.testing.assert_array_equal(before[1], after[1])


def test_backward_leaves_its_inputs_alone():
    rng = np.random.default_rng(3)
    A_prev, W, b = (
        rng.standard_normal((2, 4, 4, 2)),
        rng.standard_normal((3, 3, 2, 2)),
        rng.standard_normal((1, 1, 1, 2)),
    )
    copies = [a.copy() for a in (A_prev, W, b)]
    Z, cache = course.conv_forward(A_prev, W, b, {"stride": 1, "pad": 1})
    dZ = rng.standard_normal(Z.shape)
    dZ_copy = dZ.copy()
    course.conv_backward(dZ, cache)
    for a, c in zip((A_prev, W, b, dZ), [*copies, dZ_copy]):
        np.testing.assert_array_equal(a, c)
    A, pcache = course.pool_forward(A_prev, {"stride": 1, "f": 2})
    dA = rng.standard_normal(A.shape)
    dA_copy = dA.copy()
    course.pool_backward(dA, pcache)
    np.testing.assert_array_equal(dA, dA_copy)
    np.testing.assert_array_equal(A_prev, copies[0])  # fmt: skip


def test_bad_arguments_raise_the_projects_errors():
    A_prev = np.zeros((1, 4, 4, 2))
    with pytest.raises(ConfigError, match="mode"):
        course.pool_forward(A_prev, {"stride": 1, "f": 2}, mode="min")
    _, cache = course.pool_forward(A_prev, {"stride": 1, "f": 2})
    with pytest.raises(ConfigError, match="mode"):
        course.pool_backward(np.zeros((1, 3, 3, 2)), cache, mode="mean")
    with pytest.raises(ConfigError, match="'f'"):
        course.pool_forward(A_prev, {"stride": 1})
    with pytest.raises(ConfigError, match="stride"):
        course.conv_forward(
            A_prev, np.zeros((3, 3, 2, 1)), np.zeros((1, 1, 1, 1)), {"stride": 0, "pad": 0}
        )
    with pytest.raises(ShapeError, match="n_C_prev"):
        course.conv_forward(
            A_prev, np.zeros((3, 3, 3, 1)), np.zeros((1, 1, 1, 1)), {"stride": 1, "pad": 0}
        )
    with pytest.raises(ShapeError, match="bigger"):
        course.conv_forward(
            A_prev, np.zeros((5, 5, 2, 1)), np.zeros((1, 1, 1, 1)), {"stride": 1, "pad": 0}
        )
    with pytest.raises(ShapeError, match="bigger"):
        course.pool_forward(A_prev, {"stride": 1, "f": 5})
    with pytest.raises(ShapeError, match="dA"):
        course.pool_backward(np.zeros((1, 2, 2, 2)), cache)  # fmt: skip


# ================================================================= an independent reference
# No padding array, no course helper: every product and every routing spelled out, with
# the padding handled by skipping indices that fall outside the image.
def ref_conv_forward(A_prev, W, b, s, p):
    m, H, Wd, _ = A_prev.shape
    f, n_C = W.shape[0], W.shape[3]
    n_H, n_W = (H + 2 * p - f) // s + 1, (Wd + 2 * p - f) // s + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    total = b[0, 0, 0, c]
                    for di in range(f):
                        r = h * s + di - p
                        for dj in range(f):
                            q = w * s + dj - p
                            if 0 <= r < H and 0 <= q < Wd:
                                total += A_prev[i, r, q, :] @ W[di, dj, :, c]
                    Z[i, h, w, c] = total
    return Z


def ref_conv_backward(dZ, A_prev, W, s, p):
    m, H, Wd, _ = A_prev.shape
    f = W.shape[0]
    _, n_H, n_W, n_C = dZ.shape
    dA_prev, dW, db = np.zeros(A_prev.shape), np.zeros(W.shape), np.zeros((1, 1, 1, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    g = dZ[i, h, w, c]
                    db[0, 0, 0, c] += g
                    for di in range(f):
                        r = h * s + di - p
                        for dj in range(f):
                            q = w * s + dj - p
                            if 0 <= r < H and 0 <= q < Wd:
                                dA_prev[i, r, q, :] += g * W[di, dj, :, c]
                                dW[di, dj, :, c] += g * A_prev[i, r, q, :]
    return dA_prev, dW, db


def ref_pool_forward(A_prev, f, s, mode):
    m, H, Wd, n_C = A_prev.shape
    n_H, n_W = (H - f) // s + 1, (Wd - f) // s + 1
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vals = [
                        A_prev[i, h * s + di, w * s + dj, c] for di in range(f) for dj in range(f)
                    ]
                    A[i, h, w, c] = max(vals) if mode == "max" else sum(vals) / len(vals)
    return A


def ref_pool_backward(dA, A_prev, f, s, mode):
    dA_prev = np.zeros(A_prev.shape)
    m, n_H, n_W, n_C = dA.shape
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    cells = [(h * s + di, w * s + dj) for di in range(f) for dj in range(f)]
                    if mode == "max":
                        vals = [A_prev[i, r, q, c] for r, q in cells]
                        r, q = cells[vals.index(max(vals))]  # continuous data: one maximum
                        dA_prev[i, r, q, c] += dA[i, h, w, c]
                    else:
                        for r, q in cells:
                            dA_prev[i, r, q, c] += dA[i, h, w, c] / (f * f)
    return dA_prev


def make_cases(count: int, seed: int) -> list[dict]:
    """``count`` random small cases: shapes, filter size, stride, pad, pool window."""
    rng = np.random.default_rng(seed)
    cases = []
    for k in range(count):
        m, H, Wd = int(rng.integers(1, 4)), int(rng.integers(3, 8)), int(rng.integers(3, 8))
        n_C_prev, n_C = int(rng.integers(1, 4)), int(rng.integers(1, 5))
        p = int(rng.integers(0, 3))
        f = int(rng.integers(1, min(4, H + 2 * p, Wd + 2 * p) + 1))
        s = int(rng.integers(1, 4))
        f_pool = int(rng.integers(1, min(4, H, Wd) + 1))
        s_pool = int(rng.integers(1, 4))
        cases.append(dict(id=k, m=m, H=H, W=Wd, n_C_prev=n_C_prev, n_C=n_C, f=f, s=s, p=p,
                          f_pool=f_pool, s_pool=s_pool))  # fmt: skip
    return cases


CASES = make_cases(40, seed=20240401)


def case_id(case: dict) -> str:
    return (
        f"{case['id']:02d}-m{case['m']}-{case['H']}x{case['W']}x{case['n_C_prev']}"
        f"-conv{case['n_C']}f{case['f']}s{case['s']}p{case['p']}"
        f"-pool{case['f_pool']}s{case['s_pool']}"
    )


def case_data(case: dict):
    """A_prev, W, b (continuous normals, no ties) and the conv's hparameters."""
    rng = np.random.default_rng(1000 + case["id"])
    A_prev = rng.standard_normal((case["m"], case["H"], case["W"], case["n_C_prev"]))
    W = rng.standard_normal((case["f"], case["f"], case["n_C_prev"], case["n_C"]))
    b = rng.standard_normal((1, 1, 1, case["n_C"]))
    return A_prev, W, b, {"stride": case["s"], "pad": case["p"]}, rng


def test_the_cases_cover_the_corners():
    assert len(CASES) == 40
    assert {c["p"] for c in CASES} == {0, 1, 2} and {c["s"] for c in CASES} == {1, 2, 3}
    assert any(c["f"] == 1 for c in CASES) and any(c["f_pool"] == 1 for c in CASES)
    assert any(c["s_pool"] > c["f_pool"] for c in CASES)  # windows that skip pixels
    assert any(c["s_pool"] < c["f_pool"] for c in CASES)  # windows that overlap


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_conv_against_the_loop_reference(case):
    A_prev, W, b, hp, rng = case_data(case)
    Z, cache = course.conv_forward(A_prev, W, b, hp)
    close(Z, ref_conv_forward(A_prev, W, b, case["s"], case["p"]))
    dZ = rng.standard_normal(Z.shape)
    for got, want in zip(
        course.conv_backward(dZ, cache), ref_conv_backward(dZ, A_prev, W, case["s"], case["p"])
    ):
        assert got.shape == want.shape
        close(got, want)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_pool_against_the_loop_reference(case, mode):
    A_prev, _, _, _, rng = case_data(case)
    f, s = case["f_pool"], case["s_pool"]
    A, cache = course.pool_forward(A_prev, {"stride": s, "f": f}, mode=mode)
    close(A, ref_pool_forward(A_prev, f, s, mode))
    dA = rng.standard_normal(A.shape)
    close(course.pool_backward(dA, cache, mode=mode), ref_pool_backward(dA, A_prev, f, s, mode))


# ================================================================= finite differences
def numerical_gradient(loss, x, eps=1e-6):
    """Two-sided differences of the scalar loss() with respect to every entry of x."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        plus = loss()
        x[idx] = old - eps
        minus = loss()
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


FD_CASES = [c for c in CASES if c["m"] * c["H"] * c["W"] * c["n_C_prev"] <= 60][:5]


@pytest.mark.parametrize("case", FD_CASES, ids=case_id)
def test_conv_backward_against_finite_differences(case):
    A_prev, W, b, hp, rng = case_data(case)
    Z, cache = course.conv_forward(A_prev, W, b, hp)
    G = rng.standard_normal(Z.shape)  # J = Σ G ∘ Z, so dJ/dZ = G

    def J():
        return float(np.sum(G * course.conv_forward(A_prev, W, b, hp)[0]))

    dA_prev, dW, db = course.conv_backward(G, cache)
    for analytic, x in ((dA_prev, A_prev), (dW, W), (db, b)):
        np.testing.assert_allclose(analytic, numerical_gradient(J, x), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("case", FD_CASES, ids=case_id)
def test_pool_backward_against_finite_differences(case, mode):
    A_prev, _, _, _, rng = case_data(case)
    hp = {"stride": case["s_pool"], "f": case["f_pool"]}
    A, cache = course.pool_forward(A_prev, hp, mode=mode)
    G = rng.standard_normal(A.shape)

    def J():
        return float(np.sum(G * course.pool_forward(A_prev, hp, mode=mode)[0]))

    analytic = course.pool_backward(G, cache, mode=mode)
    np.testing.assert_allclose(analytic, numerical_gradient(J, A_prev), rtol=1e-6, atol=1e-6)


def test_finite_difference_cases_exist():
    assert len(FD_CASES) == 5


# ================================================================= the engine's layers
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_conv_agrees_with_the_engines_conv2d(case):
    A_prev, W, b, hp, rng = case_data(case)
    model = lw.Sequential(
        [
            lw.Conv2D(
                case["n_C"], case["f"], stride=case["s"], padding=case["p"], activation="linear"
            )
        ],
        input_dim=(case["H"], case["W"], case["n_C_prev"]),
        dtype="float64",
    )
    model.set_parameters({"W1": W, "b1": b})
    layer = model.layers[0]
    layer.need_input_grad = True  # a first layer skips dA_prev unless asked
    Z_engine = model.forward(A_prev, training=True)
    Z, cache = course.conv_forward(A_prev, W, b, hp)
    assert Z_engine.shape == Z.shape
    close(Z_engine, Z)
    dZ = rng.standard_normal(Z.shape)
    dA_prev, dW, db = course.conv_backward(dZ, cache)
    close(layer.backward(dZ.copy()), dA_prev)  # the engine may overwrite its dA
    close(layer.grads["W"], dW)
    close(layer.grads["b"], db)


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_pool_agrees_with_the_engines_pool2d(case, mode):
    A_prev, _, _, _, rng = case_data(case)
    f, s = case["f_pool"], case["s_pool"]
    model = lw.Sequential(
        [lw.Pool2D(pool_size=f, stride=s, mode=mode)],
        input_dim=(case["H"], case["W"], case["n_C_prev"]),
        dtype="float64",
    )
    layer = model.layers[0]
    layer.need_input_grad = True
    A_engine = model.forward(A_prev, training=True)
    A, cache = course.pool_forward(A_prev, {"stride": s, "f": f}, mode=mode)
    assert A_engine.shape == A.shape
    close(A_engine, A)
    dA = rng.standard_normal(A.shape)
    close(layer.backward(dA.copy()), course.pool_backward(dA, cache, mode=mode))


def test_max_pool_ties_course_routes_to_every_maximum_engine_to_the_first():
    A_prev = np.array([[1.0, 3.0], [3.0, 0.0]]).reshape(1, 2, 2, 1)
    np.testing.assert_array_equal(
        course.create_mask_from_window(A_prev[0, :, :, 0]), [[False, True], [True, False]]
    )
    _, cache = course.pool_forward(A_prev, {"stride": 1, "f": 2})
    dA = np.full((1, 1, 1, 1), 2.0)
    course_grad = course.pool_backward(dA, cache)[0, :, :, 0]
    np.testing.assert_array_equal(course_grad, [[0.0, 2.0], [2.0, 0.0]])
    model = lw.Sequential(
        [lw.Pool2D(pool_size=2, mode="max")], input_dim=(2, 2, 1), dtype="float64"
    )
    model.layers[0].need_input_grad = True
    model.forward(A_prev, training=True)
    engine_grad = model.layers[0].backward(dA.copy())[0, :, :, 0]
    np.testing.assert_array_equal(engine_grad, [[0.0, 2.0], [0.0, 0.0]])


# ================================================================= the experiment
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_experiment_is_registered():
    assert EXPERIMENTS["convolution"] == "convolution"


def test_layerwise_course_convolution(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli_main(["course", "convolution", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    for expected in (
        "x_pad.shape =\n (4, 9, 9, 2)",
        "Z = -6.999089450680221\n",
        "Z.shape = (2, 3, 4, 8)\n",
        "Z's mean =\n 0.5511276474566768\n",
        "A.shape = (2, 3, 3, 3)\nA[1, 1] =\n [[1.96710175 0.84616065 1.27375593]\n",
        "A.shape = (2, 2, 2, 3)",
        "dA_mean = 1.4524377775388075\n",
        "dW_mean = 1.7269914583139097\n",
        "db_mean = 7.839232564616838\n",
        "mask =  [[ True False False]\n [False False False]]",
        "distributed value = [[0.5 0.5]\n [0.5 0.5]]",
        "mean of dA =  0.14571390272918056\n",
        "dA_prev1[1,1] =  [[ 0.          0.        ]\n [ 5.05844394 -1.68282702]",
        "dA_prev2[1,1] =  [[ 0.08485462  0.2787552 ]",
    ):
        assert expected in text, expected
    assert text.count("mode = max") == 3 and text.count("mode = average") == 3

    png = out / "convolution.png"
    assert re.search(r"wrote .*convolution\.png", text)
    assert sorted(p.name for p in out.iterdir()) == ["convolution.png"]  # no temporary left
    data = png.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    Image = pytest.importorskip("PIL.Image")
    with Image.open(png) as img:
        img.verify()
    with Image.open(png) as img:
        assert img.format == "PNG" and img.width > 2 * img.height > 200


def test_the_experiments_help(capsys):
    with pytest.raises(SystemExit) as exc:
        get_main("convolution")(["--help"])
    assert exc.value.code == 0
    assert "--out" in capsys.readouterr().out


def test_the_figure_uses_the_course_functions(tmp_path, monkeypatch):
    from layerwise.course.experiments import convolution as experiment

    calls = []
    for name in ("zero_pad", "conv_forward", "pool_forward"):
        original = getattr(course, name)
        monkeypatch.setattr(
            course, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k)
        )
    experiment.write_figure(tmp_path / "f.png")
    assert calls[:1] == ["zero_pad"] and "conv_forward" in calls and calls[-1] == "pool_forward"
