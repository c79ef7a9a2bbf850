"""layerwise.autodiff: every operation against finite differences (and PyTorch), the
backward semantics, grad(f), the course's examples as docs/autodiff.md runs them, custom
losses in fit, and an independent check of every layer's hand-written backward."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

import layerwise as lw
from layerwise import ConfigError, ShapeError
from layerwise import autodiff as ad
from layerwise.autodiff import CustomLoss, Tensor, grad, value_and_grad
from layerwise.data import make_flower
from layerwise.layers import build_layer
from layerwise.losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError

DOC = Path(__file__).resolve().parents[1] / "docs" / "autodiff.md"


def numeric_grad(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar f at x (float64), one entry at a time."""
    x = np.array(x, dtype=np.float64)
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        out[i] = (up - down) / (2 * h)
    return out


def check_grads(f, *arrays, tol: float = 1e-7, seed: int = 0) -> None:
    """f(*Tensors) -> Tensor; checks d sum(R * f)/d each array against central
    differences, with R a fixed random array (so every output entry has its own weight)."""
    rng = np.random.default_rng(seed)
    R = rng.standard_normal(np.shape(f(*[Tensor(a) for a in arrays]).data))
    leaves = [Tensor(a.astype(np.float64)) for a in arrays]
    (f(*leaves) * R).sum().backward()
    for k, a in enumerate(arrays):

        def scalar(x, k=k):
            args = [Tensor(x if j == k else arrays[j]) for j in range(len(arrays))]
            return float((f(*args) * R).sum().data)

        expected = numeric_grad(scalar, a.copy())
        got = leaves[k].grad
        assert got.shape == a.shape
        scale = max(1.0, float(np.abs(expected).max()))
        assert np.abs(got - expected).max() / scale < tol, (k, got, expected)


RNG = np.random.default_rng(1)


def rand(*shape, low=None):
    x = np.asarray(RNG.standard_normal(shape))
    return np.abs(x) + low if low is not None else x


# --------------------------------------------------------------------------- operations
BROADCAST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 4), (3, 1)), ((3, 1), (1, 4)), ((2, 3, 4), ())]


@pytest.mark.parametrize("sa, sb", BROADCAST)
@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: a**b,
        lambda a, b: b - a * 2.0 + 1.5 / b - 3 * a,
    ],
    ids=["add", "sub", "mul", "div", "pow", "mixed"],
)
def test_binary_operations_with_broadcasting(op, sa, sb):
    a, b = rand(*sa, low=0.5), rand(*sb, low=0.5)  # positive, so a**b and a/b are smooth
    check_grads(op, a, b)


@pytest.mark.parametrize(
    "sa, sb",
    [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
     ((2, 3, 4), (2, 4, 5)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (4,)), ((4,), (2, 4, 5))],
)  # fmt: skip
def test_matmul_shapes(sa, sb):
    check_grads(lambda a, b: a @ b, rand(*sa), rand(*sb))


def test_matmul_with_arrays_on_either_side():
    A, x = rand(3, 4), rand(4, 2)
    t = Tensor(x)
    (A @ t).sum().backward()
    np.testing.assert_allclose(t.grad, A.sum(axis=0)[:, None] * np.ones((1, 2)))
    u = Tensor(A)
    (u @ x).sum().backward()
    np.testing.assert_allclose(u.grad, np.ones((3, 1)) * x.sum(axis=1))


@pytest.mark.parametrize(
    "f, low",
    [
        (lambda x: x.exp(), None),
        (lambda x: x.log(), 0.1),
        (lambda x: x.tanh(), None),
        (lambda x: x.sigmoid(), None),
        (lambda x: x.relu(), None),
        (lambda x: -x, None),
        (lambda x: x.clip(-0.5, 0.7), None),
        (lambda x: x.softmax(axis=0), None),
        (lambda x: x.softmax(axis=1), None),
        (lambda x: ad.exp(ad.tanh(x)) * ad.sigmoid(x) + ad.relu(x) ** 2, None),
        (lambda x: 2.0**x + 1 / (x * x + 1), None),
    ],
    ids=["exp", "log", "tanh", "sigmoid", "relu", "neg", "clip", "softmax0", "softmax1",
         "functions", "rpow-rdiv"],
)  # fmt: skip
def test_elementwise(f, low):
    check_grads(f, rand(3, 5, low=low))


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_reductions(reduce, axis, keepdims):
    x = rand(3, 4, 5)
    check_grads(lambda t: getattr(t, reduce)(axis=axis, keepdims=keepdims), x)
    out = getattr(Tensor(x), reduce)(axis=axis, keepdims=keepdims)
    np.testing.assert_array_equal(out.data, getattr(x, reduce)(axis=axis, keepdims=keepdims))


def test_max_sends_the_gradient_to_the_first_maximum_only():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]))
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [1, 0, 0]])
    x.max().backward()  # over everything: the first 3.0 in C order
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [0, 0, 0]])
    y = Tensor(np.ones((2, 2, 2)))
    y.max(axis=(0, 2)).sum().backward()  # groups y[:, j, :]: first is y[0, j, 0]
    np.testing.assert_array_equal(y.grad, [[[1, 0], [1, 0]], [[0, 0], [0, 0]]])


@pytest.mark.parametrize(
    "f",
    [
        lambda x: x.reshape(6, 4),
        lambda x: x.reshape((4, -1)) * 2,
        lambda x: x.transpose(),
        lambda x: x.transpose(2, 0, 1),
        lambda x: x.T,
        lambda x: x[1],
        lambda x: x[:, 1:3, ::-2],
        lambda x: x[..., 0, None],
        lambda x: x[np.array([0, 1, 0, 0])],
        lambda x: x[np.array([1, 1]), :, np.array([0, 3])],
        lambda x: x[x.data > 0],
        lambda x: x[1][np.array([2, 2, 0])] * x[0, 0, 0],
    ],
    ids=["reshape", "reshape-tuple", "T()", "transpose-axes", ".T", "int", "slices",
         "ellipsis", "int-array", "two-arrays", "bool", "chained"],
)  # fmt: skip
def test_shapes_and_indexing(f):
    check_grads(f, rand(2, 3, 4))


def test_indexing_scatters_repeated_picks():
    x = Tensor(np.arange(4.0))
    x[np.array([0, 2, 2, 2, 3, 3])].sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 0, 3, 2])


def test_against_pytorch_on_a_small_network():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    X, W1, b1 = (
        rng.standard_normal((4, 7)),
        rng.standard_normal((5, 4)),
        rng.standard_normal((5, 1)),
    )
    W2 = rng.standard_normal((3, 5))
    Y = np.eye(3)[:, rng.integers(0, 3, 7)]

    def forward(X, W1, b1, W2, lib):
        A1 = lib["tanh"](W1 @ X + b1)
        Z2 = W2 @ (A1 * lib["sigmoid"](A1)) + A1[:3] ** 2
        A2 = lib["softmax"](Z2)
        return -(lib["Y"] * lib["log"](A2)).sum() / 7 + (W1 * W1).mean() + lib["max"](Z2)

    ours = [Tensor(a) for a in (X, W1, b1, W2)]
    J = forward(*ours, {"Y": Y, "tanh": ad.tanh, "sigmoid": ad.sigmoid, "softmax": ad.softmax,
                        "log": ad.log, "max": lambda t: t.max(axis=0).sum()})  # fmt: skip
    J.backward()
    theirs = [torch.tensor(a, requires_grad=True) for a in (X, W1, b1, W2)]
    lib = {"Y": torch.tensor(Y), "tanh": torch.tanh, "sigmoid": torch.sigmoid, "log": torch.log,
           "softmax": lambda t: torch.softmax(t, dim=0),
           "max": lambda t: t.max(dim=0).values.sum()}  # fmt: skip
    Jt = forward(*theirs, lib)
    Jt.backward()
    assert abs(float(J.data) - Jt.item()) < 1e-12
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- backward
def test_a_value_used_several_times_gets_every_contribution():
    x = Tensor(np.array(3.0))
    y = x * x + x  # d/dx = 2x + 1
    z = y * y + y * x  # diamond: y is used three times, x four
    z.backward()
    yv = 12.0
    assert float(x.grad) == pytest.approx((2 * yv + 3) * 7 + yv)
    assert float(y.grad) == pytest.approx(2 * yv + 3)


def test_backward_twice_recomputes_and_never_accumulates():
    w = Tensor(np.array([1.0, -2.0]))
    J = (w * w).sum() * 3
    J.backward()
    first = w.grad
    J.backward()
    np.testing.assert_array_equal(w.grad, [6.0, -12.0])
    assert w.grad is not first
    np.testing.assert_array_equal(first, [6.0, -12.0])  # the earlier result is untouched
    K = (w * 10).sum()  # another graph sharing the leaf: its own gradient, not a sum
    K.backward()
    np.testing.assert_array_equal(w.grad, [10.0, 10.0])


def test_backward_from_an_inner_node_and_with_a_seed():
    x = Tensor(np.array([1.0, 2.0]))
    y = x.exp()
    z = (y * 2).sum()
    y.backward(np.array([1.0, 0.0]))
    np.testing.assert_allclose(x.grad, [np.e, 0.0])
    z.backward()
    np.testing.assert_allclose(x.grad, 2 * np.exp([1.0, 2.0]))
    with pytest.raises(ShapeError, match="needs gradient="):
        y.backward()
    with pytest.raises(ShapeError, match=r"needs shape \(2,\)"):
        y.backward(np.ones(3))
    with pytest.raises(ConfigError, match="requires a gradient"):
        Tensor(np.ones(2), requires_grad=False).sum().backward()


def test_constants_get_no_gradient_and_a_long_chain_needs_no_recursion():
    c = Tensor(np.ones(3), requires_grad=False)
    x = Tensor(np.full(3, 0.5))
    y = x
    for _ in range(5000):
        y = y * 1.0 + c * 0.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones(3))
    assert c.grad is None


def test_dtypes():
    x32 = Tensor(np.ones((2, 2), np.float32))
    y = ((x32 * 2.0 + 1) ** 2 / 3.0).exp().mean()
    assert y.dtype == np.float32
    y.backward()
    assert x32.grad.dtype == np.float32
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(np.array([True])).dtype == np.float64
    mixed = x32 * np.ones(2)  # a float64 array promotes, as in NumPy
    assert mixed.dtype == np.float64
    mixed.sum().backward()
    assert x32.grad.dtype == np.float32
    with pytest.raises(TypeError):
        Tensor(np.array(["a"]))
    with pytest.raises(TypeError):
        np.log(Tensor(np.ones(2)))  # NumPy functions do not see through a Tensor


def test_sigmoid_is_quiet_and_exact_at_extremes():
    x = Tensor(np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0]))
    s = x.sigmoid()  # RuntimeWarnings are errors in this test suite
    expected = [0.0, 1 / (1 + np.exp(40.0)), 0.5, 1 / (1 + np.exp(-40.0)), 1.0]
    np.testing.assert_allclose(s.data, expected, rtol=1e-15, atol=0)
    s.sum().backward()
    assert np.all(np.isfinite(x.grad))


# --------------------------------------------------------------------------- grad(f)
def test_grad_argnums_and_value():
    def f(x, y, k):
        return (x * y).sum() + k * (y**2).sum()

    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    np.testing.assert_array_equal(grad(f)(x, y, 2.0), y)
    gx, gy = grad(f, argnums=(0, 1))(x, y, 2.0)
    np.testing.assert_array_equal(gx, y)
    np.testing.assert_array_equal(gy, x + 4 * y)
    value, gy = value_and_grad(f, argnums=1)(x, y, k=2.0)
    assert value == pytest.approx(1.0 + 20.0)
    np.testing.assert_array_equal(gy, x + 4 * y)
    assert grad(lambda x, y: (y * 2).sum(), argnums=0)(x, y).tolist() == [0.0, 0.0]
    assert grad(lambda x: 7.0)(x).tolist() == [0.0, 0.0]
    assert grad(f).__name__ == "f"
    with pytest.raises(ShapeError, match="scalar"):
        grad(lambda x: x * 2)(x)
    with pytest.raises(ConfigError, match="argnums"):
        grad(f, argnums=5)(x, y, 1.0)


def test_grad_keeps_float32_and_shapes():
    w = np.ones((3, 1), np.float32)
    g = grad(lambda w: (w**3).sum())(w)
    assert g.dtype == np.float32 and g.shape == (3, 1)
    assert grad(lambda w: w**2)(np.array(3.0)).shape == ()


# --------------------------------------------------------------------------- the course
def course_examples():
    def cost(w):
        return w**2 - 10 * w + 25

    x = np.array([1.0, -10.0, 25.0])

    def cost_with_coefficients(w, x):
        return x[0] * w**2 + x[1] * w + x[2]

    return cost, cost_with_coefficients, x


@pytest.mark.parametrize("optimizer", ["gd", "adam"])
def test_course_examples_reach_five(optimizer):
    cost, cost_x, x = course_examples()
    for f, args in [(cost, ()), (cost_x, (x,))]:
        w = np.array(0.0)
        opt = lw.GradientDescent(0.01) if optimizer == "gd" else lw.Adam(0.1)
        dw = grad(f)
        for _ in range(1000):
            opt.step([("w", w, dw(w, *args))])
        assert abs(float(w) - 5) < 1e-4
        if optimizer == "gd":  # w - 5 = -5 (1 - 0.02)^1000 exactly, up to rounding
            assert float(w) - 5 == pytest.approx(-5 * 0.98**1000, rel=1e-5)
        else:
            assert abs(float(w) - 5) < 1e-12


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_documentation_runs_as_written(capsys):
    """Every python block of docs/autodiff.md, in order, in one namespace; the printed
    values are the ones the page quotes (the lines ending in `# -> value`)."""
    text = DOC.read_text(encoding="utf-8")
    blocks = python_blocks(text)
    assert len(blocks) >= 4
    namespace: dict = {"__name__": "docs_autodiff"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    assert abs(float(namespace["w"]) - 5) < 1e-4
    printed = capsys.readouterr().out
    for quoted in re.findall(r"# -> (\S+)", text):
        assert quoted in printed, quoted


# --------------------------------------------------------------------------- custom losses
def custom_bce(A, Y):
    """-(1/m) sum[Y log A + (1 - Y) log(1 - A)], summed over rows and columns, over m."""
    m = A.shape[-1]
    return -(Y * A.log() + (1 - Y) * (1 - A).log()).sum() / m


class UnfusedBCE(BinaryCrossEntropy):
    """The built-in BCE, told that it pairs with no activation: the engine then computes
    J from A[L] (not from the logits) and back-propagates loss.gradient through the
    output activation's backward, exactly the path a CustomLoss takes."""

    fused_with = ""


def bce_model(dtype="float64"):
    return lw.Sequential(
        [lw.Dense(6, "tanh"), lw.Dense(1, "linear"), lw.Activation("sigmoid")],
        seed=3,
        dtype=dtype,
    )


def test_custom_bce_trains_exactly_like_the_builtin_bce():
    """The same mathematics on both sides: the built-in BCE with the fused delta off
    (UnfusedBCE), so both compute J from A[L] and back-propagate dJ/dA[L] through the
    Activation("sigmoid") layer's backward. Then the only difference is the order of the
    floating-point operations inside dJ/dA, and 300 epochs of gradient descent agree to
    1e-12. (The default fused path, dZ[L] = (A - Y)/m and J from the logits, is equal in
    exact arithmetic; it is compared too, at the same tolerance.)"""
    X, Y = make_flower()
    runs = {}
    for name, loss in [("custom", custom_bce), ("builtin", UnfusedBCE()), ("fused", "bce")]:
        model = bce_model()
        history = model.fit(X, Y, epochs=300, optimizer=lw.GradientDescent(0.5), loss=loss,
                            verbose=0)  # fmt: skip
        runs[name] = (model.parameter_vector.theta.copy(), np.array(history.history["loss"]))
        assert runs[name][1][-1] < 0.5 * runs[name][1][0]
    theta, costs = runs["custom"]
    for other in ("builtin", "fused"):
        assert np.abs(theta - runs[other][0]).max() < 1e-12, other
        assert np.abs(costs - runs[other][1]).max() < 1e-12, other
    assert isinstance(model.loss_, BinaryCrossEntropy)


def test_custom_bce_gradient_equals_the_builtin_step_by_step():
    """Per step: the same parameters, one forward_backward each, the same gradient."""
    from layerwise.step import Objective, forward_backward

    X, Y = make_flower()
    mine, theirs = bce_model(), bce_model()
    mine.check_input(X)
    theirs.check_input(X)
    Yf = Y.astype(np.float64)
    ours = Objective.of(mine, mine.resolve_loss(custom_bce), 0.0, X.shape[1])
    ref = Objective.of(theirs, UnfusedBCE(), 0.0, X.shape[1])
    assert not ours.fused_delta and not ref.fused_delta
    opt = lw.GradientDescent(0.5)
    worst = 0.0
    for _ in range(20):
        J1, _ = forward_backward(mine, X, Yf, ours)
        J2, _ = forward_backward(theirs, X, Yf, ref)
        assert J1 == pytest.approx(J2, abs=1e-14)
        g1, g2 = mine.parameter_vector.dtheta, theirs.parameter_vector.dtheta
        worst = max(worst, float(np.abs(g1 - g2).max()))
        opt.step([("theta", mine.parameter_vector.theta, g1)])
        theirs.parameter_vector.theta[...] = mine.parameter_vector.theta
    assert worst < 1e-14


def focal_loss(gamma=2.0):
    def focal(A, Y):
        A = A.clip(1e-7, 1 - 1e-7)
        per = Y * (1 - A) ** gamma * A.log() + (1 - Y) * A**gamma * (1 - A).log()
        return -per.sum() / A.shape[-1]

    return focal


def weighted_bce(w_pos=3.0, w_neg=1.0):
    def weighted(A, Y):
        A = A.clip(1e-7, 1 - 1e-7)
        per = w_pos * Y * A.log() + w_neg * (1 - Y) * (1 - A).log()
        return -per.sum() / A.shape[-1]

    return weighted


@pytest.mark.parametrize("loss", [focal_loss(), weighted_bce()], ids=["focal", "weighted"])
def test_focal_and_weighted_losses_train(loss):
    X, Y = make_flower()
    model = lw.Sequential([lw.Dense(8, "tanh"), lw.Dense(1, "sigmoid")], seed=1)
    history = model.fit(X, Y, epochs=400, optimizer=lw.Adam(0.02), loss=loss, verbose=0)
    costs = history.history["loss"]
    assert costs[-1] < 0.5 * costs[0]
    assert model.evaluate(X, Y)["accuracy"] > 0.8  # chance is 0.5 (balanced classes)
    assert model.evaluate(X, Y)["loss"] == pytest.approx(costs[-1], rel=0.1)


def test_weighted_loss_moves_the_threshold():
    """Weighting the positive class 3:1 makes the model call more examples positive."""
    X, Y = make_flower()
    rates = []
    for loss in ["bce", weighted_bce(3.0, 1.0)]:
        model = lw.Sequential([lw.Dense(8, "tanh"), lw.Dense(1, "sigmoid")], seed=1)
        model.fit(X, Y, epochs=400, optimizer=lw.Adam(0.02), loss=loss, verbose=0)
        rates.append(model.predict(X).mean())
    assert rates[1] > rates[0]


def test_custom_cce_with_a_softmax_output_in_float32():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 90))
    labels = (X[0] > 0).astype(int) + (X[1] > 0.5).astype(int)

    def cce(A, Y):
        return -(Y * A.log()).sum() / A.shape[-1]

    model = lw.Sequential([lw.Dense(8, "relu"), lw.Dense(3, "softmax")], seed=0)
    history = model.fit(X, labels[None], epochs=200, optimizer=lw.Adam(0.02), loss=cce, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    loss = CustomLoss(cce)
    A = model.predict_proba(X)
    Y = np.eye(3, dtype=np.float32)[:, labels]
    assert loss.gradient(A, Y).dtype == np.float32
    np.testing.assert_allclose(loss.gradient(A, Y), CategoricalCrossEntropy().gradient(A, Y),
                               rtol=1e-5)  # fmt: skip


def test_resolve_loss_and_custom_loss_errors():
    model = bce_model()
    assert isinstance(model.resolve_loss(custom_bce), CustomLoss)
    assert model.resolve_loss(custom_bce).fused_with == ""
    assert isinstance(model.resolve_loss("bce"), BinaryCrossEntropy)
    mse = MeanSquaredError()
    assert model.resolve_loss(mse) is mse
    with pytest.raises(ConfigError, match="unknown loss"):
        model.resolve_loss(BinaryCrossEntropy)  # a class, not a loss
    A, Y = np.full((1, 4), 0.5), np.ones((1, 4))
    with pytest.raises(ConfigError, match="not a Tensor"):
        CustomLoss(lambda A, Y: float(np.sum(A.data))).cost(A, Y)
    with pytest.raises(ShapeError, match="scalar cost"):
        CustomLoss(lambda A, Y: A - Y).gradient(A, Y)
    with pytest.raises(ConfigError, match="function"):
        CustomLoss(3)
    assert CustomLoss(lambda A, Y: (Y * 1.0).sum()).gradient(A, Y).tolist() == [[0.0] * 4]


def test_a_model_trained_with_a_custom_loss_loads_again(tmp_path):
    X, Y = make_flower()
    model = bce_model()
    model.fit(X, Y, epochs=2, loss=custom_bce, verbose=0)
    lw.load(model.save(tmp_path / "custom.npz"))


def test_the_divergence_guard_works_with_a_custom_loss():
    X, Y = make_flower()

    def half_squared(A, Y):
        return ((A - Y) ** 2).sum() / (2 * A.shape[-1])

    model = lw.Sequential([lw.Dense(6, "relu"), lw.Dense(1, "linear")], seed=3, dtype="float64")
    with pytest.raises(lw.TrainingDivergedError):
        model.fit(X * 1e3, Y, epochs=50, optimizer=lw.GradientDescent(5.0), loss=half_squared,
                  verbose=0)  # fmt: skip


# --------------------------------------------------------------------------- every layer
ACTIVATIONS = {
    "sigmoid": lambda Z: Z.sigmoid(),
    "tanh": lambda Z: Z.tanh(),
    "relu": lambda Z: Z.relu(),
    # max(Z, 0.01 Z) written as relu(Z) - 0.01 relu(-Z)
    "leaky_relu": lambda Z: Z.relu() - 0.01 * (-Z).relu(),
    "linear": lambda Z: Z,
    # e^(Z - max) / sum e^(Z - max) from primitives (not the softmax operation)
    "softmax": lambda Z: (
        (Z - Z.max(axis=0, keepdims=True)).exp()
        / (Z - Z.max(axis=0, keepdims=True)).exp().sum(axis=0, keepdims=True)
    ),
}

#: the worst difference seen per layer type (printed by the summary test, pytest -s)
WORST: dict[str, float] = {}


def compare_layer(kind, layer, A_prev, forward_ad, seed=0, prepare=None):
    """Run the layer's hand-written forward and backward (float64) and the autodiff
    rebuild of its forward on the same parameters; compare A, dA_prev and every grad."""
    rng = np.random.default_rng(seed)
    example = A_prev.shape[1:] if getattr(layer, "example_axis", -1) == 0 else A_prev.shape[:-1]
    build_layer(layer, example, rng, "float64")
    for k in layer.params:  # random parameters everywhere (b = 0, gamma = 1 at init)
        layer.params[k][...] = rng.standard_normal(layer.params[k].shape)
    if prepare is not None:
        prepare(layer, A_prev)
    A = layer.forward(A_prev.copy(), training=True).copy()
    dA = rng.standard_normal(A.shape)
    dA_prev = layer.backward(dA.copy())
    dA_prev = None if dA_prev is None else np.array(dA_prev)
    grads = {k: layer.grads[k].copy() for k in layer.grads}

    X = Tensor(A_prev)
    P = {k: Tensor(layer.params[k].copy()) for k in layer.params}
    out = forward_ad(X, P)
    out.backward(dA)
    diffs = [np.abs(out.data - A).max(), np.abs(X.grad - dA_prev).max()]
    diffs += [np.abs(P[k].grad - grads[k]).max() for k in grads]
    worst = float(max(diffs))
    WORST[kind] = max(WORST.get(kind, 0.0), worst)
    assert worst < 1e-10, (kind, diffs)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_layer_check_dense(activation):
    A_prev = np.random.default_rng(5).standard_normal((7, 11))
    g = ACTIVATIONS[activation]
    compare_layer("Dense", lw.Dense(4, activation), A_prev, lambda X, P: g(P["W"] @ X + P["b"]))
    compare_layer("Activation", lw.Activation(activation), A_prev, lambda X, P: g(X))
    if activation == "softmax":  # and the softmax operation itself
        compare_layer("Dense", lw.Dense(4, "softmax"), A_prev,
                      lambda X, P: (P["W"] @ X + P["b"]).softmax(axis=0))  # fmt: skip


def test_layer_check_batchnorm():
    A_prev = np.random.default_rng(6).standard_normal((5, 9)) * 3 + 1

    def forward(X, P, eps=1e-5):
        mu = X.mean(axis=1, keepdims=True)
        d = X - mu
        var = (d * d).mean(axis=1, keepdims=True)
        return P["gamma"] * (d / (var + eps) ** 0.5) + P["beta"]

    compare_layer("BatchNorm", lw.BatchNorm(), A_prev, forward)


def test_layer_check_dropout():
    A_prev = np.random.default_rng(7).standard_normal((6, 10))
    mask = {}

    def freeze(layer, A):
        layer.forward(A, training=True)
        layer.frozen = True  # the same mask from now on
        mask["D"] = layer.forward(np.ones_like(A), training=True).copy()  # D / keep_prob

    compare_layer("Dropout", lw.Dropout(0.7), A_prev, lambda X, P: X * mask["D"], prepare=freeze)
    assert 0 < (mask["D"] == 0).mean() < 1


def conv_index(m, H, W, C, f, s, p):
    """im2col as an index array: rows (n, h, w), columns (i, j, c) in W.reshape(f f C, n_C)
    order, into A_prev.reshape(-1); and a 0/1 mask that zeroes the padding positions."""
    n_H, n_W = (H + 2 * p - f) // s + 1, (W + 2 * p - f) // s + 1
    n, h, w, i, j, c = np.ix_(range(m), range(n_H), range(n_W), range(f), range(f), range(C))
    r, q = h * s + i - p, w * s + j - p
    inside = (r >= 0) & (r < H) & (q >= 0) & (q < W)
    flat = np.where(inside, ((n * H + r) * W + q) * C + c, 0)
    shape = (m * n_H * n_W, f * f * C)
    mask = np.broadcast_to(inside, flat.shape).reshape(shape).astype(np.float64)
    return flat.reshape(shape), mask, (n_H, n_W)


CONV_CASES = [  # (f, stride, padding, activation, input (m, H, W, C))
    (3, 1, "valid", "relu", (2, 6, 5, 3)),
    (3, 1, "same", "tanh", (2, 5, 5, 2)),
    (3, 2, 1, "sigmoid", (3, 7, 6, 2)),
    (2, 2, 0, "leaky_relu", (2, 6, 6, 3)),
    (5, 3, 2, "linear", (2, 8, 7, 1)),
    (4, 1, 2, "relu", (1, 5, 6, 2)),
    (1, 1, 0, "linear", (2, 4, 3, 3)),
    (1, 2, 0, "tanh", (2, 5, 5, 2)),
    (1, 1, 1, "relu", (2, 3, 3, 2)),
]


@pytest.mark.parametrize("f, s, p, activation, shape", CONV_CASES)
def test_layer_check_conv2d(f, s, p, activation, shape):
    A_prev = np.random.default_rng(8).standard_normal(shape)
    m, H, W, C = shape
    layer = lw.Conv2D(4, f, stride=s, padding=p, activation=activation)
    pad = (f - 1) // 2 if p == "same" else (0 if p == "valid" else p)
    idx, mask, (n_H, n_W) = conv_index(m, H, W, C, f, s, pad)
    g = ACTIVATIONS[activation]

    def forward(X, P):
        cols = X.reshape(-1)[idx] * mask  # (m n_H n_W, f f C)
        Z = cols @ P["W"].reshape(f * f * C, 4) + P["b"].reshape(1, 4)
        return g(Z).reshape(m, n_H, n_W, 4)

    compare_layer("Conv2D", layer, A_prev, forward)


def pool_index(m, H, W, C, f, s):
    """The f×f windows as an index array (m, n_H, n_W, C, f f) into A_prev.reshape(-1),
    the window's positions in row-major (i, j) order."""
    n_H, n_W = (H - f) // s + 1, (W - f) // s + 1
    n, h, w, c, i, j = np.ix_(range(m), range(n_H), range(n_W), range(C), range(f), range(f))
    flat = ((n * H + h * s + i) * W + w * s + j) * C + c
    return flat.reshape(m, n_H, n_W, C, f * f)


POOL_CASES = [(2, 2, (2, 6, 6, 3)), (3, 2, (2, 7, 6, 2)), (2, 1, (1, 5, 4, 2)),
              (3, 3, (2, 8, 7, 1)), (1, 1, (2, 3, 3, 2))]  # fmt: skip


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("f, s, shape", POOL_CASES)
@pytest.mark.parametrize("ties", [False, True])
def test_layer_check_pool2d(mode, f, s, shape, ties):
    rng = np.random.default_rng(9)
    # with ties (values 0, 1, 2): max pooling's gradient goes to the first maximum, both ways
    A_prev = rng.integers(0, 3, shape).astype(np.float64) if ties else rng.standard_normal(shape)
    idx = pool_index(*shape, f, s)

    def forward(X, P):
        windows = X.reshape(-1)[idx]
        return windows.max(axis=-1) if mode == "max" else windows.mean(axis=-1)

    compare_layer("Pool2D", lw.Pool2D(f, stride=s, mode=mode), A_prev, forward)


def test_layer_check_flatten_and_rescale():
    A_prev = np.random.default_rng(10).standard_normal((3, 4, 5, 2))
    compare_layer("Flatten", lw.Flatten(), A_prev, lambda X, P: X.reshape(3, -1).T)
    compare_layer("Rescale", lw.Rescale(0.25), A_prev, lambda X, P: X * 0.25)


LOSS_FORMULAS = {
    "bce": (BinaryCrossEntropy(), "sigmoid",
            lambda A, Y: -(Y * A.log() + (1 - Y) * (1 - A).log()).sum() / A.shape[1]),
    "cce": (CategoricalCrossEntropy(), "softmax",
            lambda A, Y: -(Y * A.log()).sum() / A.shape[1]),
    "mse": (MeanSquaredError(), "linear",
            lambda A, Y: ((A - Y) ** 2).sum() / (2 * A.shape[1])),
}  # fmt: skip


@pytest.mark.parametrize("name", list(LOSS_FORMULAS))
def test_loss_check(name):
    """loss.gradient against autodiff of the cost's formula; the fused output delta and
    the cost from logits against autodiff through the paired activation."""
    loss, activation, formula = LOSS_FORMULAS[name]
    rng = np.random.default_rng(11)
    n = 1 if name == "bce" else 3
    Z = rng.standard_normal((n, 13)) * 2
    if name == "bce":
        Y = (rng.random((1, 13)) < 0.5).astype(np.float64)
    elif name == "cce":
        Y = np.eye(3)[:, rng.integers(0, 3, 13)]
    else:
        Y = rng.standard_normal((3, 13))
    Zt = Tensor(Z)
    At = ACTIVATIONS[activation](Zt)
    A = At.data
    leaf = Tensor(A)
    J = formula(leaf, Tensor(Y, requires_grad=False))
    J.backward()
    diffs = [abs(float(J.data) - loss.cost(A, Y)), np.abs(leaf.grad - loss.gradient(A, Y)).max()]
    formula(At, Tensor(Y, requires_grad=False)).backward()  # through the activation
    diffs.append(np.abs(Zt.grad - loss.output_delta(A, Y)).max())
    if name != "mse":
        diffs.append(abs(float(J.data) - loss.cost_from_logits(Z, Y)))
    worst = float(max(diffs))
    WORST[f"loss {name}"] = worst
    assert worst < 1e-10, diffs


def test_layer_check_summary():
    """Prints the worst difference per layer type (run with -s); runs last in the file."""
    if not WORST:
        pytest.skip("run with the layer checks")
    width = max(map(len, WORST))
    lines = [f"{k:<{width}}  {v:.1e}" for k, v in sorted(WORST.items())]
    sys.stdout.write("\nworst |autodiff - hand-written| per layer type\n" + "\n".join(lines) + "\n")
    assert max(WORST.values()) < 1e-10
