"""Where one W1 epoch of layerwise goes: matmuls, elementwise work, Adam, batching, Python.

    python benchmarks/profile_w1.py [--scale F] [--repeats N]

Two views. First the whole epoch through ``Sequential.fit`` (timed, and under cProfile for
the top functions). Then each component on its own, at W1's shapes (784-256-128-10,
batch 256, float32), repeated over the epoch's batches with the engine's own kernels:
the six matmuls per step, the activations and their backward, bias and loss work, the Adam
update, the shuffled gather, and the per-batch cost and accuracy. Python overhead is the
epoch time less the components. It also checks the dtypes of everything a step touches.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import layerwise as lw
from benchmarks.peers import make_data
from benchmarks.run import WORKLOADS, scaled
from layerwise import kernel_dispatch
from layerwise.metrics import accuracy_of


def _model(wl, seed: int = 0) -> lw.Sequential:
    layers = [lw.Dense(h, "relu") for h in wl.hidden] + [lw.Dense(wl.n_classes, "softmax")]
    return lw.Sequential(layers, input_dim=wl.n_x, seed=seed, dtype="float32")


def _timed(fn, n: int, repeats: int) -> float:
    """Median over ``repeats`` of the time for ``n`` calls of fn (after one warm-up call)."""
    fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def epoch_time(wl, X, y, repeats: int) -> float:
    """Median seconds of one fit epoch (after one untimed warm-up epoch)."""
    times = []
    for r in range(repeats + 1):
        model = _model(wl, r)
        t0 = time.perf_counter()
        model.fit(X, y, epochs=1, optimizer=lw.Adam(1e-3), batch_size=wl.batch_size, verbose=0)
        if r:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def top_functions(wl, X, y, n: int = 14) -> str:
    """cProfile of one fit epoch, the ``n`` functions with the most own time."""
    model = _model(wl)
    prof = cProfile.Profile()
    prof.enable()
    model.fit(X, y, epochs=1, optimizer=lw.Adam(1e-3), batch_size=wl.batch_size, verbose=0)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(n)
    return buf.getvalue()


def components(wl, X, y, repeats: int) -> dict[str, float]:
    """Seconds per epoch of each component, timed alone at W1's shapes."""
    m, bs = wl.m, wl.batch_size
    nb = -(-m // bs)
    dims = wl.dims
    rng = np.random.default_rng(0)
    f32 = np.float32
    Ws = [rng.standard_normal((dims[i + 1], dims[i]), dtype=f32) for i in range(len(dims) - 1)]
    bs_ = [np.zeros((d, 1), f32) for d in dims[1:]]
    A = [rng.standard_normal((d, bs), dtype=f32) for d in dims]
    Z = [np.empty((d, bs), f32) for d in dims]
    dW = [np.empty_like(W) for W in Ws]
    Xf = np.asfortranarray(X)
    Y = np.asfortranarray(lw.data.one_hot(y.ravel(), wl.n_classes).astype(f32))
    out = {}

    def matmuls():
        for i, W in enumerate(Ws):
            np.matmul(W, A[i], out=Z[i + 1])  # forward
        for i in range(len(Ws) - 1, -1, -1):
            np.matmul(Z[i + 1], A[i].T, out=dW[i])  # dW = dZ A_prevᵀ
            if i:
                np.matmul(Ws[i].T, Z[i + 1], out=Z[i])  # dA_prev = Wᵀ dZ

    out["matmuls (6 per step)"] = _timed(matmuls, nb, repeats)
    relu = lw.activations.get_activation("relu")
    smax = lw.activations.get_activation("softmax")

    def elementwise():
        for i in range(1, len(dims) - 1):
            Z[i] += bs_[i - 1]
            relu.forward(Z[i], out=Z[i])
            relu.backward(A[i], Z[i], out=A[i])
            np.sum(A[i], axis=1, keepdims=True, out=bs_[i - 1])
        Z[-1] += bs_[-1]
        smax.forward(Z[-1], out=Z[-1])
        np.subtract(Z[-1], Y[:, :bs], out=A[-1])
        A[-1] *= 1.0 / bs
        np.sum(A[-1], axis=1, keepdims=True, out=bs_[-1])

    out["elementwise (bias, ReLU, softmax, their backward, dZ[L], db)"] = _timed(
        elementwise, nb, repeats
    )
    model = _model(wl)
    opt = lw.Adam(1e-3)
    params = model.named_parameters()
    out["Adam update"] = _timed(lambda: opt.step(params), nb, repeats)
    perm = rng.permutation(m)
    batches = [perm[i : i + bs] for i in range(0, m, bs)]

    def gather():  # as fit does it: a column gather of the column-major X
        for idx in batches:
            Xf[:, idx]
            Y[:, idx]

    out["batching (shuffled gather of X and Y, as fit does)"] = _timed(gather, 1, repeats)
    loss = lw.losses.get_loss("cce")
    AL = np.full((wl.n_classes, bs), 1.0 / wl.n_classes, f32)
    Yb = Y[:, :bs]
    out["per-batch cost"] = _timed(lambda: loss.cost(AL, Yb), nb, repeats)
    out["per-batch accuracy"] = _timed(lambda: accuracy_of(AL, Yb, "softmax"), nb, repeats)
    return out


def dtype_audit(wl, X, y) -> list[str]:
    """Every array a training step touches that is not float32, as 'where: dtype'."""
    model = _model(wl)
    model.fit(X[:, :512], y[:, :512], epochs=1, optimizer=lw.Adam(1e-3), batch_size=256, verbose=0)
    bad = []
    for name, p, g in model.named_parameters():
        for what, arr in (("param", p), ("grad", g)):
            if arr.dtype != np.float32:
                bad.append(f"{what} {name}: {arr.dtype}")
    for slot, per in model.optimizer_._state.items():
        for name, arr in per.items():
            if arr.dtype != np.float32:
                bad.append(f"Adam {slot} {name}: {arr.dtype}")
    for layer in model.layers:
        for key, arr in getattr(layer, "_buf", {}).items():
            if arr.dtype != np.float32:
                bad.append(f"layer {layer.index} buffer {key}: {arr.dtype}")
        if getattr(layer, "_A", None) is not None and layer._A.dtype != np.float32:
            bad.append(f"layer {layer.index} A: {layer._A.dtype}")
    return bad


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description="profile one W1 epoch of layerwise")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    kernel_dispatch.load_fused()  # the steady state, not the one-off load
    wl = scaled(WORKLOADS["W1"], args.scale)
    data = make_data(wl.m, wl.n_x, wl.n_classes, 0)
    X, y = data.X_rows.T, data.y.reshape(1, -1)
    total = epoch_time(wl, X, y, args.repeats)
    parts = components(wl, X, y, args.repeats)
    print(f"W1 epoch through fit: {total:.3f} s (median of {args.repeats})")
    print(f"{'component':<64}{'s/epoch':>9}{'share':>8}")
    for name, t in parts.items():
        print(f"{name:<64}{t:>9.3f}{t / total:>8.0%}")
    rest = total - sum(parts.values())
    label = "Python overhead and the rest (epoch - components)"
    print(f"{label:<64}{rest:>9.3f}{rest / total:>8.0%}")
    bad = dtype_audit(wl, X, y)
    print("dtype audit:", "everything float32" if not bad else "; ".join(bad))
    print()
    print(top_functions(wl, X, y))
    return {"epoch": total, "components": parts, "rest": rest, "non_float32": bad}


if __name__ == "__main__":
    main()
