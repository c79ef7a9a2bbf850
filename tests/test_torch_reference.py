"""Forward, backward, losses and optimisers against PyTorch (skipped without it)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from layerwise import Adam, Dense, Momentum, RMSprop, Sequential  # noqa: E402
from layerwise.losses import get_loss  # noqa: E402

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "softmax"]
OUTPUTS = {  # output activation -> (loss, n_y for the output layer or None = random)
    "sigmoid": "bce",
    "softmax": "cce",
    "linear": "mse",
    "tanh": "mse",
}


def _t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64)


def _torch_act(name, Z):
    if name == "sigmoid":
        return torch.sigmoid(Z)
    if name == "tanh":
        return torch.tanh(Z)
    if name == "relu":
        return torch.relu(Z)
    if name == "leaky_relu":
        return F.leaky_relu(Z, 0.01)
    if name == "softmax":
        return torch.softmax(Z, dim=0)  # classes are rows, examples columns
    if name == "linear":
        return Z
    raise AssertionError(name)


def _torch_loss(name, A, Y, m):
    if name == "bce":
        return F.binary_cross_entropy(A, Y, reduction="sum") / m
    if name == "cce":
        return F.nll_loss(torch.log(A).T, Y.argmax(dim=0), reduction="mean")
    # layerwise's MSE is (1/(2m)) sum (A - Y)^2
    return F.mse_loss(A, Y, reduction="sum") / (2 * m)


def _targets(loss, n_y, m, rng):
    if loss == "bce":
        return (rng.random((n_y, m)) < 0.5).astype(float)
    if loss == "cce":
        return np.eye(n_y)[:, rng.integers(0, n_y, m)]
    return rng.standard_normal((n_y, m))


def _case(seed):
    """A random stack: random depth, widths, hidden activations and output pairing."""
    rng = np.random.default_rng(seed)
    n_x, m = int(rng.integers(2, 7)), int(rng.integers(1, 12))
    hidden = [(int(rng.integers(1, 6)), str(rng.choice(HIDDEN))) for _ in range(rng.integers(0, 4))]
    output = str(rng.choice(list(OUTPUTS)))
    loss = OUTPUTS[output]
    n_y = 1 if loss == "bce" else int(rng.integers(2, 5))
    layers = [Dense(n, a) for n, a in hidden] + [Dense(n_y, output)]
    model = Sequential(layers, input_dim=n_x, seed=seed, dtype="float64")
    for name, p in model.parameters.items():
        if name.startswith("b"):
            p[...] = rng.standard_normal(p.shape) * 0.3
    X = rng.standard_normal((n_x, m))
    Y = _targets(loss, n_y, m, rng)
    return model, X, Y, loss, [a for _, a in hidden] + [output]


@pytest.mark.parametrize("seed", range(30))
def test_dense_stack_forward_backward(seed):
    model, X, Y, loss_name, acts = _case(seed)
    m = X.shape[1]
    loss = get_loss(loss_name)

    AL = model.forward(X, training=True).copy()
    J = loss.cost(AL, Y)
    if model.has_fused_output_delta(loss):
        model.backward(loss.output_delta(AL, Y), dZ_given=True)
    else:
        model.backward(loss.gradient(AL, Y))
    grads = model.gradients

    params = {k: _t(v).requires_grad_(True) for k, v in model.parameters.items()}
    A = _t(X)
    for l, act in enumerate(acts, start=1):
        A = _torch_act(act, params[f"W{l}"] @ A + params[f"b{l}"])
    J_t = _torch_loss(loss_name, A, _t(Y), m)
    J_t.backward()

    np.testing.assert_allclose(AL, A.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert J == pytest.approx(J_t.item(), rel=1e-10)
    for k, p in params.items():
        np.testing.assert_allclose(grads["d" + k], p.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("output", ["sigmoid", "tanh", "softmax"])
def test_non_fused_mse_against_torch(seed, output):
    """Outputs paired with MSE go through dJ/dA and g' (no fused delta)."""
    rng = np.random.default_rng(100 + seed)
    model = Sequential(
        [Dense(4, str(rng.choice(HIDDEN))), Dense(3, output)], input_dim=5, seed=seed,
        dtype="float64",
    )  # fmt: skip
    X, Y = rng.standard_normal((5, 7)), rng.uniform(0, 1, (3, 7))
    loss = get_loss("mse")
    assert not model.has_fused_output_delta(loss)
    AL = model.forward(X, training=True)
    model.backward(loss.gradient(AL, Y))
    params = {k: _t(v).requires_grad_(True) for k, v in model.parameters.items()}
    A = _t(X)
    for l, layer in enumerate(model.layers, start=1):
        A = _torch_act(layer.activation.name, params[f"W{l}"] @ A + params[f"b{l}"])
    _torch_loss("mse", A, _t(Y), 7).backward()
    for k, p in params.items():
        np.testing.assert_allclose(model.gradients["d" + k], p.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_losses_against_torch(seed):
    rng = np.random.default_rng(200 + seed)
    m = int(rng.integers(1, 20))
    A = rng.uniform(0.01, 0.99, (1, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    assert get_loss("bce").cost(A, Y) == pytest.approx(
        F.binary_cross_entropy(_t(A), _t(Y)).item(), rel=1e-12
    )
    C = int(rng.integers(2, 6))
    Z = rng.standard_normal((C, m))
    idx = rng.integers(0, C, m)
    P = torch.softmax(_t(Z), dim=0).numpy()
    Yc = np.eye(C)[:, idx]
    assert get_loss("cce").cost(P, Yc) == pytest.approx(
        F.cross_entropy(_t(Z).T, torch.tensor(idx)).item(), rel=1e-12
    )
    R, T = rng.standard_normal((C, m)), rng.standard_normal((C, m))
    # torch's mean squared error averages over all C*m entries and has no 1/2
    torch_mse = F.mse_loss(_t(R), _t(T)).item()
    assert get_loss("mse").cost(R, T) == pytest.approx(torch_mse * C / 2, rel=1e-12)

    At = _t(A).requires_grad_(True)
    F.binary_cross_entropy(At, _t(Y)).backward()
    np.testing.assert_allclose(get_loss("bce").gradient(A, Y), At.grad.numpy(), rtol=1e-10)
    Rt = _t(R).requires_grad_(True)
    (F.mse_loss(Rt, _t(T), reduction="sum") / (2 * m)).backward()
    np.testing.assert_allclose(get_loss("mse").gradient(R, T), Rt.grad.numpy(), rtol=1e-12)


# ---------------------------------------------------------------------------- optimisers
SHAPES = {"W1": (4, 3), "b1": (4, 1), "W2": (2, 4)}


def _compare(ours, make_torch, grads, first_grad_scale=1.0):
    rng = np.random.default_rng(0)
    params = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    tparams = {k: _t(v).requires_grad_(True) for k, v in params.items()}
    topt = make_torch(list(tparams.values()))
    for step, g in enumerate(grads):
        ours.step([(k, params[k], g[k]) for k in params])
        scale = first_grad_scale if step == 0 else 1.0
        for k, p in tparams.items():
            p.grad = _t(g[k] * scale)
        topt.step()
        for k in params:
            np.testing.assert_allclose(
                params[k], tparams[k].detach().numpy(), rtol=1e-11, atol=1e-13
            )


def _grads(steps=8, seed=1):
    rng = np.random.default_rng(seed)
    return [
        {k: rng.standard_normal(s) * (0.5 + t) for k, s in SHAPES.items()} for t in range(steps)
    ]


@pytest.mark.parametrize("beta", [0.9, 0.6])
def test_momentum_against_torch_sgd(beta):
    # The course: v = beta v + (1 - beta) g. torch: buf = momentum buf + (1 - dampening) g,
    # so dampening = beta gives the same rule, except that torch sets buf = g (undamped)
    # on its first step; scaling only that first gradient by (1 - beta) aligns the two.
    _compare(
        Momentum(0.05, beta=beta),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=beta, dampening=beta),
        _grads(),
        first_grad_scale=1 - beta,
    )


@pytest.mark.parametrize(("beta", "eps"), [(0.999, 1e-8), (0.9, 1e-4)])
def test_rmsprop_against_torch(beta, eps):
    _compare(
        RMSprop(0.01, beta=beta, epsilon=eps),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=beta, eps=eps),
        _grads(),
    )


@pytest.mark.parametrize(("b1", "b2", "eps"), [(0.9, 0.999, 1e-8), (0.8, 0.95, 1e-3)])
def test_adam_against_torch(b1, b2, eps):
    _compare(
        Adam(0.01, beta1=b1, beta2=b2, epsilon=eps),
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(b1, b2), eps=eps),
        _grads(),
    )
