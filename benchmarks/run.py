"""Side-by-side speed of layerwise, PyTorch (CPU, eager) and scikit-learn's MLPClassifier.

    python benchmarks/run.py                      # every workload; 3 repeats
    python benchmarks/run.py --workloads W1 --repeats 5 --json out.json
    python benchmarks/run.py --workloads C1,C2,C3      # the convolution workloads only
    python benchmarks/run.py --workloads W4,latency    # the small model
    python benchmarks/run.py --smoke    # every workload at a tiny size, in seconds; reports only

The peers train the same network on the same synthetic float32 data (labels from a random
teacher network), interleaved: each repeat runs every peer once, in a rotated order, and the
table shows medians over the repeats. Achieved GFLOP/s counts 6 x parameters x examples per
epoch (2 forward, 4 backward) and 2 x parameters x examples for inference, and is compared
with the machine's float32 GEMM rate measured first. W4 is a small tabular model (the digits'
shape, 1797 x 64 -> 64-64-10, 20 epochs of batches of 32) where per-call overhead, not the
matrix products, sets the time; "latency" is the median time of predicting one example with
W4's trained network. The convolution workloads (C1, C2: one
Conv2D layer's forward and backward; C3: the cat CNN's training epoch) run layerwise against
PyTorch, each given the image layout it prefers (NHWC for layerwise, NCHW for PyTorch, both
made before timing); their GFLOP/s count 2 x the convolutions' multiply-adds. The ratio
column is layerwise's time divided by the peer's (below 1: layerwise is faster).

With OpenBLAS, the kernel can be forced by OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE; for the
native kernel run ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import machine
from benchmarks.peers import ConvWorkload, Data, Workload, make_data, make_images, make_peers

PEERS = ("layerwise", "torch", "sklearn")
#: layerwise run differently, as extra rows: the environment each child gets. "numpy" is
#: layerwise without its compiled kernels (as if numba were absent); "baseline" is the
#: layerwise found in --baseline SRC (an older checkout's src/), without them too, i.e.
#: as ``pip install .`` gave it before numba became a core dependency.
VARIANTS = {"layerwise-numpy": {"LAYERWISE_ACCEL": "0"}, "baseline": {"LAYERWISE_ACCEL": "0"}}
DEFAULT_WORKLOADS = ("W1", "W2", "W3", "W4", "inference", "latency", "C1", "C2", "C3")
SEED = 0

#: The workloads at full size (``--scale 1``).
WORKLOADS = {
    "W1": Workload("W1", 60000, 784, (256, 128), 10, "adam", 1e-3, 256, 1),
    "W2": Workload(
        "W2", 209, 12288, (20, 7, 5), 1, "gd", 0.0075, None, 100, peers=("layerwise", "torch")
    ),
    "W3": Workload("W3", 20000, 1024, (1024, 1024), 10, "adam", 1e-3, 256, 1),
    "W4": Workload("W4", 1797, 64, (64, 64), 10, "adam", 1e-3, 32, 20),
}
#: The convolution workloads (layerwise against PyTorch only): C1 and C2 are one Conv2D
#: layer's forward + backward on a batch of images, as a network's first layer (seconds
#: per step, the median of ``steps``); C3 the cat CNN's training epoch (209 images
#: 64x64x3, Adam, batch 32).
CONV_WORKLOADS = {
    "C1": ConvWorkload("C1", "layer", 64, (28, 28, 1), 8, 3, steps=30),
    "C2": ConvWorkload("C2", "layer", 32, (64, 64, 3), 16, 5, steps=10),
    "C3": ConvWorkload("C3", "cnn", 209, (64, 64, 3), 8, 3, steps=3, batch_size=32),
}
INFERENCE_M = 10000
INFERENCE_CALLS = 10  # predictions timed per repeat (the median call is reported)
LATENCY_CALLS = 2000  # one-example predictions timed per repeat (the median is reported)
#: --smoke: every workload at this scale, once, in one process, without goals or RSS.
SMOKE_SCALE = 0.02

#: Goals: (workload, peer) -> largest allowed time ratio layerwise / peer.
RATIO_GOALS = {
    ("W1", "torch"): 0.85,
    ("W1", "sklearn"): 0.6,
    ("W3", "torch"): 0.80,
    ("W3", "sklearn"): 0.6,
    ("W2", "torch"): 0.7,
    ("W4", "torch"): 0.25,
    ("inference", "torch"): 0.5,
    ("latency", "torch"): 0.5,
    ("C1", "torch"): 1.0,
    ("C2", "torch"): 1.0,
    ("C3", "torch"): 1.0,
}
#: Goals: workload -> smallest fraction of the GEMM rate layerwise should reach.
GEMM_GOALS = {"W1": 0.65, "W3": 0.90}


def scaled(wl: Workload | ConvWorkload, scale: float) -> Workload | ConvWorkload:
    """``wl`` with m, n_x and the hidden widths multiplied by ``scale`` (at least 2 each);
    a convolution workload keeps its images and scales m only."""
    if scale == 1.0:
        return wl
    if isinstance(wl, ConvWorkload):
        m = max(4, round(wl.m * scale))
        batch = None if wl.batch_size is None else max(2, min(wl.batch_size, m // 2))
        return replace(wl, m=m, batch_size=batch)
    s = lambda n: max(2, round(n * scale))  # noqa: E731
    batch = None if wl.batch_size is None else max(2, min(wl.batch_size, s(wl.m) // 4))
    return replace(
        wl,
        m=max(8, s(wl.m)),
        n_x=s(wl.n_x),
        hidden=tuple(s(h) for h in wl.hidden),
        batch_size=batch,
        epochs=wl.epochs if wl.batch_size is not None else max(2, round(wl.epochs * scale)),
    )


def workload(name: str, scale: float) -> Workload | ConvWorkload:
    """The workload ``name`` at ``scale`` (inference uses W1's network, latency W4's)."""
    if name in CONV_WORKLOADS:
        return scaled(CONV_WORKLOADS[name], scale)
    return scaled(WORKLOADS[PREDICTION_NETWORK.get(name, name)], scale)


#: The prediction workloads and the training workload whose network they use.
PREDICTION_NETWORK = {"inference": "W1", "latency": "W4"}


def _rotated(names: Sequence[str], r: int) -> list[str]:
    k = r % len(names)
    return list(names[k:]) + list(names[:k])


# --------------------------------------------------------------------------- children
# Every measurement runs in a fresh interpreter: one library's idle thread pool (OpenBLAS
# or OpenMP workers still spinning) never steals cores from another's, and peak RSS is
# the process's own.


def child(spec: dict) -> dict:
    """Run one measurement in this process; ``spec`` says peer, workload, task, seed."""
    threads = spec["threads"]
    _limit_blas(threads)
    name, task = engine(spec["peer"]), spec["task"]
    peers, skipped = make_peers([name], threads)
    if name in skipped:
        return {"skipped": skipped[name]}
    peer = peers[name]
    if name == "layerwise":  # the steady state: first_use.py times the one-off load
        getattr(importlib.import_module("layerwise.kernel_dispatch"), "load_fused", bool)()
        _limit_image_threads(threads)
    wl = workload(spec["workload"], spec["scale"])
    seed = spec["seed"]
    if task == "conv":
        return conv_child(peer, wl, seed)
    if task == "rss":
        data = make_data(wl.m, wl.n_x, wl.n_classes, SEED)
        before = _max_rss_mib()
        peer.train(wl, data, seed, 1)
        return {"before_fit_mib": before, "peak_mib": _max_rss_mib()}
    if task in PREDICTION_NETWORK:
        return prediction_child(peer, wl, seed, spec["m"], task)
    data = make_data(wl.m, wl.n_x, wl.n_classes, SEED)
    warm = _warmup_data(data, wl)  # untimed: first-call costs (thread pools, allocations)
    peer.train(replace(wl, m=warm.X_rows.shape[0]), warm, seed, 1)
    seconds, model = peer.train(wl, data, seed, wl.epochs)
    return {
        "seconds": seconds / wl.epochs,
        "accuracy": peer.accuracy(model, data),
        "peak_mib": _max_rss_mib(),
    }


def prediction_child(peer, wl: Workload, seed: int, m: int, task: str) -> dict:
    """Median seconds of ``predict_proba`` on m examples (one for latency), on a network
    trained untimed for an epoch on a few batches; a few untimed calls first."""
    train = make_data(min(wl.m, 4 * (wl.batch_size or wl.m)), wl.n_x, wl.n_classes, SEED)
    model = peer.train(replace(wl, m=train.X_rows.shape[0]), train, seed, 1)[1]
    test = make_data(m, wl.n_x, wl.n_classes, SEED + 1)
    calls_n = LATENCY_CALLS if task == "latency" else INFERENCE_CALLS
    for _ in range(3 if task == "inference" else 50):
        peer.predict_proba(model, test.X_rows)
    calls = []
    for _ in range(calls_n):
        t0 = time.perf_counter()
        peer.predict_proba(model, test.X_rows)
        calls.append(time.perf_counter() - t0)
    return {"seconds": statistics.median(calls), "accuracy": None}


def conv_child(peer, wl: ConvWorkload, seed: int) -> dict:
    """A convolution measurement: seconds per layer step (the median of ``wl.steps``, after
    three untimed) or per CNN epoch (``wl.steps`` epochs after an untimed one)."""
    data = make_images(wl.m, wl.image, SEED)
    if wl.kind == "layer":
        step = peer.conv_step(wl, data, seed)
        for _ in range(3):
            step()
        times = []
        for _ in range(wl.steps):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        return {"seconds": statistics.median(times), "accuracy": None, "peak_mib": _max_rss_mib()}
    peer.train_cnn(wl, data, seed, 1)  # untimed: first-call costs
    seconds, model = peer.train_cnn(wl, data, seed, wl.steps)
    return {
        "seconds": seconds / wl.steps,
        "accuracy": peer.cnn_accuracy(model, data),
        "peak_mib": _max_rss_mib(),
    }


def _limit_blas(threads: int) -> None:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    # kept alive for the life of this child process
    _limit_blas.handle = threadpool_limits(limits=threads, user_api="blas")  # type: ignore


def _limit_image_threads(threads: int) -> None:
    """The threads layerwise's compiled image kernels split a batch over, as the BLAS pool."""
    dispatch = importlib.import_module("layerwise.kernel_dispatch")
    if hasattr(dispatch, "IMAGE_THREADS"):  # absent from a --baseline checkout
        dispatch.IMAGE_THREADS = threads


def _warmup_data(data: Data, wl: Workload) -> Data:
    m = data.X_rows.shape[0]
    n = m if wl.batch_size is None else min(m, 4 * wl.batch_size)
    return Data(data.X_rows[:n].copy(), data.y[:n].copy())


def _max_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / (1024 * 1024) if sys.platform == "darwin" else kib / 1024


def engine(peer: str) -> str:
    """The library a peer runs: a variant of layerwise is layerwise."""
    return "layerwise" if peer in VARIANTS else peer


def run_child(spec: dict, in_process: bool = False, env: dict | None = None) -> dict:
    """``child(spec)`` in a fresh interpreter with ``env`` added to this one's environment
    (or in this interpreter, for a smoke run); its JSON answer (or {"error": ...})."""
    if in_process:
        try:
            return child(spec)
        except Exception as exc:  # reported like a child's failure
            return {"error": f"{type(exc).__name__}: {exc}"}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=full_env)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = proc.stderr.strip().splitlines()[-3:]
        return {"error": " | ".join(tail) or f"exit code {proc.returncode}"}
    return json.loads(lines[-1])


# --------------------------------------------------------------------------- benches
def bench(task: str, wl: Workload, names: list[str], args, log, m: int = 0) -> dict:
    """Every peer ``args.repeats`` times, interleaved in rotated order; medians per peer."""
    runs: dict[str, list[dict]] = {n: [] for n in names}
    for r in range(args.repeats):
        for name in _rotated(names, r):
            spec = {
                "peer": name,
                "task": task,
                "workload": wl.name,
                "scale": args.scale,
                "seed": SEED + r,
                "threads": args.threads,
                "m": m,
            }
            res = run_child(spec, in_process=args.smoke, env=args.variant_env.get(name))
            if "error" in res:
                raise RuntimeError(f"{wl.name} {name} failed: {res['error']}")
            runs[name].append(res)
            unit = "s/epoch" if task == "train" else "s/call"
            unit = _conv_unit(wl) if task == "conv" else unit
            log(
                f"  {task if task in PREDICTION_NETWORK else wl.name} repeat "
                f"{r + 1}/{args.repeats} {name}: {res['seconds']:.6f} {unit}"
            )
    predicting = task in PREDICTION_NETWORK
    m_ex = m if predicting else wl.m
    flops = 2.0 * wl.n_params * m if predicting else wl.flops_per_epoch()
    out = {}
    for name, rs in runs.items():
        times = [x["seconds"] for x in rs]
        t = statistics.median(times)
        accs = [x["accuracy"] for x in rs if x["accuracy"] is not None]
        out[name] = {
            "seconds": t,
            "all_seconds": times,
            "examples_per_s": m_ex / t,
            "gflops": flops / t / 1e9,
            "accuracy": statistics.median(accs) if accs else None,
        }
    return out


def _conv_unit(wl) -> str:
    return "s/step" if getattr(wl, "kind", "") == "layer" else "s/epoch"


def bench_rss(names: Sequence[str], args, log) -> dict:
    """Peak RSS (ru_maxrss) of a fresh process that imports the peer, makes W1's data and trains one
    epoch. Raw figures: nothing (interpreter, imports, data) is subtracted."""
    out = {}
    for name in names:
        spec = {
            "peer": name,
            "task": "rss",
            "workload": "W1",
            "scale": args.scale,
            "seed": SEED,
            "threads": args.threads,
            "m": 0,
        }
        out[name] = run_child(spec, in_process=args.smoke, env=args.variant_env.get(name))
        log(f"  peak RSS {name}: {out[name]}")
    return out


# --------------------------------------------------------------------------- report
def add_ratios(results: dict, gemm: float) -> None:
    """Fill each row's fraction of the GEMM rate, layerwise's time ÷ the row's, and the
    row's time ÷ PyTorch's (None without a torch row)."""
    for rows in results.values():
        base, torch = rows.get("layerwise"), rows.get("torch")
        for row in rows.values():
            row["gemm_fraction"] = row["gflops"] / gemm
            row["ratio"] = base["seconds"] / row["seconds"] if base else None
            row["vs_torch"] = row["seconds"] / torch["seconds"] if torch else None


def check_goals(results: dict, rss: dict) -> list[dict]:
    """Each goal with the measured value and whether it is met (None when not measured)."""
    goals = []
    for (wl, peer), limit in RATIO_GOALS.items():
        row = results.get(wl, {}).get(peer)
        value = None if row is None else row["ratio"]
        goals.append(
            {
                "goal": f"{wl}: layerwise / {peer} time <= {limit}",
                "value": value,
                "met": None if value is None else value <= limit,
            }
        )
    for wl, frac in GEMM_GOALS.items():
        row = results.get(wl, {}).get("layerwise")
        value = None if row is None else row["gemm_fraction"]
        goals.append(
            {
                "goal": f"{wl}: layerwise >= {frac:.0%} of the GEMM rate",
                "value": value,
                "met": None if value is None else value >= frac,
            }
        )
    lw_rss, pt_rss = rss.get("layerwise", {}), rss.get("torch", {})
    if "peak_mib" in lw_rss and "peak_mib" in pt_rss:
        goals.append(
            {
                "goal": "W1 peak RSS: layerwise <= torch",
                "value": lw_rss["peak_mib"] / pt_rss["peak_mib"],
                "met": lw_rss["peak_mib"] <= pt_rss["peak_mib"],
            }
        )
    return goals


def format_report(report: dict) -> str:
    """The machine header, the results table, peak RSS and the goals, as text."""
    mach, lines = report["machine"], []
    lines.append(f"cores: {mach['cores']}   CPU: {mach['cpu']}")
    lines.append("versions: " + ", ".join(f"{k} {v}" for k, v in mach["versions"].items()))
    for info in mach["blas"]:
        lines.append(
            f"BLAS: {info.get('internal_api')} {info.get('version')} "
            f"kernel={info.get('architecture')} threads={info.get('num_threads')}"
        )
    env = ", ".join(f"{k}={v}" for k, v in mach["env"].items() if v is not None)
    lines.append(f"BLAS environment: {env or '(none of the OPENBLAS_* / OMP_* variables set)'}")
    lines.append(
        f"threads: {report['threads']} (torch.set_num_threads and the BLAS pool; "
        f"{mach['cores']} cores)"
    )
    where = "this one process (--smoke)" if report.get("smoke") else "a fresh process"
    lines.append(f"each measurement runs in {where} (data made and warmed up untimed)")
    lines.append(
        f"float32 GEMM rate: {report['gemm_gflops']:.1f} GFLOP/s "
        f"(NumPy {report['gemm_n']}^2 matmul, median of 5)"
    )
    lines.append(
        f"repeats: {report['repeats']} (interleaved, rotated order; medians)   "
        f"scale: {report['scale']}"
    )
    for name, why in report["skipped"].items():
        lines.append(f"skipped {name}: {why}")
    lines.append("GFLOP/s counts 6 x params x examples per epoch (inference: 2 x params x m).")
    lines.append("")
    head = (
        f"{'workload':<10}{'peer':<16}{'s/epoch':>10}{'examples/s':>12}"
        f"{'GFLOP/s':>9}{'%GEMM':>7}{'accuracy':>10}{'lw/peer':>9}{'/torch':>8}"
    )
    lines.append(head)
    lines.append("-" * len(head))
    for wl, rows in report["results"].items():
        for name, row in rows.items():
            acc = "" if row["accuracy"] is None else f"{row['accuracy']:.3f}"
            lines.append(
                f"{wl:<10}{name:<16}{_seconds(row['seconds']):>10}{row['examples_per_s']:>12,.0f}"
                f"{row['gflops']:>9.1f}{row['gemm_fraction']:>7.0%}{acc:>10}"
                f"{row['ratio']:>9.2f}{_ratio(row['vs_torch']):>8}"
            )
    lines.append("(inference rows: seconds per predict_proba call of the whole test set)")
    if "latency" in report["results"]:
        lines.append("(latency rows: one predict_proba call of one example, W4's network)")
    if any(w in report["results"] for w in CONV_WORKLOADS):
        lines.append(
            "(C1, C2 rows: seconds per forward + backward step of a first Conv2D layer on "
            "the batch; C3: per epoch. GFLOP/s: 2 x multiply-adds of the convolutions)"
        )
    if report["rss"]:
        lines.append("")
        lines.append("peak RSS training W1 for one epoch (fresh process, raw, MiB):")
        for name, r in report["rss"].items():
            if "peak_mib" in r:
                lines.append(
                    f"  {name:<10} peak {r['peak_mib']:8.1f}   "
                    f"(after imports + data, before fit: {r['before_fit_mib']:.1f})"
                )
            else:
                lines.append(f"  {name:<10} {r}")
    if report["goals"]:
        lines.append("")
        lines.append("goals:")
        for g in report["goals"]:
            mark = {True: "met", False: "NOT met", None: "not measured"}[g["met"]]
            val = "" if g["value"] is None else f" (measured {g['value']:.2f})"
            lines.append(f"  {g['goal']}: {mark}{val}")
    return "\n".join(lines)


def _ratio(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def _seconds(t: float) -> str:
    """Seconds as the table shows them: 4 decimals, or microseconds below a millisecond."""
    return f"{t:.4f}" if t >= 1e-3 else f"{t * 1e6:.1f}µs"


# --------------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS))
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--scale", type=float, default=1.0, help="shrink m and widths (smoke runs)")
    p.add_argument("--json", default=None, help="also write the results to this file")
    p.add_argument(
        "--peers",
        default=",".join(PEERS),
        help="subset of layerwise,torch,sklearn, plus layerwise-numpy (no compiled kernels)",
    )
    p.add_argument(
        "--baseline",
        default=None,
        metavar="SRC",
        help="also run the layerwise in SRC (an older src/ folder) without compiled kernels",
    )
    p.add_argument(
        "--threads", type=int, default=None, help="BLAS and torch threads (default: all cores)"
    )
    p.add_argument("--no-rss", action="store_true", help="skip the peak-RSS measurement")
    p.add_argument(
        "--smoke",
        action="store_true",
        help=f"every workload at scale {SMOKE_SCALE}, once, in this process, one thread unless "
        "--threads says otherwise (reports only)",
    )
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.smoke:
        args.scale, args.repeats, args.no_rss = SMOKE_SCALE, 1, True
    if args.repeats < 1 or not 0 < args.scale <= 1:
        p.error("--repeats must be >= 1 and 0 < --scale <= 1")
    if args.threads is None:
        args.threads = 1 if args.smoke else machine.core_count()
    return args


def peer_available(name: str) -> str | None:
    """None if ``name`` can run here, else why not (checked without importing it)."""
    module = {"layerwise": "layerwise", "torch": "torch", "sklearn": "sklearn"}.get(engine(name))
    if module is None or name == "baseline":
        choices = ", ".join((*PEERS, "layerwise-numpy"))
        raise SystemExit(f"unknown peer {name!r}; choose from {choices}")
    if importlib.util.find_spec(module) is None:
        hint = " (pip install torch==2.13.0)" if name == "torch" else ""
        return f"{module} is not installed{hint}"
    return None


def main(argv: Sequence[str] | None = None, log=None) -> dict:
    """Run the benchmark, print the table, return (and optionally write) the report."""
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))), flush=True)
        return {}
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = set(workloads) - set(DEFAULT_WORKLOADS)
    if unknown:
        raise SystemExit(f"unknown workloads {sorted(unknown)}; choose from {DEFAULT_WORKLOADS}")
    wanted = ["layerwise"] + [
        p.strip() for p in args.peers.split(",") if p.strip() and p.strip() != "layerwise"
    ]
    skipped = {p: why for p in wanted if (why := peer_available(p))}
    args.variant_env = {k: dict(v) for k, v in VARIANTS.items()}
    if args.baseline:
        wanted.insert(1, "baseline")
        args.variant_env["baseline"]["PYTHONPATH"] = str(Path(args.baseline).resolve())
    if args.smoke:  # one process: no per-variant environment
        skipped.update({p: "not in --smoke runs" for p in wanted if p in VARIANTS})
    peers = [p for p in wanted if p not in skipped]
    for name, why in skipped.items():
        log(f"skipping {name}: {why}")
    gemm_n = 4096 if args.scale >= 0.5 else 512
    log(f"measuring the float32 GEMM rate ({gemm_n}^2, {args.threads} threads) ...")
    _limit_blas(args.threads)
    gemm = machine.gemm_rate(gemm_n)
    results: dict[str, dict] = {}
    for name in workloads:
        log(f"{name} ...")
        wl = workload(name, args.scale)
        if name in PREDICTION_NETWORK:
            m = 1 if name == "latency" else max(8, round(INFERENCE_M * args.scale))
            results[name] = bench(name, wl, peers, args, log, m)
        else:
            task = "conv" if name in CONV_WORKLOADS else "train"
            results[name] = bench(task, wl, [p for p in peers if engine(p) in wl.peers], args, log)
    add_ratios(results, gemm)
    rss = {}
    if "W1" in workloads and not args.no_rss:
        log("peak RSS ...")
        rss = bench_rss([p for p in ("layerwise", "torch") if p in peers], args, log)
    report = {
        "machine": machine.describe(),
        "threads": args.threads,
        "gemm_gflops": gemm,
        "gemm_n": gemm_n,
        "repeats": args.repeats,
        "scale": args.scale,
        "smoke": args.smoke,
        "skipped": skipped,
        "workloads": {n: asdict(workload(n, args.scale)) for n in workloads},
        "results": results,
        "rss": rss,
    }
    report["goals"] = check_goals(results, rss) if args.scale == 1.0 else []
    print(format_report(report), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str) + "\n")
    return report


if __name__ == "__main__":
    main()
