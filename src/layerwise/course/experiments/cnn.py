"""Course 4: a small convolutional network on the course's cat pictures (cat-cnn).

Trains (conv 3x3 → max-pool 2) blocks → flatten → sigmoid, with left-right flips of the
training pictures (the ``files-cnn`` preset of ``layerwise train --model cnn``), on
train_catvnoncat.h5 (209 pictures) once per seed and scores test_catvnoncat.h5 (50
pictures), where the course's 4-layer dense network scores 0.80. Prints one row per seed
(train and test accuracy, seconds) and the median test accuracy, and writes the best
seed's run into --out: model.npz (for ``layerwise predict``), history.csv, metrics.json,
learning_curve.png, confusion_matrix.png (test set), filters.png (the first layer's
filters) and feature_maps.png (that layer's output for the first cat of the training
set). Needs the cat data (h5py).
"""

from __future__ import annotations

import argparse
import time
from contextlib import nullcontext
from statistics import median

import numpy as np

from ...builders import PRESETS, cnn_layers
from ...data import load_cat_files
from ...layers import Dense
from ...network import Sequential
from ...runs import write_run
from ._cat import CAT_FILES
from ._common import add_data_dir, base_parser, find_data_files, output_dir

#: the course's 4-layer dense network on the same test set (``layerwise course deep``)
DENSE_TEST_ACCURACY = 0.80
PRESET = PRESETS["files-cnn"]


def seed_list(text: str) -> list[int]:
    """ "1,2,3" -> [1, 2, 3] (argparse type: a bad list is a usage error)."""
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        seeds = []
    if not seeds or any(s < 0 for s in seeds):
        raise argparse.ArgumentTypeError(f"expected seeds like 1,2,3, got {text!r}")
    return seeds


def positive(text: str) -> int:
    """A positive integer (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def one_blas_thread():
    """A context running the matrix products on one BLAS thread when threadpoolctl is
    installed: with other work on the machine's cores a multithreaded BLAS spins between
    the many small products of a conv step and runs slower (the numbers are the same)."""
    try:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415 - optional (bench extra)
    except ImportError:
        return nullcontext()
    return threadpool_limits(1)


def cat_cnn(seed: int) -> Sequential:
    """The ``files-cnn`` preset's network for 64x64 RGB pictures in [0, 1], with a sigmoid
    output. The pixels are already scaled, so the preset's Rescale is left out: then the
    first convolution is the first layer and skips computing dJ/dX."""
    body = cnn_layers(PRESET["layers"], PRESET["dense"], 1.0, PRESET["keep_prob"])[1:]
    model = Sequential([*body, Dense(1, "sigmoid")], input_dim=(64, 64, 3), seed=seed)
    model.classes_ = ["non-cat", "cat"]
    return model


def read_pictures(data_dir: str | None, limit: int | None = None) -> dict:
    """The cat pictures as images (m, 64, 64, 3) float32 in [0, 1] and labels (1, m); with
    ``limit`` only the first ``limit`` training pictures."""
    train_path, _ = find_data_files(CAT_FILES, "course1", data_dir)
    train_x, train_y, test_x, test_y, _ = load_cat_files(train_path.parent)
    if limit is not None:
        train_x, train_y = train_x[:limit], train_y[:, :limit]
    return {
        "train_x": train_x.astype(np.float32) / 255,
        "train_y": train_y,
        "test_x": test_x.astype(np.float32) / 255,
        "test_y": test_y,
    }


def parser() -> argparse.ArgumentParser:
    p = base_parser("cat-cnn", __doc__.splitlines()[0])
    add_data_dir(p, "folder holding train_catvnoncat.h5 and test_catvnoncat.h5")
    p.add_argument(
        "--seeds", type=seed_list, default=[1, 2, 3], help="seeds, one run each (default: 1,2,3)"
    )
    p.add_argument(
        "--epochs",
        type=positive,
        default=PRESET["iterations"],
        help="epochs per run (default: %(default)s)",
    )
    p.add_argument(
        "--limit",
        type=positive,
        default=None,
        metavar="M",
        help="train on the first M training pictures only (a quick check)",
    )
    return p


def train_one(data: dict, seed: int, epochs: int) -> dict:
    """Train the network with ``seed``; its model, history, accuracies and seconds."""
    model = cat_cnn(seed)
    start = time.perf_counter()
    with one_blas_thread():
        history = model.fit(
            data["train_x"],
            data["train_y"],
            epochs=epochs,
            learning_rate=PRESET["lr"],
            optimizer=PRESET["optimizer"],
            batch_size=PRESET["batch_size"],
            augment=PRESET["augment"],
            verbose=0,
        )
    seconds = time.perf_counter() - start
    return {
        "seed": seed,
        "model": model,
        "history": history,
        "train_accuracy": model.evaluate(data["train_x"], data["train_y"])["accuracy"],
        "test_accuracy": model.evaluate(data["test_x"], data["test_y"])["accuracy"],
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    data = read_pictures(args.data_dir, args.limit)
    out = output_dir(args)
    m_train, m_test = data["train_y"].shape[1], data["test_y"].shape[1]
    print(
        f"{m_train} training and {m_test} test pictures (64x64 RGB); {args.epochs} epochs "
        f"of mini-batches of {PRESET['batch_size']}, Adam at {PRESET['lr']}, "
        f"augment {PRESET['augment']}"
    )
    cat_cnn(0).summary()

    print(f"\n{'seed':>4}  {'train acc':>9}  {'test acc':>8}  {'seconds':>7}")
    runs = []
    for seed in args.seeds:
        run = train_one(data, seed, args.epochs)
        runs.append(run)
        print(
            f"{seed:>4}  {run['train_accuracy']:>9.4f}  {run['test_accuracy']:>8.4f}  "
            f"{run['seconds']:>7.1f}",
            flush=True,
        )
    test = [r["test_accuracy"] for r in runs]
    print(
        f"\nmedian test accuracy {median(test):.4f} over {len(runs)} seed(s) "
        f"(the course's 4-layer dense network: {DENSE_TEST_ACCURACY:.2f})"
    )

    best = max(runs, key=lambda r: (r["test_accuracy"], r["train_accuracy"], -r["seed"]))
    cats = np.flatnonzero(data["train_y"][0] == 1)
    first = int(cats[0]) if cats.size else 0
    metrics = {
        "data": "train_catvnoncat.h5 / test_catvnoncat.h5",
        "seed": best["seed"],
        "epochs": args.epochs,
        "m_train": m_train,
        "train_accuracy": best["train_accuracy"],
        "test_accuracy": best["test_accuracy"],
        "train_seconds": round(best["seconds"], 3),
        "runs": [{k: r[k] for k in ("seed", "train_accuracy", "test_accuracy")} for r in runs],
        "median_test_accuracy": median(test),
    }
    written = write_run(
        out,
        best["model"],
        best["history"],
        metrics,
        X=data["train_x"][first : first + 1],  # the picture of feature_maps.png
        cost_label="epoch",
        test=(data["test_x"], data["test_y"]),  # confusion_matrix.png of the test set
    )
    print(f"best seed {best['seed']}: wrote {', '.join(str(p) for p in written)}")
    print(f"try: layerwise predict {out / 'model.npz'} picture.jpg")
    return 0
