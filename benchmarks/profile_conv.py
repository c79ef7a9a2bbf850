"""Where the convolution workloads' time goes in layerwise: layer by layer, then by function.

    python benchmarks/profile_conv.py [--threads N] [--repeats N] [--scale F]

First each layer's forward and backward on its own, at the shapes of C1, C2 (a first
layer: no gradient for the images) and of the cat CNN (C3, one batch of 32), median of
``--repeats`` calls after a warm-up. Then the
functions with the most own time (cProfile) in C2's step and in one C3 epoch through
``fit``: the window copies (im2col, col2im, the pooling gathers), the matrix products,
the activations. Last, a check that every work array the layers keep is float32.
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
import layerwise.layers.conv as conv_module
from benchmarks import machine
from benchmarks.peers import LayerwisePeer, make_images
from benchmarks.run import CONV_WORKLOADS, _limit_blas, scaled


def _median_time(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def layer_times(
    model: lw.Sequential, X: np.ndarray, repeats: int
) -> list[tuple[str, float, float]]:
    """(layer, forward s, backward s) for each layer of ``model`` on the batch X, each call
    timed on its own (a training forward, then backward from a fixed upstream gradient)."""
    rows, A = [], X
    inputs = []
    for layer in model.layers:
        inputs.append(A)
        A = layer.forward(A, training=True)
    rng = np.random.default_rng(0)
    dA = rng.standard_normal(A.shape).astype(A.dtype)
    grads = [None] * len(model.layers)
    for k in range(len(model.layers) - 1, -1, -1):
        grads[k] = dA
        dA = model.layers[k].backward(dA.copy())
    for k, layer in enumerate(model.layers):
        X, G = inputs[k], grads[k]
        fwd = _median_time(lambda L=layer, X=X: L.forward(X, training=True), repeats)
        bwd = _median_time(lambda L=layer, G=G: L.backward(G.copy()), repeats)
        rows.append((f"{k + 1} {layer!r}", fwd, bwd))
    return rows


class _NamedProducts:
    """NumPy as the layers see it, with matmul behind a Python function: cProfile does not
    see ufunc calls, so without this the matrix products hide in their callers' own time."""

    def __getattr__(self, name):
        return getattr(np, name)

    @staticmethod
    def matmul(*args, **kwargs):
        return np.matmul(*args, **kwargs)


def profile_top(fn, n: int = 16) -> str:
    """cProfile of fn(), the ``n`` functions with the most own time (matmul on its own)."""
    prof = cProfile.Profile()
    saved = conv_module.np
    conv_module.np = _NamedProducts()
    try:
        prof.enable()
        fn()
        prof.disable()
    finally:
        conv_module.np = saved
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(n)
    return buf.getvalue()


def dtype_audit(models) -> list[str]:
    """Every work array a conv, pool or dense layer keeps that is not float32."""
    bad = []
    for model in models:
        for layer in model.layers:
            arrays = dict(getattr(layer, "_buf", {}))
            arrays.update({k: c.flat for k, c in getattr(layer, "_chunks", {}).items()})
            for key, arr in arrays.items():
                if arr.dtype.kind == "f" and arr.dtype != np.float32:
                    bad.append(f"{layer!r} buffer {key}: {arr.dtype}")
    return bad


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description="profile layerwise's convolution workloads")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--scale", type=float, default=1.0, help="shrink m (smoke runs)")
    args = p.parse_args(argv)
    _limit_blas(args.threads)
    print(f"cores: {machine.core_count()}   CPU: {machine.cpu_model()}   threads: {args.threads}")
    peer, models = LayerwisePeer(), []
    for name in ("C1", "C2"):
        wl = scaled(CONV_WORKLOADS[name], args.scale)
        H, W, C = wl.image
        model = lw.Sequential(
            [lw.Conv2D(wl.filters, wl.kernel_size, padding="same")],
            input_dim=wl.image,
            dtype="float32",
        )
        models.append(model)
        X = make_images(wl.m, wl.image, 0).X_rows
        f = wl.kernel_size
        print(f"\n{name}: batch {wl.m}x{H}x{W}x{C}, {wl.filters} filters {f}x{f} 'same'")
        for row, fwd, bwd in layer_times(model, X, args.repeats):
            print(f"  {row:<60} forward {fwd * 1e3:8.2f} ms   backward {bwd * 1e3:8.2f} ms")
    wl = scaled(CONV_WORKLOADS["C3"], args.scale)
    data = make_images(wl.m, wl.image, 0)
    cnn = peer.build_cnn(wl, 0)
    models.append(cnn)
    batch = data.X_rows[: wl.batch_size]
    print(f"\nC3: the cat CNN, one batch of {batch.shape[0]}, layer by layer")
    total = 0.0
    for row, fwd, bwd in layer_times(cnn, batch, args.repeats):
        total += fwd + bwd
        print(f"  {row:<60} forward {fwd * 1e3:8.2f} ms   backward {bwd * 1e3:8.2f} ms")
    print(f"  sum of the layers: {total * 1e3:.2f} ms per batch")
    epoch = _median_time(lambda: peer.train_cnn(wl, data, 0, 1), max(1, args.repeats // 3))
    print(f"  one epoch through fit: {epoch * 1e3:.1f} ms")

    wl2 = scaled(CONV_WORKLOADS["C2"], args.scale)
    step = peer.conv_step(wl2, make_images(wl2.m, wl2.image, 0), 0)
    step()
    print("\nC2 step, cProfile (own time):")
    print(profile_top(lambda: [step() for _ in range(3)]))
    print("C3 epoch, cProfile (own time):")
    print(profile_top(lambda: peer.train_cnn(wl, data, 0, 1)))
    bad = dtype_audit(models)
    print("dtype audit:", "every work array float32" if not bad else "; ".join(bad))


if __name__ == "__main__":
    main()
