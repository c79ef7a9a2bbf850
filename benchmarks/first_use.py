"""What numba costs the default install: disk, imports, and the first fused call.

    python benchmarks/first_use.py [--repeats 3]

Each figure is the median over ``--repeats`` fresh interpreters:

- installed size of numba and llvmlite (their files as their package metadata lists them);
- ``import layerwise`` and ``import numba`` (wall time of the import alone);
- whether ``import layerwise`` and a short ``layerwise train`` (the flower preset) import
  numba at all;
- the first fused Adam call (compilation or a load from numba's cache, and LLVM's start),
  with the cache cold (an empty ``NUMBA_CACHE_DIR``), warm (the same folder again), and
  with caching off (the kernel compiled from ``_fused.py``'s source with ``cache=False``);
- the first training step of a small CNN (Conv2D, Pool2D, Dense on 8 images 16x16x3,
  float32), which loads the compiled image kernels at once, with the cache cold and warm,
  against its second step.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

#: Run in a fresh interpreter after ``import layerwise``: times the import of numba, then
#: the kernels' definition with the first fused Adam call on 100 000 float32 values.
FIRST_CALL = r"""
import json, sys, time
import numpy as np
import layerwise  # its own import is timed apart
t0 = time.perf_counter()
import numba
t1 = time.perf_counter()
if sys.argv[1] == "off":
    import layerwise._fused as f
    src = open(f.__file__).read().replace("cache=True", "cache=False")
    ns = {"__name__": "uncached"}
    exec(compile(src, "uncached", "exec"), ns)
    adam = ns["KERNELS"]["adam"]
else:
    from layerwise._fused import KERNELS
    adam = KERNELS["adam"]
t2 = time.perf_counter()
p, g, v, s = (np.zeros(100_000, np.float32) for _ in range(4))
c = np.float32
adam(p, g, v, s, c(0.9), c(0.999), c(1e-8), c(1e-3))
t3 = time.perf_counter()
print(json.dumps({"import_numba": t1 - t0, "first_call": t3 - t2}))
"""

#: Run in a fresh interpreter: the first and the second training step of a small CNN.
FIRST_CNN_STEP = r"""
import json, time
import numpy as np
import layerwise as lw
model = lw.Sequential(
    [lw.Conv2D(4, 3, padding="same"), lw.Pool2D(2), lw.Flatten(), lw.Dense(1, "sigmoid")],
    input_dim=(16, 16, 3), dtype="float32", seed=0,
)
X = np.random.default_rng(0).random((8, 16, 16, 3), dtype=np.float32)
Y = (np.arange(8) % 2).reshape(1, -1)
times = []
for _ in range(2):
    t0 = time.perf_counter()
    model.fit(X, Y, epochs=1, verbose=0)
    times.append(time.perf_counter() - t0)
print(json.dumps({"first_cnn_step": times[0], "second_cnn_step": times[1]}))
"""

IMPORT_LAYERWISE = r"""
import json, sys, time
t0 = time.perf_counter()
import layerwise
t1 = time.perf_counter()
print(json.dumps({"import_layerwise": t1 - t0, "numba_loaded": "numba" in sys.modules}))
"""

TRAIN_FLOWER = r"""
import json, sys, time
from layerwise.cli import main
t0 = time.perf_counter()
main(["train", "--iterations", "300", "--out", sys.argv[1], "--overwrite"])
seconds, loaded = time.perf_counter() - t0, "numba" in sys.modules
print(json.dumps({"train_flower": seconds, "numba_loaded": loaded}))
"""


def installed_mib(dist: str) -> float | None:
    """Size on disk of the files ``dist``'s metadata lists, in MiB (None if absent)."""
    try:
        files = metadata.files(dist) or []
    except metadata.PackageNotFoundError:
        return None
    total = 0
    for f in files:
        path = Path(f.locate())
        if path.is_file():
            total += path.stat().st_size
    return total / 2**20


def run(code: str, *args: str, env: dict | None = None) -> dict:
    """``code`` in a fresh interpreter; the JSON it prints last."""
    full = {**os.environ, **(env or {})}
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=full, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def medians(rows: list[dict]) -> dict:
    """Per key, the median of the numbers (booleans: whether any row was true)."""
    out = {}
    for key in rows[0]:
        vals = [r[key] for r in rows]
        out[key] = any(vals) if isinstance(vals[0], bool) else statistics.median(vals)
    return out


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description="what numba costs the default install")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    n = args.repeats
    report: dict = {
        "installed_mib": {d: installed_mib(d) for d in ("numba", "llvmlite", "numpy")},
        "import": medians([run(IMPORT_LAYERWISE) for _ in range(n)]),
    }
    with tempfile.TemporaryDirectory() as tmp:
        report["train"] = medians([run(TRAIN_FLOWER, f"{tmp}/flower") for _ in range(n)])
        cold = []
        for i in range(n):  # an empty cache folder each time
            cold.append(run(FIRST_CALL, "on", env={"NUMBA_CACHE_DIR": f"{tmp}/cold{i}"}))
        warm_env = {"NUMBA_CACHE_DIR": f"{tmp}/cold0"}
        report["cache_cold"] = medians(cold)
        report["cache_warm"] = medians([run(FIRST_CALL, "on", env=warm_env) for _ in range(n)])
        report["cache_off"] = medians([run(FIRST_CALL, "off") for _ in range(n)])
        cnn_cold = [run(FIRST_CNN_STEP, env={"NUMBA_CACHE_DIR": f"{tmp}/cnn{i}"}) for i in range(n)]
        report["cnn_cache_cold"] = medians(cnn_cold)
        cnn_env = {"NUMBA_CACHE_DIR": f"{tmp}/cnn0"}
        report["cnn_cache_warm"] = medians([run(FIRST_CNN_STEP, env=cnn_env) for _ in range(n)])
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
