"""What the benchmark runs on: cores, CPU model, BLAS kernel, versions, float32 GEMM rate."""

from __future__ import annotations

import os
import platform
import sys
import time
from importlib import metadata

import numpy as np

#: Environment variables that pick OpenBLAS's kernel; reported with every run.
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


def core_count() -> int:
    """Cores this process may run on (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or the platform's description."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> list[dict]:
    """threadpoolctl's view of the loaded BLAS/OpenMP pools: api, version, kernel, threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"internal_api": "unknown (threadpoolctl not installed)"}]
    keys = ("user_api", "internal_api", "version", "architecture", "num_threads", "filepath")
    return [{k: info.get(k) for k in keys} for info in threadpool_info()]


def versions() -> dict[str, str]:
    """Python, NumPy, scikit-learn, PyTorch and layerwise versions ("absent" when not
    installed), read from package metadata so that nothing is imported."""
    out = {"python": sys.version.split()[0], "numpy": np.__version__}
    for name in ("scikit-learn", "torch", "layerwise"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def gemm_rate(n: int = 4096, repeats: int = 5) -> float:
    """Median float32 GFLOP/s of an (n, n) @ (n, n) NumPy matmul, 2 n^3 flops, after a warm-up."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=c)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        times.append(time.perf_counter() - t0)
    return 2.0 * n**3 / float(np.median(times)) / 1e9


def describe() -> dict:
    """Everything about the machine a results table needs."""
    return {
        "cores": core_count(),
        "cpu": cpu_model(),
        "platform": platform.platform(),
        "versions": versions(),
        "blas": blas_info(),
        "env": {k: os.environ.get(k) for k in BLAS_ENV},
    }
