"""Training from a data set bigger than memory: peak RSS and throughput against in memory.

Writes a float32 data set of ``--gib`` GiB (rows (m, n_x), examples first, 10 classes a
random linear map decides) beside the current directory, evicts it from the page cache
before every out-of-core run (``posix_fadvise``: the epoch reads the disk), then trains
the same network in two child processes (after a warm-up), each reporting its peak RSS:

- out of core: one epoch over the whole file, a memory map read one block at a time
  (``layerwise.data.Blocks``);
- in memory: ``--epochs-in-memory`` epochs over the first ``--subset-gib`` GiB, read whole.

Throughput is examples per second: out of core over the whole epoch (and the median of
ten equal slices of it), in memory the median over its epochs; ``--repeats`` runs each
that many times, alternately, and reports medians. One BLAS thread by default: on a
shared machine OpenBLAS's threads slow down many times under contention. The file is
deleted at the end, on error and on Ctrl-C. Needs 20 GB free for the 8 GiB run (else it skips,
saying why).

    python benchmarks/out_of_core.py                 # 8 GiB, about 10 minutes on 2 cores
    python benchmarks/out_of_core.py --gib 0.5       # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GIB = 2**30
N_X, CLASSES, CHUNK = 1024, 10, 16384


def generate(path: Path, m: int, seed: int = 0) -> None:
    """X (m, N_X) float32 standard normal in X.npy, labels argmax(X W) in Y.npy, written
    by chunks (never all in memory)."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((N_X, CLASSES)).astype(np.float32)
    Y = np.empty(m, np.int64)
    with open(path / "X.npy", "wb") as fh:
        header = {"descr": "<f4", "fortran_order": False, "shape": (m, N_X)}
        np.lib.format.write_array_header_1_0(fh, header)
        for s in range(0, m, CHUNK):
            rows = rng.standard_normal((min(CHUNK, m - s), N_X), dtype=np.float32)
            Y[s : s + len(rows)] = np.argmax(rows @ W, axis=1)
            rows.tofile(fh)
        fh.flush()
        os.fsync(fh.fileno())
    np.save(path / "Y.npy", Y)


def evict(path: Path) -> None:
    """Drop the file's pages from the page cache (this file only): the next read is cold."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def model(hidden: list[int], seed: int = 1):
    import layerwise as lw

    layers = [lw.Dense(n, "relu") for n in hidden] + [lw.Dense(CLASSES, "softmax")]
    return lw.Sequential(layers, seed=seed)


class Timer:
    """Epoch times, and the time of each tenth of the first epoch's batches."""

    def __init__(self, batches_per_epoch: int) -> None:
        self.slice = max(1, batches_per_epoch // 10)
        self.epochs: list[float] = []
        self.slices: list[float] = []

    def callback(self):
        import layerwise as lw

        timer = self

        class _Times(lw.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                timer.start = timer.mark = time.perf_counter()

            def on_batch_end(self, batch, logs=None):
                if (batch + 1) % timer.slice == 0 and not timer.epochs:
                    now = time.perf_counter()
                    timer.slices.append(now - timer.mark)
                    timer.mark = now

            def on_epoch_end(self, epoch, logs=None):
                timer.epochs.append(time.perf_counter() - timer.start)

        return _Times()


def child(args: argparse.Namespace) -> dict:
    """One training run in this process; its figures as a dict."""
    from threadpoolctl import threadpool_limits

    import layerwise as lw

    X_disk = np.load(args.path / "X.npy", mmap_mode="r")
    Y = np.load(args.path / "Y.npy")
    net, batch = model(args.hidden), args.batch_size
    if args.child == "out-of-core":
        X, Y_fit, epochs = lw.data.Blocks(X_disk, Y, block_bytes=args.block_mib * 2**20), None, 1
        m = X_disk.shape[0]
    else:
        m = min(X_disk.shape[0], int(args.subset_gib * GIB) // (4 * N_X))
        X, Y_fit, epochs = np.array(X_disk[:m]).T, Y[None, :m], args.epochs_in_memory
    timer = Timer(-(-m // batch))
    with threadpool_limits(args.threads):  # a warm-up: lazy imports, compiled kernels
        warm = np.array(X_disk[:batch]).T
        model(args.hidden).fit(warm, Y[None, :batch], epochs=2, optimizer="adam", verbose=0)
        history = net.fit(
            X, Y_fit, epochs=epochs, batch_size=batch, optimizer="adam", learning_rate=1e-3,
            callbacks=[timer.callback()], verbose=0,
        )  # fmt: skip
    slice_rate = [timer.slice * batch / t for t in timer.slices]
    return {
        "run": args.child,
        "m": m,
        "gib": m * N_X * 4 / GIB,
        "epochs": epochs,
        "examples_per_s": statistics.median(m / t for t in timer.epochs),
        "slice_median_examples_per_s": statistics.median(slice_rate) if slice_rate else None,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "final_loss": history.history["loss"][-1],
        "final_accuracy": history.history["accuracy"][-1],
    }


def run_child(name: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, "--child", name, "--path", str(args.path)]
    cmd += ["--hidden", ",".join(map(str, args.hidden)), "--batch-size", str(args.batch_size)]
    cmd += ["--block-mib", str(args.block_mib), "--threads", str(args.threads)]
    cmd += ["--subset-gib", str(args.subset_gib), "--epochs-in-memory", str(args.epochs_in_memory)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"the {name} run failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.splitlines()[-1])


def free_space_problem(where: Path, gib: float) -> str | None:
    """Why the run cannot write ``gib`` GiB in ``where``, or None."""
    need = 20e9 if gib >= 8 else 2.5 * gib * GIB
    free = shutil.disk_usage(where).free
    if free < need:
        return (
            f"skipped: {free / 1e9:.1f} GB free in {where}, the {gib:g} GiB run needs "
            f"{need / 1e9:.0f} GB (choose another --dir or a smaller --gib)"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(args)))
        return 0
    problem = free_space_problem(args.dir, args.gib)
    if problem:
        print(problem)
        return 0
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # cleaned up like Ctrl-C
    args.path = Path(tempfile.mkdtemp(prefix="layerwise-out-of-core-", dir=args.dir))
    try:
        m = int(args.gib * GIB) // (4 * N_X)
        start = time.perf_counter()
        generate(args.path, m)
        seconds = time.perf_counter() - start
        print(f"wrote {m} x {N_X} float32 ({args.gib:g} GiB) in {seconds:.0f} s", flush=True)
        runs = {"out-of-core": [], "in-memory": []}
        for r in range(args.repeats):
            for name in runs:
                if name == "out-of-core":
                    evict(args.path / "X.npy")
                runs[name].append(run_child(name, args))
                print(f"repeat {r + 1}: {summary(runs[name][-1])}", flush=True)
    finally:
        shutil.rmtree(args.path, ignore_errors=True)
    report(runs, args)
    return 0


def summary(r: dict) -> str:
    slices = r["slice_median_examples_per_s"]
    return (
        f"{r['run']:>11}: {r['gib']:.2f} GiB, {r['examples_per_s']:,.0f} examples/s "
        f"(first epoch's tenths: median {slices:,.0f}), peak RSS {r['peak_rss_mib']:,.0f} MiB, "
        f"accuracy {r['final_accuracy']:.3f}"
    )


def report(runs: dict[str, list[dict]], args: argparse.Namespace) -> None:
    """Medians over the repeats (the largest peak RSS)."""
    rate = {k: statistics.median(r["examples_per_s"] for r in v) for k, v in runs.items()}
    rss = {k: max(r["peak_rss_mib"] for r in v) for k, v in runs.items()}
    ratio = rate["out-of-core"] / rate["in-memory"]
    print(f"network {N_X}-{'-'.join(map(str, args.hidden))}-{CLASSES}, Adam, batch "
          f"{args.batch_size}, float32, {args.threads} BLAS thread(s), blocks of "
          f"{args.block_mib} MiB, medians of {args.repeats} run(s)")  # fmt: skip
    for k in runs:
        print(f"{k:>11}: {rate[k]:,.0f} examples/s, peak RSS {rss[k]:,.0f} MiB")
    print(f"throughput out of core / in memory: {ratio:.0%} (goal >= 70 %); "
          f"peak RSS out of core {rss['out-of-core']:,.0f} MiB (goal < 1536 MiB)")  # fmt: skip
    if args.json:
        figures = {"runs": runs, "examples_per_s": rate, "peak_rss_mib": rss, "ratio": ratio}
        args.json.write_text(json.dumps(figures, indent=2))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gib", type=float, default=8.0, help="size of X on disk (default 8)")
    p.add_argument("--dir", type=Path, default=Path("."), help="where to write it (default .)")
    p.add_argument("--hidden", type=lambda s: [int(n) for n in s.split(",")], default=[256, 128])
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--block-mib", type=int, default=64, help="block size (default 64 MiB)")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    p.add_argument("--repeats", type=int, default=1, help="runs of each, for medians")
    p.add_argument("--subset-gib", type=float, default=1.0, help="in-memory run's data")
    p.add_argument("--epochs-in-memory", type=int, default=3)
    p.add_argument("--json", type=Path, default=None, help="also write the figures here")
    p.add_argument("--child", choices=("out-of-core", "in-memory"), help=argparse.SUPPRESS)
    p.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    return p.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
