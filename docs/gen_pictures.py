"""Draw the pictures of the documentation site into docs/img/ (git-ignored).

Each course experiment runs through ``layerwise course NAME`` at a small size (fewer
iterations, epochs and examples than the course, so the whole script takes about a
minute on two cores) and its PNGs are copied to ``docs/img/NAME/``. The pictures show
what each experiment draws, not the course's final numbers: the week pages give the
full-size command for those.

The cat and football experiments need the course's data files (``../shared/data`` beside
the repository, or $LAYERWISE_DATA); without them a placeholder picture says so.

    python docs/gen_pictures.py [--jobs 2] [--only NAME,NAME]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# One BLAS thread per process: under contention multithreaded small products slow down
# 10-30x (docs/architecture.md, "Decisions"). Set before NumPy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

DOCS = Path(__file__).resolve().parent
IMG = DOCS / "img"
SHARED_DATA = DOCS.parent.parent / "shared" / "data"

#: experiment name -> (small-size flags, PNGs it writes, data subfolder it needs or None).
#: The course's loops record the cost every 1000 iterations (initialization, regularization)
#: or every 100 epochs (optimization): the runs are long enough for a few points.
PICTURES: dict[str, tuple[list[str], list[str], str | None]] = {
    # the longest first, so that two processes finish together
    "yolo": (
        ["--train", "1500", "--test", "16", "--dev", "16", "--epochs", "4", "--quiet"],
        ["detections.png", "learning_curve.png"],
        None,
    ),
    "cat-cnn": (
        ["--seeds", "1", "--epochs", "5"],
        ["learning_curve.png", "filters.png", "feature_maps.png", "confusion_matrix.png"],
        "course1",
    ),
    "optimization": (
        ["--epochs", "300"],
        ["costs.png", "costs_decay.png", "decision_boundaries.png"],
        None,
    ),
    "planar": (
        ["--iterations", "600", "--sweep-iterations", "150"],
        ["logistic_regression.png", "decision_boundary.png", "hidden_sizes.png"],
        None,
    ),
    "deep": (["--iterations", "110"], ["learning_curve.png"], "course1"),
    "two-layer": (["--iterations", "120"], ["learning_curve.png"], "course1"),
    "transfer": (
        ["--seeds", "1", "--source-epochs", "2", "--source-limit", "300", "--epochs", "15"],
        ["held_out_accuracy.png"],
        None,
    ),
    "logreg": (
        ["--iterations", "300", "--compare-iterations", "200"],
        ["learning_curve.png", "learning_rates.png"],
        "course1",
    ),
    "initialization": (["--iterations", "3000"], ["costs.png", "decision_boundaries.png"], None),
    "regularization": (
        ["--iterations", "3000"],
        ["costs.png", "decision_boundaries.png"],
        "course2",
    ),
    "gradient-checking": ([], ["gradient_errors.png"], None),
    "convolution": ([], ["convolution.png"], None),
}


def placeholder(path: Path, text: str) -> None:
    """A small PNG that says ``text`` in place of a picture that could not be drawn."""
    import matplotlib  # noqa: PLC0415 - loaded when a picture is drawn

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig = plt.figure(figsize=(6, 1.2))
    fig.text(0.5, 0.5, text, ha="center", va="center", wrap=True)
    fig.savefig(path, dpi=80)
    plt.close(fig)


def draw(name: str) -> tuple[str, float, float, str]:
    """Run experiment ``name`` at its small size and copy its PNGs to docs/img/NAME/.

    Returns (name, wall seconds, CPU seconds, "ok" or what went wrong); never raises.
    """
    from layerwise.course.experiments import get_main  # noqa: PLC0415 - after the env vars

    flags, pngs, subdir = PICTURES[name]
    target = IMG / name
    target.mkdir(parents=True, exist_ok=True)
    start, cpu = time.perf_counter(), time.process_time()
    no_data = "LAYERWISE_DATA" not in os.environ and not (SHARED_DATA / str(subdir)).is_dir()
    if subdir is not None and no_data:
        for png in pngs:
            placeholder(target / png, f"needs the course data ({subdir}): not drawn here")
        return name, 0.0, 0.0, f"placeholder: no {SHARED_DATA / subdir}"
    if SHARED_DATA.is_dir():
        os.environ.setdefault("LAYERWISE_DATA", str(SHARED_DATA))
    with tempfile.TemporaryDirectory() as tmp:
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            status = get_main(name)([*flags, "--out", tmp])
        missing = [png for png in pngs if not (Path(tmp) / png).is_file()]
        outcome = "ok" if status == 0 and not missing else f"failed ({status}, no {missing})"
        if outcome == "ok":
            for png in pngs:
                shutil.copyfile(Path(tmp) / png, target / png)
    return name, time.perf_counter() - start, time.process_time() - cpu, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="processes (default: 2)")
    parser.add_argument("--only", default=None, help="comma-separated experiment names")
    args = parser.parse_args(argv)
    names = list(PICTURES) if args.only is None else args.only.split(",")
    unknown = sorted(set(names) - set(PICTURES))
    if unknown:
        known = ", ".join(PICTURES)
        parser.error(f"unknown experiment {', '.join(unknown)}; expected some of {known}")
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(draw, names))
    failed = 0
    for name, seconds, cpu, outcome in results:
        print(f"{name:18s} {seconds:6.1f} s ({cpu:5.1f} s CPU)  {outcome}")
        failed += outcome.startswith("failed")
    total_cpu = sum(r[2] for r in results)
    wall = time.perf_counter() - start
    print(f"pictures: {wall:.1f} s ({total_cpu:.1f} s CPU in the runs), into {IMG}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
